"""Presentation mode (F5, ``--present``): the window for the back of a lecture room.

Full screen; the application font, tick labels, titles, cell numbers, markers and line
widths times the presentation scale (View → Presentation Scale: 1.5×, 1.75× or 2×, kept
in the settings; 1.75× by default, which makes the smallest text of a 1024×768 projector
at least 18 px); the views of the chosen layout preset only (the last one picked in
View → Layout, else *Teach*), without the configuration panel (F6 brings it back and
hides it again), the menu, tool and status bars and the docks' title bars; a large step
counter over the plane. Every command keeps its key (the actions move onto the window
while its menu bar is hidden) and Esc or F5 leaves, giving back the layout, the geometry,
the fonts and the scale the window had.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtGui import QAction, QFont, QKeySequence
from PyQt6.QtWidgets import QApplication, QLabel, QWidget

from explorer.app import layouts
from explorer.app import settings as app_settings

#: The scales View → Presentation Scale offers.
SCALES = (1.5, 1.75, 2.0)
#: The step counter's font size before scaling (points).
COUNTER_POINTS = 20.0
#: The key that shows or hides the configuration panel while presenting.
CONFIG_KEY = "F6"


class StepCounter(QLabel):
    """A large "step 120" in the top-right corner of the plane."""

    def __init__(self, window, parent: QWidget):
        super().__init__(parent)
        self.window = window
        self.setObjectName("step_counter")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setAutoFillBackground(True)
        self.setMargin(6)
        self.hide()
        parent.installEventFilter(self)

    def set_scale(self, factor: float) -> None:
        font = QFont(QApplication.font())
        font.setPointSizeF(COUNTER_POINTS * factor)
        font.setBold(True)
        self.setFont(font)
        self.show_step()

    def show_step(self) -> None:
        """Show the session's step (the window calls it with its other read-outs)."""
        if not self.isVisible():
            return
        s = self.window.session
        text = f"step {s.step_index:,}"
        if self.text() != text:
            self.setText(text)
        self.adjustSize()
        self._place()

    def _place(self) -> None:
        parent = self.parentWidget()
        self.move(parent.width() - self.width() - 12, 44)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return False


def plane_controls(window) -> list[QWidget]:
    """The plane's row of overlay check boxes and its Reset view button (both planes'
    in compare mode)."""
    out = []
    for plane in (window.regions, *window.compare.extra_views()):
        row = plane.layout().itemAt(0).layout()
        if row is not None:
            items = (row.itemAt(k).widget() for k in range(row.count()))
            out += [w for w in items if w is not None]
    return out


class Presentation(QObject):
    """Enter and leave presentation mode on ``window`` (a MainWindow)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.active = False
        self._saved: dict = {}
        self.counter = StepCounter(window, window.regions)
        self.config_action = QAction("Show &Controls", window)
        self.config_action.setShortcut(QKeySequence(CONFIG_KEY))
        self.config_action.setToolTip(
            f"Show or hide the configuration and the plane's check boxes ({CONFIG_KEY})"
        )
        self.config_action.setEnabled(False)
        self.config_action.triggered.connect(self.toggle_config)
        window.addAction(self.config_action)
        self.leave_action = QAction("Leave Presentation", window)
        self.leave_action.setShortcut(QKeySequence("Esc"))
        self.leave_action.setEnabled(False)
        self.leave_action.triggered.connect(self.leave)
        window.addAction(self.leave_action)

    # -------------------------------------------------------------------- scale
    def scale(self) -> float:
        """The presentation scale from the settings (one of :data:`SCALES`)."""
        value = app_settings.read(self.window.settings, "present/scale")
        return value if value in SCALES else SCALES[1]

    def set_scale(self, factor: float) -> None:
        """Choose the presentation scale (applied at once while presenting)."""
        app_settings.write(self.window.settings, "present/scale", float(factor))
        if self.active:
            self._apply_scale(float(factor))

    def _apply_scale(self, factor: float) -> None:
        base = self._saved["font"]
        font = QFont(base)
        font.setPointSizeF(base.pointSizeF() * factor)
        QApplication.setFont(font)
        for view in (*self.window.views.values(), *self.window.compare.extra_views()):
            view.set_scale(factor)
        self.counter.set_scale(factor)

    # ------------------------------------------------------------ enter / leave
    def toggle(self) -> None:
        """F5: enter, or leave."""
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self, preset: str | None = None) -> None:
        """Go full screen with the views of ``preset`` (default: the last one chosen)."""
        if self.active:
            return
        w = self.window
        self.active = True
        deselect = w.actions["deselect"]
        self._saved = {
            "state": w.saveState(),
            "geometry": w.geometry(),
            "window_state": w.windowState(),
            "font": QFont(QApplication.font()),
            "deselect_keys": deselect.shortcuts(),
        }
        deselect.setShortcuts([])  # Esc leaves instead
        self.leave_action.setEnabled(True)
        self.config_action.setEnabled(True)
        # The menu bar is hidden: its actions' keys must be the window's own.
        own = QWidget.actions(w)  # ``w.actions`` is the window's dict of commands
        self._added = [a for a in w.actions.values() if a not in own]
        w.addActions(self._added)
        for bar in (w.menuBar(), w.toolbar, w.statusBar()):
            bar.hide()
        for dock in w.docks.values():
            dock.setTitleBarWidget(QWidget(dock))
        # The plane is the figure: its check boxes (1.75× as wide) come back with F6.
        for control in plane_controls(w):
            control.hide()
        w.showFullScreen()
        QApplication.processEvents()
        screen = w.screen().geometry()
        if w.geometry() != screen:  # no window manager (Xvfb) to make it full screen
            w.setGeometry(screen)
            QApplication.processEvents()
        name = preset or getattr(w, "current_layout", None) or "teach"
        if name == layouts.DEFAULT:
            name = "teach"
        self._apply_scale(self.scale())
        layouts.apply_layout(w, name, hide=("config",), presenting=True)
        self.counter.show()
        self.counter.set_scale(self.scale())
        self.counter.show_step()
        w.regions.setFocus()

    def leave(self) -> None:
        """Give the window back as it was before :meth:`enter`."""
        if not self.active:
            return
        w = self.window
        self.active = False
        saved = self._saved
        self.counter.hide()
        QApplication.setFont(saved["font"])
        for view in (*w.views.values(), *w.compare.extra_views()):
            view.set_scale(1.0)
        for dock in w.docks.values():
            old = dock.titleBarWidget()
            dock.setTitleBarWidget(None)
            if old is not None:
                old.deleteLater()
        for bar in (w.menuBar(), w.toolbar, w.statusBar()):
            bar.show()
        for control in plane_controls(w):
            control.show()
        for action in self._added:
            w.removeAction(action)
        w.actions["deselect"].setShortcuts(saved["deselect_keys"])
        self.leave_action.setEnabled(False)
        self.config_action.setEnabled(False)
        w.setWindowState(saved["window_state"])
        # the window's own corners (presentation gives the right column the bottom right)
        w.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        w.restoreState(saved["state"])
        if not saved["window_state"] & Qt.WindowState.WindowMaximized:
            w.setGeometry(saved["geometry"])
            # and once more when the normal fonts' sizes are in: until the window's
            # layout is activated again its minimum is the large fonts' one
            QTimer.singleShot(0, lambda: self._set_geometry(saved["geometry"]))

    def _set_geometry(self, rect) -> None:
        w = self.window
        w.layout().invalidate()
        w.layout().activate()
        w.setGeometry(rect)

    def toggle_config(self) -> None:
        """F6 while presenting: show the configuration panel and the plane's check boxes,
        or hide them again."""
        if not self.active:
            return
        dock = self.window.docks["config"]
        shown = not dock.isVisible()
        for control in plane_controls(self.window):
            control.setVisible(shown)
        if not shown:
            dock.hide()
            return
        area = Qt.DockWidgetArea.LeftDockWidgetArea
        self.window.addDockWidget(area, dock)
        dock.show()
        dock.raise_()


def add_scale_menu(presentation: Presentation, menu) -> dict:
    """View → Presentation Scale: one checkable entry per scale of :data:`SCALES`."""
    from PyQt6.QtGui import QActionGroup

    sub = menu.addMenu("Presentation &Scale")
    group = QActionGroup(sub)
    actions = {}
    current = presentation.scale()
    for factor in SCALES:
        action = QAction(f"{factor:g}×", sub)
        action.setCheckable(True)
        action.setChecked(factor == current)
        action.setToolTip(f"Text, markers and lines {factor:g} times their size when presenting")
        action.triggered.connect(lambda _=False, f=factor: presentation.set_scale(f))
        group.addAction(action)
        sub.addAction(action)
        actions[factor] = action
    return actions
