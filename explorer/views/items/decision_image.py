"""A plot item that paints a 32-bit RGB image stretched over a rectangle in data space.

The decision regions change every frame. ``pg.ImageItem`` would re-run its level/LUT
machinery on each ``setImage``; here the view does ``lut[indices]`` itself into a
persistent ``uint32`` buffer that a ``QImage`` (``Format_RGB32``) wraps without copying,
so a frame is one ``np.take`` plus one ``drawImage`` (docs/performance.md, speed lesson 3).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QImage, QPainter


class DecisionImageItem(pg.GraphicsObject):
    """Paints a ``(rows, cols)`` ``uint32`` buffer (0xffRRGGBB) over ``rect``.

    Row 0 of the buffer is drawn at ``rect.top()`` in item coordinates, which a
    y-up ``ViewBox`` shows at the bottom: row ``r`` is the grid row at ``ys[r]``.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._buffer: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._rect = QRectF(0.0, 0.0, 1.0, 1.0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def buffer(self, rows: int, cols: int) -> np.ndarray:
        """The ``uint32 (rows, cols)`` buffer to fill; reallocated only when the size changes.

        After writing into it call :meth:`update` to repaint.
        """
        if self._buffer is None or self._buffer.shape != (rows, cols):
            self._buffer = np.full((rows, cols), 0xFF000000, dtype=np.uint32)
            # The QImage reads the numpy memory in place; self._buffer keeps it alive.
            self._qimage = pg.functions.ndarray_to_qimage(self._buffer, QImage.Format.Format_RGB32)
        return self._buffer

    def image(self) -> QImage | None:
        """The ``QImage`` painted (a view of :meth:`buffer`), or None before the first."""
        return self._qimage

    def set_rect(self, x0: float, y0: float, width: float, height: float) -> None:
        """Place the image over ``[x0, x0 + width] × [y0, y0 + height]`` in data units."""
        self.prepareGeometryChange()
        self._rect = QRectF(float(x0), float(y0), float(width), float(height))
        self.informViewBoundsChanged()
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QPainter, option=None, widget=None) -> None:
        if self._qimage is None:
            return
        # Nearest-neighbour: grid cells stay crisp and boundaries exact; it is also fastest.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self._rect, self._qimage)
