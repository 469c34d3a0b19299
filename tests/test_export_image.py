"""PNG/SVG/GIF writers on a plain pyqtgraph widget (the views are tested in test_export_views)."""

import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image
from PyQt6.QtGui import QImage
from PyQt6.QtSvg import QSvgRenderer

from explorer.export.gif import GifError, GifWriter, qimage_to_rgb
from explorer.export.image import ExportError, render_image, save_image, save_png, save_svg


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget(title="test plot")
    widget.plot(np.arange(10.0), np.arange(10.0) ** 2, pen="r")
    widget.addItem(pg.ScatterPlotItem(x=[1, 2, 3], y=[4, 5, 6], brush="b"))
    qtbot.addWidget(widget)
    widget.resize(320, 240)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("scale", [1, 2, 4])
def test_png_has_scaled_pixel_size_and_content(plot, tmp_path, scale):
    path = save_png(plot, tmp_path / "p.png", scale=scale)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (320 * scale, 240 * scale)
    rgb = qimage_to_rgb(image)
    assert rgb.std() > 5 and len(np.unique(rgb.reshape(-1, 3), axis=0)) > 2


def test_2x_png_is_sharp_not_upsampled(plot):
    """A 2x render has finer detail than a 1x render scaled up: more distinct edges."""
    one = qimage_to_rgb(render_image(plot, 1)).astype(int)
    two = qimage_to_rgb(render_image(plot, 2)).astype(int)
    upsampled = one.repeat(2, axis=0).repeat(2, axis=1)
    assert two.shape == upsampled.shape
    assert not np.array_equal(two, upsampled)


def test_width_in_pixels(plot):
    image = render_image(plot, width=640)
    assert image.width() == 640 and image.height() == 480


def test_absurd_sizes_are_refused(plot, tmp_path):
    with pytest.raises(ExportError):
        render_image(plot, scale=100)
    with pytest.raises(ExportError):
        render_image(plot, width=10**7)
    with pytest.raises(ExportError):
        save_image(plot, tmp_path / "x.bmp")
    assert not list(tmp_path.iterdir())


def test_svg_is_valid_xml_with_viewbox_and_renders(plot, tmp_path):
    path = save_svg(plot, tmp_path / "p.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == "0 0 320 240"
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert {"path", "text"} & tags or "polyline" in tags
    text = path.read_text()
    assert "test plot" in text
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    assert renderer.viewBox().width() == 320


def test_gif_frames_and_size(tmp_path):
    writer = GifWriter(tmp_path / "a.gif", fps=10)
    for k in range(5):
        frame = np.zeros((30, 40, 3), np.uint8)
        frame[:, : 8 * (k + 1)] = (230, 159, 0)
        writer.add_frame(frame)
    path = writer.finish()
    with Image.open(path) as gif:
        assert gif.size == (40, 30)
        assert gif.n_frames == 5
        assert gif.info["duration"] == 100


def test_cancelled_gif_leaves_no_file(tmp_path):
    writer = GifWriter(tmp_path / "b.gif")
    writer.add_frame(np.zeros((4, 4, 3), np.uint8))
    writer.cancel()
    with pytest.raises(GifError):
        writer.finish()
    assert list(tmp_path.iterdir()) == []


def test_gif_refuses_bad_rates_and_mismatched_frames(tmp_path):
    with pytest.raises(GifError):
        GifWriter(tmp_path / "c.gif", fps=0)
    writer = GifWriter(tmp_path / "c.gif")
    writer.add_frame(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(GifError):
        writer.add_frame(np.zeros((5, 4, 3), np.uint8))
