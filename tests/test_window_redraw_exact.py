"""Every view redraws exactly after a load, a feature change or a theme change: what each
view draws (curve data, arrows, cell texts, images, tables, fields) equals what a window
freshly built on the same session draws."""

import numpy as np
import pytest
from PyQt6.QtWidgets import QApplication

from explorer.app.main_window import MainWindow
from explorer.session.config import Config
from explorer.session.persist import load_session, save_session
from explorer.session.session import Session

SIZE = (1366, 768)


@pytest.fixture
def make_window(qtbot):
    windows = []

    def make(session, dark=False, overlays=()):
        window = MainWindow(session)
        windows.append(window)
        window.resize(*SIZE)
        window.show()
        qtbot.waitExposed(window)
        if dark:
            window.actions["dark"].setChecked(True)
        for name in overlays:
            window.regions.set_overlay(name, True)
        return window

    yield make
    for window in windows:
        window.file_actions.modified = False
        window.close()
        window.deleteLater()
    qtbot.wait(1)


def settle(window, qtbot):
    """Let every deferred redraw happen (resize refits, the grid following the view, the
    curves' settled axis, hidden tabs' tables)."""
    qtbot.wait(200)
    QApplication.processEvents()
    window.regions.flush()
    window.views["curves"].settle()
    window.views["parameters"].flush()
    window.views["inspector"].flush()
    QApplication.processEvents()


def image_pixels(item):
    image = item.image()
    if image is None:
        return None
    return np.array(item.buffer(image.height(), image.width()), copy=True)


def drawn(window):
    """What every view draws, as plain values."""
    out = {}
    curves = window.views["curves"]
    for name, curve in curves.curves.items():
        x, y = curve.getData()
        out[f"curve {name}"] = (curve.isVisible(), x.tolist(), y.tolist())
    out["curve markers"] = [line.value() for line in curves.markers]
    out["curve x range"] = curves.loss_plot.getViewBox().viewRange()[0]
    regions = window.regions
    out["regions image"] = image_pixels(regions.image_item)
    out["regions image range"] = regions.image_range
    arrows = regions.weights
    # a hidden arrow draws nothing: only a shown one's place counts
    out["arrows"] = [
        line.isVisible() and [a.tolist() for a in line.getData()] for line in arrows._lines
    ] + [label.isVisible() and (label.pos().x(), label.pos().y()) for label in arrows._labels]
    out["arrow scale"] = arrows.scale_label.text()
    out["overlay boxes"] = [(b.isEnabled(), b.isChecked()) for b in regions.overlay_boxes.values()]
    for items, kind in ((regions.points.train, "train"), (regions.points.test, "test")):
        out[f"points {kind}"] = [
            (item.isVisible(), *(a.tolist() for a in item.getData())) for item in items
        ]
    out["selection ring"] = regions.selected_item.isVisible()
    jac = window.views["jacobian"]
    out["jacobian matrix"] = jac.matrix.tolist()
    out["jacobian cells"] = (list(jac.cell_texts.texts), list(jac.cell_texts.light))
    out["jacobian title"] = (jac.source_title, jac.source_combo.currentText())
    out["jacobian image"] = np.array(jac.image._buffer, copy=True)
    bars = window.views["bars"]
    out["bars"] = (bars.drawn_samples.tolist(), bars.drawn_heights.tolist(), bars.detail_index)
    params = window.views["parameters"]
    out["parameters"] = (params.params_model.values.tolist(), params.grads_model.values.tolist())
    out["inspector"] = window.views["inspector"].text()
    panel = window.views["config"]
    out["configuration"] = {
        name: control.currentText() if hasattr(control, "currentText") else control.text()
        for name, control in panel.controls().items()
        if name != "regenerate"
    }
    return out


def assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            assert x is not None and y is not None, key
            np.testing.assert_array_equal(x, y, err_msg=key)
        else:
            assert x == y, key


def trained(config, steps, select=None):
    session = Session(config)
    session.step(steps)
    if select is not None:
        session.select(select)
    return session


def test_a_loaded_session_draws_what_a_fresh_window_on_it_draws(make_window, qtbot, tmp_path):
    """File → Open over a window that showed another session; the curves were drawn with
    the decimation of the window's first, unlaid-out size (they started at step 7)."""
    path = tmp_path / "lecture.smx"
    saved = trained(Config(dataset="spiral", classes=4, samples=200, seed=2), 300, select=7)
    saved.seek(280)
    save_session(saved, path)
    window = make_window(trained(Config(samples=120), 40, select=3), overlays=("weights",))
    settle(window, qtbot)
    assert window.file_actions.open(str(path))
    settle(window, qtbot)
    fresh = make_window(load_session(path), overlays=("weights",))
    settle(fresh, qtbot)
    assert_same(drawn(window), drawn(fresh))


def test_after_a_feature_change_every_view_is_what_a_fresh_window_draws(make_window, qtbot):
    """Weight arrows on, training, then polynomial features: the arrows stayed, frozen at
    the old model, under a greyed check box."""
    session = trained(Config(samples=150), 30, select=5)
    window = make_window(session, overlays=("weights", "boundaries"))
    settle(window, qtbot)
    panel = window.views["config"].controls()
    panel["features"].setCurrentIndex(panel["features"].findData("poly"))
    session.step(12)
    settle(window, qtbot)
    fresh = make_window(session, overlays=("weights", "boundaries"))
    settle(fresh, qtbot)
    settle(window, qtbot)
    assert_same(drawn(window), drawn(fresh))
    # and back to identity features: the arrows come back with the model's weights
    panel["features"].setCurrentIndex(panel["features"].findData("identity"))
    session.step(4)
    settle(window, qtbot)
    again = make_window(session, overlays=("weights", "boundaries"))
    settle(again, qtbot)
    settle(window, qtbot)
    assert_same(drawn(window), drawn(again))


def test_after_a_theme_change_every_view_is_what_a_fresh_window_draws(make_window, qtbot):
    session = trained(Config(dataset="spiral", features="poly", degree=4, lr=1e5), 0)
    for _ in range(40):  # a saturated state: e-notation numbers in the Jacobian
        if session.diverged or session.head >= 3:
            break
        session.step(1)
    window = make_window(session)
    settle(window, qtbot)
    window.actions["dark"].setChecked(True)
    settle(window, qtbot)
    fresh = make_window(session, dark=True)
    settle(fresh, qtbot)
    assert_same(drawn(window), drawn(fresh))
    window.actions["dark"].setChecked(False)
    fresh.actions["dark"].setChecked(False)
    settle(window, qtbot)
    light = make_window(session)
    settle(light, qtbot)
    assert_same(drawn(window), drawn(light))
