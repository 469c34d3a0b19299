"""What the landscape view draws over its surface: contour lines, the path, the marker.

- :class:`ContourLines`: the segments of :func:`explorer.core.contours.contour_segments`
  for every level, as one painter path (one item, one paint).
- :class:`PathItems`: the optimiser's path as a line (at most :data:`MAX_DRAWN_POINTS`
  points: a longer path is drawn through evenly spaced steps, its first and last kept),
  a dot at its start and a ring at the shown step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor, QPen
from PyQt6.QtWidgets import QGraphicsPathItem

from explorer.core.contours import contour_segments

#: Points of the path line drawn at most (a frame's setData stays well under a millisecond).
MAX_DRAWN_POINTS = 2000


def drawn_indices(n: int, most: int = MAX_DRAWN_POINTS) -> np.ndarray | None:
    """Indices of the path points drawn: None for all of them, else ``most`` evenly
    spaced ones with the first and the last."""
    if n <= most:
        return None
    return np.unique(np.linspace(0, n - 1, most).round().astype(np.intp))


class ContourLines(QGraphicsPathItem):
    """Contour lines of a surface, thin and half transparent."""

    def __init__(self):
        super().__init__()
        self.setZValue(5)
        self.levels = np.zeros(0)
        self.n_segments = 0

    def set_color(self, rgb) -> None:
        pen = QPen(QColor(*rgb, 170))
        pen.setWidthF(1.0)
        pen.setCosmetic(True)
        self.setPen(pen)

    def set_surface(self, values, xs, ys, levels) -> None:
        """Draw the contours of ``values (Gy, Gx)`` over ``xs``, ``ys`` at ``levels``."""
        pieces = [contour_segments(values, xs, ys, level) for level in levels]
        segments = np.concatenate(pieces) if pieces else np.zeros((0, 2, 2))
        self.levels = np.asarray(levels, dtype=np.float64)
        self.n_segments = len(segments)
        if not len(segments):
            self.setPath(pg.QtGui.QPainterPath())
            return
        x, y = segments[:, :, 0].ravel(), segments[:, :, 1].ravel()
        connect = np.zeros(x.size, dtype=np.int32)
        connect[0::2] = 1  # each start joins its end, never the next segment
        self.setPath(pg.arrayToQPath(x, y, connect=connect))


class PathItems:
    """The path line, its start and the shown step's marker, added to ``view_box``."""

    def __init__(self, view_box: pg.ViewBox, name: str = "path"):
        self.line = pg.PlotCurveItem(name=name)
        self.line.setZValue(10)
        self.future = pg.PlotCurveItem()  # the steps after the shown one, faint
        self.future.setZValue(9)
        # One spot each at (0, 0), moved by setPos: ~5 µs a frame where setData takes ~0.3 ms.
        self.start = pg.ScatterPlotItem([0.0], [0.0], size=7, symbol="o")
        self.start.setZValue(11)
        self.marker = pg.ScatterPlotItem([0.0], [0.0], size=14, symbol="o")
        self.marker.setZValue(12)
        self._future_empty = False
        for item in (self.line, self.future, self.start, self.marker):
            view_box.addItem(item, ignoreBounds=True)
        self.shown = (np.zeros(0), np.zeros(0))

    def set_color(self, rgb, outline) -> None:
        self.line.setPen(pg.mkPen(QColor(*rgb), width=2))
        self.future.setPen(pg.mkPen(QColor(*rgb, 110), width=1.5, style=Qt.PenStyle.DashLine))
        self.start.setBrush(pg.mkBrush(QColor(*rgb)))
        self.start.setPen(pg.mkPen(QColor(*outline), width=1))
        self.marker.setBrush(pg.mkBrush(None))
        self.marker.setPen(pg.mkPen(QColor(*rgb), width=3))

    def set_path(self, alphas: np.ndarray, betas: np.ndarray, upto: int | None = None) -> None:
        """Draw the path through ``(α_t, β_t)``, shape (T,) each: solid through the first
        ``upto`` points (all for None), then faint (the steps after the one shown)."""
        upto = alphas.size if upto is None else max(0, min(int(upto), alphas.size))
        if upto < alphas.size or not self._future_empty:  # at the head: nothing after it
            self._set(self.future, alphas[max(0, upto - 1) :], betas[max(0, upto - 1) :])
            self._future_empty = upto >= alphas.size
        alphas, betas = alphas[:upto], betas[:upto]
        self.shown = self._set(self.line, alphas, betas)
        self.start.setVisible(alphas.size > 0)
        if alphas.size and (self.start.x(), self.start.y()) != (alphas[0], betas[0]):
            self.start.setPos(float(alphas[0]), float(betas[0]))

    @staticmethod
    def _set(item, alphas, betas):
        keep = drawn_indices(alphas.size)
        if keep is not None:
            alphas, betas = alphas[keep], betas[keep]
        item.setData(alphas, betas)
        return alphas, betas

    def set_marker(self, alpha: float | None, beta: float | None) -> None:
        self.marker.setVisible(alpha is not None)
        if alpha is not None:
            self.marker.setPos(float(alpha), float(beta))

    def marker_position(self) -> tuple[float, float] | None:
        """Where the marker is drawn, or None when it is hidden."""
        return (self.marker.x(), self.marker.y()) if self.marker.isVisible() else None

    def set_visible(self, visible: bool) -> None:
        for item in (self.line, self.future, self.start, self.marker):
            item.setVisible(visible)


def dashed_pen(rgb) -> QPen:
    """A thin dashed cosmetic pen (the distance plot's step line)."""
    pen = QPen(QColor(*rgb))
    pen.setStyle(Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    return pen
