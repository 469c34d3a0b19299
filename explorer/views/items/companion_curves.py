"""A second run's loss and accuracy in the curves view (compare mode).

Run B's train and test curves go into the same two plots as run A's, in the same
colours (train blue, test vermillion) but dotted (train) and dash-dotted (test), so a
student tells the runs apart by line style and the sets by colour. The legend gains one
entry per run in the foreground colour: "A: loss cross entropy" solid, "B: loss
squared error" dotted.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt

from explorer.views.items.history_curve import HistoryCurve

#: Losses below this are drawn at it on a logarithmic axis.
LOG_FLOOR = 1e-12
#: B's pens: (train, test) styles.
STYLES = (Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)
A_STYLE = Qt.PenStyle.SolidLine


class CompanionCurves:
    """Run B's four curves and the runs' legend entries on the curves view's plots.

    Parameters
    ----------
    loss_plot, acc_plot : pyqtgraph.PlotItem
    legend : pyqtgraph.LegendItem
    session : Session
        Run B (read: ``metrics``, ``head``).
    labels : tuple of str
        Run A's and run B's legend texts.
    """

    def __init__(self, loss_plot, acc_plot, legend, session, labels: tuple[str, str]):
        self.session = session
        self.labels = labels
        self._legend = legend
        self.curves: dict[str, HistoryCurve] = {}
        for name, plot in (
            ("train_loss", loss_plot),
            ("test_loss", loss_plot),
            ("train_acc", acc_plot),
            ("test_acc", acc_plot),
        ):
            item = HistoryCurve()
            plot.addItem(item)
            self.curves[name] = item
        self._plots = (loss_plot, acc_plot)
        # Legend samples only: never drawn in a plot.
        self._keys = (pg.PlotDataItem(), pg.PlotDataItem())
        self._ds = 0

    def add_to_legend(self) -> None:
        """The runs' entries, after the view's own (train, test)."""
        for key, label in zip(self._keys, self.labels, strict=True):
            self._legend.addItem(key, label)

    def set_colors(self, train, test, foreground) -> None:
        """Pens in the view's train and test colours and, for the legend, the foreground."""
        for name, item in self.curves.items():
            kind = 0 if name.startswith("train") else 1
            color = train if kind == 0 else test
            item.setPen(pg.mkPen(color, width=2, style=STYLES[kind]))
        self._keys[0].setPen(pg.mkPen(foreground, width=2, style=A_STYLE))
        self._keys[1].setPen(pg.mkPen(foreground, width=2, style=STYLES[0]))

    def peak_loss(self) -> float:
        """The largest loss of run B so far (0 with no steps)."""
        m = self.session.metrics
        losses = [m.train_loss] + ([m.test_loss] if m.has_test else [])
        return max((float(v.max()) for v in losses if len(v)), default=0.0)

    def widen(self, lo: float, hi: float) -> tuple[float, float]:
        """``(lo, hi)`` widened to hold run B's losses too."""
        m = self.session.metrics
        for v in [m.train_loss] + ([m.test_loss] if m.has_test else []):
            if len(v):
                lo, hi = min(lo, float(v.min())), max(hi, float(v.max()))
        return lo, hi

    def update(self, steps_for, log_loss: bool, ds: int) -> None:
        """Feed B's metrics (``steps_for(n)``: the step numbers ``0..n-1``)."""
        m = self.session.metrics
        n = len(m.train_loss)
        steps = steps_for(n)
        for name, item in self.curves.items():
            if name.startswith("test") and not m.has_test:
                item.setData([], [])
                continue
            values = getattr(m, name)
            if log_loss and name.endswith("loss"):
                values = np.log10(np.maximum(values, LOG_FLOOR))
            if ds != self._ds:
                item.setDownsampling(ds=ds, auto=False, method="peak")
            item.setData(steps, values)
        self._ds = ds

    def remove(self) -> None:
        """Take B's curves out of the plots and the runs out of the legend."""
        for name, item in self.curves.items():
            plot = self._plots[0] if name.endswith("loss") else self._plots[1]
            plot.removeItem(item)
        for key in self._keys:
            self._legend.removeItem(key)
