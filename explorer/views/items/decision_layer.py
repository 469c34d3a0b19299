"""The decision image over whatever part of the plane is visible.

The image covers the plot's visible range (zoom, pan, resize), not a fixed rectangle
around the data: zoom out and the regions run on to the edges. The grid's feature
vectors (``D × G²``) depend on that range, so they are recomputed when it changes, off
the frame path: a range change starts a single-shot timer, and the grid follows when it
fires, at most every :data:`FOLLOW_MS` while the range keeps changing (a wheel zoom, a
drag), so a pan during training picks up the new range a few times a second. Meanwhile
the image drawn last stays where it is in data coordinates, stretched with the view.

Speed: a frame only maps the session's decision indices of the cached grid through the
lookup table into the persistent buffer (``np.take``); the grid's features are made once
per visible range, not per frame.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PyQt6.QtCore import QObject, QTimer

from explorer.core.boundaries import plane_ties
from explorer.core.plane import Range, grid_features, image_range, plane_limits
from explorer.views.items.decision_image import DecisionImageItem
from explorer.views.items.tie_lines import TieLinesItem

#: After the visible range changes, the grid follows within this many milliseconds.
FOLLOW_MS = 100
#: Below this cell width in pixels the boundaries' contour skips every other grid line.
MIN_CONTOUR_CELL_PX = 2.0


class DecisionLayer(QObject):
    """The decision image of a session over a view box's visible range.

    Parameters
    ----------
    view_box : pyqtgraph.ViewBox
        The plane; the image is added to it, behind everything else.
    changed : callable
        Called with no argument after the grid followed a new visible range (the owner
        redraws the image, and what else depends on the range).

    Attributes
    ----------
    image_item : DecisionImageItem
    tie_lines : TieLinesItem
        The boundaries, over the image and under the points (hidden unless asked for).
    grid_size : int
        Cells per side ``G``.
    grid_range : (xmin, xmax, ymin, ymax) or None
        The range the grid tiles (the visible range when it was last followed).
    grid_features : ndarray, shape (D, G·G), or None
        The features of the grid cells' centres, row-major with rows = y.
    last_indices : ndarray of uint8, shape (G·G,), or None
        The session's decision indices drawn last.
    """

    def __init__(self, view_box, changed: Callable[[], None]):
        super().__init__(view_box)
        self.view_box = view_box
        self.image_item = DecisionImageItem()
        self.image_item.setZValue(-10)
        view_box.addItem(self.image_item, ignoreBounds=True)
        self.tie_lines = TieLinesItem()
        self.tie_lines.setZValue(-5)
        self.tie_lines.setVisible(False)
        view_box.addItem(self.tie_lines, ignoreBounds=True)
        self.grid_size = 200
        self.grid_range: Range | None = None
        self.grid_features: np.ndarray | None = None
        self.last_indices: np.ndarray | None = None
        self._limits: dict[str, float] | None = None
        self._key = None
        self._changed = changed
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self._follow_and_redraw)
        view_box.sigRangeChanged.connect(self._range_changed)

    # ----------------------------------------------------------------- the range
    def set_fitted(self, fitted: Range) -> None:
        """Limit zoom and pan to :func:`explorer.core.plane.plane_limits` of ``fitted``."""
        self._limits = plane_limits(fitted)
        self.view_box.setLimits(**self._limits)

    def visible_range(self) -> Range | None:
        """The range the image should cover now (the view's, within the limits)."""
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        return image_range((x0, x1, y0, y1), self._limits)

    def _range_changed(self, *args) -> None:
        if not self._timer.isActive():  # not restarted: a long drag still follows
            self._timer.start()

    @property
    def pending(self) -> bool:
        """Whether a change of the visible range is still waiting to be followed."""
        return self._timer.isActive()

    def follow(self) -> bool:
        """Make the grid tile the visible range now; True if the range changed.

        Does not redraw: the caller draws (:meth:`draw`) when it is ready to.
        """
        self._timer.stop()
        visible = self.visible_range()
        if visible is None or visible == self.grid_range:
            return False
        self.grid_range = visible
        return True

    def _follow_and_redraw(self) -> None:
        if self.follow():
            self._changed()

    # ----------------------------------------------------------------- drawing
    def features(self, feature_map) -> np.ndarray:
        """The grid's features for ``feature_map`` (recomputed when it, the range or G
        changed)."""
        key = (feature_map, self.grid_range, self.grid_size)
        old = self._key
        if old is None or key[0] is not old[0] or key[1:] != old[1:]:
            G = self.grid_size
            self.grid_features = grid_features(feature_map, self.grid_range, G)
            # grid_axes puts the G cell centres inside the range: the cells tile it exactly.
            x0, x1, y0, y1 = self.grid_range
            self.image_item.set_rect(x0, y0, x1 - x0, y1 - y0)
            self._key = key
        return self.grid_features

    def draw(self, session, lut: np.ndarray, levels: int, boundary_rgb=None) -> None:
        """Paint the session's decision image of the grid through ``lut``.

        Parameters
        ----------
        session : explorer.session.session.Session
        lut : ndarray of uint32, shape (256,)
            Pixel of each decision index.
        levels : int
            Confidence levels per class (to find the boundaries).
        boundary_rgb : (int, int, int) or None
            Colour of the boundary lines (:mod:`explorer.core.boundaries`: exact for
            identity features, contours of the grid otherwise), or None for none.
        """
        if self.grid_range is None:
            self.follow()
            if self.grid_range is None:
                return  # not laid out yet
        G = self.grid_size
        indices = session.decision_image(self.features(session.feature_map))
        self.last_indices = indices
        square = indices.reshape(G, G)
        buffer = self.image_item.buffer(G, G)
        np.take(lut, square, out=buffer)
        self.image_item.update()
        self._draw_ties(session, square, levels, boundary_rgb)

    def contour_stride(self) -> int:
        """Every how many grid rows and columns the boundaries' contour is taken: 2 when
        a cell is under :data:`MIN_CONTOUR_CELL_PX` on screen (W3's 400 cells in a
        600-pixel plot: half the segments, still three pixels apart), else 1."""
        cell = self.view_box.width() / max(1, self.grid_size)
        return 2 if 0 < cell < MIN_CONTOUR_CELL_PX else 1

    def _draw_ties(self, session, square: np.ndarray, levels: int, rgb) -> None:
        if rgb is None:
            self.tie_lines.setVisible(False)
            return
        exact = session.feature_map.kind == "identity"
        winner = None if exact else square // np.uint8(levels)
        segments = plane_ties(
            session.W, session.b, self.grid_range, exact=exact, winner=winner,
            F=self.grid_features, stride=self.contour_stride(),
        )  # fmt: skip
        self.tie_lines.set_color(rgb)
        self.tie_lines.set_segments(segments, self.grid_range)
        self.tie_lines.setVisible(True)
