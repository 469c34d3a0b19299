"""A native array of Qt primitives (``QRectF``, ``QLineF``) that a paint never remakes.

``QPainter.drawRects`` and ``drawLines`` take a ``sip.array`` of primitives straight from
memory. PyQt6-sip keeps ~80 bytes of every ``sip.array`` object made, slices included
(200 000 slices: 15.6 MB), so an array that is remade or sliced at every paint (as
pyqtgraph's ``PrimitiveArray`` does when its count changes) grows the process by that
much every frame. Here the array is remade only when it is full or mostly unused; the
rows past those in use hold a fill that draws nothing (empty rects, NaN lines), so the
whole array is always what is drawn.
"""

from __future__ import annotations

import numpy as np
from PyQt6 import sip

#: Spare rows an array is made with: every unused row still costs its drawing call a
#: little (~50 ns for a NaN line), so the spare room stays small.
SLACK = 64


class NativeArray:
    """A ``sip.array`` of ``klass`` with a float64 ``(capacity, fields)`` view.

    Also stands in for pyqtgraph's ``PrimitiveArray`` (``resize``, ``ndarray``,
    ``instances``, ``drawargs``, ``len``), as a ``BarGraphItem``'s rect array.

    Parameters
    ----------
    klass : type
        ``QRectF`` or ``QLineF`` (four float64 fields each).
    fill : float
        Value of the rows not in use: ``0.0`` (empty rects, nothing drawn without a pen)
        or ``nan`` (lines that ``QPainter`` skips).
    """

    FIELDS = 4

    def __init__(self, klass, fill: float):
        self.klass = klass
        self.fill = fill
        self.capacity = 0
        self.array = sip.array(klass, 0)
        self.rows = np.zeros((0, self.FIELDS))
        self.used = 0  # rows in use; the rest hold the fill

    def fit(self, rows: int) -> bool:
        """Room for ``rows`` rows and not much more; True if the array was remade (every
        row holds the fill again)."""
        if rows <= self.capacity and rows + SLACK >= self.capacity // 2:
            return False
        capacity = rows + SLACK
        self.array = sip.array(self.klass, capacity)
        memory = sip.voidptr(self.array, capacity * self.FIELDS * 8)
        self.rows = np.frombuffer(memory, dtype=np.float64).reshape(capacity, self.FIELDS)
        self.rows[:] = self.fill
        self.capacity, self.used = capacity, 0
        return True

    def set_used(self, rows: int) -> None:
        """Rows ``0 .. rows − 1`` are in use (written by the caller); the fill after them."""
        if rows < self.used:
            self.rows[rows : self.used] = self.fill
        self.used = rows

    # -------------------------------------------------- pyqtgraph's PrimitiveArray
    def resize(self, size: int) -> None:
        self.fit(size)
        self.set_used(size)

    def __len__(self) -> int:
        return self.used

    def ndarray(self) -> np.ndarray:
        return self.rows[: self.used]

    def instances(self):
        return self.array

    def drawargs(self) -> tuple:
        return (self.array,)
