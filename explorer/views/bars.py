"""Every training sample's error signal under the chosen loss, and the selected sample's.

Top: one bar per training sample of the chosen loss's ``∂L/∂z`` at the true class (the
session's ``train_error_signal``): cross-entropy's ``p_y − 1`` in ``[−1, 0]`` (−1 = no
probability on the true class), squared error's ``[Jᵀ(p − y)]_y``, a hinge loss's minus
its active margins (down to ``−(C − 1)`` for Weston–Watkins); the words per loss are in
:mod:`explorer.views.items.signal_texts`. Optionally, upwards, the largest wrong-class
``∂L/∂z_k`` (cross-entropy: the largest wrong ``p_k``, as on hard labels). Bars are in
data order or sorted by per-sample loss, worst first.

Speed: one single-colour ``BarGraphItem`` per class (per-bar brushes cost ~100× more), and
when there are more samples than pixels the samples are binned to one bar per pixel. A bin
is drawn as its *worst* sample (the lowest signal and, for the upward bars, the highest)
in that sample's class colour, so the worst errors never average away, and clicking the
bin selects exactly the sample whose bar is drawn.

Bottom: for the selected sample, three bars per class, the last its full ``∂L/∂z``:
``p``, ``y``, ``p − y`` (cross-entropy), ``p``, ``y``, ``Jᵀ(p − y)`` (squared error),
cross-entropy's ``p − y``, ``y``, ``∂L/∂z`` (a hinge loss).

All numbers come from the session (``train_error_signal``, ``train_max_wrong``,
``train_max_wrong_signal``, ``train_sample_loss``, ``sample_detail``); the view only
orders, bins and draws them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from explorer.core import PROBABILISTIC_LOSSES
from explorer.core.ordering import descending_order, extreme_per_bin, samples_per_bin
from explorer.session.changes import Change
from explorer.views.base import SessionView
from explorer.views.items.detail_bars import BOTH_SIDES_TICKS, DetailBars
from explorer.views.items.sample_bars import MIN_GAPPED_BAR_PX, SampleBars
from explorer.views.items.signal_texts import floor_ticks, signal_floor, signal_texts
from explorer.views.items.viewport import repaint_changes_as_one_rect
from explorer.views.palette import LIGHT, Theme, class_colors, hex_color
from explorer.views.qt_helpers import (
    choice_combo,
    signals_blocked,
    theme_check_box,
    typographic_minus,
)

#: (id, combo text) of the bar orders.
SORTS = (("index", "Data order"), ("loss", "Worst loss first"))
#: The top plot's y label (short: the dock is often small; the title says the rest).
AXIS_LABEL = "∂L/∂z<sub>y</sub>"
#: Pixel width assumed before the plot has been laid out.
DEFAULT_PIXELS = 600


class BarsView(SessionView):
    """Per-sample error-signal bars (click to select) and the selected sample's ``∂L/∂z``.

    Attributes
    ----------
    bar_order : ndarray of int64, shape (N_train,)
        Positions into the training arrays (``session.train_error_signal()`` etc.) in
        display order.
    bar_samples : ndarray of int64, shape (N_train,)
        The same samples as indices into ``session.data``.
    bar_heights : ndarray, shape (N_train,)
        ``∂L/∂z_y`` of each sample in display order (exactly the session's values).
    max_wrong_heights : ndarray, shape (N_train,), or None
        Largest wrong-class ``∂L/∂z_k`` (cross-entropy: ``p_k``) in display order, when
        shown.
    bin_size : int
        Samples per drawn bar (1 = no binning).
    drawn_samples, drawn_heights : ndarray, shape (B,)
        Data index and height of each drawn downward bar (a bin's worst sample).
    drawn_up_samples, drawn_up_heights : ndarray, shape (B,), or None
        The same for the upward bars.
    detail_index : int or None
        Sample shown in the bottom plot.
    detail_values : dict[str, ndarray of float64, shape (C,)]
        The three series of that sample by name (:attr:`SignalTexts.series`, e.g.
        ``"p"``, ``"y"``, ``"p − y"``; empty without a selection).
    loss : str
        The loss the bars show.
    """

    view_id = "bars"
    title = "Error signal ∂L/∂z"

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self.sort = "index"
        self.show_max_wrong = False
        self._n_classes = -1
        self._pixels = DEFAULT_PIXELS
        self._identity = np.zeros(0, dtype=np.int64)
        self.loss = ""
        self.texts = signal_texts("cross_entropy")
        self.floor = -1.0
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
        self.sort_combo = choice_combo(
            self,
            SORTS,
            "Order of the bars: the samples' order in the data, or by per-sample loss with\n"
            "the worst-classified sample on the left",
            self.set_sort,
        )
        self.wrong_check = QCheckBox("Largest wrong p_k", self)
        self.wrong_check.setToolTip(
            "Also draw, upwards, each sample's largest ∂L/∂z_k on a wrong class (for\n"
            "cross-entropy its largest wrong p_k): the class the loss pushes down hardest"
        )
        self.wrong_check.toggled.connect(self.set_show_max_wrong)
        sort_label = QLabel("Order:", self)
        sort_label.setToolTip(self.sort_combo.toolTip())
        sort_label.setBuddy(self.sort_combo)  # left out of exports with it
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
        self.samples = SampleBars(self.top)
        self.detail = DetailBars(g, 1, self)
        self.bottom, self.detail_axis = self.detail.plot, self.detail.axis
        g.ci.layout.setRowStretchFactor(0, 3)
        g.ci.layout.setRowStretchFactor(1, 2)
        # Per plot (top, bottom): the tick fitter, the zero line and the dotted grid.
        self.tick_fitters = [self.samples.tick_fitter, self.detail.tick_fitter]
        self.zero_lines = [self.samples.zero_line, self.detail.zero_line]
        self.grid_lines = [self.samples.grid_line, self.detail.grid_line]
        self.marked = self.samples.marked
        self.highlight, self.highlight_bar, self.highlight_marker = (
            self.marked.line,
            self.marked.bar,
            self.marked.marker,
        )
        g.scene().sigMouseClicked.connect(self._scene_clicked)
        self.top.getViewBox().sigResized.connect(self._resized)
        self._apply_theme()

    @property
    def down_items(self) -> list:
        """The per-class items of the downward bars."""
        return self.samples.down_items

    @property
    def up_items(self) -> list:
        """The per-class items of the upward bars."""
        return self.samples.up_items

    @property
    def bar_gap(self) -> float:
        """The gap each side of a bar, in slots."""
        return self.samples.bar_gap

    @property
    def detail_items(self) -> dict:
        """The selected sample's bar items by series name."""
        return self.detail.items

    def _apply_theme(self) -> None:
        theme = self.theme
        self.graphics.setBackground(theme.background)
        self.samples.apply_theme(theme)
        self.samples.label("left", AXIS_LABEL)
        self.detail.apply_theme(theme)
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
        """Also draw each sample's largest wrong-class ``∂L/∂z_k`` (cross-entropy: ``p_k``)
        as an upward bar."""
        self.show_max_wrong = bool(on)
        if self.wrong_check.isChecked() != self.show_max_wrong:
            with signals_blocked(self.wrong_check):
                self.wrong_check.setChecked(self.show_max_wrong)
        self._range_top()
        self._update_bars()
        self._update_selection()

    def _range_top(self) -> None:
        up = self.show_max_wrong
        self.samples.set_range(self.floor, up, AXIS_LABEL, self.texts.top_tip)

    def _follow_loss(self) -> None:
        """Words, ranges and ticks for the session's loss (when it or the classes change)."""
        loss = self.session.config.loss
        floor = signal_floor(loss, self._n_classes)
        if (loss, floor) == (self.loss, self.floor):
            return
        self.loss, self.floor, self.texts = loss, floor, signal_texts(loss)
        self.wrong_check.setText(self.texts.check)
        self.detail.set_series(self.texts.series, self.texts.detail_tip)
        self.detail.set_floor(floor, floor_ticks(floor, True) if floor < -1 else BOTH_SIDES_TICKS)
        self._range_top()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._apply_theme()
        self.refresh(Change.SESSION)

    def select_bar(self, x: float, y: float = -0.5) -> int | None:
        """Select the sample drawn at data coordinates ``(x, y)`` of the top plot.

        Returns the data index selected, or None when ``x`` is outside the bars. With the
        upward bars shown, ``y > 0`` picks the bin's sample with the largest upward bar.
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
        self.samples.set_classes(colors)
        self.detail.set_classes(names, colors)
        self.loss = ""  # the floor may change with the classes
        self._follow_loss()
        self.set_show_max_wrong(self.show_max_wrong)

    def update_view(self, changes: Change) -> None:
        """Recompute bars after parameter/data changes; move the highlight and detail."""
        if len(self.session.data.class_names) != self._n_classes:
            self.rebuild()
        if changes & ~Change.SELECTION:
            self._follow_loss()
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
        signal = s.train_error_signal()
        if self.sort == "loss":
            order = descending_order(s.train_sample_loss())
            self.bar_samples = train[order]
            self.bar_heights = signal[order]
        else:
            # Data order: the session's arrays themselves (read-only), no copy per frame.
            if len(self._identity) != n:
                self._identity = np.arange(n, dtype=np.int64)
            order = self._identity
            self.bar_samples = train
            self.bar_heights = signal
        self.bar_order = order
        self._pixels = self._plot_pixels()
        size = samples_per_bin(n, self._pixels)
        self.bin_size = size
        pos = extreme_per_bin(self.bar_heights, size, lowest=True)
        self.drawn_samples = self.bar_samples[pos]
        self.drawn_heights = self.bar_heights[pos]
        bars = len(self.drawn_samples)
        gapped = size == 1 and bars * MIN_GAPPED_BAR_PX <= self._pixels
        self.samples.fill(False, s.data.y[self.drawn_samples], self.drawn_heights, gapped)
        if self.show_max_wrong:
            up = s.train_max_wrong() if self.loss == "cross_entropy" else None
            self.max_wrong_heights = (up if up is not None else s.train_max_wrong_signal())[order]
            up = extreme_per_bin(self.max_wrong_heights, size, lowest=False)
            self.drawn_up_samples = self.bar_samples[up]
            self.drawn_up_heights = self.max_wrong_heights[up]
            labels = s.data.y[self.drawn_up_samples]
            self.samples.fill(True, labels, self.drawn_up_heights, gapped)
        else:
            self.max_wrong_heights = self.drawn_up_samples = self.drawn_up_heights = None
            self.samples.fill(True, np.zeros(0, dtype=np.int64), np.zeros(0), gapped)
        self.samples.set_count(max(bars, 1))
        self._set_top_title(n, size)

    def _set_top_title(self, n: int, size: int) -> None:
        text = f"{self.texts.signal} for {n} training samples"
        if self.show_max_wrong:
            text = f"↓ {self.texts.signal}, {self.texts.up}, {n} training samples"
        order = "in data order" if self.sort == "index" else "worst loss first →"
        axis = f"samples, {order}"
        if size > 1:
            axis += f" (1 bar = worst of {size})"
        self.samples.set_titles(text, axis)

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
        first = d.p if self.loss in PROBABILISTIC_LOSSES else d.p_minus_y
        self.detail_values = values = {
            name: np.asarray(v, dtype=np.float64)
            for name, v in zip(self.texts.series, (first, d.y, d.dz), strict=True)
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
