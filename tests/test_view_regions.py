"""The decision-regions view: exact image indices, scatter data, selection, editing, hover."""

import numpy as np
import pytest
from PyQt6.QtCore import QEvent, QPointF, Qt
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtWidgets import QApplication

from explorer.core.decision import decision_lut
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views import regions
from explorer.views.palette import DARK, LIGHT, class_colors
from explorer.views.regions import LUT_FULL, LUT_PALE, RegionsView


@pytest.fixture
def make_view(qtbot):
    def make(config=None, show=True):
        session = Session(config or Config(samples=120, dataset="blobs", features="identity"))
        view = RegionsView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        if show:
            view.resize(600, 500)
            view.show()
            qtbot.waitExposed(view)
        return view

    return make


def _scatter_points(view):
    """All (x, y) drawn by the train and test items, and which were test points."""
    xs, ys, test = [], [], []
    for items, flag in ((view.points.train, False), (view.points.test, True)):
        for item in items:
            x, y = item.getData()
            xs.append(x)
            ys.append(y)
            test.append(np.full(len(x), flag))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(test)


def test_image_indices_are_the_sessions_exactly(make_view):
    view = make_view()
    G = view.grid_size
    assert view.last_indices.shape == (G * G,)
    np.testing.assert_array_equal(
        view.last_indices, view.session.decision_image(view.grid_features)
    )
    lut = decision_lut(class_colors(3), np.array(LIGHT.background), 3, pale=LUT_PALE, full=LUT_FULL)
    buffer = view.image_item.buffer(G, G)
    np.testing.assert_array_equal(buffer, lut[view.last_indices.reshape(G, G)])


def test_step_changes_image_and_step_back_restores_it(make_view):
    view = make_view()
    view.session.step(3)
    before = view.last_indices.copy()
    view.session.step()
    assert not np.array_equal(before, view.last_indices)
    view.session.step_back()
    np.testing.assert_array_equal(view.last_indices, before)


def test_scatter_holds_the_data_train_filled_test_hollow(make_view):
    view = make_view()
    data = view.session.data
    x, y, test = _scatter_points(view)
    got = sorted(zip(x.tolist(), y.tolist(), test.tolist(), strict=True))
    want = sorted(zip(data.X[0].tolist(), data.X[1].tolist(), data.is_test.tolist(), strict=True))
    assert got == want
    assert data.is_test.any()


def test_grid_range_covers_the_data(make_view):
    view = make_view()
    x0, x1, y0, y1 = view.fitted_range
    X = view.session.data.X
    assert x0 < X[0].min() and X[0].max() < x1 and y0 < X[1].min() and X[1].max() < y1


def test_clicking_a_point_selects_it(make_view):
    view = make_view()
    i = 5
    assert view.click_at(view.session.data.X[:, i])
    assert view.session.selected == i
    np.testing.assert_array_equal(
        np.array(view.selected_item.getData()).ravel(), view.session.data.X[:, i]
    )


def test_a_real_mouse_click_selects(make_view, qtbot):
    view = make_view()
    i = 11
    x, y = view.session.data.X[:, i]
    scene_pos = view.view_box.mapViewToScene(QPointF(float(x), float(y)))
    widget_pos = view.plot_widget.mapFromScene(scene_pos)
    assert view.plot_widget.viewport().rect().contains(widget_pos)
    qtbot.mouseClick(view.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    assert view.session.selected == i


def test_click_on_empty_plane_outside_edit_mode_changes_nothing(make_view):
    view = make_view()
    n = view.session.data.X.shape[1]
    x0, x1, y0, y1 = view.fitted_range
    corner = np.array([x0 + 0.001 * (x1 - x0), y0 + 0.001 * (y1 - y0)])
    assert view.pick(corner) is None
    view.click_at(corner)
    assert view.session.data.X.shape[1] == n
    assert view.session.selected is None


def test_edit_mode_adds_moves_and_deletes(make_view):
    view = make_view()
    session = view.session
    view.set_edit_mode(True)
    view.set_edit_class(2)
    n = session.data.X.shape[1]
    x0, x1, y0, y1 = view.fitted_range
    spot = np.array([x0 + 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0)])
    assert view.click_at(spot)
    assert session.data.X.shape[1] == n + 1
    new = int(np.argmin(np.hypot(*(session.data.X - spot[:, None]))))
    np.testing.assert_allclose(session.data.X[:, new], spot)
    assert session.data.y[new] == 2

    target = spot + np.array([0.05, -0.05]) * (x1 - x0)
    assert view.begin_drag(spot)
    view.drag_to((spot + target) / 2)
    view.end_drag(target)
    np.testing.assert_allclose(session.data.X[:, new], target)
    assert session.data.X.shape[1] == n + 1

    assert view.click_at(target, Qt.MouseButton.RightButton)
    assert session.data.X.shape[1] == n
    assert not np.any(np.all(np.isclose(session.data.X, target[:, None]), axis=0))


def test_edit_clicks_do_nothing_outside_edit_mode(make_view):
    view = make_view()
    n = view.session.data.X.shape[1]
    view.click_at(view.session.data.X[:, 0], Qt.MouseButton.RightButton)
    assert not view.begin_drag(view.session.data.X[:, 0])
    assert view.session.data.X.shape[1] == n


def test_refused_edit_becomes_a_message(make_view, qtbot):
    view = make_view(Config(dataset="cs231n"))
    view.set_edit_mode(True)
    messages = []
    view.message.connect(messages.append)
    for _ in range(20):
        if messages:
            break
        view.click_at(view.session.data.X[:, 0], Qt.MouseButton.RightButton)
    assert messages and messages[0]
    assert view.session.data.X.shape[1] >= 1


def test_hover_emits_point_and_shows_p(make_view, qtbot):
    view = make_view()
    xy = np.array([0.3, -0.2])
    with qtbot.waitSignal(view.pointHovered) as blocker:
        view.hover_at(xy)
    np.testing.assert_array_equal(blocker.args[0], xy)
    p = view.session.point_detail(xy).p
    assert view.hover_label.text() == "p = (" + ", ".join(f"{v:.2f}" for v in p) + ")"
    with qtbot.waitSignal(view.pointHovered) as blocker:
        view.hover_at(None)
    assert blocker.args[0] is None
    assert view.hover_label.text() == ""


def test_mouse_move_over_plane_emits_hover(make_view, qtbot):
    view = make_view()
    centre = view.plot_widget.mapFromScene(view.view_box.sceneBoundingRect().center())
    with qtbot.waitSignal(view.pointHovered) as blocker:
        qtbot.mouseMove(view.plot_widget.viewport(), centre)
    assert blocker.args[0] is not None and blocker.args[0].shape == (2,)


def test_overlays_toggle(make_view):
    view = make_view()
    view.session.step(5)
    plain = view.image_item.buffer(view.grid_size, view.grid_size).copy()
    view.set_overlay("boundaries", True)
    assert view.overlay_boxes["boundaries"].isChecked()
    # the boundaries are lines over the image (tests/test_tie_lines_view.py), not cells
    assert view.layer.tie_lines.isVisible() and view.layer.tie_lines.segments.shape[0] > 0
    np.testing.assert_array_equal(view.image_item.buffer(view.grid_size, view.grid_size), plain)
    view.set_overlay("boundaries", False)
    assert not view.layer.tie_lines.isVisible()
    np.testing.assert_array_equal(view.image_item.buffer(view.grid_size, view.grid_size), plain)

    view.overlay_boxes["weights"].setChecked(True)
    assert view.overlays["weights"]
    assert all(line.isVisible() for line in view.weights._lines)
    x, y = view.weights._lines[0].getData()
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))

    view.set_overlay("pull", True)
    pull = np.abs(view.session.train_true_error())
    sizes = np.concatenate([item.data["size"] for item in view.points.train])
    members = np.concatenate(view.points.train_members)
    order = np.argsort(members)
    assert np.all(np.diff(sizes[order][np.argsort(pull)]) >= -1e-9)  # bigger error, bigger dot
    view.set_overlay("pull", False)
    sizes = np.concatenate([item.data["size"] for item in view.points.train])
    assert np.ptp(sizes) == 0
    with pytest.raises(ValueError):
        view.set_overlay("nonsense", True)


def test_weight_arrows_are_disabled_for_nonlinear_features(make_view):
    view = make_view(Config(samples=120, features="poly", degree=3))
    box = view.overlay_boxes["weights"]
    assert not box.isEnabled()
    assert "identity" in box.toolTip()
    view.set_overlay("weights", True)
    assert not any(line.isVisible() for line in view.weights._lines)


def test_grid_size_is_settable_and_absurd_sizes_refused(make_view):
    view = make_view()
    view.set_grid_size(64)
    assert view.last_indices.shape == (64 * 64,)
    assert view.grid_features.shape[1] == 64 * 64
    np.testing.assert_array_equal(
        view.last_indices, view.session.decision_image(view.grid_features)
    )
    for bad in (9, 2001, 0, -5, 12.5):
        with pytest.raises(ValueError):
            view.set_grid_size(bad)
    assert view.grid_size == 64


def test_reset_view_restores_fitted_range(make_view, qtbot):
    view = make_view()
    view.view_box.scaleBy((0.3, 0.3))
    view.reset_view()
    x0, x1, y0, y1 = view.fitted_range
    (vx0, vx1), (vy0, vy1) = view.view_box.viewRange()
    assert vx0 <= x0 + 1e-9 and vx1 >= x1 - 1e-9 and vy0 <= y0 + 1e-9 and vy1 >= y1 - 1e-9


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_theme_and_no_nan_anywhere(make_view, theme):
    view = make_view(Config(samples=120, dataset="spiral", features="poly", degree=5))
    view.set_theme(theme)
    for name in ("boundaries", "pull"):
        view.set_overlay(name, True)
    view.session.step(30)
    view.session.select(3)
    view.hover_at(np.array([0.1, 0.1]))
    assert np.isfinite(view.grid_features).all()
    x, y, _ = _scatter_points(view)
    assert np.isfinite(x).all() and np.isfinite(y).all()
    for item in view.points.train:
        assert np.isfinite(item.data["size"]).all()
    assert "nan" not in view.hover_label.text().lower()
    r, g, b = theme.foreground
    line = 0xFF000000 | (r << 16) | (g << 8) | b
    lut = decision_lut(class_colors(3), np.array(theme.background), 3, pale=LUT_PALE, full=LUT_FULL)
    G = view.grid_size
    assert np.isin(view.image_item.buffer(G, G), np.append(lut, line)).all()


def test_export_renders_png(make_view, tmp_path):
    view = make_view(Config(dataset="cs231n"))
    view.session.step(20)
    path = tmp_path / "regions.png"
    assert view.export_widget().grab().save(str(path))
    assert path.stat().st_size > 1000


def _send_mouse(view, kind, xy, button, buttons):
    """Deliver a raw mouse event at data point ``xy`` to the plot's viewport."""
    vb = view.view_box
    pos = QPointF(view.plot_widget.mapFromScene(vb.mapViewToScene(QPointF(*map(float, xy)))))
    viewport = view.plot_widget.viewport()
    event = QMouseEvent(
        kind, pos, viewport.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, event)


def test_real_mouse_drag_moves_a_point_in_edit_mode(make_view):
    view = make_view()
    view.set_edit_mode(True)
    session = view.session
    i = 4
    start = session.data.X[:, i].copy()
    x0, x1, _, _ = view.fitted_range
    end = start + np.array([0.08, 0.05]) * (x1 - x0)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    _send_mouse(view, QEvent.Type.MouseButtonPress, start, left, left)
    for t in np.linspace(0.2, 1.0, 5):
        _send_mouse(view, QEvent.Type.MouseMove, start + t * (end - start), none, left)
    _send_mouse(view, QEvent.Type.MouseButtonRelease, end, left, none)
    assert session.selected == i
    np.testing.assert_allclose(session.data.X[:, i], end, atol=0.01 * (x1 - x0))
    assert view.dragging is None


def test_real_mouse_drag_outside_edit_mode_pans(make_view):
    view = make_view()
    X = view.session.data.X.copy()
    before = np.array(view.view_box.viewRange())
    a = X[:, 0]
    b = a + np.array([0.5, 0.0])
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    _send_mouse(view, QEvent.Type.MouseButtonPress, a, left, left)
    for t in np.linspace(0.2, 1.0, 5):
        _send_mouse(view, QEvent.Type.MouseMove, a + t * (b - a), none, left)
    _send_mouse(view, QEvent.Type.MouseButtonRelease, b, left, none)
    np.testing.assert_array_equal(view.session.data.X, X)
    assert not np.allclose(np.array(view.view_box.viewRange()), before)
    view.reset_view()


def test_pull_overlay_is_unavailable_for_huge_data(make_view, monkeypatch):
    monkeypatch.setattr(regions, "PULL_MAX_POINTS", 50)
    view = make_view()
    box = view.overlay_boxes["pull"]
    assert not box.isEnabled()
    assert "50" in box.toolTip()
    view.set_overlay("pull", True)
    sizes = np.concatenate([item.data["size"] for item in view.points.train])
    assert np.ptp(sizes) == 0


def test_the_selection_ring_is_hidden_while_nothing_is_selected(make_view):
    view = make_view()
    s = view.session
    assert not view.selected_item.isVisible()
    s.select(5)
    assert view.selected_item.isVisible()
    x, y = view.selected_item.getData()
    assert (float(x[0]), float(y[0])) == (float(s.data.X[0, 5]), float(s.data.X[1, 5]))
    s.select(None)
    assert not view.selected_item.isVisible()


def test_a_picture_taken_right_after_a_resize_has_the_grid_refitted(make_view, qtbot):
    from explorer.core.plane import fit_range
    from explorer.export.image import render_image

    view = make_view()
    qtbot.wait(300)  # the first fit has settled
    view.resize(900, 420)  # much wider: the fitted range must widen too
    qtbot.wait(10)  # the resize is in, its refit (150 ms later) is not
    assert view._resize_timer.isActive()
    stale = view.fitted_range
    render_image(view.export_widget(), 1)
    assert not view._resize_timer.isActive()
    assert view.fitted_range != stale
    assert view.fitted_range == fit_range(view.session.data.X, view._aspect())


def test_every_plot_view_repaints_one_bounding_rect_of_its_changes(make_view, qtbot):
    from PyQt6.QtWidgets import QGraphicsView
    from pyqtgraph import GraphicsView

    from explorer.views.bars import BarsView
    from explorer.views.curves import CurvesView
    from explorer.views.jacobian import JacobianView

    regions = make_view()
    views = [regions]
    for kind in (BarsView, CurvesView, JacobianView):
        view = kind(regions.session)
        qtbot.addWidget(view)
        views.append(view)
    mode = QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate
    for view in views:
        canvases = view.findChildren(GraphicsView)
        assert canvases and all(c.viewportUpdateMode() == mode for c in canvases), view


def test_point_layers_are_drawn_from_one_cached_pixmap_and_exported_as_vectors(make_view):
    """The layers are children of one group drawn through a pixmap-caching effect: the
    picture matches direct drawing (within blending rounding), and exports switch the
    effect off so SVG gets vector points."""
    from explorer.export.gif import qimage_to_rgb
    from explorer.export.image import export_mode

    view = make_view()
    group = view.points.group
    layers = view.points.train + view.points.test
    assert layers and all(item.parentItem() is group for item in layers)
    effect = group.graphicsEffect()
    assert effect is not None and effect.isEnabled()

    def pixels():
        return qimage_to_rgb(view.grab().toImage()).astype(int)

    cached = pixels()
    effect.setEnabled(False)  # each layer drawn directly, uncached
    direct = pixels()
    effect.setEnabled(True)
    assert np.abs(cached - direct).max() <= 3
    assert (np.abs(cached - direct) > 0).mean() < 0.01
    assert (np.abs(cached - pixels()) > 0).sum() == 0  # the same pixmap again
    with export_mode(view):
        assert not effect.isEnabled()
    assert effect.isEnabled()


def test_training_steps_draw_the_selection_ring_from_its_cache(make_view, monkeypatch):
    """The plot under the ring repaints at every step while the ring stays put: after its
    first paint it is drawn from a cached pixmap, and it still shows, in the same pixels."""
    from explorer.export.gif import qimage_to_rgb
    from explorer.views.items.points import PointsItem

    view = make_view()
    s = view.session
    painted = []
    original = PointsItem.paint

    def counting(item, *args):
        if item is view.selected_item:
            painted.append(s.step_index)
        return original(item, *args)

    monkeypatch.setattr(PointsItem, "paint", counting)
    s.select(5)
    view.plot_widget.grab()
    assert painted == [0]
    s.step(3)
    after = qimage_to_rgb(view.plot_widget.grab().toImage()).astype(int)
    assert painted == [0]  # the image changed under it; the ring was not painted again
    s.select(None)
    without = qimage_to_rgb(view.plot_widget.grab().toImage()).astype(int)
    ys, xs = np.nonzero((after != without).any(axis=2))
    assert len(xs) > 20  # the ring is on the picture, around the sample
    x, y = (float(v) for v in s.data.X[:, 5])
    centre = view.plot_widget.mapFromScene(view.view_box.mapViewToScene(QPointF(x, y)))
    ratio = view.plot_widget.devicePixelRatioF()
    assert abs(xs.mean() - centre.x() * ratio) < 2 and abs(ys.mean() - centre.y() * ratio) < 2
