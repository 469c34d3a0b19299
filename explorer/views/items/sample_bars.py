"""The bars view's top plot: one bar per training sample, in its class's colour.

It only draws what it is given: the bars view orders and bins the session's numbers.
Speed: one single-colour :class:`~explorer.views.items.bars_item.BarsItem` per class and
direction (per-bar brushes cost ~100× more); an item with no bars is hidden (it would still
cost a paint call every frame); titles are set only when their text changes (relabelling
relayouts the plot).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from explorer.views.items.axes import TickFitter, cache_axes, set_plot_title, still_plot, theme_axes
from explorer.views.items.bar_highlight import BarHighlight
from explorer.views.items.bars_item import BarsItem
from explorer.views.items.detail_bars import BOTH_SIDES_TICKS
from explorer.views.items.rules import HorizontalRules
from explorer.views.items.signal_texts import floor_ticks
from explorer.views.palette import Theme, hex_color

#: Bars at least this many pixels wide get gaps of :data:`BAR_GAP` (a fraction of a slot).
MIN_GAPPED_BAR_PX = 8
BAR_GAP = 0.1
#: Alpha of the upward bars, so they read as secondary.
UP_ALPHA = 110


def grid_heights(floor: float) -> list[float]:
    """Dotted grid lines for a y range from ``floor`` to 1: ±0.5 and ±1 over ``[−1, 1]``,
    the integers below 0 and 1 over a longer range."""
    return [-1.0, -0.5, 0.5, 1.0] if floor == -1.0 else [*map(float, range(int(floor), 0)), 1.0]


class SampleBars:
    """Per-sample bars down (the error signal) and optionally up, in a plot.

    Parameters
    ----------
    plot : pyqtgraph.PlotItem

    Attributes
    ----------
    down_items, up_items : list of BarsItem
        One per class.
    zero_line, grid_line : HorizontalRules
    tick_fitter : TickFitter
    marked : BarHighlight
        The selected sample's marker.
    bar_gap : float
        The gap each side of a bar, in slots (0 when bars touch).
    """

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        still_plot(plot)
        plot.getAxis("left").setWidth(44)
        cache_axes(plot)
        plot.getAxis("bottom").setStyle(showValues=False, tickLength=0)
        # Tick labels that fit a short plot (the bars often get a small dock).
        self.tick_fitter = TickFitter(plot.getAxis("left"), floor_ticks(-1.0, False))
        # A few reference lines instead of showGrid(): an axis grid costs ~3 ms per paint.
        self.zero_line = HorizontalRules([0.0])
        self.grid_line = HorizontalRules(grid_heights(-1.0))
        for rules in (self.zero_line, self.grid_line):
            rules.setZValue(-5)
            plot.addItem(rules, ignoreBounds=True)
        self.marked = BarHighlight(plot)
        self.down_items: list[BarsItem] = []
        self.up_items: list[BarsItem] = []
        self.bar_gap = 0.0
        self._bars = -1
        self._texts: tuple[str, str] | None = None
        self._foreground = "#000000"

    def apply_theme(self, theme: Theme) -> None:
        """Colours of the axes, lines and highlight; titles are set again next time."""
        self._texts = None
        self._foreground = hex_color(theme.foreground)
        theme_axes((self.plot.getAxis("left"), self.plot.getAxis("bottom")), theme)
        self.plot.titleLabel.setAttr("color", self._foreground)
        self.zero_line.setPen(pg.mkPen(theme.muted))
        self.grid_line.setPen(pg.mkPen(theme.grid, style=Qt.PenStyle.DotLine))
        self.marked.apply_theme(theme)

    def set_classes(self, colors) -> None:
        """One down and one up item per class colour (RGB rows of ``colors``)."""
        for item in self.down_items + self.up_items:
            self.plot.removeItem(item)
        self.down_items, self.up_items = [], []
        for rgb in colors:
            for items, brush in ((self.down_items, rgb), (self.up_items, (*rgb, UP_ALPHA))):
                item = BarsItem(
                    x0=np.zeros(0),
                    height=np.zeros(0),
                    width=1.0,
                    pen=pg.mkPen(None),
                    brush=pg.mkBrush(brush),
                )
                item.setVisible(False)  # until it has bars
                self.plot.addItem(item)
                items.append(item)

    def set_range(self, floor: float, up: bool, label: str, tip: str) -> None:
        """Range y from ``floor`` to 0 (to 1 with the upward bars ``up``); label the axis."""
        self.plot.setYRange(floor, 1.0 if up else 0.05, padding=0.02)
        ticks = BOTH_SIDES_TICKS if up and floor == -1.0 else floor_ticks(floor, up)
        self.tick_fitter.set_choices(ticks)
        self.grid_line.set_heights(grid_heights(floor))
        self.plot.getViewBox().setToolTip(tip)
        self.label("left", label)

    def label(self, side: str, text: str) -> None:
        # AxisItem.setPen() recolours labels with the axis pen; labels use the text colour.
        self.plot.setLabel(side, text, color=self._foreground)

    def set_titles(self, title: str, axis: str) -> None:
        """The plot's title and its x axis's label (only when either changed)."""
        if (title, axis) != self._texts:
            self._texts = (title, axis)
            set_plot_title(self.plot, title)
            self.label("bottom", axis)

    def set_count(self, bars: int) -> None:
        """Range x over ``bars`` slots."""
        if bars != self._bars:
            self._bars = bars
            self.plot.setXRange(0.0, bars, padding=0.0)
            for rules in (self.zero_line, self.grid_line):
                rules.set_span(0.0, bars)

    def fill(self, up: bool, labels: np.ndarray, heights: np.ndarray, gapped: bool) -> None:
        """Draw bar ``j`` at slot ``j`` with ``heights[j]`` in class ``labels[j]``'s colour,
        on the up items if ``up``; ``gapped`` leaves :data:`BAR_GAP` each side."""
        # Few, wide bars (the 9-point set): a gap on each side, so neighbours of one class
        # read as separate samples rather than one block.
        self.bar_gap = BAR_GAP if gapped else 0.0
        x0 = np.arange(len(labels), dtype=np.float64) + self.bar_gap
        width = 1.0 - 2.0 * self.bar_gap
        for c, item in enumerate(self.up_items if up else self.down_items):
            mask = labels == c
            if not mask.any() and len(item.opts["height"]) == 0:
                continue  # still empty: skip pyqtgraph's per-call overhead
            item.setVisible(bool(mask.any()))
            item.set_bars(x0[mask], heights[mask], width, span=float(len(labels)))
