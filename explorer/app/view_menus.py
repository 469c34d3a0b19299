"""The right-click menu of every view: "Export this view…" and "Copy this view".

A view may have more entries (the inspector's and the Parameters view's *Copy as LaTeX*):
``extras(view)`` gives them.

Installed by :class:`~explorer.app.file_actions.FileActions` on each view of
``window.views``. A right-click anywhere on a view (its plot, labels, tables) reaches
the view as a ``QContextMenuEvent`` that its children did not take; text panes keep their
own Copy / Select All entries with ours added below. pyqtgraph scenes also have a menu
of their own whose "Export..." opens pyqtgraph's exporter (its SVG fails on Qt 6.11):
it is replaced by the same two entries.

A view can refuse the menu with :meth:`~explorer.views.base.SessionView.allows_context_menu`
(the regions view in edit mode, where a right-click deletes a point).
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, QPoint, Qt
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QGraphicsView, QMenu, QPlainTextEdit, QTextEdit, QWidget

EXPORT_TEXT = "Export this view…"
COPY_TEXT = "Copy this view"


class ViewMenus(QObject):
    """Context menus for the views of one window.

    Parameters
    ----------
    window : MainWindow
        Provides ``views`` (id → view).
    export : callable(view)
        Opens the export dialog for ``view`` (File → Export preselected on it).
    copy : callable(view)
        Copies an image of ``view`` to the clipboard.
    extras : callable(view) -> list of (text, tooltip, callable()), optional
        More entries for ``view``, above the two.
    """

    def __init__(self, window, export, copy, extras=None):
        super().__init__(window)
        self.window = window
        self._export = export
        self._copy = copy
        self._extras = extras or (lambda view: [])
        self._text_panes: dict[QWidget, object] = {}
        for view in window.views.values():
            self.install(view)

    # ---------------------------------------------------------------- installing
    def install(self, view) -> None:
        """Give ``view`` (and the pyqtgraph scenes and text panes inside it) our menu."""
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(
            lambda pos, v=view: self.popup(v, v.mapToGlobal(pos))
        )
        for graphics in view.findChildren(QGraphicsView):
            scene = graphics.scene()
            if scene is not None and hasattr(scene, "contextMenu"):
                scene.contextMenu = self.actions_for(view, scene)
        for pane in view.findChildren((QTextEdit, QPlainTextEdit)):
            self._text_panes[pane.viewport()] = (view, pane)
            pane.viewport().installEventFilter(self)

    def actions_for(self, view, parent: QObject) -> list[QAction]:
        """The entries for ``view`` as actions owned by ``parent``."""
        export = QAction(EXPORT_TEXT, parent)
        export.setToolTip(f"Save {view.title} as PNG or SVG")
        export.triggered.connect(lambda _=False, v=view: self._export(v))
        copy = QAction(COPY_TEXT, parent)
        copy.setToolTip(f"Put an image of {view.title} on the clipboard")
        copy.triggered.connect(lambda _=False, v=view: self._copy(v))
        extras = []
        for text, tip, handler in self._extras(view):
            extra = QAction(text, parent)
            extra.setToolTip(tip)
            extra.triggered.connect(lambda _=False, h=handler: h())
            extras.append(extra)
        return [*extras, export, copy]  # the two stay last, as on every view

    # ------------------------------------------------------------------- showing
    def menu_for(self, view, base: QMenu | None = None) -> QMenu:
        """A menu with our entries (below ``base``'s own entries when given)."""
        menu = base if base is not None else QMenu(self.window)
        if menu.actions():
            menu.addSeparator()
        menu.addActions(self.actions_for(view, menu))
        return menu

    def popup(self, view, global_pos: QPoint, base: QMenu | None = None) -> bool:
        """Show the menu of ``view`` at ``global_pos``; False when the view refuses it."""
        if not view.allows_context_menu():
            if base is not None:
                base.deleteLater()
            return False
        menu = self.menu_for(view, base)
        menu.exec(global_pos)
        menu.deleteLater()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ContextMenu and watched in self._text_panes:
            view, pane = self._text_panes[watched]
            standard = pane.createStandardContextMenu(event.pos())
            self.popup(view, event.globalPos(), standard)
            return True
        return super().eventFilter(watched, event)
