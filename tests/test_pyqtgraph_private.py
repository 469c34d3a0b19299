"""pyqtgraph's private attributes that explorer.views.items.pyqtgraph_private wraps still
exist on the installed pyqtgraph and still mean what the wrappers assume.

Each test reads pyqtgraph's own behaviour (what it paints, bounds or caches), so a
pyqtgraph that renames or repurposes one of them fails here, not in a picture.
"""

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QImage, QPainter

from explorer.views.items.native_array import NativeArray
from explorer.views.items.pyqtgraph_private import (
    bar_data_bounds,
    bar_rects,
    scatter_bounds_key,
    set_bar_data,
    set_bar_rects,
    set_rendered_image,
)

RED = QColor(200, 30, 30)


def _paint(item, size=(40, 20), transform=None) -> QImage:
    """``item`` painted on white into an image of ``size`` pixels, one unit per pixel."""
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    if transform is not None:
        painter.setTransform(transform)
    item.paint(painter, None, None)
    painter.end()
    return image


def _red(image: QImage, x: int, y: int) -> bool:
    return image.pixelColor(x, y) == RED


def test_bar_graph_items_rect_array_is_what_it_paints_and_bounds():
    item = pg.BarGraphItem(x0=[0.0, 2.0], height=[5.0, 7.0], width=1.0, pen=None, brush=RED)
    rects = bar_rects(item)
    for name in ("resize", "ndarray", "instances", "drawargs"):
        assert callable(getattr(rects, name))
    np.testing.assert_array_equal(rects.ndarray(), [[0, 0, 1, 5], [2, 0, 1, 7]])
    assert bar_data_bounds(item) == ((0.0, 3.0), (0.0, 7.0))
    # A replacement array is painted (one pen, one brush: drawRects of drawargs) ...
    ours = NativeArray(QRectF, 0.0)
    set_bar_rects(item, ours)
    assert bar_rects(item) is ours
    ours.resize(1)
    ours.ndarray()[0] = (10.0, 2.0, 4.0, 6.0)
    set_bar_data(item, ((10.0, 14.0), (2.0, 8.0)))
    image = _paint(item)
    assert _red(image, 12, 5) and not _red(image, 0, 1) and not _red(image, 2, 1)
    # ... bounded (dataBounds and boundingRect read the data bounds) ...
    assert item.dataBounds(0) == (10.0, 14.0) and item.dataBounds(1) == (2.0, 8.0)
    assert item.boundingRect() == QRectF(10.0, 2.0, 4.0, 6.0)
    # ... and shaped from
    assert item.shape().boundingRect() == QRectF(10.0, 2.0, 4.0, 6.0)


def test_bar_graph_items_caches_are_dropped_by_set_bar_data():
    """``picture`` (many colours) and ``_shape`` are caches that setOpts clears; after
    set_bar_data the item draws and shapes the new rects, not the cached ones."""
    item = pg.BarGraphItem(
        x0=[0.0], height=[5.0], width=1.0, pens=[pg.mkPen(None)], brushes=[pg.mkBrush(RED)]
    )
    assert item.picture is None and item._shape is None
    assert _red(_paint(item), 0, 2)
    item.shape()
    assert item.picture is not None and item._shape is not None  # both cached now
    bar_rects(item).ndarray()[0] = (20.0, 0.0, 2.0, 5.0)
    set_bar_data(item, ((20.0, 22.0), (0.0, 5.0)))
    assert item.picture is None and item._shape is None
    image = _paint(item)
    assert _red(image, 21, 2) and not _red(image, 0, 2)
    assert item.shape().boundingRect() == QRectF(20.0, 0.0, 2.0, 5.0)
    item.setOpts(x0=[5.0])  # pyqtgraph's own path clears the same two
    assert item.picture is None and item._shape is None
    assert bar_data_bounds(item) == ((5.0, 6.0), (0.0, 5.0))


def test_image_item_paints_the_image_its_render_reports():
    class Rendered(pg.ImageItem):
        renders = 0

        def render(self):
            self.renders += 1
            solid = QImage(4, 2, QImage.Format.Format_RGB32)
            solid.fill(RED)
            set_rendered_image(self, solid)

    item = Rendered(axisOrder="row-major")
    item.setImage(np.zeros((2, 4)), autoLevels=False, levels=(0, 1))
    assert item._renderRequired is True and item._unrenderable is False
    image = _paint(item)
    assert item.renders == 1 and item._renderRequired is False
    assert _red(image, 3, 1) and not _red(image, 5, 1)
    _paint(item)
    assert item.renders == 1  # rendered once: painted again from qimage
    item.setImage(np.ones((2, 4)), autoLevels=False)
    assert item._renderRequired is True
    _paint(item)
    assert item.renders == 2
    item._unrenderable = True  # pyqtgraph's flag for an image it cannot draw
    item._renderRequired = True
    item.render = lambda: None  # a render that fails leaves it set: nothing is drawn
    assert not _red(_paint(item), 1, 1)


def test_scatter_bounds_are_a_list_replaced_on_every_change_of_the_bounds(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    item = pg.ScatterPlotItem(x=[0.0, 1.0], y=[0.0, 1.0], size=5)
    plot.addItem(item)
    key = scatter_bounds_key(item)
    assert isinstance(key, list) and len(key) == 2
    item.dataBounds(0)
    assert scatter_bounds_key(item) is key and key[0] is not None  # filled in place: cached
    for change in (
        lambda: item.setData(x=[0.0, 2.0], y=[0.0, 3.0]),
        lambda: item.setSize(9),
        lambda: plot.resize(321, 123) or item.viewTransformChanged(),
    ):
        change()
        assert scatter_bounds_key(item) is not key
        key = scatter_bounds_key(item)


def test_export_mode_is_public_and_history_curves_keep_their_own_options():
    from explorer.views.items.history_curve import HistoryCurve

    curve = HistoryCurve(pen=pg.mkPen(RED, width=2))
    assert curve._export is False
    curve.setExportMode(True, {"antialias": False})
    assert curve._export == {"antialias": False}
    curve.setExportMode(False)
    assert curve._export is False
    assert Qt.PenStyle.SolidLine == curve.opts["pen"].style()
