"""The regions view's boundaries drawn as lines (explorer/views/items/tie_lines.py): what it
draws is the core's segments of the session's parameters and grid, and an export puts the
line where the segments are, smooth (within the pen's half-width), not on the grid's cells."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PyQt6.QtCore import QPointF

from explorer.core.boundaries import tie_contours, tie_segments
from explorer.core.decision import grid_axes, levels_per_class
from explorer.export.image import render_image
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.items.tie_lines import LINE_WIDTH
from explorer.views.regions import RegionsView


@pytest.fixture
def make_view(qtbot):
    def make(config):
        session = Session(config)
        view = RegionsView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        view.resize(600, 500)
        view.show()
        qtbot.waitExposed(view)
        view.flush()
        view.set_overlay("boundaries", True)
        return view

    return make


IDENTITY = Config(samples=150, dataset="blobs", classes=4, features="identity", seed=2)
NS = "http://www.w3.org/2000/svg"
CURVED = Config(samples=150, dataset="moons", classes=2, features="poly", degree=3, seed=1)


def test_identity_features_draw_the_exact_tie_segments_of_the_shown_step(make_view):
    view = make_view(IDENTITY)
    session = view.session
    session.step(25)
    lines = view.layer.tie_lines
    expected = tie_segments(session.W, session.b, view.image_range)
    assert expected.shape[0] >= 3
    np.testing.assert_array_equal(lines.segments, expected)
    session.seek(10)  # the timeline: the lines follow the step shown
    np.testing.assert_array_equal(
        lines.segments, tie_segments(session.W, session.b, view.image_range)
    )


def test_other_features_draw_the_contours_of_the_views_own_grid(make_view):
    view = make_view(CURVED)
    session = view.session
    session.step(40)
    G = view.grid_size
    winner = (view.last_indices // levels_per_class(2)).reshape(G, G)
    xs, ys = grid_axes(*view.image_range, G)
    F = view.grid_features.astype(np.float64)
    W, b = np.asarray(session.W, np.float64), np.asarray(session.b, np.float64)
    expected = tie_contours(xs, ys, winner, lambda flat: W @ F[:, flat] + b[:, None])
    assert expected.shape[0] > G // 2  # a curve across the plane
    np.testing.assert_allclose(view.layer.tie_lines.segments, expected, rtol=0, atol=1e-12)


def _pixel(view, x, y, scale):
    """Export pixel of the data point ``(x, y)`` in a render of ``view.plot_widget``."""
    scene = view.view_box.mapViewToScene(QPointF(float(x), float(y)))
    p = view.plot_widget.viewportTransform().map(scene)  # not mapFromScene: it rounds
    return p.x() * scale, p.y() * scale


def _pixels(image):
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    rows = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 4 * image.width()].copy()


@pytest.mark.parametrize("config", [IDENTITY, CURVED], ids=["identity", "poly3"])
def test_a_2x_png_draws_a_smooth_line_on_the_segments(make_view, config):
    """Every pixel the boundaries change in a 2× render lies within the 2×-wide pen's
    half-width (plus antialiasing) of a segment; a grid cell there is 5–7 pixels."""
    view = make_view(config)
    view.session.step(30)
    widget = view.export_widget()
    on = _pixels(render_image(widget, 2))
    view.set_overlay("boundaries", False)
    off = _pixels(render_image(widget, 2))
    changed = np.argwhere((on != off).reshape(on.shape[0], -1, 4).any(axis=2))
    assert changed.shape[0] > 200
    view.set_overlay("boundaries", True)
    seg = view.layer.tie_lines.segments
    a = np.array([_pixel(view, x, y, 2) for x, y in seg[:, :2]])
    d = np.array([_pixel(view, x, y, 2) for x, y in seg[:, 2:]]) - a
    P = changed[:, ::-1] + 0.5  # (x, y) pixel centres
    best = np.full(P.shape[0], np.inf)
    for k in range(0, a.shape[0], 256):
        ak, dk = a[k : k + 256], d[k : k + 256]
        rel = P[:, None, :] - ak[None]
        t = np.clip((rel * dk).sum(2) / np.maximum((dk * dk).sum(1), 1e-12), 0, 1)
        dist = np.sqrt(((rel - t[..., None] * dk) ** 2).sum(2)).min(axis=1)
        best = np.minimum(best, dist)
    cell = 2 * view.plot_widget.width() / view.grid_size
    assert cell >= 5
    assert best.max() <= LINE_WIDTH * 2 / 2 + 1.5


@pytest.mark.parametrize("config", [IDENTITY, CURVED], ids=["identity", "poly3"])
def test_the_svg_holds_the_line_as_a_vector_that_rsvg_draws_as_qt_does(make_view, config, tmp_path):
    from export_tools import block_difference, rsvg_render

    from explorer.export.gif import qimage_to_rgb
    from explorer.export.image import save_svg

    view = make_view(config)
    view.session.step(30)
    widget = view.export_widget()
    lined = rsvg_render(save_svg(widget, tmp_path / "on.svg"), tmp_path / "on.png")
    screen = qimage_to_rgb(render_image(widget, 1)).astype(float)
    mean, share = block_difference(lined, screen)
    assert mean < 3 and share < 0.01, (mean, share)
    # the line is one path in output pixels, its pen 2 wide: the segments, mapped
    seg = view.layer.tie_lines.segments
    ends = np.array([_pixel(view, x, y, 1) for x, y in seg.reshape(-1, 2)])
    root = ET.parse(tmp_path / "on.svg").getroot()
    found = []
    for group in root.iter(f"{{{NS}}}g"):
        for path in group.findall(f"{{{NS}}}path"):
            values = [float(v) for v in re.findall(r"-?\d+\.?\d*", path.get("d", ""))]
            if len(values) == ends.size:
                drawn = np.array(values).reshape(-1, 2)
                if np.allclose(drawn, ends, atol=2e-3):
                    found.append(group.get("stroke-width"))
    assert found == ["2"]
    view.set_overlay("boundaries", False)
    plain = rsvg_render(save_svg(widget, tmp_path / "off.svg"), tmp_path / "off.png")
    # the line is there: the pictures differ along it, and only a little elsewhere
    differs = np.abs(lined - plain).max(axis=2) > 64
    assert differs.sum() > 150


def test_cells_under_two_pixels_are_contoured_every_other_grid_line(make_view):
    view = make_view(CURVED)
    assert view.layer.contour_stride() == 1  # 200 cells in a 540-pixel plot
    view.set_grid_size(400)
    view.session.step(40)
    assert view.layer.contour_stride() == 2
    G = view.grid_size
    winner = (view.last_indices // levels_per_class(2)).reshape(G, G)[::2, ::2]
    xs, ys = grid_axes(*view.image_range, G)
    F = view.grid_features.reshape(-1, G, G)[:, ::2, ::2].reshape(-1, winner.size)
    W, b = np.asarray(view.session.W, np.float64), np.asarray(view.session.b, np.float64)
    F = F.astype(np.float64)
    expected = tie_contours(xs[::2], ys[::2], winner, lambda flat: W @ F[:, flat] + b[:, None])
    np.testing.assert_allclose(view.layer.tie_lines.segments, expected, rtol=0, atol=1e-12)
