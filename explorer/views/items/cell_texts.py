"""The numbers in the cells of a heatmap, drawn by one item in one paint call.

Speed: one item instead of a ``pyqtgraph.TextItem`` per cell, from cached static text
layouts: a new set of numbers is a list assignment, not a text relayout per cell (which
at 16 cells was most of the Jacobian view's refresh).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PyQt6.QtCore import QPointF, QRectF
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QStaticText
from PyQt6.QtWidgets import QGraphicsItem

from explorer.views.items.pixel_frame import static_text, view_pixels_per_unit

#: The widest text fills at most this share of a cell's width.
FIT = 0.9
#: Fitted point sizes are multiples of this (few layouts to cache), and at least MIN_POINTS.
POINT_STEP = 0.5
MIN_POINTS = 5.0


class CellTexts(QGraphicsItem):
    """A text centred in each cell of a ``C × C`` grid of unit cells at ``[0, C]²``.

    One item instead of a ``pyqtgraph.TextItem`` per cell: a ``TextItem`` relays out a
    ``QTextDocument`` on every new string and costs several Python calls per paint, which
    at 16 cells was most of the Jacobian view's refresh. Here a new set of strings is a
    list assignment, and one paint draws them all from cached ``QStaticText`` layouts.

    The text keeps its point size on screen whatever the cell size (it is drawn in a
    frame scaled from data units to the view's pixels), unless the widest text would fill
    more than :data:`FIT` of a cell's width: then all texts get a smaller point size that
    fits, so neighbouring numbers never run into each other in a small view (and below
    :data:`MIN_POINTS` none is drawn: the colours remain). Any scale the painter adds on
    top (a 2× export) scales the text with everything else.

    Parameters
    ----------
    C : int
        Cells per side; cell ``(row j, column k)`` is ``[k, k + 1] × [j, j + 1]``.
    font : QFont
    colors : tuple of QColor
        Text colours for normal and for *light* (dark-cell) texts.
    """

    def __init__(self, C: int, font: QFont, colors: tuple[QColor, QColor]):
        super().__init__()
        self.C = int(C)
        self.font = QFont(font)
        self.colors = colors
        #: The shown strings, row-major (``texts[j * C + k]``).
        self.texts: list[str] = [""] * (self.C * self.C)
        #: Which cells use the light colour, row-major.
        self.light: list[bool] = [False] * (self.C * self.C)
        self._statics: dict[tuple[str, float], QStaticText] = {}
        #: (scale, font, (normal, light)) of the shown texts laid out for that view scale,
        #: each list holding (corner, static text); None when the texts changed.
        self._placed: tuple[tuple[float, float], QFont, tuple[list, list]] | None = None

    def set_values(self, texts: Sequence[str], light: Sequence[bool]) -> None:
        """Show ``texts`` (row-major, ``C²`` strings), light where ``light`` is True."""
        texts, light = list(texts), [bool(v) for v in light]
        if len(texts) != self.C * self.C or len(light) != len(texts):
            raise ValueError(f"expected {self.C * self.C} texts and flags")
        if texts != self.texts or light != self.light:
            self.texts, self.light = texts, light
            self._placed = None
            self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, self.C, self.C)

    def _static(self, text: str, font: QFont) -> QStaticText:
        """A laid-out ``QStaticText`` of ``text`` in ``font`` (cached)."""
        key = (text, font.pointSizeF())
        static = self._statics.get(key)
        if static is None:
            if len(self._statics) > 4 * self.C * self.C:
                self._statics.clear()  # values drift while training: keep the cache small
            static = self._statics[key] = static_text(text, font)
        return static

    def fitted_font(self, cell_px: float) -> QFont | None:
        """The item's font, or a smaller one in which the widest of the current texts fits
        a cell ``cell_px`` pixels wide (see :data:`FIT`); None if it would be smaller than
        :data:`MIN_POINTS` (the cells are then too small for legible numbers).

        Found afresh for every new set of texts, starting from the item's own font: a
        size that wide texts needed (the e-notation of a saturated softmax) never outlives
        them. The first guess comes from the font's metrics at full size (no layout); the
        layouts are made only at the size that is drawn.
        """
        texts = [t for t in self.texts if t]
        if not texts:
            return self.font
        metrics = QFontMetricsF(self.font)
        widest = max(metrics.horizontalAdvance(t) for t in texts)
        full = self.font.pointSizeF()
        size = full
        if widest > FIT * cell_px:
            size = min(math.floor(full * FIT * cell_px / widest / POINT_STEP) * POINT_STEP, full)
        while size >= MIN_POINTS:
            font = self.font
            if size != full:
                font = QFont(self.font)
                font.setPointSizeF(size)
            if max(self._static(t, font).size().width() for t in texts) <= FIT * cell_px:
                return font
            size -= POINT_STEP
        return None

    def paint(self, painter: QPainter, option, widget=None) -> None:
        scale = view_pixels_per_unit(self, widget)
        if scale is None:
            return
        sx, sy = scale
        font, texts = self._place(sx, sy)
        painter.save()
        painter.setFont(font)  # the layouts' font: drawing then reuses them as they are
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        # One frame in view pixels for all cells (signed: upright on a flipped y axis).
        painter.scale(1.0 / sx, 1.0 / sy)
        for light, placed in enumerate(texts):
            if placed:
                painter.setPen(self.colors[light])
                for corner, static in placed:
                    painter.drawStaticText(corner, static)
        painter.restore()

    def _place(self, sx: float, sy: float) -> tuple[QFont, tuple[list, list]]:
        """The font, and each shown text's top-left corner and layout in the view-pixel
        frame, split into normal and light texts (kept until the texts or the scale
        change)."""
        if self._placed is not None and self._placed[0] == (sx, sy):
            return self._placed[1], self._placed[2]
        font = self.fitted_font(abs(sx))
        normal: list[tuple[QPointF, QStaticText]] = []
        light: list[tuple[QPointF, QStaticText]] = []
        C = self.C
        for n, text in enumerate(self.texts):
            if not text or font is None:  # None: no legible size fits, colours only
                continue
            j, k = divmod(n, C)
            static = self._static(text, font)
            size = static.size()
            # cell (j, k) has its centre at ((k + ½)·sx, (j + ½)·sy) in this frame
            corner = QPointF((k + 0.5) * sx - size.width() / 2, (j + 0.5) * sy - size.height() / 2)
            (light if self.light[n] else normal).append((corner, static))
        font = font or self.font
        self._placed = ((sx, sy), font, (normal, light))
        return font, (normal, light)
