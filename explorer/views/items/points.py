"""The data points on the plane: per class a filled train layer and a hollow test layer.

Speed: one single-colour scatter per class and kind (per-point brushes cost pyqtgraph
far more), positions set once per data change, and all the layers drawn from one cached
pixmap while the decision image changes under them every step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QPainter, QTransform
from PyQt6.QtWidgets import QGraphicsEffect, QGraphicsItem, QGraphicsObject

from explorer.views.items.cached_bounds import CachedBoundsMixin
from explorer.views.items.pyqtgraph_private import scatter_bounds_key

#: Pull sizes are rounded to this many steps between no pull and full pull.
PULL_STEPS = 10


def marker_size(n: int) -> float:
    """Marker diameter in pixels for ``n`` points (smaller when crowded)."""
    return 7.0 if n <= 2000 else 5.0 if n <= 20000 else 3.0


class PointsItem(CachedBoundsMixin, pg.ScatterPlotItem):
    """A scatter that lets every click through to the ViewBox (the view picks points)."""

    def __init__(self, **kwargs):
        super().__init__(pxMode=True, symbol="o", **kwargs)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def mouseClickEvent(self, ev):
        ev.ignore()

    def _bounds_key(self) -> object:
        return scatter_bounds_key(self)


class SelectionRing(PointsItem):
    """The ring around the selected point, moved only when the point moves.

    The ring stays put while training runs, but the plot under it repaints every step:
    drawn from a cached pixmap it costs ~10 µs instead of ~0.4 ms (a scatter's paint).
    Exports switch item caches off.
    """

    def __init__(self):
        super().__init__(size=18)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(20)
        self.setVisible(False)  # shown with a selection
        self._at: tuple[float, float] | None = None

    def set_theme(self, foreground) -> None:
        """A hollow ring in ``foreground`` (RGB)."""
        self.setPen(pg.mkPen(foreground, width=2.5))
        self.setBrush(pg.mkBrush(None))

    def place(self, xy) -> None:
        """Ring the point ``xy`` (2 coordinates), or nothing for None."""
        at = None if xy is None else (float(xy[0]), float(xy[1]))
        if at == self._at:
            return  # training steps leave it where it is: skip pyqtgraph's setData
        self._at = at
        # Hidden while empty: an empty scatter still costs ~0.3 ms in every paint.
        self.setVisible(at is not None)
        if at is None:
            self.setData(x=[], y=[])
        else:
            self.setData(x=[at[0]], y=[at[1]])


class PixmapCachedGroup(QGraphicsObject):
    """An item without contents whose children are drawn as one cached pixmap.

    Qt caches each item's own painting (``setCacheMode``), never its children's. A
    graphics effect, though, renders its item *with* its children into one pixmap, which
    Qt keeps until a child changes or the view transform does; the effect here draws that
    pixmap as it is. Many still layers over a changing picture then cost one pixmap a
    repaint instead of one each. Exports switch effects off (vector output).
    """

    def __init__(self):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setGraphicsEffect(_DrawCachedSource())

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, option, widget=None) -> None:  # no contents
        pass


class _DrawCachedSource(QGraphicsEffect):
    """Draws the source item (with its children) from Qt's cached device pixmap."""

    def draw(self, painter: QPainter) -> None:
        pixmap, offset = self.sourcePixmap(
            Qt.CoordinateSystem.DeviceCoordinates, QGraphicsEffect.PixmapPadMode.NoPad
        )
        if pixmap.isNull():
            return
        painter.save()
        painter.setWorldTransform(QTransform())  # the pixmap is in device pixels
        painter.drawPixmap(offset, pixmap)
        painter.restore()


class PointLayers:
    """The data on the plane: per class one filled train item and one hollow test item.

    One single-colour item per class (rather than per-point brushes) keeps setting data
    cheap; positions are set once per data change, never per frame. The points sit
    still while the decision image changes under them every step: all the layers are
    children of one :class:`PixmapCachedGroup`, drawn from one pixmap per repaint (one
    cached pixmap per layer cost ~0.5 ms a frame at 10 classes and 100 000 points).
    """

    def __init__(self, view_box: pg.ViewBox):
        self._vb = view_box
        self.group = PixmapCachedGroup()
        self.group.setZValue(10)
        view_box.addItem(self.group, ignoreBounds=True)
        self.train: list[PointsItem] = []
        self.test: list[PointsItem] = []
        #: Per class, the positions (in training order) of its training points.
        self.train_members: list[np.ndarray] = []
        self._size = 7.0
        self._sized = False
        #: Presentation mode's factor for the markers and their outlines.
        self.scale = 1.0

    def set_classes(self, C: int) -> None:
        """Make ``C`` pairs of items (the old ones are removed)."""
        scene = self.group.scene()
        for item in self.train + self.test:
            item.setParentItem(None)
            if scene is not None:
                scene.removeItem(item)
        self.train, self.test = [], []
        for _ in range(C):
            for items, z in ((self.train, 0), (self.test, 1)):  # test points on top
                item = PointsItem()
                item.setZValue(z)
                item.setParentItem(self.group)
                items.append(item)

    def set_data(self, data, colors: np.ndarray, theme) -> None:
        """Positions and colours from ``data`` (``X (2, N)``, ``y``, ``is_test``)."""
        n = data.X.shape[1]
        self._size = size = marker_size(n) * self.scale
        outline = pg.mkPen(theme.foreground, width=0.8 * self.scale) if n <= 5000 else None
        outline = outline or pg.mkPen(None)
        train_labels = data.y[data.train_index]
        self.train_members = []
        for k, (train, test) in enumerate(zip(self.train, self.test, strict=True)):
            rgb = tuple(int(v) for v in colors[k])
            mine = np.flatnonzero(train_labels == k)
            self.train_members.append(mine)
            at = data.train_index[mine]
            train.setData(
                x=data.X[0, at], y=data.X[1, at], size=size, pen=outline, brush=pg.mkBrush(rgb)
            )
            at = np.flatnonzero(data.is_test & (data.y == k))
            test.setData(
                x=data.X[0, at], y=data.X[1, at], size=size + self.scale,
                pen=pg.mkPen(rgb, width=2.0 * self.scale), brush=pg.mkBrush(None),
            )  # fmt: skip
        self._sized = False

    def set_pull(self, pull: np.ndarray | None) -> None:
        """Size training points by ``pull (Ntrain,)`` in [0, 1], or all alike for None."""
        if pull is None:
            if self._sized:
                # A scalar would only change the default, not sizes already set per point.
                for item, mine in zip(self.train, self.train_members, strict=True):
                    item.setSize(np.full(mine.size, self._size))
                self._sized = False
            return
        # Few distinct sizes: pyqtgraph renders one symbol bitmap per size.
        steps = np.rint(np.clip(pull, 0.0, 1.0) * PULL_STEPS) / PULL_STEPS
        for item, mine in zip(self.train, self.train_members, strict=True):
            item.setSize(self._size * (0.6 + 3.0 * steps[mine]))
        self._sized = True
