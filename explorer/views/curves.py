"""Loss and accuracy against training step, with a marker at the step being shown.

Two stacked plots share the step axis: loss on top, accuracy below. The curves are
persistent :class:`HistoryCurve` items fed the session's metric arrays as they are (no
copy, no recomputation); long histories are decimated at paint time (peak downsampling,
about one min/max pair per two pixels of the plot's width, re-chosen when it is resized).
Ranges are fixed and only re-ranged when the history outgrows them, so a frame never pays
for auto-ranging; once the history stops growing for :data:`SETTLE_MS` the step axis
ends at the last step (an export ends there at once). The loss axis can be logarithmic
(one spike then no longer flattens the rest).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QPointF, Qt, QTimer
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QCheckBox, QGraphicsItem, QVBoxLayout, QWidget

from explorer.session.changes import Change
from explorer.views.base import SessionView
from explorer.views.items.axes import (
    TickFitter,
    cache_axes,
    fit_left_axis_widths,
    lazy_upper,
    still_plot,
    theme_axes,
)
from explorer.views.items.companion_curves import CompanionCurves
from explorer.views.items.history_curve import HistoryCurve
from explorer.views.items.rules import GridGraphics, PlotGrid
from explorer.views.items.step_marker import StepMarker
from explorer.views.items.viewport import repaint_changes_as_one_rect
from explorer.views.palette import LIGHT, Theme, hex_color
from explorer.views.qt_helpers import theme_check_box

#: Smallest step range shown on the x axis.
MIN_STEPS = 10
#: While the history grows, the step axis grows by this factor when outgrown (a few
#: re-ranges over a long run); once it has not grown for SETTLE_MS it ends at the last step.
X_GROWTH = 1.25
SETTLE_MS = 1000
#: Losses below this are drawn at it on the logarithmic axis (a loss can round to 0).
LOG_FLOOR = 1e-12
#: The widest tick label the left axes make room for, next to their title.
WIDEST_TICK = "0.0001"
#: Long histories are peak-decimated to one min/max pair per 1/factor pixels: stroking a
#: 2-pixel pen costs per segment (8000 steps at W2: 38 ms per frame undecimated).
DOWNSAMPLE_FACTOR = 0.5
#: Tick sets of the accuracy axis, densest first (the first whose labels fit its height).
ACC_TICKS = ((0.0, 0.25, 0.5, 0.75, 1.0), (0.0, 0.5, 1.0), (0.0, 1.0))
#: Colours of the train and test curves (Okabe–Ito blue and vermillion, readable on both themes).
TRAIN_COLOR = (0x00, 0x72, 0xB2)
TEST_COLOR = (0xD5, 0x5E, 0x00)
TRAIN_COLOR_DARK = (0x56, 0xB4, 0xE9)


class CurvesView(SessionView):
    """Train/test loss and accuracy against step; click or drag the marker to seek.

    Attributes
    ----------
    loss_plot, acc_plot : pyqtgraph.PlotItem
        The two plots (x axes linked).
    curves : dict[str, HistoryCurve]
        Keys ``train_loss``, ``test_loss``, ``train_acc``, ``test_acc``; each holds the
        session's ``metrics`` array of that name against ``arange(head + 1)``.
    markers : list[explorer.views.items.step_marker.StepMarker]
        The vertical line at ``session.step_index`` in each plot.
    """

    view_id = "curves"
    title = "Loss and accuracy"
    #: The metrics and the shown step do not depend on the selection or the temperature.
    LISTENS_TO = ~(Change.SELECTION | Change.DISPLAY)

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self._x_top = float(MIN_STEPS)
        self._loss_top = 1.0
        self._log_range: tuple[float, float] | None = None
        self._steps = np.arange(0, dtype=np.float64)
        self._log_buffers: dict[str, np.ndarray] = {}
        #: Whether the loss axis is logarithmic (see :meth:`set_log_loss`).
        self.log_loss = False
        self.companion: CompanionCurves | None = None  # compare mode's run B
        self._updating = False
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(SETTLE_MS)
        self._settle_timer.timeout.connect(self.settle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.graphics = GridGraphics(self)
        repaint_changes_as_one_rect(self.graphics)
        self.graphics.setToolTip(
            "Loss (top) and accuracy (bottom) at every training step.\n"
            "Solid: training set, dashed: test set. Click a step or drag the line to show it."
        )
        layout.addWidget(self.graphics)
        # In the free corner under the y axes, left of the step axis's first tick: not in a
        # row of its own (the curves often get a short dock), never over a curve or the
        # step marker's label.
        self.log_box = QCheckBox("log loss", self.graphics)
        self.log_box.setToolTip(
            "Draw the loss on a logarithmic axis: a spike no longer flattens the rest,\n"
            "and slow progress at small losses stays visible."
        )
        self.log_box.toggled.connect(self.set_log_loss)
        self._build_plots()
        self.rebuild()
        self.update_view(Change.SESSION)

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
            still_plot(plot)
            cache_axes(plot)
        fit_left_axis_widths((self.loss_plot, self.acc_plot), WIDEST_TICK)
        # A new width means a new decimation (one bin per two pixels of the new width).
        self.loss_plot.getViewBox().sigResized.connect(self._on_plot_resized)
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

    def _on_plot_resized(self, *args) -> None:
        self._set_downsampling()
        self._place_log_box()

    def _place_log_box(self) -> None:
        box = self.log_box
        box.adjustSize()
        box.move(2, max(0, self.graphics.height() - box.height() - 2))
        box.raise_()

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
        if self.companion is not None:
            self.companion.set_colors(train, TEST_COLOR, theme.foreground)
        for plot in (self.loss_plot, self.acc_plot):
            theme_axes((plot.getAxis("left"), plot.getAxis("bottom")), theme)
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
        theme_check_box(self.log_box, theme)

    # ---------------------------------------------------------------- updating
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._apply_theme()
        self.refresh(Change.SESSION)

    def rebuild(self) -> None:
        """Show or hide the test curves and rebuild the legend for the current data."""
        has_test = bool(self.session.metrics.has_test)
        self.legend.clear()
        self.legend.addItem(self.curves["train_loss"], "train")
        if has_test:
            self.legend.addItem(self.curves["test_loss"], "test")
        if self.companion is not None:
            self.companion.add_to_legend()
        for name in ("test_loss", "test_acc"):
            self.curves[name].setVisible(has_test)
            if not has_test:
                self.curves[name].setData([], [])
        self._x_top = -1.0  # force a re-range on the next update
        self._loss_top = -1.0
        self._log_range = None
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

    def update_view(self, changes: Change) -> None:
        """Push the metric arrays to the curves and move the marker to the shown step."""
        s = self.session
        m = s.metrics
        steps = self._steps_upto(len(m.train_loss))
        names = ("train_loss", "train_acc")
        if m.has_test:
            names += ("test_loss", "test_acc")
        self._rerange(s.head, m)
        self._set_downsampling()
        for name in names:
            self.curves[name].setData(steps, self._values(name, m))
        if self.companion is not None:
            self.companion.update(self._steps_upto, self.log_loss, self._ds)
        if self._x_top != max(s.head, MIN_STEPS):
            self._settle_timer.start()  # (again): the axis ends at the last step once idle
        self._updating = True
        try:
            # the step label sits on the side of the line with more room
            right = s.step_index <= 0.6 * self._x_top
            for line in self.markers:
                line.setValue(s.step_index)
                line.set_label_side(right)
        finally:
            self._updating = False

    def set_companion(self, session, labels: tuple[str, str] = ("A", "B")) -> None:
        """Draw run ``session``'s curves beside this view's (compare mode; None: stop)."""
        if self.companion is not None:
            self.companion.remove()
        plots = (self.loss_plot, self.acc_plot, self.legend)
        self.companion = None if session is None else CompanionCurves(*plots, session, labels)
        self._apply_theme()
        self.refresh(Change.SESSION)

    def _steps_upto(self, n: int) -> np.ndarray:
        if len(self._steps) < n:
            self._steps = np.arange(max(n, 2 * len(self._steps)), dtype=np.float64)
        return self._steps[:n]

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

    def _values(self, name: str, m) -> np.ndarray:
        """The metric ``name`` as drawn: as it is, or ``log10`` of a loss on a log axis."""
        values = getattr(m, name)
        if not (self.log_loss and name.endswith("loss")):
            return values
        buffer = self._log_buffers.get(name)
        if buffer is None or len(buffer) < len(values):
            buffer = self._log_buffers[name] = np.empty(max(len(values), 1024))
        out = buffer[: len(values)]
        np.maximum(values, LOG_FLOOR, out=out)
        np.log10(out, out=out)
        return out

    def set_log_loss(self, on: bool) -> None:
        """Draw the loss on a logarithmic (True) or linear (False) axis."""
        on = bool(on)
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)  # comes back here through toggled
            return
        if on == self.log_loss:
            return
        self.log_loss = on
        self.loss_plot.getAxis("left").setLogMode(on)
        self._loss_top = -1.0
        self._log_range = None
        self.update_view(Change.PARAMS)

    def settle(self) -> None:
        """End the step axis at the last step now (the history stopped growing)."""
        self._settle_timer.stop()
        x_top = float(max(self.session.head, MIN_STEPS))
        if x_top != self._x_top:
            self._x_top = x_top
            self.loss_plot.setXRange(0.0, x_top, padding=0.02)
            self._set_downsampling()

    def _rerange(self, head: int, m) -> None:
        x_top = lazy_upper(float(head), self._x_top, float(MIN_STEPS), factor=X_GROWTH)
        if x_top != self._x_top:
            self._x_top = x_top
            self.loss_plot.setXRange(0.0, x_top, padding=0.02)
        if self.log_loss:
            self._rerange_log(m)
            return
        peak = float(m.train_loss.max()) if len(m.train_loss) else 1.0
        if m.has_test and len(m.test_loss):
            peak = max(peak, float(m.test_loss.max()))
        peak = max(peak, self.companion.peak_loss() if self.companion else 0.0)
        loss_top = lazy_upper(peak * 1.05, self._loss_top, 0.25, factor=1.25, shrink=2.0)
        if loss_top != self._loss_top:
            self._loss_top = loss_top
            self.loss_plot.setYRange(0.0, loss_top, padding=0.05)

    def _rerange_log(self, m) -> None:
        """Whole decades around the losses, re-ranged only when they leave them."""
        losses = [m.train_loss] + ([m.test_loss] if m.has_test else [])
        lo = min(float(v.min()) for v in losses if len(v)) if len(m.train_loss) else 1.0
        hi = max(float(v.max()) for v in losses if len(v)) if len(m.train_loss) else 1.0
        lo, hi = self.companion.widen(lo, hi) if self.companion else (lo, hi)
        lo, hi = np.log10(max(lo, LOG_FLOOR)), np.log10(max(hi, LOG_FLOOR))
        current = self._log_range
        if current is not None and current[0] <= lo and hi <= current[1]:
            return
        bottom, top = float(np.floor(lo)), float(np.ceil(hi + 0.02))
        if top - bottom < 1.0:
            top = bottom + 1.0
        self._log_range = (bottom, top)
        self.loss_plot.setYRange(bottom, top, padding=0.05)

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
        """The plots, their step axis ending at the last step."""
        self.settle()
        return self.graphics

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_log_box()
