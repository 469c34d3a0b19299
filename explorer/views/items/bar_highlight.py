"""The mark of the selected sample's bar: a dashed line through it, its outline, and a
triangle above it.

Speed: training steps mostly leave the sample in its slot, so the line and the triangle
move only when the slot does; the triangle is drawn from a cached pixmap (~10 µs instead
of a scatter's ~0.3 ms paint), and every piece is hidden while there is no selection (an
empty scatter still costs ~0.3 ms a paint).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QGraphicsItem

from explorer.views.items.bars_item import BarsItem
from explorer.views.palette import Theme


class BarHighlight:
    """Marks one bar slot of ``plot``.

    Attributes
    ----------
    line : pyqtgraph.InfiniteLine
        The dashed vertical line through the slot's middle.
    bar : BarsItem
        The outline of the marked bar.
    marker : pyqtgraph.ScatterPlotItem
        The triangle above the slot.
    """

    def __init__(self, plot):
        self.line = pg.InfiniteLine(angle=90, movable=False)
        self.line.setZValue(10)
        self.line.setVisible(False)
        plot.addItem(self.line)
        self.bar = BarsItem(x0=np.zeros(0), height=np.zeros(0), width=1.0)
        self.bar.setZValue(12)
        plot.addItem(self.bar)
        self.marker = pg.ScatterPlotItem(size=9, symbol="t", pxMode=True)
        self.marker.setZValue(11)
        # Exports switch item caches off.
        self.marker.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.marker.setVisible(False)
        self.bar.setVisible(False)
        plot.addItem(self.marker)
        self._marked = True  # unknown: cleared by the first clear()

    def apply_theme(self, theme: Theme) -> None:
        self.line.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))
        self.bar.setOpts(pen=pg.mkPen(theme.foreground, width=2), brush=pg.mkBrush(None))
        self.marker.setBrush(pg.mkBrush(theme.foreground))
        self.marker.setPen(pg.mkPen(None))

    def clear(self) -> None:
        """Mark nothing."""
        if not self._marked:  # already cleared: skip pyqtgraph's per-call overhead
            return
        self._marked = False
        self.line.setVisible(False)
        self.marker.setData([], [])
        self.marker.setVisible(False)
        self.bar.set_bars(np.zeros(0), np.zeros(0), 1.0)
        self.bar.setVisible(False)

    def mark(self, slot: int, height: float, top: float, span: float) -> None:
        """Mark the bar of ``height`` in ``slot`` (``[slot, slot + 1]``), the triangle at
        ``top``; ``span`` is the number of slots (the bar's fixed bounds)."""
        self._marked = True
        middle = slot + 0.5
        if self.marker.isVisible():
            x, y = self.marker.getData()
            moved = len(x) != 1 or (float(x[0]), float(y[0])) != (middle, top)
        else:
            moved = True
        if moved:
            self.line.setValue(middle)
            self.line.setVisible(True)
            self.marker.setData([middle], [top])
            self.marker.setVisible(True)
        heights = np.array([height], dtype=np.float64)
        self.bar.set_bars(np.array([float(slot)]), heights, 1.0, span=span)
        self.bar.setVisible(True)
