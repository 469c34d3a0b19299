"""The common shape of every view: a widget that reads a session and redraws itself.

A view never computes the maths; it asks the session (``explorer.session``) for numbers.
The main window calls :meth:`SessionView.refresh` once per session event with the set of
what changed, so every view redraws at most once per frame.
"""

from __future__ import annotations

from PyQt6.QtWidgets import QWidget

from explorer.views.palette import LIGHT, Theme


class SessionView(QWidget):
    """Base class of the views.

    Subclasses implement :meth:`rebuild` (the session, its data or its classes changed:
    recreate what depends on them) and :meth:`update_view` (parameters, step, selection or
    display changed: update persistent items in place).
    """

    #: Short id used in menus, settings and export file names (``regions``, ``jacobian``...).
    view_id = "view"
    #: Human title for docks and menus.
    title = "View"

    #: Kinds of session change after which :meth:`rebuild` is needed.
    REBUILD_KINDS = frozenset({"data", "session"})

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(parent)
        self.session = session
        self.theme = theme

    def set_session(self, session) -> None:
        """Show another session (after File → New / Open)."""
        self.session = session
        self.refresh(frozenset({"session"}))

    def set_theme(self, theme: Theme) -> None:
        """Switch between the light and dark appearance."""
        self.theme = theme
        self.refresh(frozenset({"session"}))

    def refresh(self, kinds: frozenset[str]) -> None:
        """Redraw after a session change of the given kinds."""
        if kinds & self.REBUILD_KINDS:
            self.rebuild()
        self.update_view(kinds)

    def rebuild(self) -> None:  # pragma: no cover - overridden
        """Recreate what depends on the data or the number of classes."""

    def update_view(self, kinds: frozenset[str]) -> None:  # pragma: no cover - overridden
        """Update persistent plot items in place."""

    def allows_context_menu(self) -> bool:
        """Whether a right-click may open the view's menu (Export / Copy this view).

        False while a right-click means something else: in edit mode (an ``edit_mode``
        attribute, the regions view's) it deletes the point under the cursor.
        """
        return not getattr(self, "edit_mode", False)

    def export_widget(self) -> QWidget:
        """The widget that export renders (the view itself unless overridden)."""
        return self
