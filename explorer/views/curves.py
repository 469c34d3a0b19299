"""Loss and accuracy against training step, with a marker at the step being shown.

Two stacked plots share the step axis: loss on top, accuracy below. The curves are
persistent :class:`HistoryCurve` items fed the session's metric arrays as they are (no
copy, no recomputation); long histories are decimated at paint time (peak downsampling,
about one min/max pair per two pixels of the fixed x range). Ranges are fixed and only
re-ranged when the history outgrows them, so a frame never pays for auto-ranging.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QLineF, QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QPainter, QPainterPath, QPen, QTransform
from PyQt6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from explorer.views.axes import TICK_PX, TickFitter, cache_axes
from explorer.views.base import SessionView
from explorer.views.native_array import NativeArray
from explorer.views.palette import LIGHT, Theme, hex_color
from explorer.views.rules import PlotGrid
from explorer.views.step_marker import StepMarker
from explorer.views.viewport import repaint_changes_as_one_rect

#: Smallest step range shown on the x axis.
MIN_STEPS = 10
#: Long histories are peak-decimated to one min/max pair per 1/factor pixels: stroking a
#: 2-pixel pen costs per segment (8000 steps at W2: 38 ms per frame undecimated).
DOWNSAMPLE_FACTOR = 0.5
#: Tick sets of the accuracy axis, densest first (the first whose labels fit its height).
ACC_TICKS = ((0.0, 0.25, 0.5, 0.75, 1.0), (0.0, 0.5, 1.0), (0.0, 1.0))
#: Colours of the train and test curves (Okabe–Ito blue and vermillion, readable on both themes).
TRAIN_COLOR = (0x00, 0x72, 0xB2)
TEST_COLOR = (0xD5, 0x5E, 0x00)
TRAIN_COLOR_DARK = (0x56, 0xB4, 0xE9)
#: Margin around new curve segments marked for repaint, in pixels: the 2-px pen (drawn
#: live as three 1-px passes, one pixel right and down) with room to spare.
DIRTY_PAD_PX = 4.0
#: Above this many drawn points, a partial repaint draws only the solid segments that
#: reach it (below, finding them costs more than drawing them all).
EXPOSED_MIN_POINTS = 1000
#: At most this many new points are appended to a dashed curve's path; more, and the
#: path is rebuilt from the arrays.
PATH_APPEND_MAX = 64


def lazy_upper(
    value: float, current: float, floor: float, factor: float = 2.0, shrink: float = 8.0
) -> float:
    """Upper end of a lazily re-ranged axis.

    Keeps ``current`` while ``value`` fits in it and ``current`` is not more than ``shrink``
    times ``value``; otherwise the smallest ``floor * factor**k`` holding ``value``.
    Geometric steps mean a growing history re-ranges only log(n) times.

    Parameters
    ----------
    value : float
        Largest value to show (finite, >= 0).
    current : float
        Current upper end.
    floor : float
        Smallest upper end.
    factor, shrink : float
        Growth step (> 1) and how much room is tolerated before shrinking back.
    """
    if value <= current <= max(floor, shrink * value):
        return current
    top = floor
    while top < value:
        top *= factor
    return top


def peak_decimate(x: np.ndarray, y: np.ndarray, ds: int) -> tuple[np.ndarray, np.ndarray]:
    """One (max, min) pair per bin of ``ds`` samples, at the bin's middle x (pyqtgraph's
    ``'peak'`` method: a trailing partial bin is dropped).

    Parameters
    ----------
    x, y : ndarray, shape (n,)
    ds : int
        Bin size (>= 1; 1 returns the arrays as they are).

    Returns
    -------
    x, y : ndarray, shape (2 * (n // ds),)
    """
    if ds <= 1:
        return x, y
    n = len(x) // ds
    xs = np.repeat(x[ds // 2 : ds // 2 + n * ds : ds], 2)
    bins = y[: n * ds].reshape(n, ds)
    ys = np.empty((n, 2), dtype=np.float64)
    bins.max(axis=1, out=ys[:, 0])
    bins.min(axis=1, out=ys[:, 1])
    return xs, ys.reshape(2 * n)


def _one_pixel(pen: QPen) -> QPen:
    """``pen`` one pixel wide."""
    thin = QPen(pen)
    thin.setWidthF(1.0)
    return thin


class HistoryCurve(pg.GraphicsObject):
    """One metric against step: a light replacement for ``PlotDataItem``.

    ``setData`` only keeps references to the arrays (no copy, no bounds pass, no finite
    check: metrics are finite). Solid pens draw as line segments (Qt strokes a 2-pixel
    polyline about three times slower), dashed pens as one path so the dashes run on
    across points.

    A history grows at its end: when what is drawn (after decimation) only gained points
    after the ones drawn before, only the rectangle around the new segments is marked for
    repaint. The rest of the old picture is still right, and the plot then repaints a
    strip near the newest step instead of its whole area (grid, axes and legend
    included), which was most of the curves' cost of a frame.

    Attributes
    ----------
    xData, yData : ndarray, shape (n,) or None
        The arrays given to :meth:`setData`, as given.
    opts : dict
        ``pen``, ``downsample`` (bin size), ``downsampleMethod`` (``'peak'``) and the keys
        pyqtgraph's legend reads.
    """

    def __init__(self, pen=None):
        super().__init__()
        self.opts = {
            "pen": pg.mkPen(pen),
            "downsample": 1,
            "downsampleMethod": "peak",
            "antialias": False,
            "fillLevel": None,
            "symbol": None,
        }
        self.xData = self.yData = None
        self._drawn = None
        self._painted: tuple[np.ndarray, np.ndarray] | None = None  # copies of the last drawn
        self._pixel = (0.0, 0.0)  # data units per view pixel along x and y, once known
        self._rect = QRectF()
        self._segments = _Segments()  # the solid pen's line segments, grown like the path
        self._thin_pen = _one_pixel(self.opts["pen"])  # the live passes' pen (see paint)
        #: A dashed curve's path and how many drawn points it holds; None when the drawn
        #: points changed otherwise than by growing at the end.
        self._path: QPainterPath | None = None
        self._path_len = 0
        # paint() gets the exposed rect: a strip repaint then draws only its segments
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def setPen(self, *args, **kwargs) -> None:
        self.opts["pen"] = pg.mkPen(*args, **kwargs)
        self._thin_pen = _one_pixel(self.opts["pen"])
        self._repaint_all()

    def setDownsampling(self, ds: int = 1, auto: bool = False, method: str = "peak") -> None:
        self.opts["downsample"] = max(1, int(ds))
        self.opts["downsampleMethod"] = method
        self._drawn = None
        self._repaint_all()

    def setData(self, x, y) -> None:
        """Show ``y`` against ``x`` (arrays of one length, finite; kept, not copied)."""
        self.xData = np.asarray(x)
        self.yData = np.asarray(y)
        self._drawn = None
        if self._grow_rect() or not self.isVisible():
            self._repaint_all()
            return
        dirty = self._appended_rect()
        if dirty is None:
            self._forget_shapes()
            self.update()
        elif not dirty.isEmpty():
            self.update(dirty)

    def _repaint_all(self) -> None:
        self._painted = None
        self._forget_shapes()
        self.update()

    def _forget_shapes(self) -> None:
        """The drawn points changed otherwise than by growing at the end: the dashed path
        and the segments are built anew at the next paint."""
        self._path = None
        self._segments.clear()

    def _appended_rect(self) -> QRectF | None:
        """The rectangle (item coordinates) holding every segment new since the last
        call, padded by a few pixels; empty if nothing changed; None if the drawn points
        changed otherwise (a new start, a rewritten history) or the pixel size is unknown.
        """
        x, y = self.getData()
        before, self._painted = self._painted, (x.copy(), y.copy())
        px, py = self._pixel
        if before is None or px <= 0.0 or py <= 0.0:
            return None
        x0, y0 = before
        k = len(x0)
        if k == 0 or len(x) < k:
            return None
        if not (np.array_equal(x[:k], x0) and np.array_equal(y[:k], y0)):
            return None
        if len(x) == k:
            return QRectF()
        xs, ys = x[k - 1 :], y[k - 1 :]  # the new segments start at the last old point
        pad_x, pad_y = DIRTY_PAD_PX * px, DIRTY_PAD_PX * py
        left, bottom = float(xs.min()) - pad_x, float(ys.min()) - pad_y
        return QRectF(
            left, bottom, float(xs.max()) + pad_x - left, float(ys.max()) + pad_y - bottom
        )

    def viewTransformChanged(self) -> None:
        """A new range or size: everything moves, so the next change repaints it all."""
        px, py = self.pixelVectors()
        known = px is not None and py is not None
        self._pixel = (px.length(), py.length()) if known else (0.0, 0.0)
        self._repaint_all()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        """What is drawn: the data after decimation."""
        if self._drawn is None:
            if self.xData is None:
                self._drawn = (np.zeros(0), np.zeros(0))
            else:
                self._drawn = peak_decimate(self.xData, self.yData, self.opts["downsample"])
        return self._drawn

    def _grow_rect(self) -> bool:
        """Keep a bounding rect holding the data; change it (rarely) only to grow it or to
        shrink it after a reset. Returns whether it changed."""
        x, y = self.xData, self.yData
        if len(x) == 0:
            return False
        x_hi, y_lo, y_hi = float(x[-1]), float(y.min()), float(y.max())
        r = self._rect
        fits = r.isValid() and r.right() >= x_hi and r.top() <= y_lo and r.bottom() >= y_hi
        if fits and r.right() <= 4.0 * max(x_hi, 8.0):
            return False
        self.prepareGeometryChange()
        pad = 0.1 * max(y_hi - y_lo, 1.0)
        self._rect = QRectF(
            float(x[0]), y_lo - pad, max(2.0 * x_hi, 16.0) - float(x[0]), y_hi - y_lo + 2 * pad
        )
        return True

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, p: QPainter, option=None, widget=None) -> None:
        x, y = self.getData()
        if len(x) < 2:
            return
        pen = self.opts["pen"]
        export = self._exportOpts
        aa = export.get("antialias", True) if export is not False else self.opts["antialias"]
        p.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
        thin = export is False and not aa and pen.isCosmetic() and pen.widthF() == 2.0
        if thin:
            # Qt's raster engine draws only 1-px cosmetic lines on its fast path; a 2-px
            # pen goes through the general stroker, ~4x slower. Three 1-px passes, the
            # second and third one device pixel right and down, cover the same pixels
            # as the aliased 2-px line (give or take half a pixel). Exports (SVG, PNG
            # at any scale) keep the real pen.
            pen = self._thin_pen
        p.setPen(pen)
        if pen.style() == Qt.PenStyle.SolidLine:
            segments = self._segments
            segments.extend(x, y)
            if export is not False:  # SVG and other engines get no NaN lines
                lines = segments.finite_lines()
            elif option is not None and len(x) > EXPOSED_MIN_POINTS:
                lo, hi = self._exposed_range(x, option.exposedRect)
                lines = segments.lines(lo, hi - 1)
            else:
                lines = segments.lines()
            draw = lambda: p.drawLines(lines)  # noqa: E731
        else:  # dashes run on along the whole curve: one path
            path = self._dash_path(x, y)
            draw = lambda: p.drawPath(path)  # noqa: E731
        draw()
        if thin:
            base = p.transform()
            for dx, dy in ((1.0, 0.0), (0.0, 1.0)):
                p.setTransform(base * QTransform.fromTranslate(dx, dy))
                draw()
            p.setTransform(base)

    def _dash_path(self, x: np.ndarray, y: np.ndarray) -> QPainterPath:
        """The polyline through ``(x, y)``: the last one grown by the new points when the
        drawn points only grew at the end since, else built anew."""
        n, k = len(x), self._path_len
        if self._path is None or n < k or n - k > PATH_APPEND_MAX:
            self._path = pg.arrayToQPath(x, y, connect="all", finiteCheck=False)
        else:
            for i in range(k, n):
                self._path.lineTo(float(x[i]), float(y[i]))
        self._path_len = n
        return self._path

    def _exposed_range(self, x: np.ndarray, exposed: QRectF) -> tuple[int, int]:
        """``lo, hi``: the points ``lo .. hi − 1`` of the segments that can reach
        ``exposed`` (item coordinates).

        ``x`` is non-decreasing, so the segments whose x span meets the exposed x range
        (widened by the pen's pixels) are one run; the others put no pixel inside it.
        Solid lines only: a dash pattern depends on all the path before it.
        """
        pad = DIRTY_PAD_PX * self._pixel[0]
        if pad <= 0.0 or not exposed.isValid():
            return 0, len(x)
        lo = max(int(np.searchsorted(x, exposed.left() - pad, side="right")) - 1, 0)
        hi = min(int(np.searchsorted(x, exposed.right() + pad, side="left")) + 1, len(x))
        return lo, hi


class _Segments:
    """The line segments between consecutive points, for ``QPainter.drawLines``.

    A history grows by a point or two a frame: only the new points' segments are
    written, into spare room of a native array. A strip repaint copies the segments it
    needs into a second array. Neither is sliced or made anew at a paint (see
    :mod:`explorer.views.native_array`); their unused rows are NaN lines, which
    ``QPainter`` skips. :meth:`clear` when the points changed otherwise than by growing
    at the end.
    """

    def __init__(self):
        self._all = NativeArray(QLineF, np.nan)
        self._strip = NativeArray(QLineF, np.nan)
        self.points = 0  # points whose segments are written

    def clear(self) -> None:
        self.points = 0

    def extend(self, x: np.ndarray, y: np.ndarray) -> None:
        """Write the segments of the points ``(x, y) (n,)`` not written yet."""
        n = len(x)
        segments = max(n - 1, 0)
        if self._all.fit(segments):
            self.points = 0
        k = max(min(self.points, n) - 1, 0)  # segment k joins points k and k + 1
        if segments > k:
            rows = self._all.rows[k:segments]
            rows[:, 0] = x[k : n - 1]
            rows[:, 1] = y[k : n - 1]
            rows[:, 2] = x[k + 1 : n]
            rows[:, 3] = y[k + 1 : n]
        self._all.set_used(segments)
        self.points = n

    def lines(self, lo: int = 0, hi: int | None = None):
        """Segments ``lo .. hi − 1`` (all by default) as a whole native array whose other
        rows are NaN lines."""
        whole = self._all
        hi = whole.used if hi is None else min(hi, whole.used)
        lo = max(lo, 0)
        if lo == 0 and hi == whole.used:
            return whole.array
        strip = self._strip
        count = max(hi - lo, 0)
        strip.fit(count)
        strip.rows[:count] = whole.rows[lo : lo + count]
        strip.set_used(count)
        return strip.array

    def finite_lines(self) -> list[QLineF]:
        """Every segment as a list of ``QLineF`` (for exports: no NaN lines)."""
        return [QLineF(*row) for row in self._all.rows[: self._all.used].tolist()]


class GridGraphics(pg.GraphicsLayoutWidget):
    """A ``GraphicsLayoutWidget`` that draws its plots' grids in its background.

    The view caches its background (pyqtgraph's default), so the lines cost nothing in
    the repaints of a training step; the cache is refreshed when a grid changes.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grids: list[PlotGrid] = []

    def set_grids(self, grids: list[PlotGrid]) -> None:
        self.grids = list(grids)
        for grid in self.grids:
            grid.changed = self._grid_changed
            grid.refit()

    def _grid_changed(self) -> None:
        self.resetCachedContent()
        self.viewport().update()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        for grid in self.grids:
            grid.draw(painter)


class CurvesView(SessionView):
    """Train/test loss and accuracy against step; click or drag the marker to seek.

    Attributes
    ----------
    loss_plot, acc_plot : pyqtgraph.PlotItem
        The two plots (x axes linked).
    curves : dict[str, HistoryCurve]
        Keys ``train_loss``, ``test_loss``, ``train_acc``, ``test_acc``; each holds the
        session's ``metrics`` array of that name against ``arange(head + 1)``.
    markers : list[explorer.views.step_marker.StepMarker]
        The vertical line at ``session.step_index`` in each plot.
    """

    view_id = "curves"
    title = "Loss and accuracy"

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self._x_top = float(MIN_STEPS)
        self._loss_top = 1.0
        self._steps = np.arange(0, dtype=np.float64)
        self._updating = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.graphics = GridGraphics(self)
        repaint_changes_as_one_rect(self.graphics)
        self.graphics.setToolTip(
            "Loss (top) and accuracy (bottom) at every training step.\n"
            "Solid: training set, dashed: test set. Click a step or drag the line to show it."
        )
        layout.addWidget(self.graphics)
        self._build_plots()
        self.rebuild()
        self.update_view(frozenset({"session"}))

    # ---------------------------------------------------------------- building
    def _build_plots(self) -> None:
        g = self.graphics
        self.loss_plot = g.addPlot(row=0, col=0)
        self.acc_plot = g.addPlot(row=1, col=0)
        self.acc_plot.setXLink(self.loss_plot)
        self.loss_plot.setLabel("left", "loss")
        self.acc_plot.setLabel("left", "accuracy")
        self.acc_plot.setLabel("bottom", "step")
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        for plot in (self.loss_plot, self.acc_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getViewBox().setMouseEnabled(x=False, y=False)
            plot.getViewBox().enableAutoRange(enable=False)
            plot.getAxis("left").setWidth(52 + TICK_PX)
            cache_axes(plot)
        self.acc_plot.setYRange(0.0, 1.0, padding=0.06)
        # Grid lines in the view's cached background (not pyqtgraph's axis grids, which
        # make every repaint of a plot repaint its axes).
        self.grids = [PlotGrid(self.loss_plot), PlotGrid(self.acc_plot, y_ticks=ACC_TICKS[0])]
        self.graphics.set_grids(self.grids)
        self.acc_ticks = TickFitter(
            self.acc_plot.getAxis("left"),
            ACC_TICKS,
            label=lambda v: f"{v:.0%}",
            on_change=self._acc_ticks_changed,
        )
        # Bottom right of the accuracy plot: empty once training has got going.
        self.legend = self.acc_plot.addLegend(offset=(-10, -10), labelTextSize="8pt")
        self.legend.setColumnCount(2)  # one row: it fits a short plot
        self.curves: dict[str, HistoryCurve] = {}
        for name, plot in (
            ("train_loss", self.loss_plot),
            ("test_loss", self.loss_plot),
            ("train_acc", self.acc_plot),
            ("test_acc", self.acc_plot),
        ):
            item = HistoryCurve()
            plot.addItem(item)
            self.curves[name] = item
        self._ds = 0
        self.markers = []
        for plot in (self.loss_plot, self.acc_plot):
            line = StepMarker(plot.getViewBox(), labelled=plot is self.loss_plot)
            line.setZValue(20)
            line.setToolTip("Shown step: drag to scrub through training")
            line.sigPositionChanged.connect(self._marker_dragged)
            plot.addItem(line, ignoreBounds=True)
            self.markers.append(line)
        self.graphics.scene().sigMouseClicked.connect(self._scene_clicked)
        self._apply_theme()

    def _acc_ticks_changed(self, values) -> None:
        grid = self.grids[1]
        grid.y_ticks = tuple(values)
        grid.refit()

    def _apply_theme(self) -> None:
        theme = self.theme
        self.graphics.setBackground(theme.background)
        fg = hex_color(theme.foreground)
        train = TRAIN_COLOR_DARK if theme.name == "dark" else TRAIN_COLOR
        for name, item in self.curves.items():
            color = train if name.startswith("train") else TEST_COLOR
            style = Qt.PenStyle.SolidLine if name.startswith("train") else Qt.PenStyle.DashLine
            item.setPen(pg.mkPen(color, width=2, style=style))
        for plot in (self.loss_plot, self.acc_plot):
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(theme.muted))
                axis.setTextPen(pg.mkPen(fg))
        for grid in self.grids:
            grid.set_color(QColor(*theme.muted))
        for line in self.markers:
            line.set_pens(
                pg.mkPen(theme.foreground, width=1.5), pg.mkPen(theme.foreground, width=3)
            )
        self.legend.setLabelTextColor(fg)
        self.legend.setBrush(pg.mkBrush((*theme.background, 200)))
        self.legend.setPen(pg.mkPen(theme.grid))
        self._cache_legend()

    # ---------------------------------------------------------------- updating
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._apply_theme()
        self.refresh(frozenset({"session"}))

    def rebuild(self) -> None:
        """Show or hide the test curves and rebuild the legend for the current data."""
        has_test = bool(self.session.metrics.has_test)
        self.legend.clear()
        self.legend.addItem(self.curves["train_loss"], "train")
        if has_test:
            self.legend.addItem(self.curves["test_loss"], "test")
        for name in ("test_loss", "test_acc"):
            self.curves[name].setVisible(has_test)
            if not has_test:
                self.curves[name].setData([], [])
        self._x_top = -1.0  # force a re-range on the next update
        self._loss_top = -1.0
        self._cache_legend()

    def _cache_legend(self) -> None:
        """Paint the legend from pixmaps: it sits on the plot, which repaints every
        frame, and drawing its box, samples and labels cost ~0.3 ms each time."""
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache
        pending = [self.legend]
        while pending:
            item = pending.pop()
            item.setCacheMode(mode)
            item.update()  # a new pen or colour must reach the cached pixmap
            pending.extend(item.childItems())

    def update_view(self, kinds: frozenset[str]) -> None:
        """Push the metric arrays to the curves and move the marker to the shown step."""
        if not kinds - {"selection", "display"}:
            return  # metrics and the shown step do not depend on these
        s = self.session
        m = s.metrics
        n = len(m.train_loss)
        if len(self._steps) < n:
            self._steps = np.arange(max(n, 2 * len(self._steps)), dtype=np.float64)
        steps = self._steps[:n]
        names = ("train_loss", "train_acc")
        if m.has_test:
            names += ("test_loss", "test_acc")
        self._rerange(s.head, m)
        self._set_downsampling()
        for name in names:
            self.curves[name].setData(steps, getattr(m, name))
        self._updating = True
        try:
            # the step label sits on the side of the line with more room
            right = s.step_index <= 0.6 * self._x_top
            for line in self.markers:
                line.setValue(s.step_index)
                line.set_label_side(right)
        finally:
            self._updating = False

    def _set_downsampling(self) -> None:
        """Peak-decimate to one bin per ``1 / DOWNSAMPLE_FACTOR`` pixels of the x range.

        Set by hand from the fixed x range (pyqtgraph's auto mode re-decimates on every
        view signal, and ``PlotItem.addItem`` switches an item's own setting off).
        """
        vb = self.loss_plot.getViewBox()
        pixels = vb.width()
        span = self._x_top * 1.04  # the range with its padding
        ds = max(1, int(span / (pixels * DOWNSAMPLE_FACTOR))) if pixels > 10 else 1
        if ds != self._ds:
            self._ds = ds
            for item in self.curves.values():
                item.setDownsampling(ds=ds, auto=False, method="peak")

    def _rerange(self, head: int, m) -> None:
        x_top = lazy_upper(float(head), self._x_top, float(MIN_STEPS))
        if x_top != self._x_top:
            self._x_top = x_top
            self.loss_plot.setXRange(0.0, x_top, padding=0.02)
        peak = float(m.train_loss.max()) if len(m.train_loss) else 1.0
        if m.has_test and len(m.test_loss):
            peak = max(peak, float(m.test_loss.max()))
        loss_top = lazy_upper(peak * 1.05, self._loss_top, 0.25, factor=1.25, shrink=2.0)
        if loss_top != self._loss_top:
            self._loss_top = loss_top
            self.loss_plot.setYRange(0.0, loss_top, padding=0.05)

    # ------------------------------------------------------------------ seeking
    def step_at_scene_pos(self, pos: QPointF) -> int | None:
        """The history step under a scene position, or ``None`` outside both plots."""
        for plot in (self.loss_plot, self.acc_plot):
            vb = plot.getViewBox()
            if vb.sceneBoundingRect().contains(pos):
                x = vb.mapSceneToView(pos).x()
                return int(min(max(round(x), 0), self.session.head))
        return None

    def _scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        k = self.step_at_scene_pos(event.scenePos())
        if k is not None and k != self.session.step_index:
            self.session.seek(k)

    def _marker_dragged(self, line) -> None:
        if self._updating:
            return
        k = int(min(max(round(line.value()), 0), self.session.head))
        if k != self.session.step_index:
            self.session.seek(k)

    def export_widget(self) -> QWidget:
        return self.graphics
