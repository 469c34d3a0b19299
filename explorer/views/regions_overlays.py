"""Helpers of the decision-regions view: weight arrows, corner text, the data-fitted range.

Nothing here computes the classifier's maths: the arrows draw the session's ``W`` rows as
they are, the corner label shows numbers handed to it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QPainter, QPen, QTransform
from PyQt6.QtWidgets import (
    QGraphicsEffect,
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsRectItem,
    QGraphicsTextItem,
)

from explorer.views.cached_bounds import CachedBoundsMixin
from explorer.views.palette import hex_color

#: Share of the range on each side added around the data.
MARGIN = 0.10
#: The longest weight arrow spans this share of the plotted range.
ARROW_SHARE = 0.32
#: Arrow-head barb length as a share of the plotted range.
HEAD_SHARE = 0.035
#: Pull sizes are rounded to this many steps between no pull and full pull.
PULL_STEPS = 10


def fit_range(X: np.ndarray, aspect: float = 1.0) -> tuple[float, float, float, float]:
    """A range around the points, 10 % margin on every side, widened to ``aspect``.

    Parameters
    ----------
    X : ndarray, shape (2, N)
    aspect : float
        Wanted width / height of the range (the plot's, so the grid fills it at 1:1).

    Returns
    -------
    (xmin, xmax, ymin, ymax) : tuple of float
        The data bounds grown by 10 % of the larger data span on each side, then the
        shorter side grown about the centre until ``width / height == aspect``.
    """
    if X.shape[1] == 0:
        lo, hi = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
    else:
        lo, hi = X.min(axis=1), X.max(axis=1)
    centre = (lo + hi) / 2.0
    size = hi - lo
    span = float(size.max())
    if not np.isfinite(span) or span <= 1e-12:
        size, span = np.ones(2), 1.0
    width = float(size[0]) + 2 * MARGIN * span
    height = float(size[1]) + 2 * MARGIN * span
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    return (
        float(centre[0] - width / 2),
        float(centre[0] + width / 2),
        float(centre[1] - height / 2),
        float(centre[1] + height / 2),
    )


def readable_color(rgb, background) -> tuple[int, int, int]:
    """``rgb`` darkened on light backgrounds so thin text in that colour stays readable."""
    c = np.asarray(rgb, dtype=np.float64)
    if sum(background) > 384:
        c = c * 0.72
    return tuple(int(v) for v in c)


def probabilities_html(p: np.ndarray, colors) -> str:
    """``p = (0.71, 0.20, 0.09)`` with each value in its class's (text) colour."""
    parts = [f'<span style="color:{hex_color(colors[k])}">{v:.2f}</span>' for k, v in enumerate(p)]
    return f"<b>p</b> = ({', '.join(parts)})"


class PlaneViewBox(pg.ViewBox):
    """A ViewBox that hands clicks and edit-mode drags to its owner, in data coordinates.

    The owner provides ``click_at(xy, button) -> bool``, ``edit_mode``, ``dragging``,
    ``begin_drag(xy)``, ``drag_to(xy)`` and ``end_drag(xy)``; other drags pan.
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
        if ev.button() == Qt.MouseButton.LeftButton and owner.edit_mode:
            if ev.isStart():
                owner.begin_drag(self._data_xy(ev.buttonDownScenePos()))
            if owner.dragging is not None:
                ev.accept()
                if ev.isFinish():
                    owner.end_drag(self._data_xy(ev.scenePos()))
                else:
                    owner.drag_to(self._data_xy(ev.scenePos()))
                return
        super().mouseDragEvent(ev, axis)


def inside(X: np.ndarray, rng: tuple[float, float, float, float]) -> bool:
    """True when every point of ``X (2, N)`` lies within ``rng = (xmin, xmax, ymin, ymax)``."""
    x0, x1, y0, y1 = rng
    if X.shape[1] == 0:
        return True
    return bool(X[0].min() >= x0 and X[0].max() <= x1 and X[1].min() >= y0 and X[1].max() <= y1)


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
        # pyqtgraph replaces ``self.bounds`` (a new list) whenever the data, the sizes or
        # the view transform change.
        return self.bounds


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
        self._size = size = marker_size(n)
        outline = pg.mkPen(theme.foreground, width=0.8) if n <= 5000 else pg.mkPen(None)
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
                x=data.X[0, at], y=data.X[1, at], size=size + 1,
                pen=pg.mkPen(rgb, width=2.0), brush=pg.mkBrush(None),
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


class WeightArrows:
    """One arrow per class from the data centre along ``w_c`` (identity features only).

    The arrows are rescaled together so the longest spans :data:`ARROW_SHARE` of the
    range: directions and relative lengths are exact, absolute length is not.
    """

    def __init__(self, view_box: pg.ViewBox):
        self._vb = view_box
        self._lines: list[pg.PlotDataItem] = []
        self._labels: list[pg.TextItem] = []
        self._visible = False

    def rebuild(self, colors: np.ndarray, text_colors: np.ndarray, theme) -> None:
        """Create ``C`` arrows in the class colours (``colors``, ``text_colors`` ``(C, 3)``)."""
        for item in self._lines + self._labels:
            self._vb.removeItem(item)
        self._lines, self._labels = [], []
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

    def update(self, W: np.ndarray, centre: np.ndarray, span: float) -> None:
        """Point the arrows along the rows of ``W (C, 2)`` from ``centre (2,)``."""
        if not self._visible or W.shape[0] != len(self._lines):
            return
        W = np.asarray(W, dtype=np.float64)
        norms = np.hypot(W[:, 0], W[:, 1])
        longest = float(norms.max()) if norms.size else 0.0
        scale = ARROW_SHARE * span / longest if longest > 0 and np.isfinite(longest) else 0.0
        head = HEAD_SHARE * span
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


def _weight_html(k: int, rgb) -> str:
    return f'<span style="color:{hex_color(rgb)}; font-weight:bold">w<sub>{k}</sub></span>'


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
