"""Axis helpers shared by the plot views: cached plain-number axes, class-name axes."""

from __future__ import annotations

import pyqtgraph as pg
from PyQt6.QtGui import QColor, QFont
from PyQt6.QtWidgets import QGraphicsItem


def cache_axes(*plots) -> None:
    """Paint the axes of ``plots`` (``PlotItem``s or ``AxisItem``s) from a pixmap cache.

    Their numbers are also kept plain (no SI prefix rescaling).

    An axis repaints its tick text whenever anything under its bounding rect changes
    (most of a plot's frame), which costs ~0.3 ms per axis per frame; cached, it repaints
    only after its own ``update()`` (new range, ticks, pen or size). Export switches the
    caches off, so SVG still gets vector text.
    """
    mode = QGraphicsItem.CacheMode.DeviceCoordinateCache
    for plot in plots:
        axes = [plot] if isinstance(plot, pg.AxisItem) else [a["item"] for a in plot.axes.values()]
        for axis in axes:
            axis.setCacheMode(mode)
            # Never an SI prefix: pyqtgraph would label a loss of 0.7 as 700 "(x0.001)".
            axis.setSIPrefixEnableRanges(())


class ClassAxisItem(pg.AxisItem):
    """An axis whose tick labels are class names, each drawn in its class colour.

    Ticks sit at ``offset + k`` for class ``k``; call :meth:`set_classes` after the classes
    change.
    """

    def __init__(self, orientation: str, offset: float = 0.5, **kwargs):
        super().__init__(orientation, **kwargs)
        self._offset = offset
        self._colors: dict[str, QColor] = {}

    def set_classes(self, names, colors) -> None:
        """Label tick ``k`` with ``names[k]`` in ``colors[k]`` (RGB rows, shape (C, 3))."""
        pairs = zip(names, colors, strict=True)
        self._colors = {str(n): QColor(*(int(v) for v in c)) for n, c in pairs}
        ticks = [(self._offset + k, str(n)) for k, n in enumerate(names)]
        self.setTicks([ticks, []])

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        p.setRenderHint(p.RenderHint.Antialiasing, False)
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        pen, p1, p2 = axisSpec
        p.setPen(pen)
        p.drawLine(p1, p2)
        for tick_pen, t1, t2 in tickSpecs:
            p.setPen(tick_pen)
            p.drawLine(t1, t2)
        font = QFont(self.style["tickFont"]) if self.style["tickFont"] else QFont(p.font())
        font.setBold(True)
        p.setFont(font)
        p.setClipRect(self.boundingRect().toAlignedRect())
        default = self.textPen()
        for rect, flags, text in textSpecs:
            color = self._colors.get(text)
            p.setPen(pg.mkPen(color) if color is not None else default)
            p.drawText(rect, int(flags), text)
