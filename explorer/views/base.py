"""The common shape of every view: a widget that reads a session and redraws itself.

A view never computes the maths; it asks the session (``explorer.session``) for numbers.
The main window calls :meth:`SessionView.refresh` once per session event with the
:class:`~explorer.session.changes.Change` it carries, for every view whose
:attr:`~SessionView.LISTENS_TO` meets it, so every view redraws at most once per frame.

What the window, export and the benchmark may rely on in every view: :meth:`flush`,
:attr:`message`, :attr:`edit_mode`, :meth:`allows_context_menu`, :meth:`export_widget`,
:meth:`figure` (the export widget with the view's controls hidden: an exported view is a
figure, plots, titles, legends and colour bars, without its check boxes and menus),
:meth:`set_scale` (presentation mode).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PyQt6.QtCore import QEvent, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGraphicsView,
    QGraphicsWidget,
    QLabel,
    QLineEdit,
    QScrollBar,
    QWidget,
)

from explorer.session.changes import EVERYTHING, Change
from explorer.views.palette import LIGHT, Theme
from explorer.views.scaling import scale_graphics


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

    #: Presentation mode's factor for text, markers and line widths (1 in the window).
    scale: float = 1.0

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

    def set_scale(self, factor: float) -> None:
        """Draw text, markers and lines ``factor`` times their size (presentation mode;
        1 gives them back). Text that follows the application font grows with it (the
        caller scales that font); the line widths and sized texts of the view's plots are
        scaled here (:func:`~explorer.views.scaling.scale_graphics`). A view that draws
        sizes of its own reads :attr:`scale` when it rebuilds, which this does."""
        self.scale = float(factor)
        self.refresh(Change.SESSION)
        scale_graphics(self, self.scale)

    def refresh(self, changes: Change) -> None:
        """Redraw after a session change (nothing if the view does not listen to it)."""
        if not changes & self.LISTENS_TO:
            return
        if changes & self.REBUILD_ON:
            self.rebuild()
            if self.scale != 1.0:
                scale_graphics(self, self.scale)  # the rebuilt items at the shown scale
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

    def figure_controls(self) -> list[QWidget]:
        """The widgets that are controls, not part of the figure: left out of exports.

        By default every button, check box, combo box, spin box, slider and line edit in
        the view (not those of a table, which belong to it) and each label that names one
        of them (its buddy). A view whose controls are its content says none.
        """
        kinds = (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QAbstractSlider)
        found = []
        for w in self.findChildren(QWidget):
            if not isinstance(w, kinds) or isinstance(w, QScrollBar):
                continue
            parent = w.parentWidget()
            while parent is not None and parent is not self:
                if isinstance(parent, QAbstractItemView | QComboBox | QAbstractSpinBox):
                    break  # a table's corner button, a combo box's own parts
                parent = parent.parentWidget()
            else:
                found.append(w)
        chosen = set(map(id, found))
        labels = [w for w in self.findChildren(QLabel) if id(w.buddy()) in chosen]
        return found + labels

    @contextmanager
    def figure(self) -> Iterator[QWidget]:
        """Hide :meth:`figure_controls` and yield :meth:`export_widget`, laid out without
        them; every control comes back as it was on exit.

        Every export of a single view goes through this (PNG, SVG, PDF, the clipboard and
        each animation, for its whole recording): the figure is the view's plots, titles,
        legends and colour bars.
        """
        hidden = [w for w in self.figure_controls() if not w.isHidden()]
        for w in hidden:
            w.hide()
        try:
            _lay_out(self)
            yield self.export_widget()
        finally:
            for w in hidden:
                w.show()
            _lay_out(self)


def _lay_out(widget: QWidget) -> None:
    """Lay ``widget`` out now, the plots inside it too (they wait for a posted request).

    Only ``widget``'s own layouts: a request posted to the main window is left for the
    event loop (while an export holds a view at a figure's size, the window would grow).
    """
    if widget.layout() is not None:
        widget.layout().activate()
    request = QEvent.Type.LayoutRequest.value
    for _ in range(2):  # a relaid plot can post one more request
        for child in (widget, *widget.findChildren(QWidget)):
            QApplication.sendPostedEvents(child, request)
        for view in widget.findChildren(QGraphicsView):
            scene = view.scene()
            for item in scene.items() if scene is not None else ():
                if isinstance(item, QGraphicsWidget):
                    QApplication.sendPostedEvents(item, request)
