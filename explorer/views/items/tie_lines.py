"""The decision boundaries drawn as lines over the regions (the "Boundaries" overlay).

The segments come from :func:`explorer.core.boundaries.plane_ties`: exact tie lines for
identity features, sub-pixel marching-squares contours otherwise. They are drawn as one
antialiased path with a cosmetic pen in data coordinates, so they stay smooth at any zoom
and in every export (a vector path in SVG and PDF; at a PNG's scale in a 2× export), not
the grid's staircase of cells.

Speed: a frame builds one ``QPainterPath`` from the ``(S, 4)`` segment array with
pyqtgraph's ``arrayToQPath`` (``connect="pairs"``, no Python loop over segments); the
item's bounds are the decision grid's range, fixed while the range is, so a new path is
a repaint without a geometry change.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QPainter, QPainterPath, QPen

#: Line width in pixels of the screen (and of a 1× export).
LINE_WIDTH = 2.0


class TieLinesItem(pg.GraphicsObject):
    """Line segments ``(S, 4)`` (``x0, y0, x1, y1`` in data units) over the plane."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._path = QPainterPath()
        self._rect = QRectF()
        self._pen = QPen(QColor(0, 0, 0), LINE_WIDTH)
        self._pen.setCosmetic(True)
        # Square caps: round ones send a 2-px antialiased path through Qt's general
        # stroker, 40x slower (69 vs 1.8 ms for 3000 segments, one path of pairs, and a
        # path of joined polylines is as slow); flat ones leave each joint of two
        # antialiased segments a quarter paler (a bead every cell in a 2x PNG). A square
        # end overlaps the next segment by half the width instead (about 1.5x flat).
        self._pen.setCapStyle(Qt.PenCapStyle.SquareCap)
        self.segments = np.zeros((0, 4))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_color(self, rgb) -> None:
        """Draw in ``rgb`` ``(int, int, int)``."""
        self._pen.setColor(QColor(*(int(v) for v in rgb)))
        self.update()

    def set_segments(self, segments: np.ndarray, rect: tuple[float, float, float, float]) -> None:
        """Draw ``segments (S, 4)`` inside ``rect = (xmin, xmax, ymin, ymax)``."""
        self.segments = segments
        x0, x1, y0, y1 = rect
        bounds = QRectF(x0, y0, x1 - x0, y1 - y0)
        if bounds != self._rect:
            self.prepareGeometryChange()
            self._rect = bounds
        if segments.shape[0] == 0:
            self._path = QPainterPath()
        else:
            x = np.ascontiguousarray(segments[:, [0, 2]]).reshape(-1)
            y = np.ascontiguousarray(segments[:, [1, 3]]).reshape(-1)
            self._path = pg.arrayToQPath(x, y, connect="pairs")
        self.update()

    def clear(self) -> None:
        """Draw nothing."""
        self.set_segments(np.zeros((0, 4)), (0.0, 0.0, 0.0, 0.0))

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QPainter, option=None, widget=None) -> None:
        if self._path.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(self._pen)
        pen.setWidthF(LINE_WIDTH * _export_scale(self, painter))
        painter.setPen(pen)
        painter.drawPath(self._path)


def _export_scale(item: pg.GraphicsObject, painter: QPainter) -> float:
    """How many device pixels of ``painter`` a pixel of the screen is: 2 in a 2× PNG.

    A cosmetic pen's width is in the painter's device pixels; an export paints through a
    scaled painter (:mod:`explorer.export.image`), so the line is widened by the ratio
    of the painter's item-to-device scale to the item's on-screen one.
    """
    view = item.getViewWidget()
    if view is None:
        return 1.0
    screen = item.deviceTransform(view.viewportTransform())
    on_screen = abs(screen.m11()) + abs(screen.m21())
    here = painter.deviceTransform()
    drawn = abs(here.m11()) + abs(here.m21())
    return drawn / on_screen if on_screen > 0 and drawn > 0 else 1.0
