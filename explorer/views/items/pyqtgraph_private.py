"""The few private attributes of pyqtgraph's items that our faster items rely on.

Every read or write of one is here, under a name that says what it means, so that a new
pyqtgraph breaks one module, not several items. ``tests/test_pyqtgraph_private.py``
checks each on the installed pyqtgraph (the attribute exists, holds what is assumed, and
pyqtgraph's own code paints or bounds from it); it fails if pyqtgraph changes them.
Written against pyqtgraph 0.14.0.
"""

from __future__ import annotations

import pyqtgraph as pg
from PyQt6.QtGui import QImage

# ------------------------------------------------------------------- BarGraphItem
# BarGraphItem keeps its bars as a PrimitiveArray of QRectF (``_rectarray``): ``paint``
# draws ``_rectarray.drawargs()`` with one pen and brush, ``shape`` walks
# ``_rectarray.instances()``; its data bounds (``_dataBounds``, ``((x0, x1), (y0, y1))``)
# feed ``dataBounds`` and so ``boundingRect``. ``picture`` (a QPicture of the
# many-colour path) and ``_shape`` (a QPainterPath) are caches cleared by ``setOpts``.
# BarsItem writes the rects into its own array and must clear the same caches.


def set_bar_rects(item: pg.BarGraphItem, rects) -> None:
    """Make ``item`` paint and bound from ``rects`` (a PrimitiveArray stand-in).

    pyqtgraph's ``PrimitiveArray`` makes a new sip array whenever the count changes;
    :class:`~explorer.views.items.native_array.NativeArray` does not.
    """
    item._rectarray = rects


def bar_rects(item: pg.BarGraphItem):
    """The rect array ``item`` paints (``resize``, ``ndarray``, ``instances``, ``drawargs``)."""
    return item._rectarray


def bar_data_bounds(item: pg.BarGraphItem) -> tuple:
    """``((x_min, x_max), (y_min, y_max))`` of the bars, ``None`` pairs without bars; a
    new tuple after every change of the bars (so it identifies them)."""
    return item._dataBounds


def set_bar_data(item: pg.BarGraphItem, data_bounds: tuple) -> None:
    """After the rects were written in place: their ``data_bounds`` (as
    :func:`bar_data_bounds` gives them), and the cached picture and shape dropped, as
    ``BarGraphItem.setOpts`` leaves them."""
    item._dataBounds = data_bounds
    item.picture = None
    item._shape = None


# ---------------------------------------------------------------------- ImageItem
# ImageItem.paint calls ``render()`` while ``_renderRequired``, returns without drawing if
# ``_unrenderable``, then draws ``qimage``. HeatmapItem renders into its own persistent
# QImage and reports it here.


def set_rendered_image(item: pg.ImageItem, qimage: QImage) -> None:
    """``item``'s ``render`` made ``qimage``: paint draws it until the image changes."""
    item.qimage = qimage
    item._renderRequired = False
    item._unrenderable = False


# --------------------------------------------------------------- ScatterPlotItem
# ScatterPlotItem caches its data bounds in ``bounds`` (a list) and replaces the list
# whenever the data, the spot sizes or the view transform change.


def scatter_bounds_key(item: pg.ScatterPlotItem) -> object:
    """An object replaced (not mutated) whenever ``item``'s bounds may change."""
    return item.bounds
