"""The plane's frame: a view box that hands clicks and drags to the regions view, and
rich-text labels pinned to its corners."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QBrush, QColor, QPen
from PyQt6.QtWidgets import QGraphicsRectItem, QGraphicsTextItem


class PlaneViewBox(pg.ViewBox):
    """A ViewBox that hands clicks and left-button drags to its owner, in data coordinates.

    The owner provides ``click_at(xy, button) -> bool``, ``begin_drag(xy)``,
    ``drag_active()``, ``drag_to(xy)`` and ``end_drag(xy)``; a drag the owner does not
    take (``drag_active()`` False after ``begin_drag``) pans.
    """

    def __init__(self, owner):
        super().__init__(enableMenu=False)
        self._owner = owner

    def _data_xy(self, scene_pos) -> np.ndarray:
        p = self.mapSceneToView(scene_pos)
        return np.array([p.x(), p.y()], dtype=np.float64)

    def mouseClickEvent(self, ev):
        if self._owner.click_at(self._data_xy(ev.scenePos()), ev.button()):
            ev.accept()
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None):
        owner = self._owner
        if ev.button() == Qt.MouseButton.LeftButton:
            if ev.isStart():
                owner.begin_drag(self._data_xy(ev.buttonDownScenePos()))
            if owner.drag_active():
                ev.accept()
                if ev.isFinish():
                    owner.end_drag(self._data_xy(ev.scenePos()))
                else:
                    owner.drag_to(self._data_xy(ev.scenePos()))
                return
        super().mouseDragEvent(ev, axis)


class CornerLabel:
    """A rich-text label pinned to a corner of a ViewBox, in pixels, on a soft backdrop."""

    PAD = 4.0

    def __init__(self, view_box: pg.ViewBox, corner: str = "top-left"):
        self._vb = view_box
        self._corner = corner
        self._box = QGraphicsRectItem(view_box)
        self._box.setPen(QPen(Qt.PenStyle.NoPen))
        self._box.setZValue(1000)
        self._text = QGraphicsTextItem(self._box)
        self._box.setVisible(False)
        view_box.sigResized.connect(self._place)

    def set_theme(self, background, foreground) -> None:
        """Backdrop and default text colours (RGB tuples)."""
        self._box.setBrush(QBrush(QColor(*background, 215)))
        self._text.setDefaultTextColor(QColor(*foreground))

    def set_html(self, html: str | None) -> None:
        """Show ``html``, or hide the label for None / empty text."""
        if not html:
            self._box.setVisible(False)
            return
        self._text.setHtml(html)
        r = self._text.boundingRect()
        self._box.setRect(0.0, 0.0, r.width(), r.height())
        self._box.setVisible(True)
        self._place()

    def text(self) -> str:
        """The plain text shown ('' when hidden)."""
        return self._text.toPlainText() if self._box.isVisible() else ""

    def _place(self, *args) -> None:
        r = self._box.rect()
        size = self._vb.rect()
        x = self.PAD
        y = self.PAD
        if "right" in self._corner:
            x = size.width() - r.width() - self.PAD
        if "bottom" in self._corner:
            y = size.height() - r.height() - self.PAD
        self._box.setPos(x, y)
