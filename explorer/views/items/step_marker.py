"""The curves' marker of the shown step: a draggable vertical line with a step label.

Speed: it moves every frame while training plays; a move is a stored number and a
repaint, where ``pyqtgraph.InfiniteLine`` with a label cost ~0.5 ms a frame for two.
"""

from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QStaticText
from PyQt6.QtWidgets import QGraphicsObject

from explorer.views.items.pixel_frame import static_text, view_pixels_per_unit

#: Half-width of the grab zone around the line, in pixels.
GRAB_PX = 5.0
#: Room kept for the label beside the line, in pixels.
LABEL_PX = 110.0
#: Height of the label, as a fraction of the plot's height from the bottom.
LABEL_AT = 0.92


def _label_chunks(text: str) -> list[str]:
    """``"step 120"`` -> ``["step ", "1", "2", "0"]``: the words, then each digit."""
    head = text.rstrip("0123456789")
    return ([head] if head else []) + list(text[len(head) :])


class StepMarker(QGraphicsObject):
    """A vertical line at ``x = value`` across a plot, optionally labelled ``step N``.

    A light stand-in for ``pyqtgraph.InfiniteLine`` with a label, which moves every frame
    while training plays: that one re-derives its bounds through several Python calls
    and relays out its label's text document at every move (~0.5 ms a frame for two).
    Here a move is a stored number and a repaint.

    Drag it with the left mouse button; :attr:`sigPositionChanged` is emitted on every
    new value, from a drag or from :meth:`setValue`.

    Parameters
    ----------
    view_box : pyqtgraph.ViewBox
        The plot it sits in (add it with ``plot.addItem``); its y range gives the
        line's extent.
    labelled : bool
        Draw ``step N`` beside the line near the top.
    """

    sigPositionChanged = pyqtSignal(object)

    def __init__(self, view_box, labelled: bool = False):
        super().__init__()
        self._vb = view_box
        self.labelled = labelled
        self._value = 0.0
        self._bounds = QRectF()
        self._grab = QRectF()
        self._hovered = False
        self._dragging = False
        #: The label goes right of the line (True) or left of it.
        self.label_right = True
        self.pen = QPen(QColor(0, 0, 0))
        self.hover_pen = QPen(QColor(0, 0, 0), 3)
        self.font = QFont()
        self._label: tuple | None = None  # (text, font, pieces, width) of the last label
        self._pieces: dict[str, QStaticText] = {}  # the label's font's pieces, by text
        self._text_pen = QPen(self.pen.color())
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.SizeHorCursor)
        self._view = (0.0, 0.0, 0.0)  # y0, y1 and data units per pixel along x
        view_box.sigTransformChanged.connect(self._view_changed)
        self._view_changed()

    # ------------------------------------------------------------------ value
    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        """Move the line to ``x = value`` (emits :attr:`sigPositionChanged` if it moved)."""
        value = float(value)
        if value == self._value:
            return
        self._value = value
        self._refit()
        self.sigPositionChanged.emit(self)

    def set_label_side(self, right: bool) -> None:
        if right != self.label_right:
            self.label_right = right
            self._refit()

    def set_pens(self, pen: QPen, hover_pen: QPen) -> None:
        self.pen, self.hover_pen = QPen(pen), QPen(hover_pen)
        for p in (self.pen, self.hover_pen):
            p.setCosmetic(True)
        self._text_pen = QPen(self.pen.color())
        self.update()

    # --------------------------------------------------------------- geometry
    def _pixel_width(self) -> float:
        """Data units per pixel along x (0 before the plot is laid out)."""
        size = self._vb.viewPixelSize()
        return abs(size[0]) if size is not None else 0.0

    def _view_changed(self, *args) -> None:
        (_, _), (y0, y1) = self._vb.viewRange()
        self._view = (y0, y1, self._pixel_width())
        self._refit()

    def _refit(self) -> None:
        """Bounds and grab zone around the line (from the view's extent, kept between
        view changes: a move every frame asks pyqtgraph for nothing). The bounds reach
        over the label on its side only: each move repaints the strip they cover."""
        y0, y1, px = self._view
        grab = QRectF(self._value - GRAB_PX * px, y0, 2 * GRAB_PX * px, y1 - y0)
        left = right = GRAB_PX * px
        if self.labelled:
            if self.label_right:
                right = LABEL_PX * px
            else:
                left = LABEL_PX * px
        bounds = QRectF(self._value - left, y0, left + right, y1 - y0)
        self._grab = grab
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)

    def shape(self) -> QPainterPath:
        """The grab zone: a few pixels either side of the line (not the label)."""
        path = QPainterPath()
        path.addRect(self._grab)
        return path

    # ------------------------------------------------------------------ paint
    def paint(self, painter: QPainter, option, widget=None) -> None:
        b = self._bounds
        if b.isNull():
            return
        x = self._value
        painter.setPen(self.hover_pen if (self._hovered or self._dragging) else self.pen)
        painter.drawLine(QPointF(x, b.top()), QPointF(x, b.bottom()))
        if not self.labelled:
            return
        scale = view_pixels_per_unit(self, widget)
        if scale is None:
            return
        painter.save()
        painter.translate(x, b.top() + LABEL_AT * b.height())
        painter.scale(1.0 / scale[0], 1.0 / scale[1])  # one unit = one view pixel, y down
        painter.setFont(self.font)
        painter.setPen(self._text_pen)
        pieces, width = self._label_pieces(f"step {self._value:.0f}")
        left = 4.0 if self.label_right else -4.0 - width
        for x, piece in pieces:
            painter.drawStaticText(QPointF(left + x, 0.0), piece)
        painter.restore()

    def _label_pieces(self, text: str) -> tuple[list[tuple[float, QStaticText]], float]:
        """``text`` as pieces laid out once each, with their offsets, and its width in
        pixels.

        The step number changes every frame, and laying out a new text costs ~0.1 ms
        inside a frame; its pieces ("step " and each digit) are laid out once in the
        marker's font and drawn one after the other at their advances.
        """
        if self._label is None or self._label[0] != text or self._label[1] is not self.font:
            if self._label is not None and self._label[1] is not self.font:
                self._pieces = {}  # laid out in the font before
            pieces, x = [], 0.0
            for chunk in _label_chunks(text):
                static = self._pieces.get(chunk)
                if static is None:
                    static = self._pieces[chunk] = static_text(chunk, self.font)
                pieces.append((x, static))
                x += static.size().width()
            self._label = (text, self.font, pieces, min(x, LABEL_PX - 12))
        return self._label[2], self._label[3]

    # ------------------------------------------------------------------ mouse
    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self.update()

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._dragging = True
        event.accept()
        self.update()

    def mouseMoveEvent(self, event) -> None:
        if self._dragging:
            self.setValue(event.pos().x())

    def mouseReleaseEvent(self, event) -> None:
        if self._dragging:
            self._dragging = False
            self.setValue(event.pos().x())
            self.update()
