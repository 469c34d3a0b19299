"""Plain SVG (explorer/export/plain_svg.py): coordinates mapped exactly, no reliance on
non-scaling strokes, clips and gradients moved with their shapes, and a plot that
``rsvg-convert`` draws as Qt does."""

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from export_tools import block_difference, rsvg_render
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from explorer.export.gif import qimage_to_rgb
from explorer.export.image import render_image, save_svg
from explorer.export.plain_svg import (
    IDENTITY,
    multiply,
    parse_transform,
    plain_svg,
    tag,
    transform_path,
)

NS = "http://www.w3.org/2000/svg"
finite = st.floats(-1e3, 1e3, allow_nan=False, width=32)
matrices = st.tuples(finite, finite, finite, finite, finite, finite)


def points_of(d: str) -> np.ndarray:
    """The coordinate pairs of absolute path data, in order; shape (n, 2)."""
    import re

    values = [float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", d)]
    return np.array(values).reshape(-1, 2)


def mapped(m, pts: np.ndarray) -> np.ndarray:
    a, b, c, d, e, f = m
    return pts @ np.array([[a, b], [c, d]]) + np.array([e, f])


@settings(max_examples=60, deadline=None)
@given(m=matrices, pts=st.lists(st.tuples(finite, finite), min_size=7, max_size=7))
def test_absolute_commands_are_mapped_point_by_point(m, pts):
    p = np.array(pts)
    d = (
        f"M{p[0, 0]},{p[0, 1]} L{p[1, 0]},{p[1, 1]} "
        f"C{p[2, 0]},{p[2, 1]} {p[3, 0]},{p[3, 1]} {p[4, 0]},{p[4, 1]} "
        f"Q{p[5, 0]},{p[5, 1]} {p[6, 0]},{p[6, 1]} Z"
    )
    out = transform_path(d, m)
    assert [c for c in out if c.isalpha()] == list("MLCQZ")
    scale = 1 + np.abs(mapped(m, p)).max()
    np.testing.assert_allclose(points_of(out), mapped(m, p), atol=1e-3 * scale / 1e3 + 5e-4)


@settings(max_examples=60, deadline=None)
@given(m=matrices, steps=st.lists(st.tuples(finite, finite), min_size=3, max_size=8))
def test_relative_and_axis_commands_are_the_absolute_path_mapped(m, steps):
    """``m x,y l dx,dy h dx v dy`` is the polyline of the running sums, mapped."""
    s = np.array(steps)
    d = f"m{s[0, 0]},{s[0, 1]} " + " ".join(f"l{x},{y}" for x, y in s[1:-1])
    d += f" h{s[-1, 0]} v{s[-1, 1]}"
    absolute = np.cumsum(s[:-1], axis=0)
    last = absolute[-1]
    expected = np.vstack([absolute, last + np.array([s[-1, 0], 0.0]), last + s[-1]])
    out = transform_path(d, m)
    scale = 1 + np.abs(mapped(m, expected)).max()
    np.testing.assert_allclose(points_of(out), mapped(m, expected), atol=1e-6 * scale + 1e-3)


def test_arcs_are_refused_and_transforms_compose():
    with pytest.raises(ValueError):
        transform_path("M0,0 A1,1 0 0 1 2,2", IDENTITY)
    m = parse_transform("translate(10,20) scale(2,3)")
    assert m == (2.0, 0.0, 0.0, 3.0, 10.0, 20.0)
    assert multiply(m, IDENTITY) == m
    assert parse_transform("rotate(90)") == pytest.approx((0, 1, -1, 0, 0, 0), abs=1e-12)


def png_data(rgb: np.ndarray) -> str:
    out = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8)).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


QT_LIKE = f"""<?xml version="1.0"?>
<svg xmlns="{NS}" xmlns:xlink="http://www.w3.org/1999/xlink" width="50mm" height="40mm"
 viewBox="0 0 200 100" version="1.1">
<defs>
<linearGradient gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="1" y2="0" id="g1">
<stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient>
<clipPath id="c1"><path d="M0,0 L1,0 L1,1 L0,1 Z"/></clipPath>
</defs>
<g fill="none" stroke="black" stroke-width="1">
<g stroke="#ff0000" stroke-width="2" transform="matrix(100,0,0,-20,10,90)">
<path vector-effect="non-scaling-stroke" d="M0,0 L1,1 L1.5,2"/>
<polyline fill="none" vector-effect="non-scaling-stroke" points="0,0 1,0 "/>
<rect vector-effect="none" x="0" y="0" width="1" height="1"/>
<text x="0" y="0" font-size="12">label</text>
</g>
<g fill="url(#g1)" stroke="none" clip-path="url(#c1)" transform="matrix(50,0,0,50,100,0)">
<rect vector-effect="non-scaling-stroke" x="0" y="0" width="1" height="1"/>
<rect vector-effect="non-scaling-stroke" x="0" y="0" width="0" height="0"/>
</g>
<g transform="matrix(10,0,0,10,0,0)">
<image x="0" y="0" width="3" height="3" preserveAspectRatio="none"
 image-rendering="optimizeSpeed" xlink:href="{png_data(np.eye(3)[..., None].repeat(3, 2) * 255)}"/>
</g>
</g></svg>"""


def test_cosmetic_shapes_are_baked_and_the_rest_keep_their_transform():
    root = ET.fromstring(plain_svg(QT_LIKE, (200, 100)))
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "200",
        "100",
        "0 0 200 100",
    )
    assert "non-scaling-stroke" not in ET.tostring(root).decode()
    paths = [el for el in root.iter(f"{{{NS}}}path") if el.get("d", "").startswith("M10")]
    assert [p.get("d") for p in paths[:2]] == ["M10,90 L110,70 L160,50", "M10,90 L110,90"]
    # The scaling stroke, the text and the image are drawn under their transform, as before.
    for name, matrix in (
        ("rect", "matrix(100,0,0,-20,10,90)"),
        ("text", "matrix(100,0,0,-20,10,90)"),
    ):
        holder = next(g for g in root.iter(f"{{{NS}}}g") if g.find(f"{{{NS}}}{name}") is not None)
        assert holder.get("transform") == matrix
    # Every group that still has a transform holds no cosmetic shape.
    for g in root.iter(f"{{{NS}}}g"):
        if g.get("transform"):
            assert all(tag(c) in ("text", "image", "rect", "g") for c in g)


def test_gradients_and_clips_move_with_the_baked_shapes():
    root = ET.fromstring(plain_svg(QT_LIKE))
    group = next(g for g in root.iter(f"{{{NS}}}g") if g.get("clip-path"))
    assert group.get("transform") is None
    assert group.get("fill") != "url(#g1)" and group.get("clip-path") != "url(#c1)"
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    gradient = ids[group.get("fill")[5:-1]]
    clip = ids[group.get("clip-path")[5:-1]]
    assert gradient.get("gradientTransform") == "matrix(50,0,0,50,100,0)"
    assert clip.get("transform") == "matrix(50,0,0,50,100,0)"
    square, empty = list(group)
    assert square.get("d") == "M100,0 L150,0 L150,50 L100,50 Z"
    assert empty.get("visibility") == "hidden"  # an empty rectangle still draws nothing


def test_an_unsmoothed_image_is_enlarged_pixel_by_pixel(tmp_path):
    root = ET.fromstring(plain_svg(QT_LIKE))
    image = next(root.iter(f"{{{NS}}}image"))
    href = image.get("{http://www.w3.org/1999/xlink}href")
    with Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1]))) as big:
        rgb = np.asarray(big.convert("RGB"))
    assert rgb.shape == (30, 30, 3)  # 3 pixels shown 30 wide: each repeated 10 times
    np.testing.assert_array_equal(rgb[::10, ::10, 0], np.eye(3) * 255)
    assert (rgb[:10, :10] == 255).all() and (rgb[:10, 10:20] == 0).all()


@pytest.fixture
def scatter_plot(qtbot):
    widget = pg.PlotWidget(title="markers and lines")
    widget.plot(np.arange(20.0), np.sin(np.arange(20.0) / 3), pen=pg.mkPen("r", width=2))
    widget.addItem(pg.ScatterPlotItem(x=np.arange(0, 20, 2.0), y=np.zeros(10), size=12))
    widget.setXRange(0, 19)
    widget.setYRange(-1.2, 1.2)
    qtbot.addWidget(widget)
    widget.resize(360, 240)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_rsvg_draws_a_plot_as_qt_does(scatter_plot, tmp_path):
    """A plot's lines under its data transform: Qt's raw SVG made rsvg draw them as slabs."""
    svg = save_svg(scatter_plot, tmp_path / "plot.svg")
    picture = rsvg_render(svg, tmp_path / "plot.png")
    screen = qimage_to_rgb(render_image(scatter_plot, 1)).astype(float)
    mean, share = block_difference(picture, screen)
    assert mean < 3 and share < 0.01, (mean, share)
