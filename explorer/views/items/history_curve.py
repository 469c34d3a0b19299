"""A metric against training step, drawn for a history that grows a point a frame.

Speed: a light stand-in for ``PlotDataItem`` that keeps references to the arrays (no
copy, no bounds pass); long histories are peak-decimated; when the drawn points only
grew at their end, only the rectangle of the new segments is repainted (a strip near the
newest step instead of the whole plot); solid 2-px pens are drawn as three 1-px passes
(Qt's fast path); the segments live in native arrays that a paint never remakes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QLineF, QRectF, Qt
from PyQt6.QtGui import QPainter, QPainterPath, QPen, QTransform
from PyQt6.QtWidgets import QGraphicsItem

from explorer.views.items.native_array import NativeArray

#: Margin around new curve segments marked for repaint, in pixels: the 2-px pen (drawn
#: live as three 1-px passes, one pixel right and down) with room to spare.
DIRTY_PAD_PX = 4.0
#: Above this many drawn points, a partial repaint draws only the solid segments that
#: reach it (below, finding them costs more than drawing them all).
EXPOSED_MIN_POINTS = 1000
#: At most this many new points are appended to a dashed curve's path; more, and the
#: path is rebuilt from the arrays.
PATH_APPEND_MAX = 64


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
        #: The export's options while an exporter draws the curve, else False.
        self._export: dict | bool = False
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

    def setExportMode(self, export: bool, opts: dict | None = None) -> None:
        """Exporters call this around their drawing: the options while exporting."""
        super().setExportMode(export, opts)
        self._export = dict(opts or {}) if export else False

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
        export = self._export
        aa = export.get("antialias", True) if export is not False else self.opts["antialias"]
        p.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
        width = pen.widthF()
        thin = export is False and not aa and pen.isCosmetic() and width >= 2 and width % 1 == 0
        if thin:
            # Qt's raster engine draws only 1-px cosmetic lines on its fast path; a 2-px
            # pen goes through the general stroker, ~4x slower. Three 1-px passes, the
            # second and third one device pixel right and down, cover the same pixels
            # as the aliased 2-px line (give or take half a pixel); a wider one
            # (presentation mode's) takes more passes. The stroker would also draw the
            # spare NaN rows of the segments as stray lines. Exports (SVG, PNG at any
            # scale) keep the real pen.
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
            shifts = [(float(k), 0.0) for k in range(1, int(width))]
            shifts += [(0.0, float(k)) for k in range(1, int(width))]
            for dx, dy in shifts:
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
    :mod:`explorer.views.items.native_array`); their unused rows are NaN lines, which
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
