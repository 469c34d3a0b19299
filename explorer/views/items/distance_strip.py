"""The landscape's strip below the surface: how far each step lies off the plane drawn.

One curve per run (run B's dashed, in compare mode) against step, and a dashed line at
the step shown. Ranged by hand and lazily (:func:`~explorer.views.items.axes.lazy_upper`):
autoranging a curve that grows every frame re-laid its axes every frame (~13 ms of paint
a frame, measured offscreen at W1). Two tick labels on its short side: a strip 50 pixels
high has no room for six.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from explorer.views.items.axes import lazy_upper
from explorer.views.items.landscape_items import dashed_pen
from explorer.views.qt_helpers import format_number


class DistanceStrip:
    """The distance plot (a ``PlotItem``, :attr:`plot`) and what it draws."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.setMouseEnabled(False, False)
        plot.disableAutoRange()
        plot.hideButtons()
        plot.setLabel("left", "off plane")
        plot.setLabel("bottom", "step")
        # plain curves: a PlotDataItem's setData costs ~0.25 ms more a frame
        self.curve, self.other = pg.PlotCurveItem(), pg.PlotCurveItem()
        plot.addItem(self.curve)
        plot.addItem(self.other)
        self.other.setVisible(False)
        self.step_line = pg.InfiniteLine(angle=90, movable=False)
        plot.addItem(self.step_line, ignoreBounds=True)
        self._range = (1.0, 1.0)

    @property
    def axes(self) -> list:
        return [self.plot.getAxis(side) for side in ("left", "bottom")]

    def set_colors(self, rgb, other_rgb, muted) -> None:
        self.curve.setPen(pg.mkPen(rgb, width=1.5))
        pen = pg.mkPen(other_rgb, width=1.5)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.other.setPen(pen)
        self.step_line.setPen(dashed_pen(muted))

    def show(self, steps, distances, shown_step: int, last_step: int, other=None) -> None:
        """Draw ``distances (T,)`` at ``steps (T,)``, the line at ``shown_step``, and run
        B's ``(steps, distances)`` as ``other`` (None: none)."""
        self.curve.setData(steps, distances)
        self.step_line.setValue(shown_step)
        top = float(np.max(distances)) if len(distances) else 0.0
        if other is not None:
            self.other.setData(*other)
            if len(other[1]):
                top = max(top, float(np.max(other[1])))
        if (other is not None) != self.other.isVisible():
            self.other.setVisible(other is not None)
        x_now, y_now = self._range
        x = lazy_upper(max(last_step, 1), x_now, 10.0)
        top = max(top, 1e-12)
        y = lazy_upper(top, y_now, 10.0 ** math.floor(math.log10(top)))
        if (x, y) != (x_now, y_now):
            self._range = (x, y)
            self.plot.setRange(xRange=(0, x), yRange=(0, 1.05 * y), padding=0.02)
            self.plot.getAxis("left").setTicks([[(0.0, "0"), (y, format_number(y, 2))], []])
