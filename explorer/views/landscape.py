"""The loss landscape: the batch loss over a plane through parameter space, and the path.

The heatmap (with contour lines and a colour bar) is the loss plus its penalties over the
chosen plane (``docs/landscape.md``); the optimiser's path from the history is drawn on
it, the shown step ringed. Below, how far each step lies off the plane. The view only
draws: the plane, the path on it and the surface job are the session's
:class:`~explorer.session.landscape_model.Landscape`, which a timer advances a slice at a
time, so the window never waits for a surface (the previous one stays until the next is
ready). Hover shows the exact loss; a click in a plane of two coordinates sets them, as
an edit of the parameter table does (undoable, every view follows).
"""

from __future__ import annotations

import html
import time

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt, QTimer
from PyQt6.QtWidgets import (
    QBoxLayout,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core.contours import surface_levels
from explorer.session.changes import Change
from explorer.session.landscape_choice import PlaneChoice
from explorer.session.landscape_model import Landscape
from explorer.views.base import SessionView
from explorer.views.items.axes import cache_axes, theme_axes
from explorer.views.items.distance_strip import DistanceStrip
from explorer.views.items.heatmap import HeatmapItem
from explorer.views.items.landscape_items import ContourLines, PathItems
from explorer.views.items.plane import CornerLabel, PlaneViewBox
from explorer.views.items.plane_chooser import PlaneChooser
from explorer.views.palette import LIGHT, Theme, hex_color
from explorer.views.qt_helpers import Throttle, follow_dock, format_number, on_screen

#: The path's colour (red-orange: readable on every colour of viridis), and run B's
#: (compare mode: white, dashed in the distance plot).
PATH_COLOR = (255, 85, 40)
COMPANION_COLOR = (255, 255, 255)
#: Steps closer than this in time count as "playing" (a coordinate plane then waits).
PLAYING_GAP_S = 0.3
#: The surface job's slice per timer tick (seconds) and the tick interval (ms).
SLICE_S, TICK_MS = 0.03, 15
RANGE_SETTLE_MS = 300  #: zoom and pan recompute the range shown once it settles (ms)


class LandscapeView(SessionView):
    """Heatmap and contours of the loss over a plane, with the training path on it."""

    view_id = "landscape"
    title = "Loss landscape"

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self.model = Landscape(session)
        #: Draw the steps after the shown one (faint); off: the path grows as it is
        #: replayed (a recording).
        self.show_future = True
        self._last_step_at = -np.inf
        self._dirty = True
        self._shape = None
        self._build()
        self._apply_theme()
        self.rebuild()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        self.chooser = c = PlaneChooser(self)
        c.chosen.connect(self.set_choice)
        self.kind_combo, self.first_combo, self.second_combo, self.flat_combo = c.combos
        bar.addWidget(c)
        bar.addStretch(1)
        self.fit_button = QPushButton("Fit to path", self)
        self.fit_button.setToolTip("Fit the ranges to the path again after zooming or panning")
        self.fit_button.clicked.connect(lambda: self.model.set_ranges(None) or self._wake())
        bar.addWidget(self.fit_button)
        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        self.note_label.setContentsMargins(6, 0, 6, 0)

        self.graphics = pg.GraphicsLayoutWidget(self)
        self.built = False  # the plots are made when the view is first seen (_build_plots)
        self.run_labels = ("A", "B")
        self._range_timer = QTimer(self, singleShot=True, interval=RANGE_SETTLE_MS)
        self._range_timer.timeout.connect(self._on_range_settled)
        self._hover_pos = None
        self._hover_throttle = Throttle(self._show_hover, self)
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.note_label)
        self.plots_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.plots_layout.setSpacing(0)
        self.plots_layout.addWidget(self.graphics, 1)
        layout.addLayout(self.plots_layout, 1)

    def _build_plots(self) -> None:
        """Make the plots, once, when the view is first seen or exported: three pyqtgraph
        plots take ~70 ms to make, which a window opening with this tab hidden need not pay."""
        if self.built:
            return
        self.built = True
        self.view_box = PlaneViewBox(self)
        self.plot = self.graphics.addPlot(row=0, col=0, viewBox=self.view_box)
        self.plot.hideButtons()
        self.image = HeatmapItem()
        self.image.setAutoDownsample(False)
        self.plot.addItem(self.image)
        self.contours = ContourLines()
        self.plot.addItem(self.contours, ignoreBounds=True)
        for item in (self.image, self.contours):  # redrawn only with a new surface
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.path_items = PathItems(self.view_box)
        self.companion_items = PathItems(self.view_box, "run B")
        self.companion_items.set_visible(False)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"),
                                        interactive=False, width=12, label="loss L")  # fmt: skip
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.hover_label = CornerLabel(self.view_box, "top-left")
        # its own widget: a wide dock puts it beside by the box's direction (moving a plot in
        # a GraphicsLayout takes it out of the scene, and Qt then met half-gone labels)
        self.strip_widget = pg.PlotWidget(self)
        self.plots_layout.addWidget(self.strip_widget)
        self.distance_plot = self.strip_widget.getPlotItem()
        self.strip = DistanceStrip(self.distance_plot)
        cache_axes(self.plot, self.distance_plot)
        for axis in (*self.plot.axes.values(), *self.distance_plot.axes.values()):
            axis["item"].enableAutoSIPrefix(False)  # "W[0,0] (x0.001)" reads as a new name
        self.colorbar.axis.enableAutoSIPrefix(False)
        self.colorbar.axis.setWidth(68)  # room for "0.0142": narrower, pyqtgraph drops every label
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.view_box.sigRangeChangedManually.connect(lambda *_: self._range_timer.start())
        self._theme_plots()
        self._arrange()
        self._dirty = True
        if self.model.surface is not None:
            self._draw_surface()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event) or self._arrange()

    def _arrange(self) -> None:
        """The distance strip below the landscape, or beside it in a wide, short dock."""
        if not self.built:
            return
        w, h = self.width(), self.height()
        beside = w > 2.2 * h
        direction = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        if self.plots_layout.direction() != direction:
            self.plots_layout.setDirection(direction)
        strip = self.strip_widget
        if beside:  # a quarter of the width; below: a quarter of the height, at most 90 px
            strip.setMinimumSize(int(0.25 * w), 0)
            strip.setMaximumSize(max(200, int(0.3 * w)), 16_777_215)
        else:
            strip.setMinimumSize(0, int(min(60.0, 0.2 * h)))
            strip.setMaximumSize(16_777_215, int(min(90.0, 0.25 * h)))

    def _apply_theme(self) -> None:
        t = self.theme
        self.graphics.setBackground(t.background)
        self.note_label.setStyleSheet(f"color: {hex_color(t.foreground)}")
        self._theme_plots()

    def _theme_plots(self) -> None:
        if not self.built:
            return
        t = self.theme
        self.strip_widget.setBackground(t.background)
        axes = [self.plot.getAxis(s) for s in ("left", "bottom")]
        axes += self.strip.axes
        axes.append(self.colorbar.axis)
        theme_axes(axes, t)
        self.contours.set_color(t.background if t.name == "light" else t.foreground)
        self.path_items.set_color(PATH_COLOR, t.foreground)
        self.companion_items.set_color(COMPANION_COLOR, (0, 0, 0))
        other = COMPANION_COLOR if t.name != "light" else t.foreground
        self.strip.set_colors(PATH_COLOR, other, t.muted)
        self.hover_label.set_theme(t.background, t.foreground)
        # setPen() recolours an axis title with the pen colour; titles use the text colour
        self.colorbar.getAxis("left").setLabel("loss L", color=hex_color(t.foreground))

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._apply_theme()
        self.refresh(Change.SESSION)

    # ---------------------------------------------------------------- choosing
    def set_choice(self, choice: PlaneChoice) -> None:
        """Show the plane ``choice`` (a refused one is reported and the plane kept)."""
        try:
            self.model.set_choice(choice)
            self.model.set_ranges(None)
        except ValueError as exc:
            self.message.emit(f"Refused the plane: {exc}")
        self.chooser.show_choice(self.model.choice)
        self._wake()

    def set_companion(self, session, labels: tuple[str, str] = ("A", "B")) -> None:
        """Draw compare mode's run B's path too (None: run A alone)."""
        self.model.set_companion(session)
        self.run_labels = labels
        if session is None and self.built:
            self.companion_items.set_visible(False)
        self._dirty = True
        self._wake()

    # ---------------------------------------------------------------- updating
    def rebuild(self) -> None:
        shape = tuple(self.session.W.shape)
        if self.model.session is not self.session:
            self.model.set_session(self.session)
        if shape != self._shape:
            self._shape = shape
            self.chooser.fill(shape)
            self.chooser.show_choice(self.model.choice)

    def update_view(self, changes: Change) -> None:
        if changes & Change.HISTORY and changes & Change.PARAMS:
            self._last_step_at = time.monotonic()
        self.model.notice(changes)
        self._dirty = True
        if on_screen(self):
            self._draw_path()
        self._wake()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        follow_dock(self, self._wake)
        self._wake()

    def _wake(self) -> None:
        if on_screen(self) and not self._timer.isActive():
            self._timer.start()
            self._tick()

    @property
    def playing(self) -> bool:
        """Whether steps are coming in (as while playing): a coordinate plane then waits."""
        return time.monotonic() - self._last_step_at < PLAYING_GAP_S

    def _tick(self) -> None:
        if not on_screen(self):
            self._timer.stop()
            return
        if self.model.tick(self.playing, SLICE_S):
            self._draw_surface()
        if self._dirty:
            self._draw_path()
        if not self.model.waiting:
            self._timer.stop()
        self._show_note()

    def flush(self) -> None:
        """Finish a surface under way and draw everything now (export, tests)."""
        self._build_plots()
        self._arrange()  # a hidden view was resized without a resize event (export)
        self.layout().activate()  # now, not at the next event loop
        self.graphics.ci.layout.activate()
        if (self.model.busy or self.model.forced) and self.model.finish() is not None:
            self._draw_surface()
        self._draw_path()
        self._show_note()

    def export_widget(self) -> QWidget:
        return self.flush() or self

    def _draw_surface(self) -> None:
        self._build_plots()
        surface = self.model.surface
        if surface is None:
            return
        a, b = surface.alphas, surface.betas
        da, db = (a[-1] - a[0]) / max(1, a.size - 1), (b[-1] - b[0]) / max(1, b.size - 1)
        rect = QRectF(a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db)
        low, high, levels = surface_levels(surface.values)
        self.image.setImage(surface.values, autoLevels=False, levels=(low, high), rect=rect)
        self.colorbar.setLevels((low, high))
        self.contours.set_surface(surface.values, a, b, levels)
        plane = surface.plane
        self.plot.setLabel("bottom", plane.u_label)
        self.plot.setLabel("left", plane.v_label)
        self.view_box.setRange(xRange=(rect.left(), rect.right()),
                               yRange=(rect.top(), rect.bottom()), padding=0)  # fmt: skip
        self._draw_path()

    def _draw_path(self) -> None:
        self._build_plots()
        self._dirty = False
        path = self.model.path()
        if path is None:
            return
        shown = int(np.searchsorted(path.steps, self.session.step_index, side="right"))
        self.path_items.set_path(path.alphas, path.betas, shown)
        self.path_items.future.setVisible(self.show_future)
        marker = self.model.marker()
        self.path_items.set_marker(*(marker[:2] if marker else (None, None)))
        other = self.model.companion_path() if self.model.companion is not None else None
        if other is not None or self.companion_items.line.isVisible():
            self.companion_items.set_visible(other is not None)
        if other is not None:
            b = self.model.companion
            upto = int(np.searchsorted(other.steps, b.step_index, side="right"))
            self.companion_items.set_path(other.alphas, other.betas, upto)
            self.companion_items.future.setVisible(self.show_future)
            self.companion_items.set_marker(*self.model.companion_marker()[:2])
        last = max(self.session.head, b.head if other is not None else 0)
        self.strip.show(path.steps, path.distances, self.session.step_index, last,
                        None if other is None else (other.steps, other.distances))  # fmt: skip

    def _show_note(self) -> None:
        """The plane's note; it changes with the plane, never with each step (a new text
        lays the word-wrapped label, and with it the dock, out again: ~20 ms a frame)."""
        m = self.model
        plane = m.surface.plane if m.surface is not None else None
        parts = []
        if m.error:
            parts.append(m.error)
        elif plane is not None:
            if plane.kind == "coordinates":
                parts.append(f"The other entries are held at step {m.surface.step}.")
            if plane.note:
                parts.append(plane.note)
        if m.companion is not None:
            a, b = (html.escape(label) for label in self.run_labels)
            if m.companion_shares_objective():
                parts.append(f"Paths: <b style='color:{hex_color(PATH_COLOR)}'>{a}</b>, "
                             f"<b>{b}</b> (white).")  # fmt: skip
            else:
                parts.append(f"{b} trains another loss or penalty: its path lies on another "
                             "landscape and is not drawn.")  # fmt: skip
        if m.busy:
            parts.append("Computing the surface…")
        text = " ".join(parts)
        if text != self.note_label.text():
            self.note_label.setText(text)

    # ---------------------------------------------------------------- the mouse
    def _on_range_settled(self) -> None:
        (a0, a1), (b0, b1) = self.view_box.viewRange()
        try:
            self.model.set_ranges((a0, a1, b0, b1))
        except ValueError as exc:
            self.message.emit(str(exc))
        self._wake()

    def _on_mouse_moved(self, pos) -> None:
        self._hover_pos = pos
        # the exact loss is a float64 pass over the training set (~10 ms at W3): at most
        # every READOUT_INTERVAL_S, the last position always shown
        self._hover_throttle.request(hold=True)

    def _show_hover(self) -> None:
        pos = self._hover_pos
        if (
            pos is None
            or self.model.surface is None
            or not self.view_box.sceneBoundingRect().contains(pos)
        ):
            self.hover_label.set_html(None)
            return
        p = self.view_box.mapSceneToView(pos)
        plane = self.model.projection.plane
        loss = self.model.loss_at(p.x(), p.y())
        self.hover_label.set_html(
            f"{plane.u_label} = {format_number(p.x(), 4)}, {plane.v_label} = "
            f"{format_number(p.y(), 4)}<br><b>L</b> = {format_number(loss, 6)}"
        )

    edit_mode, dragging = False, None  # PlaneViewBox's owner: no points to drag, drags pan

    def click_at(self, xy, button) -> bool:
        """A left click in a plane of two coordinates sets them to the point clicked."""
        if button != Qt.MouseButton.LeftButton or self.model.projection is None:
            return False
        try:
            W, b = self.model.params_at(float(xy[0]), float(xy[1]))
            self.session.set_params(W, b)
        except ValueError as exc:
            self.message.emit(f"Click: {exc}")
            return True
        plane = self.model.projection.plane
        u, v = format_number(xy[0], 4), format_number(xy[1], 4)
        self.message.emit(f"Set {plane.u_label} = {u} and {plane.v_label} = {v} (Ctrl+Z undoes it)")
        return True
