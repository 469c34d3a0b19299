"""Horizontal reference lines drawn by one Qt item (no Python in the paint path)."""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtGui import QPainterPath
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

    def set_span(self, x0: float, x1: float) -> None:
        """Draw every line from ``x0`` to ``x1`` (no change if the span is the same)."""
        span = (float(x0), float(x1))
        if span == self.span:
            return
        self.span = span
        path = QPainterPath()
        for y in self.heights:
            path.moveTo(span[0], y)
            path.lineTo(span[1], y)
        self.setPath(path)
