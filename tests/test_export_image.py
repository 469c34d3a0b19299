"""PNG/SVG/GIF writers on plain pyqtgraph widgets (the app's views: test_export_gui)."""

import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image
from PyQt6.QtGui import QImage
from PyQt6.QtSvg import QSvgRenderer
from PyQt6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

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


MARKER = (0, 114, 178)


def _scatter(widget):
    """Big markers, cached like the regions view caches its points."""
    scatter = pg.ScatterPlotItem(
        x=np.tile(np.arange(8.0), 4), y=np.repeat(np.arange(4.0), 8), size=22, brush=MARKER
    )
    scatter.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    widget.addItem(scatter)
    widget.getPlotItem().addLegend().addItem(scatter, "points")
    return scatter


@pytest.fixture
def composite(qtbot):
    """A plot inside a widget with a label, as the app's views are built."""
    outer = QWidget()
    layout = QVBoxLayout(outer)
    layout.addWidget(QLabel("a label above the plot", outer))
    plot = pg.PlotWidget(outer)
    layout.addWidget(plot, 1)
    _scatter(plot)
    qtbot.addWidget(outer)
    outer.resize(360, 260)
    outer.show()
    qtbot.waitExposed(outer)
    return outer, plot


@pytest.fixture
def lone_plot(qtbot):
    plot = pg.PlotWidget()
    _scatter(plot)
    qtbot.addWidget(plot)
    plot.resize(360, 240)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def rgb_of(image):
    return qimage_to_rgb(image).astype(float)


def downscaled_difference(big: np.ndarray, small: np.ndarray) -> float:
    """Mean |big - small| after both are box-averaged to half of ``small``'s size."""
    h, w = small.shape[:2]
    size = (max(1, w // 2), max(1, h // 2))

    def shrink(a):
        return np.asarray(Image.fromarray(a.astype(np.uint8)).resize(size, Image.BOX), float)

    return float(np.abs(shrink(big) - shrink(small)).mean())


def marker_share(rgb: np.ndarray) -> float:
    """Fraction of the image covered by the markers' fill colour."""
    return float((np.abs(rgb - np.array(MARKER)).max(axis=2) < 40).mean())


def edge_energy(rgb: np.ndarray) -> float:
    """Sum of squared neighbour differences: a blurred 2× image has about half a sharp one's."""
    grey = rgb.mean(axis=2)
    return float((np.diff(grey, axis=0) ** 2).sum() + (np.diff(grey, axis=1) ** 2).sum())


@pytest.mark.parametrize("which", ["composite", "lone"])
@pytest.mark.parametrize("scale", [2, 4])
def test_scaled_png_is_the_whole_widget_with_sharp_markers(composite, lone_plot, which, scale):
    """Not a quarter of the plot, markers as large (relative) and as sharp as at 1x."""
    widget = composite[0] if which == "composite" else lone_plot
    one = rgb_of(render_image(widget, 1))
    big = rgb_of(render_image(widget, scale))
    assert big.shape == (one.shape[0] * scale, one.shape[1] * scale, 3)
    assert downscaled_difference(big, one) < 6
    assert marker_share(big) == pytest.approx(marker_share(one), rel=0.2)
    assert marker_share(one) > 0.02
    # scale^2 more pixels; a sharp edge keeps its full step, so energy grows by ~scale
    assert edge_energy(big) / edge_energy(one) > 0.8 * scale


def test_cached_items_are_painted_uncached_at_export_scale(composite, monkeypatch):
    """A DeviceCoordinateCache bitmap would be blown up (blocky at 2x, a bitmap in SVG)."""
    outer, plot = composite
    scatter = next(i for i in plot.scene().items() if isinstance(i, pg.ScatterPlotItem))
    seen = []
    paint = type(scatter).paint

    def spy(self, painter, *args):
        seen.append((self.cacheMode(), self._exportOpts))
        return paint(self, painter, *args)

    monkeypatch.setattr(type(scatter), "paint", spy)
    render_image(outer, 2)
    assert seen and all(mode == QGraphicsItem.CacheMode.NoCache for mode, _ in seen)
    assert all(opts and opts["antialias"] for _, opts in seen)
    assert scatter.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert scatter._exportOpts is False


def test_export_restores_item_caches(composite):
    outer, plot = composite
    modes = {id(i): i.cacheMode() for i in plot.scene().items()}
    render_image(outer, 2)
    assert {id(i): i.cacheMode() for i in plot.scene().items()} == modes
    assert any(m == QGraphicsItem.CacheMode.DeviceCoordinateCache for m in modes.values())


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


@pytest.mark.parametrize("which", ["composite", "lone"])
def test_width_in_pixels(composite, lone_plot, which):
    widget = composite[0] if which == "composite" else lone_plot
    image = render_image(widget, width=3 * widget.width())
    assert (image.width(), image.height()) == (3 * widget.width(), 3 * widget.height())
    assert downscaled_difference(rgb_of(image), rgb_of(render_image(widget, 3))) < 1


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


def test_svg_of_a_composite_keeps_markers_and_text_as_vectors(composite, tmp_path):
    outer, _ = composite
    path = save_svg(outer, tmp_path / "c.svg")
    root = ET.parse(path).getroot()
    assert root.get("viewBox") == f"0 0 {outer.width()} {outer.height()}"
    tags = [el.tag.split("}")[-1] for el in root.iter()]
    assert tags.count("path") >= 32  # one per marker, not a cached bitmap
    assert "a label above the plot" in path.read_text() and "points" in path.read_text()
    image = QImage(outer.width(), outer.height(), QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    from PyQt6.QtGui import QPainter

    painter = QPainter(image)
    QSvgRenderer(str(path)).render(painter)
    painter.end()
    assert marker_share(rgb_of(image)) == pytest.approx(
        marker_share(rgb_of(render_image(outer, 1))), rel=0.25
    )


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


def test_written_files_have_ordinary_permissions(plot, tmp_path):
    """Not owner-only like the temporary files they are made from."""
    import os

    umask = os.umask(0o022)
    try:
        png = save_png(plot, tmp_path / "p.png")
        svg = save_svg(plot, tmp_path / "p.svg")
        writer = GifWriter(tmp_path / "a.gif")
        writer.add_frame(np.zeros((4, 4, 3), np.uint8))
        gif = writer.finish()
    finally:
        os.umask(umask)
    for path in (png, svg, gif):
        assert path.stat().st_mode & 0o777 == 0o644


class _Lazy(QLabel):
    """A widget that draws late, like the inspector; flush() brings it up to date."""

    def __init__(self, parent):
        super().__init__("stale", parent)
        self.flushed = 0

    def flush(self):
        self.flushed += 1
        self.setText("fresh")


def test_lazy_widgets_in_the_picture_are_flushed_first(composite, tmp_path):
    outer, _ = composite
    seen = _Lazy(outer)
    outer.layout().addWidget(seen)
    seen.show()
    hidden = _Lazy(outer)
    hidden.hide()
    outside = _Lazy(outer)
    outside.move(10_000, 10_000)  # where Qt parks a dock tab behind another
    outside.show()
    render_image(outer, 1)
    save_svg(outer, tmp_path / "x.svg")
    assert seen.flushed == 2 and seen.text() == "fresh"
    assert hidden.flushed == 0 and outside.flushed == 0
    render_image(seen, 2)  # the widget exported itself is always brought up to date
    assert seen.flushed == 3
