"""300 seeded random user actions on a real window: no exception, no NaN in any view.

Issue 3 asks for it. Every action goes through what a user touches (keys, toolbar
actions, the timeline, the config panel's widgets, the parameter table, the plane's and
the bars' public click/drag methods or real mouse clicks), including absurd values.
After each action the views must hold finite numbers, the Jacobian must be exactly
``softmax_jacobian(p)`` of its source, and the status bar and timeline must show the
session's step. Refusals are allowed (they are recorded); exceptions are not.
"""

import dataclasses
import math
import re
from typing import ClassVar

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtWidgets import QApplication, QMessageBox

from explorer.app.main_window import MainWindow
from explorer.core import softmax_jacobian
from explorer.core.decision import levels_per_class
from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.config_fields import ValueSpinBox

N_ACTIONS = 300
SEED = 20240611

#: Texts typed into the configuration fields: sensible, extreme and absurd.
ABSURD = ["nan", "NaN", "inf", "-inf", "-1", "0", "1e308", "1e-320", "abc", "", "  ", "1e6"]
FIELD_TEXTS = {
    "classes": ["2", "3", "5", "12", "50", "51", "1"],
    "samples": ["2", "3", "40", "150", "600", "1e7"],
    "noise": ["default", "0", "0.3", "5", "100", "101", "1e300"],
    "seed": ["0", "7", "4294967295", "4294967296", "-3"],
    "test_fraction": ["0", "0.2", "0.9", "0.95"],
    "degree": ["1", "3", "6", "7", "99", "1e9"],
    # rff_dim stops at 500 here: 2000 features on a 200×200 grid take 1.6 s per refit.
    "rff_dim": ["1", "20", "500", "2001"],
    "rff_gamma": ["1e-3", "1", "1000", "1e4", "1e5"],
    "lr": ["1e-6", "0.05", "0.5", "10", "1e6", "2e6"],
    "momentum": ["0", "0.9", "0.999999", "1", "1.5"],
    "beta1": ["0", "0.9", "0.99999", "1"],
    "beta2": ["0", "0.999", "0.99999999", "1"],
    "step_every": ["1", "10", "10000000", "0"],
    "step_gamma": ["0.05", "0.5", "1", "0", "2"],
    "cosine_period": ["1", "50", "10000000", "0"],
    "batch_size": ["full batch", "0", "1", "7", "64", "1000000", "1000001", "-4"],
    "l2": ["0", "0.01", "10", "1e6", "2e6"],
    "label_smoothing": ["0", "0.1", "0.5", "0.99", "1"],
    "temperature": ["0.001", "0.01", "1", "1000", "1e9", "0", "-1"],
}
PARAM_TEXTS = ["0", "1", "-2.5", "1e3", "1e6", "1e30", "1e300", "nan", "inf", "abc", "−3"]


# ------------------------------------------------------------------- invariants
def _finite(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float | int):
        return math.isfinite(value)
    a = np.asarray(value)
    return a.dtype.kind not in "fc" or bool(np.isfinite(a).all())


def check_views(window, where: str) -> None:
    """Everything the views hold is finite and agrees with the session."""
    s = window.session
    C = s.n_classes
    regions = window.regions
    G = regions.grid_size
    idx = regions.last_indices
    assert idx is not None and idx.shape == (G * G,), where
    assert int(idx.max()) < C * levels_per_class(C), where  # class · L + confidence level
    assert _finite(regions.grid_features), where

    jac = window.views["jacobian"]
    assert jac.matrix.shape == (C, C), where
    assert _finite(jac.matrix), where
    if jac.shown == "sample":
        expected = softmax_jacobian(s.sample_detail(s.selected).p)
        np.testing.assert_array_equal(jac.matrix, expected, err_msg=where)
    elif jac.shown == "point":
        assert jac.source == "hover", where
    else:
        np.testing.assert_array_equal(jac.matrix, s.mean_jacobian(), err_msg=where)

    bars = window.views["bars"]
    for name in ("bar_heights", "drawn_heights", "max_wrong_heights", "drawn_up_heights"):
        assert _finite(getattr(bars, name)), f"{where}: bars.{name}"
    assert len(bars.bar_heights) == s.data.train_index.size, where

    curves = window.views["curves"]
    for name, item in curves.curves.items():
        if item.isVisible() and item.yData is not None:
            assert _finite(item.yData), f"{where}: curve {name}"

    inspector = window.views["inspector"]
    inspector.flush()
    assert inspector.shown_index == s.selected, where
    if inspector.shown_detail is not None:
        for field in dataclasses.fields(inspector.shown_detail):
            value = getattr(inspector.shown_detail, field.name)
            assert _finite(value), f"{where}: inspector {field.name}"
    assert all(_finite(v) for v in inspector.shown_batch), f"{where}: inspector batch"
    assert "nan" not in inspector.text().lower(), where

    params = window.views["parameters"]
    params.flush()
    assert params.params_model.values.shape == (C, s.dim + 1), where
    assert _finite(params.params_model.values), f"{where}: parameter table"
    assert _finite(params.grads_model.values), f"{where}: gradient table"

    assert np.isfinite(s.W).all() and np.isfinite(s.b).all(), where
    assert window.timeline.maximum() == s.head, where
    assert window.timeline.value() == s.step_index, where
    if not window.player.playing:
        shown = re.match(r"step (\d+)", window.status_metrics.text())
        assert shown is not None and int(shown.group(1)) == s.step_index, where


# -------------------------------------------------------------------- actions
class Soak:
    """The random user: one method per kind of action, picked with weights."""

    def __init__(self, window, qtbot, rng):
        self.window = window
        self.qtbot = qtbot
        self.rng = rng
        self.errors: list[str] = []
        self.log: list[str] = []

    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def point_xy(self):
        X = self.window.session.data.X
        return X[:, int(self.rng.integers(X.shape[1]))].copy()

    def plane_xy(self):
        x0, x1, y0, y1 = self.window.regions.fitted_range
        if self.rng.random() < 0.1:
            return np.array([self.pick([1e4, -1e12, 3e5]), self.pick([0.0, 1e9, -2e4])])
        return np.array([self.rng.uniform(x0, x1), self.rng.uniform(y0, y1)])

    # --- keys and toolbar
    def key(self):
        key = self.pick([Qt.Key.Key_Space, Qt.Key.Key_Backspace, Qt.Key.Key_Home, Qt.Key.Key_End])
        self.window.regions.setFocus()
        self.qtbot.keyClick(self.window, key)
        return key.name

    def toolbar(self):
        name = self.pick(["step", "step", "step_back", "reset", "regenerate", "to_start"])
        self.window.actions[name].trigger()
        return name

    def play(self):
        """Play for a few frames (counted, not timed, so the run is reproducible), now
        and then do something else while playing, then pause."""
        w = self.window
        frames = int(self.rng.integers(1, 6))
        ticks = []

        def count(changes):
            ticks.append(changes)

        w.session.changed.connect(count)  # one session event per frame
        w.actions["play"].trigger()
        self.qtbot.waitUntil(lambda: len(ticks) >= frames or not w.player.playing, timeout=20_000)
        w.session.changed.disconnect(count)
        what = f"play {frames} frames"
        if w.player.playing and self.rng.random() < 0.4:
            # No event is processed in between: the timer cannot tick during the action.
            name = self.pick(["config", "timeline", "select", "edit", "parameter", "toolbar"])
            what += f", while playing: {getattr(self, name)()}"
        if w.player.playing:
            w.actions["play"].trigger()
        return what

    def timeline(self):
        value = int(self.rng.integers(0, self.window.timeline.maximum() + 1))
        self.window.timeline.setValue(value)
        return f"timeline {value}"

    def curve_marker(self):
        head = self.window.session.head
        value = float(self.rng.uniform(-5, head + 5))
        self.window.views["curves"].markers[0].setValue(value)
        return f"curve marker {value:.1f}"

    def speed(self):
        if self.rng.random() < 0.5:
            value = self.pick([1, 2, 10, 100, 500])
            self.window.steps_spin.setValue(value)
            return f"steps/frame {value}"
        value = self.pick([20, 30, 60, 240])
        self.window.fps_spin.setValue(value)
        return f"fps {value}"

    # --- selection
    def select(self):
        s = self.window.session
        if self.rng.random() < 0.2:
            self.window.actions["deselect"].trigger()
            return "deselect"
        i = int(self.rng.integers(s.data.n_points))
        s.select(i)
        return f"select {i}"

    def click_point(self):
        xy = self.point_xy()
        self.window.regions.click_at(xy)
        return f"click point {xy}"

    def click_bar(self):
        bars = self.window.views["bars"]
        x = float(self.rng.uniform(-2, len(bars.drawn_samples) + 2))
        y = float(self.pick([-0.5, 0.5]))
        bars.select_bar(x, y)
        return f"bar {x:.1f}, {y}"

    def mouse(self):
        """A real click somewhere on the plane or on the bars."""
        widget = self.pick(
            [self.window.regions.plot_widget, self.window.views["bars"].graphics]
        ).viewport()
        pos = QPoint(
            int(self.rng.integers(widget.width())), int(self.rng.integers(widget.height()))
        )
        button = self.pick([Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton])
        self.qtbot.mouseClick(widget, button, pos=pos)
        return f"mouse {pos.x()},{pos.y()} on {type(widget.parent()).__name__}"

    def hover(self):
        xy = None if self.rng.random() < 0.3 else self.plane_xy()
        self.window.regions.hover_at(xy)
        return f"hover {xy}"

    # --- editing points
    def edit(self):
        w = self.window
        if not w.regions.edit_mode or self.rng.random() < 0.15:
            w.actions["edit_mode"].trigger()
            return f"edit mode {w.regions.edit_mode}"
        if w.edit_class.count():
            w.edit_class.setCurrentIndex(int(self.rng.integers(w.edit_class.count())))
        kind = self.pick(["add", "add", "move", "delete"])
        if kind == "add":
            w.regions.click_at(self.plane_xy())
        elif kind == "move":
            if w.regions.begin_drag(self.point_xy()):
                for _ in range(int(self.rng.integers(1, 4))):
                    w.regions.drag_to(self.plane_xy())
                w.regions.end_drag(self.plane_xy())
        else:
            w.regions.click_at(self.point_xy(), Qt.MouseButton.RightButton)
        return f"edit {kind}"

    # --- panels
    def config(self):
        panel = self.window.views["config"]
        if self.window.session.diverged and self.rng.random() < 0.5:
            panel.controls()["lr"].commit_text("0.1")  # what a user does after divergence
            return "lr = '0.1' (recover)"
        controls = {
            n: c for n, c in panel.controls().items() if c.isEnabled() and c.isVisibleTo(panel)
        }
        name = self.pick(sorted(controls))
        control = controls[name]
        if name == "regenerate":
            control.click()
            return "regenerate button"
        if isinstance(control, ValueSpinBox):
            # Up to a million samples are allowed, but every edit then costs seconds: the
            # soak keeps to a few thousand (the refusal of 1e7 is still tried).
            few = name == "samples"
            if self.rng.random() < 0.25:
                steps = int(self.pick([-3, -1, 1, 2]))
                if few and control.value() >= 1000:
                    steps = -abs(steps)
                control.stepBy(steps)
                return f"{name} step {steps}"
            absurd = [t for t in ABSURD if t != "1e6"] if few else ABSURD
            text = self.pick(FIELD_TEXTS.get(name, []) + absurd)
            control.commit_text(text)
            return f"{name} = {text!r}"
        index = int(self.rng.integers(control.count()))
        control.setCurrentIndex(index)
        return f"{name} -> {control.currentData()}"

    def parameter(self):
        model = self.window.views["parameters"].params_model
        self.window.views["parameters"].flush()
        r = int(self.rng.integers(model.rowCount()))
        c = int(self.rng.integers(model.columnCount()))
        text = self.pick(PARAM_TEXTS)
        model.setData(model.index(r, c), text, Qt.ItemDataRole.EditRole)
        return f"W|b[{r},{c}] = {text!r}"

    def appearance(self):
        w = self.window
        kind = self.pick(["dark", "overlay", "overlay", "jacobian", "bars", "inspector", "grid"])
        if kind == "dark":
            w.actions["dark"].trigger()
            return f"dark {w.actions['dark'].isChecked()}"
        if kind == "overlay":
            name = self.pick(sorted(w.regions.overlay_boxes))
            w.regions.overlay_boxes[name].click()
            return f"overlay {name} {w.regions.overlays[name]}"
        if kind == "jacobian":
            combo = w.views["jacobian"].source_combo
            combo.setCurrentIndex(int(self.rng.integers(combo.count())))
            return f"jacobian source {w.views['jacobian'].source}"
        if kind == "bars":
            bars = w.views["bars"]
            if self.rng.random() < 0.5:
                bars.wrong_check.click()
            else:
                bars.sort_combo.setCurrentIndex(int(self.rng.integers(bars.sort_combo.count())))
            return f"bars {bars.sort} {bars.show_max_wrong}"
        if kind == "inspector":
            w.views["inspector"].full_precision.click()
            return "inspector precision"
        G = self.pick([10, 11, 64, 200, 333, 5, 2001, 0])
        try:
            w.regions.set_grid_size(G)
        except ValueError:
            assert not 10 <= G <= 2000
            return f"grid {G} refused"
        return f"grid {G}"

    WEIGHTS: ClassVar[dict[str, int]] = {
        "key": 8,
        "toolbar": 8,
        "play": 5,
        "timeline": 6,
        "curve_marker": 2,
        "speed": 3,
        "select": 5,
        "click_point": 4,
        "click_bar": 4,
        "mouse": 3,
        "hover": 3,
        "edit": 10,
        "config": 22,
        "parameter": 7,
        "appearance": 8,
    }


@pytest.fixture
def window(qtbot, monkeypatch):
    session = Session(Config(samples=150))
    w = MainWindow(session)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    yield w
    w.player.pause()
    w.set_dark(False)  # the application palette is global: leave it light
    w.file_actions.modified = False
    w.close()
    w.deleteLater()
    qtbot.wait(1)


@pytest.mark.slow
def test_random_user_actions_raise_nothing_and_leave_no_nan(window, qtbot, monkeypatch):
    rng = np.random.default_rng(SEED)
    soak = Soak(window, qtbot, rng)
    monkeypatch.setattr(window, "show_error", soak.errors.append)
    names = sorted(Soak.WEIGHTS)
    weights = np.array([Soak.WEIGHTS[n] for n in names], dtype=float)
    weights /= weights.sum()
    messages = set()
    late_pauses = []

    def after_window(changes):  # connected after the window's own listener
        if Change.DIVERGED in changes and window.session.diverged and window.player.playing:
            late_pauses.append(window.session.diverged)

    window.session.changed.connect(after_window)
    check_views(window, "at start")
    for n in range(N_ACTIONS):
        name = names[int(rng.choice(len(names), p=weights))]
        with qtbot.captureExceptions() as exceptions:
            what = getattr(soak, name)()
            QApplication.processEvents()  # paint what changed
        where = f"action {n} ({what}) after {soak.log[-5:]}"
        assert not exceptions, f"{where}: {exceptions[0][1]!r}"
        assert not late_pauses, f"{where}: still playing after divergence"
        soak.log.append(what)
        check_views(window, where)
        messages.add(window.statusBar().currentMessage())
    window.player.pause()
    QApplication.processEvents()
    check_views(window, "at the end")
    # The actions reached the parts they aimed at (the soak is not a no-op).
    kinds = " ".join(soak.log)
    for part in ("while playing", "edit add", "timeline", "W|b", "lr =", "dark", "overlay"):
        assert part in kinds, part
    assert any("must be" in m or "Refused" in m or "not a number" in m for m in messages)


def test_divergence_from_the_panel_pauses_and_keeps_finite_numbers(window, qtbot):
    panel = window.views["config"]
    panel.controls()["lr"].commit_text("1e6")
    assert window.session.config.lr == 1e6
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: not window.player.playing, timeout=5000)
    s = window.session
    assert s.diverged and "diverged" in window.statusBar().currentMessage().lower()
    assert not window.actions["play"].isChecked()
    check_views(window, "after divergence")
    s.select(0)
    check_views(window, "after divergence, a sample selected")
    panel.controls()["lr"].commit_text("0.1")  # a sane rate clears it and training goes on
    assert s.diverged is None
    window.actions["step"].trigger()
    check_views(window, "after recovering")
