"""One sample's ``p``, ``y`` and ``p − y``, three bars per class in one plot, with a title.

The three series are renamed for the chosen loss (:meth:`DetailBars.set_series`: the last
is always its ``∂L/∂z``), and the y range follows it (:meth:`DetailBars.set_floor`).

Speed: the bars keep one fixed bounding rect over the classes, so the numbers of a new
step are a repaint only; the title is rich text whose change relayouts and repaints the
plot (~0.6 ms), so while one sample stays selected its text (the loss) follows at most
every :data:`TITLE_INTERVAL_S`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QObject, Qt

from explorer.views.items.axes import (
    ClassAxisItem,
    TickFitter,
    cache_axes,
    set_plot_title,
    still_plot,
    theme_axes,
)
from explorer.views.items.bars_item import BarsItem
from explorer.views.items.rules import HorizontalRules
from explorer.views.palette import Theme, hex_color
from explorer.views.qt_helpers import READOUT_INTERVAL_S, Throttle

#: Tick sets of a y axis over [−1, 1], densest first (the first whose labels fit).
BOTH_SIDES_TICKS = ((1.0, 0.5, 0.0, -0.5, -1.0), (1.0, 0.0, -1.0), (0.0,))
#: While one sample stays selected, the title follows at most this often (seconds), like
#: the status bar's read-outs. A new sample, theme or export shows the current title at
#: once, and a deferred one always comes.
TITLE_INTERVAL_S = READOUT_INTERVAL_S
#: Width of each bar (three per class, :data:`OFFSETS` from the class), in class units.
DETAIL_WIDTH = 0.26
OFFSETS = (-0.28, 0.0, 0.28)
#: The series, and their bar colours (light theme, dark theme).
SERIES = ("p", "y", "p − y")
SERIES_COLORS = {
    "light": ((0x55, 0x5F, 0x6B), (0xBF, 0xC5, 0xCC), (0xC0, 0x1C, 0x6B)),
    "dark": ((0xC8, 0xD0, 0xD8), (0x6A, 0x72, 0x7C), (0xFF, 0x5C, 0xA8)),
}
DETAIL_TIP = (
    "For the selected sample: the predicted probabilities p, the target y (smoothed when\n"
    "label smoothing is on) and their difference p − y = ∂L/∂z, the gradient of the loss\n"
    "with respect to the logits. Gradient descent lowers z_k where p − y > 0."
)


class DetailBars:
    """The plot of one sample's ``p``, ``y`` and ``p − y`` per class.

    Parameters
    ----------
    graphics : pyqtgraph.GraphicsLayoutWidget
        The plot is added at ``(row, 0)``.
    row : int
    owner : QObject
        Owner of the title's timer.

    Attributes
    ----------
    plot : pyqtgraph.PlotItem
    axis : ClassAxisItem
        The class names under the bars.
    items : dict[str, BarsItem]
        One bar item per series (:data:`SERIES`).
    zero_line, grid_line : HorizontalRules
        The zero line, and the dotted lines at ±0.5 and ±1.
    tick_fitter : TickFitter
        The y axis's ticks.
    legend_html : str
        A swatch and the name of each series, in the theme's colours.
    """

    def __init__(self, graphics: pg.GraphicsLayoutWidget, row: int, owner: QObject):
        self.axis = ClassAxisItem("bottom", offset=0.0)
        self.plot = plot = graphics.addPlot(row=row, col=0, axisItems={"bottom": self.axis})
        still_plot(plot)
        plot.getAxis("left").setWidth(44)
        cache_axes(plot)
        plot.getViewBox().setToolTip(DETAIL_TIP)
        plot.setYRange(-1.0, 1.0, padding=0.02)
        self.tick_fitter = TickFitter(plot.getAxis("left"), BOTH_SIDES_TICKS)
        # A few reference lines instead of showGrid(): an axis grid costs ~3 ms per paint.
        self.zero_line = HorizontalRules([0.0])
        self.grid_line = HorizontalRules([-1.0, -0.5, 0.5, 1.0])
        for rules in (self.zero_line, self.grid_line):
            rules.setZValue(-5)
            plot.addItem(rules, ignoreBounds=True)
        self.series = SERIES
        self.items = {
            name: BarsItem(x0=np.zeros(0), height=np.zeros(0), width=DETAIL_WIDTH)
            for name in SERIES
        }
        for item in self.items.values():
            plot.addItem(item)
        self.legend_html = ""
        self._colors = SERIES_COLORS["light"]
        self.floor = -1.0
        self._shown = True  # unknown: cleared by the first show(None)
        self._title_text: str | None = None
        self._title_key: tuple | None = None  # the shown title's sample (None: none yet)
        self._next_title: tuple[str, tuple | None] = ("", None)  # the latest (text, key)
        self._title = Throttle(self._show_next_title, owner, TITLE_INTERVAL_S)

    def set_classes(self, names, colors) -> None:
        """Label the classes ``names`` in ``colors`` (RGB rows) and range the plot to them."""
        C = len(names)
        self.axis.set_classes(names, colors)
        self.plot.setXRange(-0.6, C - 0.4, padding=0.0)
        for rules in (self.zero_line, self.grid_line):
            rules.set_span(-0.6, C - 0.4)

    def apply_theme(self, theme: Theme) -> None:
        """Colours of the axes, lines, bars and legend; the next title is shown at once."""
        self._title_text = self._title_key = None
        theme_axes((self.plot.getAxis("left"), self.plot.getAxis("bottom")), theme)
        self.plot.titleLabel.setAttr("color", hex_color(theme.foreground))
        self.zero_line.setPen(pg.mkPen(theme.muted))
        self.grid_line.setPen(pg.mkPen(theme.grid, style=Qt.PenStyle.DotLine))
        self._colors = SERIES_COLORS["dark" if theme.name == "dark" else "light"]
        self._muted = theme.muted
        self._style_series()

    def _style_series(self) -> None:
        for name, color in zip(self.series, self._colors, strict=True):
            pen = pg.mkPen(self._muted) if name == "y" else pg.mkPen(None)
            self.items[name].setOpts(brush=pg.mkBrush(color), pen=pen)
        self.legend_html = "  ".join(
            f"<span style='color:{hex_color(c)}'>■</span> {name}"
            for name, c in zip(self.series, self._colors, strict=True)
        )

    def set_series(self, names: tuple[str, str, str], tip: str) -> None:
        """Rename the three series (the items keep their slots and colours; ``"y"`` is
        drawn outlined wherever it is) and set the plot's tooltip."""
        self.plot.getViewBox().setToolTip(tip)
        names = tuple(names)
        if names == self.series:
            return
        self.items = dict(zip(names, self.items.values(), strict=True))
        self.series = names
        self._title_text = None  # the legend in the title changes
        if hasattr(self, "_muted"):
            self._style_series()

    def set_floor(self, floor: float, ticks) -> None:
        """Range the y axis from ``floor`` (<= −1) to 1, with the tick sets ``ticks``."""
        if floor == self.floor:
            return
        self.floor = float(floor)
        self.plot.setYRange(floor, 1.0, padding=0.02)
        self.tick_fitter.set_choices(ticks)
        grid = [-1.0, -0.5, 0.5, 1.0] if floor == -1.0 else [*range(int(floor), 0), 1.0]
        self.grid_line.set_heights(grid)

    def show(self, values: dict[str, np.ndarray] | None) -> None:
        """Draw ``values[name] (C,)`` for every series, or no bars for None."""
        if values is None:
            if self._shown:  # already cleared: skip pyqtgraph's per-call overhead
                self._shown = False
                for item in self.items.values():
                    item.set_bars(np.zeros(0), np.zeros(0), DETAIL_WIDTH)
                    item.setVisible(False)
            return
        self._shown = True
        C = len(values[self.series[0]])
        left = np.arange(C, dtype=np.float64) - DETAIL_WIDTH / 2
        for offset, name in zip(OFFSETS, self.series, strict=True):
            self.items[name].set_bars(left + offset, values[name], DETAIL_WIDTH, span=C)
            self.items[name].setVisible(True)

    def set_title(self, text: str, key: tuple | None) -> None:
        """Title the plot with ``text``, about the sample ``key`` identifies: at once for
        another sample, else (only the loss changed) at most every
        :data:`TITLE_INTERVAL_S`, the latest text following by a timer."""
        if text == self._title_text:  # relabelling relayouts the plot: only on change
            self._title.cancel()
            return
        self._next_title = (text, key)
        self._title.request(hold=key is not None and key == self._title_key)

    def _show_next_title(self) -> None:
        text, key = self._next_title
        self._title_text, self._title_key = text, key
        set_plot_title(self.plot, text)

    def flush(self) -> None:
        """Show a title still waiting for its interval now (exports, GIF frames)."""
        if self._title.pending:
            self._title.now()
