"""Bars whose heights change every frame: a ``BarGraphItem`` of one pen and one brush.

Speed: the rects live in one native array that a new frame rewrites in place (no sip
objects made per frame), set without pyqtgraph's general coordinate handling (~0.2 ms a
call, once per class per frame), and with a fixed bounding rect over a span, so new
heights are a repaint only, with no geometry change for the scene and view box.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF

from explorer.views.items.cached_bounds import CachedBoundsMixin
from explorer.views.items.native_array import NativeArray
from explorer.views.items.pyqtgraph_private import (
    bar_data_bounds,
    bar_rects,
    set_bar_data,
    set_bar_rects,
)


class BarsItem(CachedBoundsMixin, pg.BarGraphItem):
    """A ``BarGraphItem`` of one pen and one brush, for bars whose values change every
    frame (the per-sample bars, the selected sample's highlight and detail bars).

    Its rects live in a :class:`~explorer.views.items.native_array.NativeArray` (no per-frame
    sip objects; pyqtgraph's ``PrimitiveArray`` makes one whenever the count changes). Its bounding
    rect is computed once per change of data or view, not at each of the scene's
    queries; bars set with a ``span`` (:meth:`set_bars`) keep one fixed bounding rect
    over the whole span, so new heights every frame are a repaint only, with no
    geometry change for the scene and the view box to process.
    """

    #: The fixed bounding rect while bars come from ``set_bars(..., span=...)``.
    _extent: QRectF | None = None

    def __init__(self, **opts):
        super().__init__(**opts)
        set_bar_rects(self, NativeArray(QRectF, 0.0))  # unused rows: empty rects
        self.setOpts()  # refill the new array

    def _bounds_key(self) -> object:
        return bar_data_bounds(self)  # a new tuple after every setOpts

    def boundingRect(self) -> QRectF:
        if self._extent is not None:
            return QRectF(self._extent)
        return super().boundingRect()

    def setOpts(self, **opts) -> None:
        if self._extent is not None:
            self.prepareGeometryChange()  # while the old rect is still the bounds
            self._extent = None
        super().setOpts(**opts)

    def set_bars(
        self, x0: np.ndarray, height: np.ndarray, width: float, span: float | None = None
    ) -> None:
        """Bars from ``x0 (B,)`` to ``x0 + width``, from 0 to ``height (B,)``.

        The same rects and data bounds as ``setOpts(x0=x0, height=height, width=width)``
        for ``width > 0``, without pyqtgraph's general coordinate handling (~0.2 ms a
        call, once per class per frame). With ``span``, the bounding rect spans
        ``[0, span]`` and the unit height on the side(s) of zero the bars are on (grown
        to hold any bar outside it): the same from frame to frame.
        """
        x0 = np.asarray(x0, dtype=np.float64)
        h = np.asarray(height, dtype=np.float64)
        self.opts.update(x0=x0, height=height, width=width)
        rects = bar_rects(self)
        if len(x0) == 0 or len(h) == 0:
            bounds = (None, None), (None, None)
            rects.resize(0)
        else:
            x1 = x0 + width
            lo = np.minimum(h, 0.0)
            hi = np.maximum(h, 0.0)
            rects.resize(len(x0))
            memory = rects.ndarray()
            memory[:, 0] = x0
            memory[:, 1] = lo
            memory[:, 2] = x1 - x0
            memory[:, 3] = hi - lo
            bounds = (np.min(x0), np.max(x1)), (np.min(lo), np.max(hi))
        set_bar_data(self, bounds)
        extent = None if span is None else self._extent_over(float(span))
        if extent is None or extent != self._extent:
            self.prepareGeometryChange()
            self._extent = extent
            self.informViewBoundsChanged()
        self.update()

    def _extent_over(self, span: float) -> QRectF:
        """``[0, span]`` by ``[−1, 0]`` for bars down, ``[0, 1]`` up (both if both), grown
        to hold the data bounds: it changes only if the bars change sides."""
        (x_lo, x_hi), (y_lo, y_hi) = bar_data_bounds(self)
        if x_lo is None:
            return QRectF(0.0, -1.0, span, 2.0)
        left, right = min(0.0, float(x_lo)), max(span, float(x_hi))
        bottom = min(-1.0 if y_lo < 0 else 0.0, float(y_lo))
        top = max(1.0 if y_hi > 0 else 0.0, float(y_hi))
        return QRectF(left, bottom, right - left, top - bottom)
