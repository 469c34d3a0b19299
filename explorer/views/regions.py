"""View 1, "Decision regions": the plane coloured by the winning class, the data on top.

The colour is the class of the largest score, shaded by ``max p`` for the probabilistic
losses and by the gap between the top two scores, clipped at ``Δ``, for the hinge losses
(the session's ``decision_image``). With identity features two overlays are handles too:
dragging a weight arrow's head sets that row of ``W``, dragging a zero-score line sets
that class's ``b`` (:mod:`explorer.views.items.parameter_handles`).

Every frame the session turns the cached grid features into ``uint8`` indices
(class · levels + confidence level, :func:`explorer.core.decision.decision_indices`); the
view maps them through a 32-bit lookup table into a persistent ``QImage`` buffer
(docs/performance.md). The grid tiles the visible range, wherever one zooms or pans
(:mod:`explorer.views.items.decision_layer`). The scatter items get positions and brushes
once per data change; per frame only the image, and the optional overlays, move. In edit
mode the mouse adds, drags and deletes points through the session's edit methods.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core.decision import decision_lut, levels_per_class
from explorer.core.plane import data_centre, fit_range, inside
from explorer.session.changes import Change
from explorer.views.base import SessionView
from explorer.views.items.axes import cache_axes, theme_axes
from explorer.views.items.decision_layer import DecisionLayer
from explorer.views.items.parameter_handles import ParameterHandles
from explorer.views.items.plane import CornerLabel, PlaneViewBox
from explorer.views.items.plane_editing import PlaneEditing
from explorer.views.items.plane_texts import (
    NEEDS_IDENTITY,
    OVERLAYS,
    PULL_DISABLED,
    TOOLTIPS,
    hover_html,
    overlay_boxes,
    pull_sizes,
)
from explorer.views.items.points import PointLayers, SelectionRing
from explorer.views.items.viewport import repaint_changes_as_one_rect
from explorer.views.items.weight_arrows import WeightArrows
from explorer.views.items.zero_lines import ZeroLines
from explorer.views.palette import LIGHT, Theme, class_colors, hex_color, readable_color
from explorer.views.qt_helpers import signals_blocked, theme_check_box

GRID_MIN, GRID_MAX = 10, 2000
#: Above this many training points the pull overlay is unavailable (per-point sizes
#: cost pyqtgraph ~2.5 µs per point per frame).
PULL_MAX_POINTS = 20_000
#: Region colour at the lowest and highest confidence, as a share of the class colour.
LUT_PALE, LUT_FULL = 0.08, 0.5
#: The session changes that change the picture of the plane (all but the selection).
IMAGE_CHANGES = ~Change.SELECTION


class RegionsView(PlaneEditing, SessionView):
    """Decision regions with train (filled) and test (hollow) points on top.

    Signals
    -------
    pointHovered(object)
        The data point under the cursor, ``ndarray (2,)``, or None when the cursor leaves.
    message(str)
        A refused edit, for the status bar.
    """

    view_id = "regions"
    title = "Decision regions"

    pointHovered = pyqtSignal(object)

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self.edit_mode = False
        self.edit_class = 0
        self.overlays = dict.fromkeys(OVERLAYS, False)
        #: ``(xmin, xmax, ymin, ymax)`` fitted to the data on rebuild (what Reset view shows).
        self.fitted_range: tuple[float, float, float, float] | None = None
        self.dragging: int | None = None
        self._drag_action = None  # the session's ActionRecorder while a drag is one action
        self._drag_xy: np.ndarray | None = None
        self._zoomed = False
        self._editing = False
        self._hover_xy: np.ndarray | None = None
        self._n_classes = 0
        self._build_ui()
        self.rebuild()
        self.update_view(Change.SESSION)

    # ------------------------------------------------------------------ building
    def _build_ui(self) -> None:
        self.view_box = PlaneViewBox(self)
        self.plot_widget = pg.PlotWidget(viewBox=self.view_box)
        repaint_changes_as_one_rect(self.plot_widget)
        self.plot_widget.setAntialiasing(False)
        self.plot_widget.setToolTip("")
        plot = self.plot_widget.getPlotItem()
        plot.hideButtons()
        plot.setLabel("bottom", "x₁")
        plot.setLabel("left", "x₂")
        cache_axes(plot)
        self.view_box.setAspectLocked(True, ratio=1.0)
        self.view_box.disableAutoRange()
        self.layer = DecisionLayer(self.view_box, self._on_view_moved)
        self.points = PointLayers(self.view_box)
        self.selected_item = SelectionRing()
        self.view_box.addItem(self.selected_item, ignoreBounds=True)
        self.weights = WeightArrows(self.view_box)
        self.zero_lines = ZeroLines(self.view_box)
        self.handles = ParameterHandles(self)
        self.hover_label = CornerLabel(self.view_box, "top-left")
        self.edit_label = CornerLabel(self.view_box, "bottom-left")
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.view_box.sigRangeChangedManually.connect(self._on_user_zoom)
        # Dock drags resize many times a second: refit the grid once the size settles.
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(150)
        self._resize_timer.timeout.connect(self._on_resized)
        self.view_box.sigResized.connect(lambda *_: self._resize_timer.start())
        self.plot_widget.viewport().installEventFilter(self)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        self.overlay_boxes = overlay_boxes(self, bar, self.set_overlay)
        bar.addStretch(1)
        reset = QPushButton("Reset view", self)
        reset.setToolTip("Fit the plane to the data again after zooming or panning (Ctrl+0)")
        reset.clicked.connect(self.reset_view)
        bar.addWidget(reset)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.plot_widget, 1)

    def export_widget(self) -> QWidget:
        """The plot without the overlay check boxes (its grid refitted first)."""
        self.flush()
        return self.plot_widget

    def figure_controls(self) -> list[QWidget]:
        """None to hide: :meth:`export_widget` is the plot alone, without the check boxes."""
        return []

    def flush(self) -> None:
        """Refit the grid now if a resize or a zoom is still waiting for it (exports, GIF
        frames).

        After a resize the grid is refitted to the plot's new shape only once the size
        has settled (150 ms), and after a zoom or pan it follows the visible range within
        100 ms; a picture taken in between would show the old grid, with blank margins
        where the plot grew.
        """
        if self._resize_timer.isActive():
            self._resize_timer.stop()
            self._on_resized()
        if self.layer.pending and self.layer.follow():
            self._on_view_moved()

    # ------------------------------------------------------------------ the image
    @property
    def image_item(self):
        """The decision image (:class:`explorer.views.items.decision_image.DecisionImageItem`)."""
        return self.layer.image_item

    @property
    def grid_size(self) -> int:
        """Cells per side of the decision image's grid."""
        return self.layer.grid_size

    @property
    def grid_features(self) -> np.ndarray | None:
        """Grid features ``(D, G·G)`` fed to ``session.decision_image`` (cached)."""
        return self.layer.grid_features

    @property
    def last_indices(self) -> np.ndarray | None:
        """The last ``uint8 (G·G,)`` indices from ``session.decision_image``, rows = y."""
        return self.layer.last_indices

    @property
    def image_range(self) -> tuple[float, float, float, float] | None:
        """``(xmin, xmax, ymin, ymax)`` the decision image covers: the visible range."""
        return self.layer.grid_range

    def _on_view_moved(self) -> None:
        """The grid followed a zoom, a pan or a resize: draw the image (and the lines
        across the visible range) over it."""
        self._update_image()
        self._update_zero_lines()

    # ------------------------------------------------------------------ settings
    def set_grid_size(self, G: int) -> None:
        """Use a ``G × G`` grid for the decision image (``10 <= G <= 2000``)."""
        if isinstance(G, bool) or int(G) != G or not GRID_MIN <= G <= GRID_MAX:
            raise ValueError(f"grid size must be an integer from {GRID_MIN} to {GRID_MAX}, got {G}")
        self.layer.grid_size = int(G)
        self.update_view(Change.DISPLAY)

    def set_overlay(self, name: str, on: bool) -> None:
        """Switch an overlay (a name of :data:`OVERLAYS`) on or off."""
        if name not in self.overlays:
            raise ValueError(f"unknown overlay {name!r}; choose one of {', '.join(OVERLAYS)}")
        on = bool(on)
        self.overlays[name] = on
        box = self.overlay_boxes[name]
        if box.isChecked() != on:
            with signals_blocked(box):
                box.setChecked(on)
        if name == "weights":
            self.weights.set_visible(on and self._weights_allowed())
            self._update_weights()
        elif name == "zero-lines":
            self.zero_lines.set_visible(on and self._weights_allowed())
            self._update_zero_lines()
        elif name == "pull":
            self._update_pull()
        else:
            self._update_image()

    def set_theme(self, theme: Theme) -> None:
        """Switch between the light and dark appearance."""
        self.theme = theme
        self._n_classes = 0  # recolour the scatter items too
        self.refresh(Change.SESSION)

    def set_scale(self, factor: float) -> None:
        """Markers, their outlines and the selection ring ``factor`` times their size too."""
        self.points.scale = float(factor)
        self.selected_item.setSize(18 * factor)
        self._n_classes = 0  # remake the scatter items at the new size
        super().set_scale(factor)

    def reset_view(self) -> None:
        """Show the data-fitted range again."""
        self._zoomed = False
        if self.fitted_range is not None:
            x0, x1, y0, y1 = self.fitted_range
            self.view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.0)

    def _aspect(self) -> float:
        w, h = self.view_box.width(), self.view_box.height()
        return float(np.clip(w / h, 0.5, 2.0)) if w > 10 and h > 10 else 1.0

    def _fit(self) -> bool:
        """Fit the grid range to the data and the plot's shape; True if it changed."""
        fitted = fit_range(self.session.data.X, self._aspect())
        if fitted == self.fitted_range:
            return False
        self.fitted_range = fitted
        self.layer.set_fitted(fitted)
        self.reset_view()
        self.layer.follow()
        return True

    def _on_user_zoom(self, *args) -> None:
        self._zoomed = True

    def _on_resized(self) -> None:
        """After the plot settles at a new shape, refit the grid to it (unless zoomed)."""
        if self.fitted_range is None or self._zoomed or self.dragging is not None:
            return
        if self._fit():
            self._update_image()
            self._update_weights()

    # ------------------------------------------------------------------ refresh
    def rebuild(self) -> None:
        """New data, classes, features or session: recolour, refit the range, reset scatters."""
        data = self.session.data
        C = data.n_classes
        self._colors = class_colors(C)
        self._levels = levels_per_class(C)
        # Regions stop at about half the class colour so the fully coloured points on
        # top stay visible even where the model is certain.
        background = np.array(self.theme.background)
        lut = decision_lut(self._colors, background, C, pale=LUT_PALE, full=LUT_FULL)
        self._lut = np.ascontiguousarray(lut, dtype=np.uint32)
        self._apply_theme()
        if not (self._editing and self.fitted_range and inside(data.X, self.fitted_range)):
            self._fit()
        if self._n_classes != C:
            self.points.set_classes(C)
            self._n_classes = C
            text = np.array([self._text_color(k) for k in range(C)])
            self.weights.rebuild(self._colors, text, self.theme)
            self.zero_lines.rebuild(self._colors, self.theme)
        # New features may rule the arrows out (or back in): never leave them frozen.
        self.weights.set_visible(self.overlays["weights"] and self._weights_allowed())
        self.zero_lines.set_visible(self.overlays["zero-lines"] and self._weights_allowed())
        self.points.set_data(data, self._colors, self.theme)
        for name, allowed, why in (
            ("weights", self._weights_allowed(), NEEDS_IDENTITY["weights"]),
            ("zero-lines", self._weights_allowed(), NEEDS_IDENTITY["zero-lines"]),
            ("pull", self._pull_allowed(), PULL_DISABLED.format(PULL_MAX_POINTS)),
        ):
            self.overlay_boxes[name].setEnabled(allowed)
            self.overlay_boxes[name].setToolTip(TOOLTIPS[name] if allowed else why)

    def update_view(self, changes: Change) -> None:
        """Redraw what ``changes`` affect, in place."""
        if changes & IMAGE_CHANGES:
            self._update_image()
            self._update_weights()
            self._update_zero_lines()
            self._update_pull()
            self._update_hover_text()
        self._update_selected()  # every change may move the selected point

    # ------------------------------------------------------------------ drawing
    def _apply_theme(self) -> None:
        t = self.theme
        self.plot_widget.setBackground(t.background)
        plot = self.plot_widget.getPlotItem()
        theme_axes((plot.getAxis("bottom"), plot.getAxis("left")), t)
        for side in ("bottom", "left"):
            axis = plot.getAxis(side)
            # pyqtgraph 0.14 rescales by an SI prefix even when disabled if the range
            # lies within ±1 (x₂ of the 9-point set read ×1000): no range qualifies.
            axis.setSIPrefixEnableRanges(())
            axis.enableAutoSIPrefix(False)
        plot.setLabel("bottom", "x₁", color=hex_color(t.foreground))
        plot.setLabel("left", "x₂", color=hex_color(t.foreground))
        self.selected_item.set_theme(t.foreground)
        for label in (self.hover_label, self.edit_label):
            label.set_theme(t.background, t.foreground)
        for box in self.overlay_boxes.values():
            theme_check_box(box, t)

    def _update_image(self) -> None:
        line = self.theme.foreground if self.overlays["boundaries"] else None
        self.layer.draw(self.session, self._lut, self._levels, line)

    def _update_selected(self) -> None:
        i = self.session.selected
        if self.dragging is not None and self._drag_xy is not None:
            xy = self._drag_xy
        elif i is None or not 0 <= i < self.session.data.X.shape[1]:
            xy = None
        else:
            xy = self.session.data.X[:, i]
        self.selected_item.place(xy)

    def _pull_allowed(self) -> bool:
        return self.session.data.train_index.size <= PULL_MAX_POINTS

    def _weights_allowed(self) -> bool:
        return self.session.feature_map.kind == "identity"

    def _update_weights(self) -> None:
        if not (self.overlays["weights"] and self._weights_allowed()):
            return
        x0, x1, y0, y1 = self.fitted_range
        centre = data_centre(self.session.data.X)
        self.weights.update(self.session.W, centre, min(x1 - x0, y1 - y0))

    def _update_zero_lines(self) -> None:
        if not (self.overlays["zero-lines"] and self._weights_allowed()):
            return
        rng = self.layer.visible_range() or self.fitted_range
        self.zero_lines.update(self.session.W, self.session.b, rng)

    def _update_pull(self) -> None:
        on = self.overlays["pull"] and self._pull_allowed()
        self.points.set_pull(pull_sizes(self.session) if on else None)

    # ------------------------------------------------------------------ hover
    def _on_mouse_moved(self, scene_pos) -> None:
        if self.view_box.sceneBoundingRect().contains(scene_pos):
            p = self.view_box.mapSceneToView(scene_pos)
            self.hover_at(np.array([p.x(), p.y()], dtype=np.float64))
        else:
            self.hover_at(None)

    def eventFilter(self, obj, event):
        if event.type() == event.Type.Leave:
            self.hover_at(None)
        return False

    def hover_at(self, xy: np.ndarray | None) -> None:
        """Show ``p`` at data point ``xy`` and emit :attr:`pointHovered` (None: left)."""
        self.handles.hover(xy)
        if xy is None and self._hover_xy is None:
            return
        self._hover_xy = None if xy is None else np.asarray(xy, dtype=np.float64).copy()
        self._update_hover_text()
        self.pointHovered.emit(None if xy is None else self._hover_xy.copy())

    def _update_hover_text(self) -> None:
        if self._hover_xy is None:
            self.hover_label.set_html(None)
            return
        d, c = self.session.point_detail(self._hover_xy), self.session.config
        colors = [self._text_color(k) for k in range(len(d.p))]
        self.hover_label.set_html(hover_html(d.z, d.p, d.score_gap, c.loss, c.margin, colors))

    def _text_color(self, k: int) -> tuple[int, int, int]:
        return readable_color(self._colors[k], self.theme.background)
