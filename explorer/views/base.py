"""The common shape of every view: a widget that reads a session and redraws itself.

A view never computes the maths; it asks the session (``explorer.session``) for numbers.
The main window calls :meth:`SessionView.refresh` once per session event with the
:class:`~explorer.session.changes.Change` it carries, for every view whose
:attr:`~SessionView.LISTENS_TO` meets it, so every view redraws at most once per frame.

What the window, export and the benchmark may rely on in every view: :meth:`flush`,
:attr:`message`, :attr:`edit_mode`, :meth:`allows_context_menu`, :meth:`export_widget`.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QWidget

from explorer.session.changes import EVERYTHING, Change
from explorer.views.palette import LIGHT, Theme


class SessionView(QWidget):
    """Base class of the views.

    Subclasses implement :meth:`rebuild` (the session, its data or its classes changed:
    recreate what depends on them) and :meth:`update_view` (parameters, step, selection or
    display changed: update persistent items in place).

    Signals
    -------
    message(str)
        A note for the status bar (what a click did, why a value was refused).
    """

    #: Short id used in menus, settings and export file names (``regions``, ``jacobian``...).
    view_id = "view"
    #: Human title for docks and menus.
    title = "View"

    #: The changes this view redraws for; others never reach it. Include ``SESSION``
    #: (a new session or theme).
    LISTENS_TO: Change = EVERYTHING
    #: The changes after which :meth:`rebuild` is needed before :meth:`update_view`.
    REBUILD_ON: Change = Change.DATA | Change.SESSION
    #: Whether clicks edit the points (the regions view's edit mode); False elsewhere.
    edit_mode: bool = False

    message = pyqtSignal(str)

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(parent)
        self.session = session
        self.theme = theme

    def set_session(self, session) -> None:
        """Show another session (after File → New / Open)."""
        self.session = session
        self.refresh(Change.SESSION)

    def set_theme(self, theme: Theme) -> None:
        """Switch between the light and dark appearance."""
        self.theme = theme
        self.refresh(Change.SESSION)

    def refresh(self, changes: Change) -> None:
        """Redraw after a session change (nothing if the view does not listen to it)."""
        if not changes & self.LISTENS_TO:
            return
        if changes & self.REBUILD_ON:
            self.rebuild()
        self.update_view(changes)

    def rebuild(self) -> None:  # pragma: no cover - overridden
        """Recreate what depends on the data or the number of classes."""

    def update_view(self, changes: Change) -> None:  # pragma: no cover - overridden
        """Update persistent plot items in place."""

    def flush(self) -> None:
        """Draw now whatever the view holds back (a throttled text, a hidden tab), so a
        picture taken next shows the session as it is; nothing by default."""

    def allows_context_menu(self) -> bool:
        """Whether a right-click may open the view's menu (Export / Copy this view).

        False while a right-click means something else: in :attr:`edit_mode` (the regions
        view's) it deletes the point under the cursor.
        """
        return not self.edit_mode

    def export_widget(self) -> QWidget:
        """The widget that export renders (the view itself unless overridden)."""
        return self
