"""Each class's zero-score line ``w_c·x + b_c = 0`` on the plane (identity features).

The ends come from :func:`explorer.core.score_lines.zero_line_segment`, clipped to the
visible range; each line is dashed in its class's colour over a thin outline in the
text colour, so it reads on every region, with a short tick on the side where the
class's score is positive (the direction of ``w_c``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from explorer.core.score_lines import zero_line_segment

#: Length of the tick on the positive side, as a share of the visible range's smaller side.
TICK_SHARE = 0.025


def _dashes(rgb, width: float, pattern: tuple[float, float]):
    """A dashed pen; ``pattern`` (dash, gap) is in pen widths, as Qt counts it."""
    pen = pg.mkPen(tuple(int(v) for v in rgb), width=width)
    pen.setDashPattern(list(pattern))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


class ZeroLines:
    """One dashed line per class where its score is zero, drawn inside a range.

    Attributes
    ----------
    segments : list of (ndarray (2, 2) or None)
        Each class's drawn ends (None: no line inside the range, or hidden).
    """

    def __init__(self, view_box: pg.ViewBox):
        self._vb = view_box
        self._lines: list[pg.PlotDataItem] = []
        self._visible = False
        self.segments: list[np.ndarray | None] = []

    def rebuild(self, colors: np.ndarray, theme) -> None:
        """``C`` lines in the class colours (``colors (C, 3)``)."""
        for item in self._lines:
            self._vb.removeItem(item)
        self._lines = []
        for rgb in colors:
            line = pg.PlotDataItem(
                connect="pairs",
                pen=_dashes(rgb, 2.5, (4.0, 2.0)),
                # The outline dashed in step (the same dash and gap lengths in pixels, one
                # pixel longer each end), so each dash reads on every region.
                shadowPen=_dashes(
                    theme.foreground, 4.5, ((4.0 * 2.5 + 2) / 4.5, (2.0 * 2.5 - 2) / 4.5)
                ),
                antialias=True,
            )
            line.setZValue(25)  # under the weight arrows (30), over the points
            line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            line.setVisible(self._visible)
            self._vb.addItem(line, ignoreBounds=True)
            self._lines.append(line)
        self.segments = [None] * len(self._lines)

    def set_visible(self, on: bool) -> None:
        """Show or hide every line."""
        self._visible = bool(on)
        for item in self._lines:
            item.setVisible(self._visible)
        if not self._visible:
            self.segments = [None] * len(self._lines)

    @property
    def visible(self) -> bool:
        return self._visible

    def update(self, W: np.ndarray, b: np.ndarray, rng) -> None:
        """Draw the lines of ``W (C, 2)``, ``b (C,)`` inside ``rng (xmin, xmax, ymin, ymax)``."""
        if not self._visible or len(W) != len(self._lines):
            return
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        tick = TICK_SHARE * min(rng[1] - rng[0], rng[3] - rng[2])
        for k, line in enumerate(self._lines):
            seg = zero_line_segment(W[k], b[k], rng)
            self.segments[k] = seg
            if seg is None:
                line.setData([], [])
                continue
            # The line, and a tick from its middle towards w_c (where z_c > 0).
            mid = seg.mean(axis=0)
            normal = W[k] / np.hypot(*W[k])
            points = np.array([seg[0], seg[1], mid, mid + tick * normal])
            line.setData(points[:, 0], points[:, 1])
