"""Compare mode in the window: run B's regions beside run A's, both runs' curves, both ∂L/∂z.

:class:`CompareController` (``window.compare``) owns the mode. Starting it
(:meth:`~CompareController.start` with a :class:`~explorer.session.compare.Comparison`,
from Train → Compare…, ``--compare`` or a comparison file) puts a second regions view,
run B's, beside the central one, each under its run's label; gives the curves view run
B as a companion (dotted and dash-dotted beside A's solid and dashed lines, one legend
entry per run); links the two planes (a pan or zoom of either moves both); and shows, in
a status-bar field, the selected sample's ``∂L/∂z`` under both runs. The window goes on
commanding run A alone: the controller listens to A's changes ahead of the window, lets
run B follow (:meth:`Comparison.sync`), then the window redraws as usual, so one step,
play frame, step back or scrub moves both and every view draws once. A click on run B's
plane selects that sample in both. Train → Leave Compare Mode (or File → New / Open of a
single run) puts the window back.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, Qt
from PyQt6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from explorer.session.changes import Change
from explorer.views.palette import DARK, LIGHT
from explorer.views.qt_helpers import SteadyLabel, Throttle
from explorer.views.regions import RegionsView

#: Classes of ∂L/∂z shown in the status bar (more are elided).
SHOWN_CLASSES = 6
#: Export names of the two regions views in compare mode.
REGIONS_IDS = ("regions-a", "regions-b")


def dz_text(dz: np.ndarray) -> str:
    """``[−0.98, 0.97, 0.01]``: a ∂L/∂z vector ``(C,)`` to 2 decimals (the first classes)."""
    shown = ", ".join(f"{v:+.2f}".replace("-", "−") for v in dz[:SHOWN_CLASSES])
    return f"[{shown}{', …' if dz.size > SHOWN_CLASSES else ''}]"


def _titled(view: QWidget, text: str) -> tuple[QWidget, QLabel]:
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    label = QLabel(text, panel)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    layout.addWidget(label)
    layout.addWidget(view, 1)
    return panel, label


class CompareController(QObject):
    """Compare mode of a :class:`~explorer.app.main_window.MainWindow` (module docstring).

    Attributes
    ----------
    comparison : Comparison or None
        The comparison shown; None outside compare mode.
    regions_b : RegionsView or None
        Run B's regions view.
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.comparison = None
        self.regions_b: RegionsView | None = None
        self._splitter: QSplitter | None = None
        self._labels: tuple[QLabel, QLabel] | None = None
        self._following = False
        self.dz_label = SteadyLabel("")
        self.dz_label.setToolTip("∂L/∂z of the selected sample under run A and under run B")
        self.dz_label.setAutoFillBackground(True)
        self.dz_label.hide()
        window.statusBar().addPermanentWidget(self.dz_label)
        self._dz_throttle = Throttle(self._show_dz, self)
        a = window.actions
        a["compare"].triggered.connect(self.open_dialog)
        a["leave_compare"].triggered.connect(self.stop)
        a["leave_compare"].setEnabled(False)
        a["dark"].toggled.connect(self._set_dark)

    @property
    def active(self) -> bool:
        return self.comparison is not None

    # ------------------------------------------------------------------ mode
    def start(self, comparison) -> None:
        """Show ``comparison`` (whose run A becomes the window's session if it is not)."""
        w = self.window
        self.stop()
        if comparison.a is not w.session:
            w.set_session(comparison.a)
        self.comparison = comparison
        a = comparison.a
        # Ahead of the window: B has followed when the window's views redraw.
        a.changed.disconnect(w._on_session_changed)
        a.changed.connect(self._on_a_changed)
        a.changed.connect(w._on_session_changed)
        regions_a = w.takeCentralWidget()
        self.regions_b = RegionsView(comparison.b, None, DARK if self._dark() else LIGHT)
        # B's parameters follow A's edits: its arrows and zero-score lines are no handles.
        self.regions_b.handles.enabled = False
        for name, on in regions_a.overlays.items():
            self.regions_b.set_overlay(name, on)
        if regions_a.scale != 1.0:  # presenting
            self.regions_b.set_scale(regions_a.scale)
        self.regions_b.message.connect(w.show_message)
        # Its own name in the export dialog and its right-click menu (Export, Copy).
        self.regions_b.view_id = REGIONS_IDS[1]
        self.regions_b.title = "Decision regions, run B"
        w.file_actions.view_menus.install(self.regions_b)
        # One plane: a pan or zoom of either view moves both (pyqtgraph's linked axes).
        self.regions_b.view_box.setXLink(regions_a.view_box)
        self.regions_b.view_box.setYLink(regions_a.view_box)
        self._listen_b(comparison.b)
        panel_a, label_a = _titled(regions_a, comparison.label(0))
        panel_b, label_b = _titled(self.regions_b, comparison.label(1))
        self._labels = (label_a, label_b)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.addWidget(panel_a)
        self._splitter.addWidget(panel_b)
        self._splitter.setChildrenCollapsible(False)
        w.setCentralWidget(self._splitter)
        for view in ("curves", "landscape"):
            w.views[view].set_companion(comparison.b, self._legend_labels())
        w.actions["leave_compare"].setEnabled(True)
        self.dz_label.show()
        self._show_dz()
        w.show_message(f"Comparing {comparison.label(0)} with {comparison.label(1)}")

    def stop(self) -> None:
        """Leave compare mode: the window shows run A alone (run B is dropped)."""
        if self.comparison is None:
            return
        w = self.window
        a = self.comparison.a
        a.changed.disconnect(self._on_a_changed)
        self.comparison.b.changed.disconnect(self._on_b_changed)
        self.comparison.close()
        self.comparison = None
        for view in ("curves", "landscape"):
            w.views[view].set_companion(None)
        regions_a = w.regions
        self.regions_b.view_box.setXLink(None)
        self.regions_b.view_box.setYLink(None)
        splitter = w.takeCentralWidget()
        regions_a.setParent(None)
        w.setCentralWidget(regions_a)
        splitter.deleteLater()
        self._splitter = self.regions_b = self._labels = None
        w.actions["leave_compare"].setEnabled(False)
        self.dz_label.hide()

    def _legend_labels(self) -> tuple[str, str]:
        c = self.comparison
        return c.label(0), c.label(1)

    def _listen_b(self, b) -> None:
        b.changed.connect(self._on_b_changed)

    # ------------------------------------------------------------------ following
    def _on_a_changed(self, changes: Change) -> None:
        c = self.comparison
        old_b = c.b
        self._following = True
        try:
            changes_b = c.sync(changes)
        finally:
            self._following = False
        if c.b is not old_b:  # made again from A's new step 0
            old_b.changed.disconnect(self._on_b_changed)
            self._listen_b(c.b)
            self.regions_b.set_session(c.b)
            for view in ("curves", "landscape"):
                self.window.views[view].set_companion(c.b, self._legend_labels())
        elif changes_b:
            self.regions_b.refresh(changes_b)
        if (changes | changes_b) & (Change.CONFIG | Change.DIVERGED | Change.SESSION):
            self._update_labels()
        if changes_b & Change.DIVERGED and c.b.diverged is not None:
            d = c.b.diverged
            self.window.show_message(
                f"Run B diverged at step {d.step} ({d.problem}) and stays at its last finite "
                "state; run A trains on. Change B's settings in Train → Compare…",
                0,
            )
        if changes & (Change.PARAMS | Change.SELECTION | Change.DISPLAY | Change.DATA):
            self._dz_throttle.request(hold=self.window.player.playing)

    def _update_labels(self) -> None:
        c = self.comparison
        label_a, label_b = self._labels
        label_a.setText(c.label(0))
        stopped = c.b.diverged
        note = "" if stopped is None else f"  (diverged: stopped at step {c.b.step_index})"
        label_b.setText(c.label(1) + note)

    def _on_b_changed(self, changes: Change) -> None:
        """Run B changed by its own view (a click selects): A takes the selection."""
        if self._following:
            return
        self.regions_b.refresh(changes)
        b, a = self.comparison.b, self.comparison.a
        if changes & Change.SELECTION and b.selected != a.selected:
            a.select(b.selected)

    def _show_dz(self) -> None:
        c = self.comparison
        if c is None:
            return
        i = c.a.selected
        if i is None or i not in set(c.a.train_index.tolist()):
            text = "select a training sample to compare its ∂L/∂z"
        else:
            dz_a, dz_b = c.a.sample_detail(i).dz, c.b.sample_detail(i).dz
            text = f"sample {i}  ∂L/∂z  A {dz_text(dz_a)}   B {dz_text(dz_b)}"
        self.dz_label.setText(text)

    # ------------------------------------------------------------------ window hooks
    def _dark(self) -> bool:
        return self.window.actions["dark"].isChecked()

    def _set_dark(self, dark: bool) -> None:
        if self.regions_b is not None:
            self.regions_b.set_theme(DARK if dark else LIGHT)

    def extra_views(self) -> list[RegionsView]:
        """The views compare mode adds to the window's (run B's regions), for what acts
        on every view (presentation mode's scale)."""
        return [] if self.regions_b is None else [self.regions_b]

    def extra_view_ids(self) -> dict[str, RegionsView]:
        """``{"regions-b": run B's regions view}`` in compare mode, else nothing."""
        return {} if self.regions_b is None else {REGIONS_IDS[1]: self.regions_b}

    def view(self, view_id: str):
        """The window's view ``view_id``, or for ``regions-a`` / ``regions-b`` run A's /
        run B's regions view (KeyError outside compare mode for ``regions-b``)."""
        if view_id == REGIONS_IDS[0]:
            return self.window.regions
        return {**self.window.views, **self.extra_view_ids()}[view_id]

    def open_dialog(self) -> None:
        """Train → Compare…: choose run B's settings (or the lesson) and start."""
        from explorer.app.compare_dialog import CompareDialog

        CompareDialog(self.window, self).exec()
