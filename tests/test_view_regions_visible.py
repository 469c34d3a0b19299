"""The plane is coloured wherever you look: the decision image follows zoom, pan and
resize, stays exact, and a Step keeps it there; and the weight arrows follow the model."""

import numpy as np
import pytest

from explorer.core.decision import decision_lut
from explorer.core.plane import grid_features
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.palette import LIGHT, class_colors
from explorer.views.regions import LUT_FULL, LUT_PALE, RegionsView


@pytest.fixture
def make_view(qtbot):
    def make(config=None):
        session = Session(config or Config(samples=120, dataset="blobs", features="identity"))
        view = RegionsView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        view.resize(600, 500)
        view.show()
        qtbot.waitExposed(view)
        qtbot.wait(250)  # the first fit has settled
        return view

    return make


def visible(view):
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    return x0, x1, y0, y1


def image_rect(view):
    r = view.image_item.boundingRect()
    return r.left(), r.right(), r.top(), r.bottom()


def covers(view):
    x0, x1, y0, y1 = visible(view)
    a0, a1, b0, b1 = image_rect(view)
    tol = 1e-9 * max(x1 - x0, y1 - y0)
    return a0 <= x0 + tol and a1 >= x1 - tol and b0 <= y0 + tol and b1 >= y1 - tol


def corner_pixels(view):
    """The painted colours just inside the four corners of the plot area, 0xRRGGBB."""
    image = view.plot_widget.grab().toImage()
    rect = view.plot_widget.mapFromScene(view.view_box.sceneBoundingRect()).boundingRect()
    ratio = view.plot_widget.devicePixelRatioF()
    out = []
    for x, y in (
        (rect.left() + 3, rect.top() + 3),
        (rect.right() - 3, rect.top() + 3),
        (rect.left() + 3, rect.bottom() - 3),
        (rect.right() - 3, rect.bottom() - 3),
    ):
        out.append(image.pixel(int(x * ratio), int(y * ratio)) & 0xFFFFFF)
    return out


def region_colours(view):
    C = view.session.data.n_classes
    lut = decision_lut(class_colors(C), np.array(LIGHT.background), C, pale=LUT_PALE, full=LUT_FULL)
    return set((lut & 0xFFFFFF).tolist())


def assert_exact(view):
    """The drawn indices are the session's for the grid over the image's own range."""
    G = view.grid_size
    want = grid_features(view.session.feature_map, view.image_range, G)
    np.testing.assert_array_equal(view.grid_features, want)
    np.testing.assert_array_equal(view.last_indices, view.session.decision_image(want))


@pytest.mark.parametrize(
    "move",
    [
        lambda vb: vb.scaleBy((4.0, 4.0)),  # zoom out
        lambda vb: vb.translateBy(x=3.0, y=-2.0),  # pan
        lambda vb: (vb.scaleBy((3.0, 3.0)), vb.translateBy(x=-5.0)),
    ],
    ids=["zoom-out", "pan", "zoom-out-and-pan"],
)
def test_the_image_follows_the_visible_range(make_view, qtbot, move):
    view = make_view()
    assert covers(view)
    move(view.view_box)
    qtbot.waitUntil(lambda: covers(view), timeout=2000)
    assert_exact(view)
    colours = region_colours(view)
    assert all(c in colours for c in corner_pixels(view)), [hex(c) for c in corner_pixels(view)]
    view.session.step()  # a Step keeps it there
    assert covers(view)
    assert_exact(view)


def test_a_picture_right_after_a_zoom_is_coloured_to_the_edges(make_view):
    from explorer.export.image import render_image

    view = make_view()
    view.view_box.scaleBy((3.0, 3.0))
    image = render_image(view.export_widget(), 1)
    assert covers(view)
    assert image.width() > 0


def test_reset_view_and_resizing_keep_the_image_on_the_visible_range(make_view, qtbot):
    view = make_view()
    view.view_box.scaleBy((2.5, 2.5))
    qtbot.waitUntil(lambda: covers(view), timeout=2000)
    view.reset_view()
    qtbot.waitUntil(lambda: image_rect(view) == pytest.approx(visible(view)), timeout=2000)
    view.view_box.scaleBy((2.0, 2.0))
    view.resize(900, 420)
    qtbot.waitUntil(lambda: covers(view), timeout=2000)
    assert_exact(view)


def test_at_the_default_view_the_image_is_the_fitted_range(make_view):
    view = make_view()
    assert view.image_range == pytest.approx(view.fitted_range, rel=1e-9, abs=1e-9)


def test_zooming_out_stops_at_the_limits_and_stays_finite(make_view, qtbot):
    view = make_view(Config(samples=120, dataset="spiral", features="poly", degree=6))
    for _ in range(8):
        view.view_box.scaleBy((10.0, 10.0))
    view.view_box.translateBy(x=1e6, y=1e6)
    qtbot.wait(250)
    view.flush()
    x0, x1, y0, y1 = view.fitted_range
    span = max(x1 - x0, y1 - y0)
    a0, a1, b0, b1 = view.image_range
    assert a1 - a0 <= 20.0 * span * (1 + 1e-6) and b1 - b0 <= 20.0 * span * (1 + 1e-6)
    assert np.isfinite(view.grid_features).all()
    assert_exact(view)


# ------------------------------------------------------------------ weight arrows
def arrow_tips(view):
    """The tip of each drawn arrow (second point of its shaft), ``(C, 2)``."""
    tips = []
    for line in view.weights._lines:
        x, y = line.getData()
        tips.append((x[1], y[1]))
    return np.array(tips)


def test_weight_arrows_hide_when_the_features_rule_them_out_and_come_back_right(make_view):
    view = make_view()
    s = view.session
    view.overlay_boxes["weights"].setChecked(True)
    s.step(20)
    assert all(line.isVisible() for line in view.weights._lines)
    s.configure(s.config.replace(features="poly", degree=3))
    assert not view.overlay_boxes["weights"].isEnabled()
    assert not any(item.isVisible() for item in view.weights._lines + view.weights._labels)
    assert view.weights.scale_label.text() == ""
    s.step(5)
    s.configure(s.config.replace(features="identity"))
    s.step(7)
    assert view.overlay_boxes["weights"].isEnabled()
    assert all(line.isVisible() for line in view.weights._lines)
    centre = (s.data.X.min(axis=1) + s.data.X.max(axis=1)) / 2
    np.testing.assert_allclose(
        arrow_tips(view), centre + view.weights.scale * s.W.astype(np.float64), rtol=1e-12
    )


def test_weight_arrows_are_drawn_at_a_round_scale_that_the_corner_says(make_view):
    from explorer.core.ticks import round_down_125
    from explorer.views.items.weight_arrows import ARROW_SHARE

    view = make_view()
    s = view.session
    view.set_overlay("weights", True)
    for steps in (1, 30, 200):
        s.step(steps)
        W = s.W.astype(np.float64)
        x0, x1, y0, y1 = view.fitted_range
        span = min(x1 - x0, y1 - y0)
        scale = view.weights.scale
        assert scale == round_down_125(scale)  # a 1-2-5 number
        longest = np.hypot(W[:, 0], W[:, 1]).max()
        assert ARROW_SHARE * span / 2.5 < scale * longest <= ARROW_SHARE * span * (1 + 1e-12)
        centre = (s.data.X.min(axis=1) + s.data.X.max(axis=1)) / 2
        np.testing.assert_allclose(arrow_tips(view), centre + scale * W, rtol=1e-12)
        from explorer.views.qt_helpers import format_number

        assert view.weights.scale_label.text() == f"arrow = {format_number(scale, 3)} × wc"
    view.set_overlay("weights", False)
    assert view.weights.scale_label.text() == ""
