"""Reference lines and grids: plain Qt path items (no Python in the paint path), and grid
lines drawn in a view's cached background (free in the repaints of a training step)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QPainter, QPainterPath, QPen
from PyQt6.QtWidgets import QGraphicsPathItem


class HorizontalRules(QGraphicsPathItem):
    """Horizontal lines at fixed heights across a span of x, in data coordinates.

    One ``QGraphicsPathItem`` replaces a ``pyqtgraph.InfiniteLine`` per height: Qt paints
    and bounds it in C++, where each ``InfiniteLine`` costs Python calls in every paint of
    its plot. The span must be set whenever the plot's x range changes
    (:meth:`set_span`); lines outside the y range are clipped by the view as usual.

    Parameters
    ----------
    heights : sequence of float
        The y of each line.
    """

    def __init__(self, heights: Sequence[float]):
        super().__init__()
        self.heights = tuple(float(h) for h in heights)
        self.span: tuple[float, float] | None = None
        self.set_span(0.0, 1.0)

    def set_heights(self, heights: Sequence[float]) -> None:
        """Draw the lines at ``heights`` instead (no change if they are the same)."""
        heights = tuple(float(h) for h in heights)
        if heights != self.heights:
            self.heights = heights
            self._draw()

    def set_span(self, x0: float, x1: float) -> None:
        """Draw every line from ``x0`` to ``x1`` (no change if the span is the same)."""
        span = (float(x0), float(x1))
        if span == self.span:
            return
        self.span = span
        self._draw()

    def _draw(self) -> None:
        span = self.span
        path = QPainterPath()
        for y in self.heights:
            path.moveTo(span[0], y)
            path.lineTo(span[1], y)
        self.setPath(path)


class CellGrid(QGraphicsPathItem):
    """The lines between the cells of a ``C × C`` heatmap at ``[0, C]²``, one pixel wide.

    Where an entry is 0 its cell has the panel's own colour; the grid keeps every cell
    visible as a cell. A plain path item: Qt paints it in C++ with no Python per frame.
    """

    def __init__(self, C: int = 0):
        super().__init__()
        self.C = -1
        self.set_size(C)

    def set_size(self, C: int) -> None:
        """Draw the ``C + 1`` lines of each direction of a ``C × C`` grid."""
        C = int(C)
        if C == self.C:
            return
        self.C = C
        path = QPainterPath()
        for k in range(C + 1):
            path.moveTo(0.0, float(k))
            path.lineTo(float(C), float(k))
            path.moveTo(float(k), 0.0)
            path.lineTo(float(k), float(C))
        self.setPath(path)

    def set_color(self, color: QColor) -> None:
        self.setPen(QPen(color, 0))  # width 0: cosmetic, one pixel at any zoom


#: Opacity of the grid at the major ticks (a quarter, as pyqtgraph's ``showGrid(alpha=0.25)``);
#: each finer level of ticks gets ``1 / (level + 1)`` of it.
GRID_ALPHA = 0.25


class PlotGrid:
    """Grid lines at a plot's tick positions, for a view to draw in its background.

    pyqtgraph draws a grid as part of each axis, so an axis's bounds then cover the whole
    plot: every repaint anywhere in the plot repaints the axes (their tick text included,
    cached or not). Drawn in the view's background instead (:meth:`draw`, from
    ``drawBackground``), the lines are part of the view's cached background: a repaint
    costs nothing more for them, and exports (which switch the cache off) still draw them.
    They are recomputed when the plot's range or size changes (:attr:`changed` is then
    called, to refresh the cached background). The opacity per level follows pyqtgraph's
    grid (fainter for finer and denser ticks).

    Parameters
    ----------
    plot : pyqtgraph.PlotItem
        Its bottom and left axes give the tick positions (``tickValues``, or the explicit
        ticks given here).
    y_ticks : sequence of float, optional
        Explicit major ticks of the left axis (when it was given them with ``setTicks``).
    """

    def __init__(self, plot, y_ticks: Sequence[float] | None = None):
        self.plot = plot
        self.y_ticks = None if y_ticks is None else tuple(float(v) for v in y_ticks)
        self.color = QColor(128, 128, 128)
        #: What to call after the lines changed (the view refreshes its background).
        self.changed = lambda: None
        #: (pen, path in data coordinates) per axis and tick level
        self.lines: list[tuple[QPen, QPainterPath]] = []
        view_box = plot.getViewBox()
        view_box.sigRangeChanged.connect(self.refit)
        view_box.sigResized.connect(self.refit)

    def set_color(self, color: QColor) -> None:
        """Draw the lines in ``color`` (at the grid's opacity)."""
        self.color = QColor(color)
        self.refit()

    def levels(self, name: str, lo: float, hi: float, pixels: float) -> list[np.ndarray]:
        """Tick values per level of the ``"bottom"`` or ``"left"`` axis over ``[lo, hi]``."""
        if name == "left" and self.y_ticks is not None:
            return [np.array([v for v in self.y_ticks if lo <= v <= hi])]
        levels = self.plot.getAxis(name).tickValues(lo, hi, pixels)
        return [np.asarray(values, dtype=np.float64) for _, values in levels]

    def refit(self, *args) -> None:
        """Recompute the lines for the view box's current range and size."""
        view_box = self.plot.getViewBox()
        (x0, x1), (y0, y1) = view_box.viewRange()
        size = view_box.size()
        lines = []
        for name, lo, hi, pixels in (
            ("bottom", x0, x1, size.width()),
            ("left", y0, y1, size.height()),
        ):
            if pixels <= 0:
                continue
            for level, values in enumerate(self.levels(name, lo, hi, pixels)):
                if len(values) == 0:
                    continue
                # pyqtgraph's grid opacity: fainter for finer levels and denser ticks
                density = min(max(0.05 * pixels / (len(values) + 1), 0.0), 1.0)
                color = QColor(self.color)
                color.setAlpha(int(255 / (level + 1) * GRID_ALPHA * density))
                path = QPainterPath()
                for v in values:
                    if name == "bottom":
                        path.moveTo(float(v), y0)
                        path.lineTo(float(v), y1)
                    else:
                        path.moveTo(x0, float(v))
                        path.lineTo(x1, float(v))
                lines.append((QPen(color, 0), path))  # width 0: cosmetic, one pixel
        self.lines = lines
        self.changed()

    def draw(self, painter: QPainter) -> None:
        """Draw the lines with ``painter`` in scene coordinates (a view's background)."""
        view_box = self.plot.getViewBox()
        if not self.lines or not view_box.isVisible():
            return
        painter.save()
        painter.setClipRect(view_box.sceneBoundingRect(), Qt.ClipOperation.IntersectClip)
        painter.setTransform(view_box.childGroup.sceneTransform(), True)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for pen, path in self.lines:
            painter.setPen(pen)
            painter.drawPath(path)
        painter.restore()


class GridGraphics(pg.GraphicsLayoutWidget):
    """A ``GraphicsLayoutWidget`` that draws its plots' grids in its background.

    The view caches its background (pyqtgraph's default), so the lines cost nothing in
    the repaints of a training step; the cache is refreshed when a grid changes.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grids: list[PlotGrid] = []

    def set_grids(self, grids: list[PlotGrid]) -> None:
        self.grids = list(grids)
        for grid in self.grids:
            grid.changed = self._grid_changed
            grid.refit()

    def _grid_changed(self) -> None:
        self.resetCachedContent()
        self.viewport().update()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        for grid in self.grids:
            grid.draw(painter)
