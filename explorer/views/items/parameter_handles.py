"""Dragging the model on the plane: an arrow's head sets ``w_c``, a zero-score line ``b_c``.

With identity features, the regions view's weight arrows and zero-score lines are
handles: pressing within :data:`GRAB_PIXELS` of arrow ``c``'s head and dragging sets row
``c`` of ``W`` so the arrow ends under the cursor
(:func:`explorer.core.score_lines.row_from_tip`, at the arrows' scale when the drag
began); pressing on line ``c`` and dragging sets ``b_c`` so the line passes through the
cursor (:func:`explorer.core.score_lines.offset_through`). Every move is a
``session.set_params`` (the table's edit path: history after the shown step is dropped,
every view follows), and the whole drag is one undoable action. An arrow head wins over
a line under the same pixel.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import Qt

from explorer.core.score_lines import offset_through, row_from_tip, segment_distance

#: A press within this many screen pixels of an arrow head or a line grabs it.
GRAB_PIXELS = 7.0


class ParameterHandles:
    """The arrow heads and zero-score lines of a regions view as drag handles.

    Parameters
    ----------
    view : RegionsView
        Provides ``session``, ``view_box``, ``weights`` (WeightArrows), ``zero_lines``
        (ZeroLines), ``message``, ``_weights_allowed()`` and ``_update_weights()``.

    Attributes
    ----------
    active : tuple of (str, int) or None
        ``("w", c)`` or ``("b", c)`` while a drag is under way.
    enabled : bool
        Whether the handles can be grabbed (not on compare mode's run B, whose parameters
        follow run A's edits).
    """

    def __init__(self, view):
        self._view = view
        self.active: tuple[str, int] | None = None
        self.enabled = True
        self._action = None
        self._over = False

    def _pixel(self) -> float:
        vb = self._view.view_box
        px = vb.viewPixelSize()[0] if vb.width() > 1 else 0.0
        return px if np.isfinite(px) and px > 0 else 0.0

    def pick(self, xy: np.ndarray) -> tuple[str, int] | None:
        """The handle under ``xy`` (data coordinates), or None."""
        view = self._view
        if not (self.enabled and view._weights_allowed()):
            return None
        reach = GRAB_PIXELS * self._pixel()
        if reach <= 0:
            return None
        tips = view.weights.tips
        if tips is not None and view.weights.scale:
            d = np.hypot(tips[:, 0] - xy[0], tips[:, 1] - xy[1])
            c = int(np.argmin(d))
            if d[c] <= reach:
                return ("w", c)
        if view.zero_lines.visible:
            best = None
            for c, seg in enumerate(view.zero_lines.segments):
                if seg is not None:
                    d = segment_distance(xy, seg)
                    if d <= reach and (best is None or d < best[0]):
                        best = (d, c)
            if best is not None:
                return ("b", best[1])
        return None

    def hover(self, xy: np.ndarray | None) -> None:
        """An open hand over a handle (a press there grabs it), else the mode's cursor."""
        over = xy is not None and self.pick(xy) is not None
        if over != self._over:
            self._over = over
            view, shape = self._view, Qt.CursorShape
            edit = shape.CrossCursor if view.edit_mode else shape.ArrowCursor
            view.plot_widget.viewport().setCursor(shape.OpenHandCursor if over else edit)

    def begin(self, xy: np.ndarray) -> bool:
        """Grab the handle under ``xy``; False if there is none."""
        self.end_action()
        self.active = self.pick(np.asarray(xy, dtype=np.float64))
        if self.active is None:
            return False
        self._action = self._view.session.actions
        self._action.begin("set_params", frozenset({"W" if self.active[0] == "w" else "b"}))
        self._view.weights.hold_scale = True
        return True

    def move(self, xy: np.ndarray) -> None:
        """Set the grabbed row of ``W`` or entry of ``b`` from the cursor at ``xy``."""
        if self.active is None:
            return
        kind, c = self.active
        session, weights = self._view.session, self._view.weights
        W = np.array(session.W, dtype=np.float64)
        b = np.array(session.b, dtype=np.float64)
        xy = np.asarray(xy, dtype=np.float64)
        if kind == "w":
            W[c] = row_from_tip(xy, weights.centre, weights.scale)
        else:
            b[c] = offset_through(W[c], xy)
        try:
            session.set_params(W, b)
        except ValueError as exc:
            self._view.message.emit(str(exc))

    def end(self, xy: np.ndarray) -> None:
        """Drop the handle at ``xy``."""
        try:
            self.move(xy)
        finally:
            self.active = None
            self._view.weights.hold_scale = False
            self.end_action()
            self._view._update_weights()  # at its own scale again

    def end_action(self) -> None:
        action, self._action = self._action, None
        if action is not None:
            action.end()
