"""Every training sample's error signal ``p − y``, and the selected sample's in full.

Top: one bar per training sample of the true-class error ``p_y − 1`` (in ``[−1, 0]``; a
bar reaching −1 is a sample the model gets completely wrong), optionally with the largest
wrong-class probability ``max_{k≠y} p_k`` as an upward bar. Bars are in data order or
sorted by per-sample loss, worst first.

Speed: one single-colour ``BarGraphItem`` per class (per-bar brushes cost ~100× more), and
when there are more samples than pixels the samples are binned to one bar per pixel. A bin
is drawn as its *worst* sample — the lowest ``p_y − 1`` (and, for the upward bars, the
highest wrong ``p_k``) — in that sample's class colour, so the worst errors never average
away, and clicking the bin selects exactly the sample whose bar is drawn.

Bottom: for the selected sample, ``p``, the target ``y`` (smoothed if label smoothing is
on) and ``p − y = ∂L/∂z`` for every class, side by side.

All numbers come from the session (``train_true_error``, ``train_max_wrong``,
``train_sample_loss``, ``sample_detail``); the view only orders, bins and draws them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from explorer.core.ordering import descending_order, extreme_per_bin, samples_per_bin
from explorer.views.base import SessionView
from explorer.views.items.axes import ClassAxisItem, TickFitter, cache_axes, still_plot, theme_axes
from explorer.views.items.bars_item import BarsItem
from explorer.views.items.rules import HorizontalRules
from explorer.views.items.viewport import repaint_changes_as_one_rect
from explorer.views.palette import LIGHT, Theme, class_colors, hex_color
from explorer.views.qt_helpers import (
    READOUT_INTERVAL_S,
    Throttle,
    signals_blocked,
    typographic_minus,
)

#: Tick sets of the y axes, densest first (the first whose labels fit a plot's height).
BOTH_SIDES_TICKS = ((1.0, 0.5, 0.0, -0.5, -1.0), (1.0, 0.0, -1.0), (0.0,))
TOP_TICKS = {
    False: ((0.0, -0.2, -0.4, -0.6, -0.8, -1.0), (0.0, -0.5, -1.0), (0.0, -1.0), (0.0,)),
    True: BOTH_SIDES_TICKS,  # with the upward bars of the largest wrong p_k
}
#: (id, combo text) of the bar orders.
SORTS = (("index", "Data order"), ("loss", "Worst loss first"))
#: Bars at least this many pixels wide get gaps of :data:`BAR_GAP` (a fraction of a slot).
MIN_GAPPED_BAR_PX = 8
BAR_GAP = 0.1
#: Pixel width assumed before the plot has been laid out.
DEFAULT_PIXELS = 600
#: While one sample stays selected, the loss in the detail plot's title follows at most
#: this often (seconds), like the status bar's read-outs: a new title costs ~0.6 ms a
#: frame (rich text, the plot's relayout and repaint). A new sample, theme or export shows
#: the current title at once, and a deferred one always comes.
TITLE_INTERVAL_S = READOUT_INTERVAL_S
#: Width of each bar of the detail plot (three per class, 0.28 apart), in class units.
DETAIL_WIDTH = 0.26
#: Bar colours of the detail plot: p, y, p − y (light theme, dark theme).
SERIES = ("p", "y", "p − y")
SERIES_COLORS = {
    "light": ((0x55, 0x5F, 0x6B), (0xBF, 0xC5, 0xCC), (0xC0, 0x1C, 0x6B)),
    "dark": ((0xC8, 0xD0, 0xD8), (0x6A, 0x72, 0x7C), (0xFF, 0x5C, 0xA8)),
}
#: Alpha of the upward (largest wrong p_k) bars, so they read as secondary.
UP_ALPHA = 110

TOP_TIP = (
    "One bar per training sample: p_y − 1, the error signal on the true class's logit\n"
    "(0 = certain and right, −1 = no probability on the true class). Colour = true class.\n"
    "With many samples each bar is a bin drawn as its worst sample.\n"
    "Click a bar to select that sample."
)
DETAIL_TIP = (
    "For the selected sample: the predicted probabilities p, the target y (smoothed when\n"
    "label smoothing is on) and their difference p − y = ∂L/∂z, the gradient of the loss\n"
    "with respect to the logits. Gradient descent lowers z_k where p − y > 0."
)


class BarsView(SessionView):
    """Per-sample ``p_y − 1`` bars (click to select) and the selected sample's ``p, y, p − y``.

    Attributes
    ----------
    bar_order : ndarray of int64, shape (N_train,)
        Positions into the training arrays (``session.train_true_error()`` etc.) in display
        order.
    bar_samples : ndarray of int64, shape (N_train,)
        The same samples as indices into ``session.data``.
    bar_heights : ndarray, shape (N_train,)
        ``p_y − 1`` of each sample in display order (exactly the session's values).
    max_wrong_heights : ndarray, shape (N_train,), or None
        Largest wrong-class ``p_k`` in display order, when shown.
    bin_size : int
        Samples per drawn bar (1 = no binning).
    drawn_samples, drawn_heights : ndarray, shape (B,)
        Data index and height of each drawn downward bar (a bin's worst sample).
    drawn_up_samples, drawn_up_heights : ndarray, shape (B,), or None
        The same for the upward bars.
    detail_index : int or None
        Sample shown in the bottom plot.
    detail_values : dict[str, ndarray of float64, shape (C,)]
        ``"p"``, ``"y"`` and ``"p − y"`` of that sample (empty without a selection).
    """

    view_id = "bars"
    title = "p − y"

    #: Emitted with a status-bar message (e.g. which sample a click selected).
    message = pyqtSignal(str)

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self.sort = "index"
        self.show_max_wrong = False
        self._n_classes = -1
        self._pixels = DEFAULT_PIXELS
        self._identity = np.zeros(0, dtype=np.int64)
        self._x_bars = -1
        self._top_texts: tuple[str, str] | None = None
        self._detail_title: str | None = None
        self._title_key: tuple | None = None  # the shown title's sample (None: none yet)
        self._next_title: tuple[str, tuple | None] = ("", None)  # the latest (text, key)
        self._title = Throttle(self._show_next_title, self, TITLE_INTERVAL_S)
        self._highlighted = True  # unknown: clear on the first update
        self._detail_shown = True
        self._clear_arrays()
        self._build()
        self.rebuild()
        self.update_view(frozenset({"session"}))

    def _clear_arrays(self) -> None:
        empty = np.zeros(0, dtype=np.int64)
        self.bar_order = empty
        self.bar_samples = empty
        self.bar_heights = np.zeros(0)
        self.max_wrong_heights = None
        self.bin_size = 1
        self.bar_gap = 0.0
        self.drawn_samples = empty
        self.drawn_heights = np.zeros(0)
        self.drawn_up_samples = None
        self.drawn_up_heights = None
        self.detail_index = None
        self.detail_values: dict[str, np.ndarray] = {}

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        row = QHBoxLayout()
        self.sort_combo = QComboBox(self)
        for key, text in SORTS:
            self.sort_combo.addItem(text, key)
        self.sort_combo.setToolTip(
            "Order of the bars: the samples' order in the data, or by per-sample loss with\n"
            "the worst-classified sample on the left"
        )
        self.sort_combo.currentIndexChanged.connect(
            lambda i: self.set_sort(self.sort_combo.itemData(i))
        )
        self.wrong_check = QCheckBox("Largest wrong p_k", self)
        self.wrong_check.setToolTip(
            "Also draw, upwards, each sample's largest probability on a wrong class:\n"
            "the class it is most confused with"
        )
        self.wrong_check.toggled.connect(self.set_show_max_wrong)
        sort_label = QLabel("Order:", self)
        sort_label.setToolTip(self.sort_combo.toolTip())
        row.addWidget(sort_label)
        row.addWidget(self.sort_combo)
        row.addWidget(self.wrong_check)
        row.addStretch(1)
        layout.addLayout(row)

        self.graphics = pg.GraphicsLayoutWidget(self)
        repaint_changes_as_one_rect(self.graphics)
        layout.addWidget(self.graphics, 1)
        g = self.graphics
        self.top = g.addPlot(row=0, col=0)
        self.detail_axis = ClassAxisItem("bottom", offset=0.0)
        self.bottom = g.addPlot(row=1, col=0, axisItems={"bottom": self.detail_axis})
        g.ci.layout.setRowStretchFactor(0, 3)
        g.ci.layout.setRowStretchFactor(1, 2)
        for plot in (self.top, self.bottom):
            still_plot(plot)
            plot.getAxis("left").setWidth(44)
            cache_axes(plot)
        self.top.getViewBox().setToolTip(TOP_TIP)
        self.bottom.getViewBox().setToolTip(DETAIL_TIP)
        self.top.getAxis("bottom").setStyle(showValues=False, tickLength=0)
        self.bottom.setYRange(-1.0, 1.0, padding=0.02)
        # Tick labels that fit a short plot (the bars often get a small dock).
        self.tick_fitters = [
            TickFitter(self.top.getAxis("left"), TOP_TICKS[False]),
            TickFitter(self.bottom.getAxis("left"), BOTH_SIDES_TICKS),
        ]
        # A few reference lines instead of showGrid(): an axis grid costs ~3 ms per paint.
        # Per plot (top, bottom): the zero line, and the dotted grid at ±0.5 and ±1.
        self.zero_lines = [HorizontalRules([0.0]) for _ in range(2)]
        self.grid_lines = [HorizontalRules([-1.0, -0.5, 0.5, 1.0]) for _ in range(2)]
        for k, rules in enumerate(self.zero_lines + self.grid_lines):
            rules.setZValue(-5)
            (self.top if k % 2 == 0 else self.bottom).addItem(rules, ignoreBounds=True)
        self.highlight = pg.InfiniteLine(angle=90, movable=False)
        self.highlight.setZValue(10)
        self.highlight.setVisible(False)
        self.top.addItem(self.highlight)
        self.highlight_bar = BarsItem(x0=np.zeros(0), height=np.zeros(0), width=1.0)
        self.highlight_bar.setZValue(12)
        self.top.addItem(self.highlight_bar)
        self.highlight_marker = pg.ScatterPlotItem(size=9, symbol="t", pxMode=True)
        self.highlight_marker.setZValue(11)
        # The bars around it repaint every step: from a cached pixmap the marker costs
        # ~10 µs instead of ~0.3 ms (a scatter's paint). Exports switch item caches off.
        self.highlight_marker.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # Hidden while empty: an empty scatter still costs ~0.3 ms in every paint.
        self.highlight_marker.setVisible(False)
        self.highlight_bar.setVisible(False)
        self.top.addItem(self.highlight_marker)
        self.down_items: list[pg.BarGraphItem] = []
        self.up_items: list[pg.BarGraphItem] = []
        self.detail_items = {
            name: BarsItem(x0=np.zeros(0), height=np.zeros(0), width=DETAIL_WIDTH)
            for name in SERIES
        }
        for item in self.detail_items.values():
            self.bottom.addItem(item)
        g.scene().sigMouseClicked.connect(self._scene_clicked)
        self.top.getViewBox().sigResized.connect(self._resized)
        self._apply_theme()

    def _apply_theme(self) -> None:
        theme = self.theme
        self._top_texts = None  # recolour the labels on the next update
        self._detail_title = self._title_key = None
        self.graphics.setBackground(theme.background)
        fg = hex_color(theme.foreground)
        for plot in (self.top, self.bottom):
            theme_axes((plot.getAxis("left"), plot.getAxis("bottom")), theme)
            plot.titleLabel.setAttr("color", fg)
        for rules in self.zero_lines:
            rules.setPen(pg.mkPen(theme.muted))
        for rules in self.grid_lines:
            rules.setPen(pg.mkPen(theme.grid, style=Qt.PenStyle.DotLine))
        self.highlight.setPen(pg.mkPen(theme.muted, width=1, style=Qt.PenStyle.DashLine))
        self.highlight_bar.setOpts(pen=pg.mkPen(theme.foreground, width=2), brush=pg.mkBrush(None))
        self.highlight_marker.setBrush(pg.mkBrush(theme.foreground))
        self.highlight_marker.setPen(pg.mkPen(None))
        colors = SERIES_COLORS["dark" if theme.name == "dark" else "light"]
        for name, color in zip(SERIES, colors, strict=True):
            pen = pg.mkPen(theme.muted) if name == "y" else pg.mkPen(None)
            self.detail_items[name].setOpts(brush=pg.mkBrush(color), pen=pen)
        self._series_colors = {n: hex_color(c) for n, c in zip(SERIES, colors, strict=True)}

    # --------------------------------------------------------------- interface
    def set_sort(self, mode: str) -> None:
        """Order the bars by ``"index"`` (data order) or ``"loss"`` (worst first)."""
        if mode not in {key for key, _ in SORTS}:
            raise ValueError(f"unknown sort {mode!r}")
        self.sort = mode
        self._sync_combo()
        self._update_bars()
        self._update_selection()

    def set_show_max_wrong(self, on: bool) -> None:
        """Also draw each sample's largest wrong-class probability as an upward bar."""
        self.show_max_wrong = bool(on)
        if self.wrong_check.isChecked() != self.show_max_wrong:
            with signals_blocked(self.wrong_check):
                self.wrong_check.setChecked(self.show_max_wrong)
        self.top.setYRange(-1.0, 1.0 if self.show_max_wrong else 0.05, padding=0.02)
        self.tick_fitters[0].set_choices(TOP_TICKS[self.show_max_wrong])
        self._label(self.top, "left", "p<sub>y</sub> − 1")
        self._update_bars()
        self._update_selection()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._apply_theme()
        self.refresh(frozenset({"session"}))

    def select_bar(self, x: float, y: float = -0.5) -> int | None:
        """Select the sample drawn at data coordinates ``(x, y)`` of the top plot.

        Returns the data index selected, or None when ``x`` is outside the bars. With the
        upward bars shown, ``y > 0`` picks the bin's sample with the largest wrong ``p_k``.
        """
        b = math.floor(x)
        if not 0 <= b < len(self.drawn_samples):
            return None
        if y > 0 and self.drawn_up_samples is not None:
            i = int(self.drawn_up_samples[b])
        else:
            i = int(self.drawn_samples[b])
        self.session.select(i)
        return i

    def _scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.top.getViewBox()
        pos = event.scenePos()
        if not vb.sceneBoundingRect().contains(pos):
            return
        point = vb.mapSceneToView(pos)
        i = self.select_bar(point.x(), point.y())
        if i is not None:
            event.accept()
            self.message.emit(f"Selected sample #{i}")

    # ---------------------------------------------------------------- updating
    def rebuild(self) -> None:
        """Recreate the per-class bar items and class labels for the current classes."""
        names = self.session.data.class_names
        C = len(names)
        self._n_classes = C
        colors = class_colors(C)
        for item in self.down_items + self.up_items:
            self.top.removeItem(item)
        self.down_items, self.up_items = [], []
        for c in range(C):
            down = BarsItem(
                x0=np.zeros(0),
                height=np.zeros(0),
                width=1.0,
                pen=pg.mkPen(None),
                brush=pg.mkBrush(colors[c]),
            )
            up = BarsItem(
                x0=np.zeros(0),
                height=np.zeros(0),
                width=1.0,
                pen=pg.mkPen(None),
                brush=pg.mkBrush((*colors[c], UP_ALPHA)),
            )
            for item in (down, up):
                item.setVisible(False)  # until it has bars
                self.top.addItem(item)
            self.down_items.append(down)
            self.up_items.append(up)
        self.detail_axis.set_classes(names, colors)
        self.bottom.setXRange(-0.6, C - 0.4, padding=0.0)
        for rules in (self.zero_lines[1], self.grid_lines[1]):
            rules.set_span(-0.6, C - 0.4)
        self.set_show_max_wrong(self.show_max_wrong)

    def update_view(self, kinds: frozenset[str]) -> None:
        """Recompute bars after parameter/data changes; move the highlight and detail."""
        if len(self.session.data.class_names) != self._n_classes:
            self.rebuild()
        if kinds - {"selection"}:
            self._update_bars()
        self._update_selection()

    def _sync_combo(self) -> None:
        index = self.sort_combo.findData(self.sort)
        if index != self.sort_combo.currentIndex():
            with signals_blocked(self.sort_combo):
                self.sort_combo.setCurrentIndex(index)

    def _resized(self) -> None:
        pixels = self._plot_pixels()
        if pixels != self._pixels:
            old = samples_per_bin(len(self.bar_order), self._pixels)
            self._pixels = pixels
            if samples_per_bin(len(self.bar_order), pixels) != old:
                self._update_bars()
                self._update_selection()

    def _plot_pixels(self) -> int:
        width = int(self.top.getViewBox().width())
        return width if width >= 50 else DEFAULT_PIXELS

    def _update_bars(self) -> None:
        s = self.session
        if self._n_classes < 0:
            return
        train = s.data.train_index
        n = len(train)
        true_error = s.train_true_error()
        if self.sort == "loss":
            order = descending_order(s.train_sample_loss())
            self.bar_samples = train[order]
            self.bar_heights = true_error[order]
        else:
            # Data order: the session's arrays themselves (read-only), no copy per frame.
            if len(self._identity) != n:
                self._identity = np.arange(n, dtype=np.int64)
            order = self._identity
            self.bar_samples = train
            self.bar_heights = true_error
        self.bar_order = order
        self._pixels = self._plot_pixels()
        size = samples_per_bin(n, self._pixels)
        self.bin_size = size
        pos = extreme_per_bin(self.bar_heights, size, lowest=True)
        self.drawn_samples = self.bar_samples[pos]
        self.drawn_heights = self.bar_heights[pos]
        labels = s.data.y[self.drawn_samples]
        self._fill(self.down_items, labels, self.drawn_heights)
        if self.show_max_wrong:
            self.max_wrong_heights = s.train_max_wrong()[order]
            up = extreme_per_bin(self.max_wrong_heights, size, lowest=False)
            self.drawn_up_samples = self.bar_samples[up]
            self.drawn_up_heights = self.max_wrong_heights[up]
            self._fill(self.up_items, s.data.y[self.drawn_up_samples], self.drawn_up_heights)
        else:
            self.max_wrong_heights = self.drawn_up_samples = self.drawn_up_heights = None
            self._fill(self.up_items, np.zeros(0, dtype=np.int64), np.zeros(0))
        bars = max(len(self.drawn_samples), 1)
        if bars != self._x_bars:
            self._x_bars = bars
            self.top.setXRange(0.0, bars, padding=0.0)
            for rules in (self.zero_lines[0], self.grid_lines[0]):
                rules.set_span(0.0, bars)
        self._set_top_title(n, size)

    def _fill(self, items, labels: np.ndarray, heights: np.ndarray) -> None:
        # Few, wide bars (the 9-point set): a gap on each side, so neighbours of one class
        # read as separate samples rather than one block.
        wide = self.bin_size == 1 and len(labels) * MIN_GAPPED_BAR_PX <= self._pixels
        self.bar_gap = BAR_GAP if wide else 0.0
        x0 = np.arange(len(labels), dtype=np.float64) + self.bar_gap
        width = 1.0 - 2.0 * self.bar_gap
        for c, item in enumerate(items):
            mask = labels == c
            if not mask.any() and len(item.opts["height"]) == 0:
                continue  # still empty: skip pyqtgraph's per-call overhead
            # An empty bar item is hidden: it would still cost a paint call every frame.
            item.setVisible(bool(mask.any()))
            item.set_bars(x0[mask], heights[mask], width, span=float(len(labels)))

    def _set_top_title(self, n: int, size: int) -> None:
        text = f"p<sub>y</sub> − 1 for {n} training samples"
        if self.show_max_wrong:
            text = f"↓ p<sub>y</sub> − 1, ↑ largest wrong p<sub>k</sub>, {n} training samples"
        order = "in data order" if self.sort == "index" else "worst loss first →"
        axis = f"samples, {order}"
        if size > 1:
            axis += f" (1 bar = worst of {size})"
        if (text, axis) != self._top_texts:  # relabelling relayouts the plot: only on change
            self._top_texts = (text, axis)
            self._set_title(self.top, text)
            self._label(self.top, "bottom", axis)

    @staticmethod
    def _set_title(plot, text: str) -> None:
        """Title ``plot`` without letting a long title widen it beyond its dock.

        pyqtgraph gives a title a minimum width of its whole text; a narrow dock then lays
        the plot out wider than the view and cuts off its right side. Unpinned, a long
        title overflows its own line instead.
        """
        plot.setTitle(text, size="9pt")
        plot.titleLabel.setMinimumWidth(0)
        plot.titleLabel.updateGeometry()

    def _label(self, plot, side: str, text: str) -> None:
        # AxisItem.setPen() recolours labels with the axis pen; labels use the text colour.
        plot.setLabel(side, text, color=hex_color(self.theme.foreground))

    def _update_selection(self) -> None:
        s = self.session
        i = s.selected
        self._update_highlight(i)
        self._update_detail(i)

    def _update_highlight(self, i: int | None) -> None:
        where = np.flatnonzero(self.bar_samples == i) if i is not None else ()
        if len(where) == 0:
            if self._highlighted:  # already cleared: skip pyqtgraph's per-call overhead
                self._highlighted = False
                self.highlight.setVisible(False)
                self.highlight_marker.setData([], [])
                self.highlight_marker.setVisible(False)
                self.highlight_bar.set_bars(np.zeros(0), np.zeros(0), 1.0)
                self.highlight_bar.setVisible(False)
            return
        self._highlighted = True
        position = int(where[0])
        b = position // self.bin_size
        top = 1.0 if self.show_max_wrong else 0.04
        if self.highlight_marker.isVisible():
            x, y = self.highlight_marker.getData()
            moved = len(x) != 1 or (float(x[0]), float(y[0])) != (b + 0.5, top)
        else:
            moved = True
        if moved:  # training steps mostly leave the bar where it is: skip pyqtgraph's work
            self.highlight.setValue(b + 0.5)
            self.highlight.setVisible(True)
            self.highlight_marker.setData([b + 0.5], [top])
            self.highlight_marker.setVisible(True)
        height = np.array([self.bar_heights[position]], dtype=np.float64)
        span = float(max(len(self.drawn_samples), 1))
        self.highlight_bar.set_bars(np.array([float(b)]), height, 1.0, span=span)
        self.highlight_bar.setVisible(True)

    def _update_detail(self, i: int | None) -> None:
        s = self.session
        self.detail_index = i
        if i is None:
            self.detail_values = {}
            if self._detail_shown:
                self._detail_shown = False
                for item in self.detail_items.values():
                    item.set_bars(np.zeros(0), np.zeros(0), DETAIL_WIDTH)
                    item.setVisible(False)
            self._set_detail_title("select a sample (click a bar or a point)", key=None)
            return
        self._detail_shown = True
        d = s.sample_detail(i)
        values = {
            "p": np.asarray(d.p, dtype=np.float64),
            "y": np.asarray(d.y, dtype=np.float64),
            "p − y": np.asarray(d.dz, dtype=np.float64),
        }
        self.detail_values = values
        C = len(values["p"])
        left = np.arange(C, dtype=np.float64) - DETAIL_WIDTH / 2
        for offset, name in zip((-0.28, 0.0, 0.28), SERIES, strict=True):
            self.detail_items[name].set_bars(left + offset, values[name], DETAIL_WIDTH, span=C)
            self.detail_items[name].setVisible(True)
        data = s.data
        label = int(data.y[i])
        color = hex_color(class_colors(len(data.class_names))[label])
        kind = "test sample" if data.is_test[i] else "sample"
        legend = "  ".join(
            f"<span style='color:{self._series_colors[name]}'>■</span> {name}" for name in SERIES
        )
        self._set_detail_title(
            f"{kind} #{i} (class <b style='color:{color}'>{data.class_names[label]}</b>)"
            f"  loss {typographic_minus(f'{float(d.loss):.3g}')}    {legend}",
            key=(i, label, kind, legend),
        )

    def _set_detail_title(self, text: str, key: tuple | None) -> None:
        """Title the detail plot with ``text``, about the sample ``key`` identifies: at
        once for another sample, else (only the loss changed) at most every
        :data:`TITLE_INTERVAL_S`, the latest text following by a timer."""
        if text == self._detail_title:  # relabelling relayouts the plot: only on change
            self._title.cancel()
            return
        self._next_title = (text, key)
        self._title.request(hold=key is not None and key == self._title_key)

    def _show_next_title(self) -> None:
        text, key = self._next_title
        self._detail_title, self._title_key = text, key
        self._set_title(self.bottom, text)

    def flush(self) -> None:
        """Show a title still waiting for its interval now (exports, GIF frames)."""
        if self._title.pending:
            self._title.now()
