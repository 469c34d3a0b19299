"""Axis helpers shared by the plot views: cached plain-number axes, class-name axes,
tick sets that fit a short axis, lazily re-ranged axis ends, and the plots' set-up and
colours.

Speed: an axis painted from a pixmap cache repaints only after its own change (~0.3 ms
per axis per frame saved); an axis re-ranged lazily re-ranges log(n) times over a growing
history instead of every frame.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pyqtgraph as pg
from PyQt6.QtGui import QColor, QFont, QFontMetricsF
from PyQt6.QtWidgets import QGraphicsItem

from explorer.core.ticks import label_stride, strided
from explorer.views.palette import hex_color

#: Tick length in pixels, outwards (pyqtgraph's default is 5 pixels inwards).
TICK_PX = 5
#: Neighbouring tick labels on a vertical axis are at least this many line heights apart.
LABEL_ROOM = 1.2


def cache_axes(*plots) -> None:
    """Paint the axes of ``plots`` (``PlotItem``s or ``AxisItem``s) from a pixmap cache.

    Their numbers are also kept plain (no SI prefix rescaling).

    An axis repaints its tick text whenever anything under its bounding rect changes
    (most of a plot's frame), which costs ~0.3 ms per axis per frame; cached, it repaints
    only after its own ``update()`` (new range, ticks, pen or size). Export switches the
    caches off, so SVG still gets vector text. Their ticks point outwards, so that their
    bounds stay off the data.
    """
    mode = QGraphicsItem.CacheMode.DeviceCoordinateCache
    for plot in plots:
        axes = [plot] if isinstance(plot, pg.AxisItem) else [a["item"] for a in plot.axes.values()]
        for axis in axes:
            axis.setCacheMode(mode)
            # Never an SI prefix: pyqtgraph would label a loss of 0.7 as 700 "(x0.001)".
            axis.setSIPrefixEnableRanges(())
            # Ticks outside the plot: pyqtgraph's inward ticks put every axis's bounds
            # over the data, so each change of the data repainted the axes too.
            axis.setStyle(tickLength=TICK_PX)


def fit_left_axis_widths(plots, widest_tick: str) -> None:
    """Room on the left axes of ``plots`` for the title beside the widest tick label
    ``widest_tick``, with a gap between them (all the same width: stacked plots align).

    pyqtgraph puts a left axis's title 5 pixels left of the axis's own left edge,
    rotated, and the tick labels right-aligned against the ticks; a fixed width let
    "100%" run into "accuracy".
    """
    axis = plots[-1].getAxis("left")
    tick_font = axis.style["tickFont"] or QFont()
    widest = QFontMetricsF(tick_font).horizontalAdvance(widest_tick)
    title = axis.label.boundingRect().height()  # the rotated title's width
    margin = axis.label.document().documentMargin()
    offset = axis.style["tickTextOffset"][0]
    width = (title - margin - 5) + 6 + widest + offset + TICK_PX
    for plot in plots:
        plot.getAxis("left").setWidth(int(np.ceil(width)))


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


def still_plot(plot) -> None:
    """Make ``plot`` (a ``PlotItem``) one the view ranges itself: no mouse panning or
    zooming, no auto-range, no context menu and no auto-range button."""
    plot.setMenuEnabled(False)
    plot.hideButtons()
    view_box = plot.getViewBox()
    view_box.setMouseEnabled(x=False, y=False)
    view_box.enableAutoRange(enable=False)


#: The attribute of a PlotItem that holds presentation mode's scale for its title.
SCALE_ATTRIBUTE = "explorer_scale"


def set_plot_title(plot, text: str) -> None:
    """Title ``plot`` without letting a long title widen it beyond its dock.

    pyqtgraph gives a title a minimum width of its whole text; a narrow dock then lays
    the plot out wider than the view and cuts off its right side. Unpinned, a long
    title overflows its own line instead.
    """
    # presentation mode's factor, set on the plot by views.scaling.scale_graphics
    label = plot.titleLabel
    if not getattr(label, "explorer_unpinned", False):
        # pyqtgraph's LabelItem pins its text's width as its minimum at every resize
        # (updateMin): a title longer than its plot (presentation mode's large fonts)
        # then widened the bars' plot past the dock, cutting off its right side.
        pinned = label.updateMin

        def update_min():
            pinned()
            label.setMinimumWidth(0)

        label.updateMin = update_min
        label.explorer_unpinned = True
    plot.setTitle(text, size=f"{9 * getattr(plot, SCALE_ATTRIBUTE, 1.0):.4g}pt")
    label.setMinimumWidth(0)
    # pyqtgraph fixes a title's row at 30 px whatever its font: the text's own height
    # (~22 px at 9 pt) gives a short dock's plots the rest (at 1366x768 the bars' two
    # plots had 14 px each, now 20).
    row = math.ceil(plot.titleLabel.item.boundingRect().height()) + 2
    plot.titleLabel.setMaximumHeight(row)
    plot.layout.setRowFixedHeight(0, row)
    plot.titleLabel.updateGeometry()


def theme_axes(axes, theme) -> None:
    """Draw ``axes`` (``AxisItem``s) in ``theme``: line and ticks in its muted colour,
    tick labels in its text colour."""
    text = hex_color(theme.foreground)
    for axis in axes:
        axis.setPen(pg.mkPen(theme.muted))
        axis.setTextPen(pg.mkPen(text))


class TickFitter:
    """Gives a vertical axis the densest of a few tick sets whose labels fit its height.

    pyqtgraph spaces ticks by the axis's length but not by its font, so in a short plot
    the labels of its ticks run into each other. The fitter re-chooses on every resize
    of the plot, and on :meth:`set_choices` (a new range): neighbouring labels are at
    least :data:`LABEL_ROOM` line heights apart.

    Parameters
    ----------
    axis : pyqtgraph.AxisItem
        A ``"left"`` or ``"right"`` axis.
    choices : sequence of sequences of float
        Tick values, densest first; the last is used when none fits.
    label : callable, optional
        Text of a tick value (default: pyqtgraph's own formatting of the values).
    on_change : callable, optional
        Called with the chosen values after they change (e.g. to move grid lines).
    """

    def __init__(self, axis, choices, label=None, on_change=None):
        self.axis = axis
        self.label = label
        self.on_change = on_change
        self.values: tuple[float, ...] | None = None
        self.choices: list[tuple[float, ...]] = []
        axis.linkedView().sigResized.connect(self.fit)
        self.set_choices(choices)

    def set_choices(self, choices) -> None:
        self.choices = [tuple(float(v) for v in values) for values in choices]
        self.fit()

    def fit(self, *args) -> None:
        axis = self.axis
        view = axis.linkedView()
        font = axis.style["tickFont"] or QFont()
        need = LABEL_ROOM * QFontMetricsF(font).height()  # pixels between two labels
        (_, _), (y0, y1) = view.viewRange()
        pixels_per_unit = view.height() / (y1 - y0) if y1 > y0 else 0.0
        values = self.choices[-1]
        for candidate in self.choices:
            if _closest_gap(candidate) * pixels_per_unit >= need:
                values = candidate
                break
        if values == self.values:
            return  # new ticks re-render the axis: only when they change
        self.values = values
        if self.label is not None:
            texts = [self.label(v) for v in values]
        else:
            spacing = _closest_gap(values) if len(values) > 1 else 1.0
            texts = axis.tickStrings(list(values), 1.0, spacing)
        axis.setTicks([list(zip(values, texts, strict=True)), []])
        if self.on_change is not None:
            self.on_change(values)


def _closest_gap(values) -> float:
    """The smallest distance between neighbouring ``values`` (inf for fewer than two)."""
    return min((abs(b - a) for a, b in pairwise(values)), default=np.inf)


class ClassAxisItem(pg.AxisItem):
    """An axis whose tick labels are class names, each drawn in its class colour.

    Ticks sit at ``offset + k`` for class ``k``; call :meth:`set_classes` after the classes
    change. When the labels would overlap (50 classes on a short axis), only every
    ``stride``-th class is labelled, the stride a 1-2-5 number
    (:func:`explorer.core.ticks.label_stride`), re-chosen when the axis's length changes.
    """

    #: Free pixels kept between neighbouring labels.
    LABEL_GAP_PX = 4.0

    def __init__(self, orientation: str, offset: float = 0.5, **kwargs):
        super().__init__(orientation, **kwargs)
        self._offset = offset
        self._colors: dict[str, QColor] = {}
        self._names: list[str] = []
        self._stride = 0

    def set_classes(self, names, colors) -> None:
        """Label tick ``k`` with ``names[k]`` in ``colors[k]`` (RGB rows, shape (C, 3))."""
        pairs = zip(names, colors, strict=True)
        self._colors = {str(n): QColor(*(int(v) for v in c)) for n, c in pairs}
        self._names = [str(n) for n in names]
        self._stride = 0
        self._fit_labels()

    def _label_font(self) -> QFont:
        font = QFont(self.style["tickFont"]) if self.style["tickFont"] else QFont()
        font.setBold(True)
        return font

    def _fit_labels(self) -> None:
        """Label every ``stride``-th class, the smallest stride at which labels do not touch."""
        names = self._names
        view = self.linkedView()
        slot_px = 0.0
        if view is not None and names:
            (x0, x1), (y0, y1) = view.viewRange()
            vertical = self.orientation in ("left", "right")
            span, pixels = (y1 - y0, view.height()) if vertical else (x1 - x0, view.width())
            slot_px = pixels / span if span > 0 else 0.0
            metrics = QFontMetricsF(self._label_font())
            if vertical:
                label_px = metrics.height()
            else:
                label_px = max(metrics.horizontalAdvance(n) for n in names)
            stride = label_stride(len(names), slot_px, label_px, self.LABEL_GAP_PX)
        else:
            stride = 1
        if stride == self._stride:
            return
        self._stride = stride
        ticks = [(self._offset + int(k), names[int(k)]) for k in strided(len(names), stride)]
        self.setTicks([ticks, []])

    def linkedViewChanged(self, view=None, newRange=None):
        super().linkedViewChanged(view, newRange)
        if self._names:
            self._fit_labels()

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        p.setRenderHint(p.RenderHint.Antialiasing, False)
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        pen, p1, p2 = axisSpec
        p.setPen(pen)
        p.drawLine(p1, p2)
        for tick_pen, t1, t2 in tickSpecs:
            p.setPen(tick_pen)
            p.drawLine(t1, t2)
        font = QFont(self.style["tickFont"]) if self.style["tickFont"] else QFont(p.font())
        font.setBold(True)
        p.setFont(font)
        p.setClipRect(self.boundingRect().toAlignedRect())
        default = self.textPen()
        for rect, flags, text in textSpecs:
            color = self._colors.get(text)
            p.setPen(pg.mkPen(color) if color is not None else default)
            p.drawText(rect, int(flags), text)
