"""Each class's weight vector ``w_c`` drawn as an arrow on the plane (identity features),
at a round scale that a corner label states."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from explorer.core.ticks import round_down_125
from explorer.views.items.plane import CornerLabel
from explorer.views.palette import hex_color
from explorer.views.qt_helpers import format_number

#: The longest weight arrow spans at most this share of the plotted range (and, with the
#: scale rounded down the 1-2-5 ladder, at least 1/2.5 of it).
ARROW_SHARE = 0.32
#: Arrow-head barb length as a share of the plotted range.
HEAD_SHARE = 0.035


class WeightArrows:
    """One arrow per class from the data centre along ``w_c`` (identity features only).

    Arrow ``c`` ends at ``centre + scale · w_c``: directions and relative lengths are
    exact, and the common ``scale`` is a 1-2-5 number (the largest that keeps the longest
    arrow within :data:`ARROW_SHARE` of the range), said by a label in the plane's
    bottom-right corner. A round scale changes only when the weights grow past a rung, so
    while training the arrows grow with ``W`` instead of being stretched back every frame.

    Attributes
    ----------
    scale : float or None
        Data units of the plane per unit of ``w`` (None while nothing is drawn).
    scale_label : CornerLabel
    tips : ndarray, shape (C, 2), or None
        Where each arrow ends (None while nothing is drawn).
    centre : ndarray, shape (2,), or None
        Where they start.
    hold_scale : bool
        Keep the current scale whatever ``W`` becomes (while an arrow is dragged: the
        arrow under the cursor must stay under it).
    """

    def __init__(self, view_box: pg.ViewBox):
        self._vb = view_box
        self._lines: list[pg.PlotDataItem] = []
        self._labels: list[pg.TextItem] = []
        self._visible = False
        self.scale: float | None = None
        self.scale_label = CornerLabel(view_box, "bottom-right")
        self.tips: np.ndarray | None = None
        self.centre: np.ndarray | None = None
        self.hold_scale = False

    def rebuild(self, colors: np.ndarray, text_colors: np.ndarray, theme) -> None:
        """Create ``C`` arrows in the class colours (``colors``, ``text_colors`` ``(C, 3)``)."""
        for item in self._lines + self._labels:
            self._vb.removeItem(item)
        self._lines, self._labels = [], []
        self.scale_label.set_theme(theme.background, theme.foreground)
        self.scale = None
        for k, rgb in enumerate(colors):
            line = pg.PlotDataItem(
                connect="pairs",
                pen=pg.mkPen(tuple(int(v) for v in rgb), width=3),
                shadowPen=pg.mkPen(theme.foreground, width=5.5),
                antialias=True,
            )
            line.setZValue(30)
            label = pg.TextItem(
                html=_weight_html(k, text_colors[k]),
                anchor=(0.5, 0.5),
                fill=pg.mkBrush((*theme.background, 200)),
            )
            label.setZValue(31)
            for item in (line, label):
                item.setVisible(self._visible)
                item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
                self._vb.addItem(item, ignoreBounds=True)
            self._lines.append(line)
            self._labels.append(label)

    def set_visible(self, on: bool) -> None:
        """Show or hide every arrow."""
        self._visible = bool(on)
        for item in self._lines + self._labels:
            item.setVisible(self._visible)
        if not self._visible:
            self.scale = self.tips = None
            self.scale_label.set_html(None)

    def update(self, W: np.ndarray, centre: np.ndarray, span: float) -> None:
        """Point the arrows along the rows of ``W (C, 2)`` from ``centre (2,)``."""
        if not self._visible or W.shape[0] != len(self._lines):
            return
        W = np.asarray(W, dtype=np.float64)
        norms = np.hypot(W[:, 0], W[:, 1])
        longest = float(norms.max()) if norms.size else 0.0
        fits = longest > 0 and np.isfinite(longest) and span > 0
        scale = round_down_125(ARROW_SHARE * span / longest) if fits else 0.0
        if self.hold_scale and self.scale:
            scale = self.scale
        if scale != self.scale:
            self.scale = scale
            self.scale_label.set_html(_scale_html(scale) if scale > 0 else None)
        head = HEAD_SHARE * span
        self.centre = np.asarray(centre, dtype=np.float64)
        self.tips = self.centre + scale * W
        for k, (line, label) in enumerate(zip(self._lines, self._labels, strict=True)):
            tip = centre + scale * W[k]
            seg = _arrow_segments(centre, tip, head)
            line.setData(seg[:, 0], seg[:, 1])
            direction = tip - centre
            length = float(np.hypot(*direction))
            offset = direction / length * head * 1.6 if length > 0 else np.zeros(2)
            label.setPos(float(tip[0] + offset[0]), float(tip[1] + offset[1]))


def _arrow_segments(start: np.ndarray, tip: np.ndarray, head: float) -> np.ndarray:
    """Shaft and two barbs as 3 point pairs, ``(6, 2)``, for ``connect="pairs"``."""
    d = tip - start
    length = float(np.hypot(*d))
    if length <= 0:
        return np.array([start, tip] * 3, dtype=np.float64)
    u = d / length
    h = min(head, 0.6 * length)
    back = tip - h * u
    normal = np.array([-u[1], u[0]]) * h * 0.55
    return np.array([start, tip, tip, back + normal, tip, back - normal], dtype=np.float64)


def _scale_html(scale: float) -> str:
    """``arrow = 0.5 × w_c``: how long an arrow is for its weight vector."""
    return f"arrow = {format_number(scale, 3)} × <b>w</b><sub>c</sub>"


def _weight_html(k: int, rgb) -> str:
    return f'<span style="color:{hex_color(rgb)}; font-weight:bold">w<sub>{k}</sub></span>'
