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
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from explorer.core.ordering import descending_order, extreme_per_bin, samples_per_bin
from explorer.session.changes import Change
from explorer.views.base import SessionView
from explorer.views.items.axes import (
    TickFitter,
    cache_axes,
    set_plot_title,
    still_plot,
    theme_axes,
)
from explorer.views.items.bar_highlight import BarHighlight
from explorer.views.items.bars_item import BarsItem
from explorer.views.items.detail_bars import BOTH_SIDES_TICKS, DetailBars
from explorer.views.items.rules import HorizontalRules
from explorer.views.items.viewport import repaint_changes_as_one_rect
from explorer.views.palette import LIGHT, Theme, class_colors, hex_color
from explorer.views.qt_helpers import (
    signals_blocked,
    theme_check_box,
    typographic_minus,
)

#: Tick sets of the top y axis, densest first (the first whose labels fit its height).
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
#: Alpha of the upward (largest wrong p_k) bars, so they read as secondary.
UP_ALPHA = 110

TOP_TIP = (
    "One bar per training sample: p_y − 1, the error signal on the true class's logit\n"
    "(0 = certain and right, −1 = no probability on the true class). Colour = true class.\n"
    "With many samples each bar is a bin drawn as its worst sample.\n"
    "Click a bar to select that sample."
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

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self.sort = "index"
        self.show_max_wrong = False
        self._n_classes = -1
        self._pixels = DEFAULT_PIXELS
        self._identity = np.zeros(0, dtype=np.int64)
        self._x_bars = -1
        self._top_texts: tuple[str, str] | None = None
        self._clear_arrays()
        self._build()
        self.rebuild()
        self.update_view(Change.SESSION)

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
        self.top = top = g.addPlot(row=0, col=0)
        self.detail = DetailBars(g, 1, self)
        self.bottom, self.detail_axis, self.detail_items = (
            self.detail.plot,
            self.detail.axis,
            self.detail.items,
        )
        g.ci.layout.setRowStretchFactor(0, 3)
        g.ci.layout.setRowStretchFactor(1, 2)
        still_plot(top)
        top.getAxis("left").setWidth(44)
        cache_axes(top)
        top.getViewBox().setToolTip(TOP_TIP)
        top.getAxis("bottom").setStyle(showValues=False, tickLength=0)
        # Tick labels that fit a short plot (the bars often get a small dock).
        self.tick_fitters = [
            TickFitter(top.getAxis("left"), TOP_TICKS[False]),
            self.detail.tick_fitter,
        ]
        # A few reference lines instead of showGrid(): an axis grid costs ~3 ms per paint.
        # Per plot (top, bottom): the zero line, and the dotted grid at ±0.5 and ±1.
        self.zero_lines = [HorizontalRules([0.0]), self.detail.zero_line]
        self.grid_lines = [HorizontalRules([-1.0, -0.5, 0.5, 1.0]), self.detail.grid_line]
        for rules in (self.zero_lines[0], self.grid_lines[0]):
            rules.setZValue(-5)
            top.addItem(rules, ignoreBounds=True)
        self.marked = BarHighlight(top)
        self.highlight, self.highlight_bar, self.highlight_marker = (
            self.marked.line,
            self.marked.bar,
            self.marked.marker,
        )
        self.down_items: list[pg.BarGraphItem] = []
        self.up_items: list[pg.BarGraphItem] = []
        g.scene().sigMouseClicked.connect(self._scene_clicked)
        self.top.getViewBox().sigResized.connect(self._resized)
        self._apply_theme()

    def _apply_theme(self) -> None:
        theme = self.theme
        self._top_texts = None  # recolour the labels on the next update
        self.graphics.setBackground(theme.background)
        theme_axes((self.top.getAxis("left"), self.top.getAxis("bottom")), theme)
        self.top.titleLabel.setAttr("color", hex_color(theme.foreground))
        self.zero_lines[0].setPen(pg.mkPen(theme.muted))
        self.grid_lines[0].setPen(pg.mkPen(theme.grid, style=Qt.PenStyle.DotLine))
        self.detail.apply_theme(theme)
        self.marked.apply_theme(theme)
        theme_check_box(self.wrong_check, theme)

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
        self.refresh(Change.SESSION)

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
        self.detail.set_classes(names, colors)
        self.set_show_max_wrong(self.show_max_wrong)

    def update_view(self, changes: Change) -> None:
        """Recompute bars after parameter/data changes; move the highlight and detail."""
        if len(self.session.data.class_names) != self._n_classes:
            self.rebuild()
        if changes & ~Change.SELECTION:
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
            set_plot_title(self.top, text)
            self._label(self.top, "bottom", axis)

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
            self.marked.clear()
            return
        position = int(where[0])
        top = 1.0 if self.show_max_wrong else 0.04
        span = float(max(len(self.drawn_samples), 1))
        self.marked.mark(position // self.bin_size, self.bar_heights[position], top, span)

    def _update_detail(self, i: int | None) -> None:
        s = self.session
        self.detail_index = i
        if i is None:
            self.detail_values = {}
            self.detail.show(None)
            self.detail.set_title("select a sample (click a bar or a point)", key=None)
            return
        d = s.sample_detail(i)
        self.detail_values = values = {
            "p": np.asarray(d.p, dtype=np.float64),
            "y": np.asarray(d.y, dtype=np.float64),
            "p − y": np.asarray(d.dz, dtype=np.float64),
        }
        self.detail.show(values)
        data = s.data
        label = int(data.y[i])
        color = hex_color(class_colors(len(data.class_names))[label])
        kind = "test sample" if data.is_test[i] else "sample"
        legend = self.detail.legend_html
        self.detail.set_title(
            f"{kind} #{i} (class <b style='color:{color}'>{data.class_names[label]}</b>)"
            f"  loss {typographic_minus(f'{float(d.loss):.3g}')}    {legend}",
            key=(i, label, kind, legend),
        )

    def flush(self) -> None:
        """Show a title still waiting for its interval now (exports, GIF frames)."""
        self.detail.flush()
