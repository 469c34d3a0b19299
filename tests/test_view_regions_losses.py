"""The regions view under the losses: the shading per loss, each class's zero-score line,
and dragging a weight arrow's head or a zero-score line with the mouse (pytest-qt), which
sets exactly one row of W or one entry of b through the session's parameter edit."""

import numpy as np
import pytest
from decision_tools import index_to_class_and_confidence, index_to_class_and_margin
from loss_forms import closed_form_dz, near_a_kink
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtTest import QTest

from explorer.core import HINGE_LOSSES, LOSSES
from explorer.core.decision import grid_axes, grid_points
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.items.plane_texts import pull_sizes
from explorer.views.regions import RegionsView

DELTA = 1.5


@pytest.fixture
def make_view(qtbot):
    made = []

    def make(**config):
        c = {"samples": 150, "dataset": "blobs", "features": "identity", "margin": DELTA}
        session = Session(Config(**{**c, **config}))
        view = RegionsView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        view.resize(600, 520)
        view.show()
        qtbot.waitExposed(view)
        qtbot.wait(200)  # the grid refits to the laid-out plot
        view.flush()
        made.append(view)
        return view, session

    yield make


def grid_scores64(view, session):
    """Scores ``(C, G·G)`` of the image's cell centres in float64, from the parameters."""
    xs, ys = grid_axes(*view.image_range, view.grid_size)
    F = session.feature_map.transform(grid_points(xs, ys), dtype=np.float64)
    return session.W.astype(np.float64) @ F + session.b.astype(np.float64)[:, None]


@pytest.mark.parametrize("loss", LOSSES)
def test_regions_are_the_argmax_shaded_by_max_p_or_the_clipped_margin(make_view, loss):
    view, session = make_view(loss=loss)
    session.step(30)
    view.flush()
    Z = grid_scores64(view, session)
    C = Z.shape[0]
    top = np.sort(Z, axis=0)
    clear = top[-1] - top[-2] > 1e-4  # away from ties, float32 and float64 agree
    if loss in HINGE_LOSSES:
        k, lo, hi = index_to_class_and_margin(view.last_indices, C, DELTA)
        shade = np.minimum(top[-1] - top[-2], DELTA)
    else:
        k, lo, hi = index_to_class_and_confidence(view.last_indices, C)
        P = np.exp(Z - Z.max(axis=0))
        shade = (P / P.sum(axis=0)).max(axis=0)
    np.testing.assert_array_equal(k[clear], np.argmax(Z, axis=0)[clear])
    assert np.all(shade[clear] >= lo[clear] - 1e-4) and np.all(shade[clear] <= hi[clear] + 1e-4)
    assert len(np.unique(lo)) > 3  # shaded, not flat


def test_hover_reads_out_p_or_the_scores_and_gap(make_view):
    view, session = make_view(loss="svm_ova")
    session.step(10)
    xy = session.data.X[:, 0]
    view.hover_at(xy)
    d = session.point_detail(xy)
    text = view.hover_label.text()
    assert text.startswith("z = (") and f"Δ = {DELTA:g}" in text
    assert f"{min(d.score_gap, DELTA):.2f}" in text
    session.configure(session.config.replace(loss="cross_entropy"))
    assert view.hover_label.text().startswith("p = (")


def test_zero_score_lines_lie_on_w_x_plus_b_and_span_the_visible_range(make_view):
    view, session = make_view(loss="svm_ww")
    session.step(15)
    view.overlay_boxes["zero-lines"].click()
    assert view.overlays["zero-lines"]
    W, b = session.W.astype(np.float64), session.b.astype(np.float64)
    x0, x1, y0, y1 = view.layer.visible_range()
    scale = max(x1 - x0, y1 - y0)
    drawn = 0
    for c, seg in enumerate(view.zero_lines.segments):
        if seg is None:
            continue
        drawn += 1
        np.testing.assert_allclose(seg @ W[c] + b[c], 0.0, atol=1e-9 * scale * np.abs(W[c]).sum())
        for end in seg:  # each end on the range's border
            border = min(abs(end[0] - x0), abs(end[0] - x1), abs(end[1] - y0), abs(end[1] - y1))
            assert border < 1e-9 * scale
        xs, ys = view.zero_lines._lines[c].getData()
        np.testing.assert_allclose(np.c_[xs[:2], ys[:2]], seg)
    assert drawn >= 2
    # Zooming in redraws them across the new range.
    view.view_box.setRange(xRange=(x0 / 2, x1 / 2), yRange=(y0 / 2, y1 / 2), padding=0)
    view.flush()
    view._update_zero_lines()
    for seg in view.zero_lines.segments:
        if seg is not None:
            assert seg[:, 0].max() <= view.layer.visible_range()[1] + 1e-9


def test_the_lines_need_identity_features_and_say_why(make_view):
    view, session = make_view(features="poly")
    box = view.overlay_boxes["zero-lines"]
    assert not box.isEnabled() and "identity features" in box.toolTip()
    view.set_overlay("zero-lines", True)
    assert all(s is None for s in view.zero_lines.segments)
    assert view.handles.pick(session.data.X[:, 0]) is None


def pixel(view, xy):
    """The viewport pixel of the plane point ``xy``."""
    scene = view.view_box.mapViewToScene(QPointF(float(xy[0]), float(xy[1])))
    return view.plot_widget.mapFromScene(scene)


def plane_point(view, pos):
    """The plane point under viewport pixel ``pos``, float64 ``(2,)``."""
    p = view.view_box.mapSceneToView(view.plot_widget.mapToScene(pos))
    return np.array([p.x(), p.y()])


def mouse_drag(qtbot, view, start, end):
    port = view.plot_widget.viewport()
    QTest.mousePress(port, Qt.MouseButton.LeftButton, pos=start)
    for f in (0.2, 0.5, 0.8):
        QTest.mouseMove(port, start + (end - start) * f)
    QTest.mouseMove(port, end)
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, pos=end)


def recorded_actions(session):
    actions = []
    session.actions.recorded.connect(actions.append)
    return actions


def test_dragging_an_arrow_head_sets_exactly_that_row_of_w(make_view, qtbot):
    view, session = make_view()
    session.step(20)
    view.set_overlay("weights", True)
    W0, b0 = session.W.copy(), session.b.copy()
    actions = recorded_actions(session)
    c = 2
    centre, scale = view.weights.centre.copy(), view.weights.scale
    start = pixel(view, view.weights.tips[c])
    end = start + type(start)(40, -25)
    mouse_drag(qtbot, view, start, end)
    expected = W0.copy()
    expected[c] = ((plane_point(view, end) - centre) / scale).astype(W0.dtype)
    np.testing.assert_array_equal(session.W, expected)  # only row c, exactly there
    np.testing.assert_array_equal(session.b, b0)
    assert [a.kind for a in actions] == ["set_params"]  # one undoable action
    assert view.handles.active is None and not view.weights.hold_scale
    session.restore(actions[0].before)  # what Edit → Undo does
    np.testing.assert_array_equal(session.W, W0)


def test_dragging_a_zero_line_sets_exactly_that_b(make_view, qtbot):
    view, session = make_view(loss="svm_structured")
    session.step(20)
    view.set_overlay("zero-lines", True)
    W0, b0 = session.W.copy(), session.b.copy()
    actions = recorded_actions(session)
    c = next(k for k, seg in enumerate(view.zero_lines.segments) if seg is not None)
    seg = view.zero_lines.segments[c]
    start = pixel(view, seg[0] + 0.4 * (seg[1] - seg[0]))
    end = start + type(start)(-30, 20)
    mouse_drag(qtbot, view, start, end)
    xy = plane_point(view, end)
    expected = b0.copy()
    expected[c] = np.asarray(-(W0[c].astype(np.float64) @ xy), dtype=b0.dtype)
    np.testing.assert_array_equal(session.b, expected)
    np.testing.assert_array_equal(session.W, W0)
    assert [a.kind for a in actions] == ["set_params"]
    # The line now runs through the point where the mouse let go.
    assert abs(session.W[c].astype(np.float64) @ xy + float(session.b[c])) < 1e-5


def test_a_drag_away_from_the_handles_pans_and_sets_nothing(make_view, qtbot):
    view, session = make_view()
    view.set_overlay("weights", True)
    view.set_overlay("zero-lines", True)
    W0, b0 = session.W.copy(), session.b.copy()
    x0, x1, y0, y1 = view.layer.visible_range()
    corner = np.array([x0 + 0.03 * (x1 - x0), y0 + 0.03 * (y1 - y0)])
    assert view.handles.pick(corner) is None
    start = pixel(view, corner)
    mouse_drag(qtbot, view, start, start + type(start)(30, 30))
    np.testing.assert_array_equal(session.W, W0)
    np.testing.assert_array_equal(session.b, b0)
    assert view.layer.visible_range() != (x0, x1, y0, y1)  # it panned


def test_export_and_bench_offer_exactly_the_views_overlays():
    from explorer.app import export_command
    from explorer.bench import command
    from explorer.views.items.plane_texts import OVERLAYS

    assert export_command.OVERLAYS == OVERLAYS == command.OVERLAYS


@pytest.mark.parametrize("loss", ["svm_ww", "squared_error"])
def test_the_pull_is_the_losss_true_class_signal_scaled_to_one(make_view, loss):
    view, session = make_view(loss=loss, classes=4)
    session.step(10)
    view.set_overlay("pull", True)
    F = session.feature_map.transform(session.data.X[:, session.train_index], dtype=np.float64)
    Z = session.W.astype(np.float64) @ F + session.b.astype(np.float64)[:, None]
    y = session.data.y[session.train_index]
    top = 3.0 if loss == "svm_ww" else 1.0  # the largest |∂L/∂z_y|: C − 1, or 1
    expected = np.array(
        [abs(closed_form_dz(Z[:, n], y[n], loss, DELTA)[y[n]]) for n in range(y.size)]
    )
    keep = np.array([not near_a_kink(Z[:, n], y[n], loss, DELTA) for n in range(y.size)])
    pull = pull_sizes(session)
    np.testing.assert_allclose(pull[keep], expected[keep] / top, rtol=1e-4, atol=1e-6)
    assert pull.max() <= 1.0 and np.ptp(pull) > 0
    sizes = np.concatenate([item.data["size"] for item in view.points.train])
    order = np.argsort(np.concatenate(view.points.train_members))
    assert np.all(np.diff(sizes[order][np.argsort(pull, kind="stable")]) >= -1e-9)


def test_the_cursor_is_an_open_hand_over_a_handle(make_view):
    view, _ = make_view()
    view.set_overlay("weights", True)
    port = view.plot_widget.viewport()
    view.hover_at(view.weights.tips[0])
    assert port.cursor().shape() == Qt.CursorShape.OpenHandCursor
    x0, x1, y0, y1 = view.layer.visible_range()
    view.hover_at(np.array([x0 + 0.02 * (x1 - x0), y0 + 0.02 * (y1 - y0)]))
    assert port.cursor().shape() == Qt.CursorShape.ArrowCursor


def test_in_the_window_a_drag_moves_every_view_and_edit_undo_takes_it_back(qtbot):
    from explorer.app.main_window import MainWindow

    session = Session(Config(samples=120, dataset="blobs", features="identity", loss="svm_ova"))
    session.step(10)
    win = MainWindow(session)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    try:
        view = win.regions
        qtbot.wait(200)
        view.flush()
        view.set_overlay("weights", True)
        W0 = session.W.copy()
        start = pixel(view, view.weights.tips[1])
        mouse_drag(qtbot, view, start, start + type(start)(-35, 30))
        assert not np.array_equal(session.W, W0)
        params = win.views["parameters"]
        win.docks["parameters"].raise_()
        params.flush()
        np.testing.assert_array_equal(params.params_model.values[:, :2], session.W)
        np.testing.assert_array_equal(win.views["bars"].bar_heights, session.train_error_signal())
        np.testing.assert_array_equal(view.last_indices, session.decision_image(view.grid_features))
        assert win.actions["undo"].text() == "&Undo Edit W"  # one action, on W alone
        win.actions["undo"].trigger()
        np.testing.assert_array_equal(session.W, W0)
        params.flush()
        np.testing.assert_array_equal(params.params_model.values[:, :2], W0)
    finally:
        win.file_actions.modified = False
        win.close()
        win.deleteLater()
        qtbot.wait(1)


def test_in_compare_mode_run_bs_arrows_are_no_handles(qtbot):
    """Run B's parameters follow run A's edits: a drag on B's plane pans, A's still edits."""
    from PyQt6.QtWidgets import QApplication

    from explorer.app.main_window import MainWindow
    from explorer.session.compare import Comparison

    win = MainWindow(Session(Config(samples=120, dataset="blobs", features="identity")))
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    try:
        win.compare.start(Comparison(win.session, {"loss": "squared_error"}))
        QApplication.processEvents()
        a, b = win.regions, win.compare.regions_b
        for view in (a, b):
            view.set_overlay("weights", True)
            view.flush()
        assert a.handles.pick(a.weights.tips[0]) == ("w", 0)
        assert b.handles._pixel() > 0 and b.weights.tips is not None  # B can be reached
        assert b.handles.pick(b.weights.tips[0]) is None and not b.begin_drag(b.weights.tips[0])
    finally:
        win.file_actions.modified = False
        win.close()
        win.deleteLater()
        qtbot.wait(1)
