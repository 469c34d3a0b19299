"""Editing the plane's points with the mouse: pick, click, drag, delete; and, in any
mode, dragging the model's handles (an arrow head or a zero-score line,
:mod:`explorer.views.items.parameter_handles`), which win over a point under them.

The regions view mixes :class:`PlaneEditing` in; its view box
(:class:`~explorer.views.items.plane.PlaneViewBox`) hands it the clicks and drags in data
coordinates. Every edit goes through the session's edit methods; a refusal becomes the
view's ``message``.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import Qt

from explorer.core.plane import nearest_point
from explorer.views.palette import hex_color

#: Up to this many points a dragged point moves in the session live; beyond, on release.
LIVE_DRAG_MAX = 5000
#: A click within this many screen pixels of a point hits it.
PICK_PIXELS = 8.0


class PlaneEditing:
    """Edit mode of the regions view: click adds, drag moves, right-click deletes.

    Expects of the class it is mixed into: ``session``, ``view_box``, ``plot_widget``,
    ``fitted_range``, ``edit_label`` (a corner label), ``message`` (a signal), ``handles``
    (ParameterHandles),
    ``_colors``, ``_text_color(k)`` and ``_update_selected()``; and the attributes
    ``edit_mode``, ``edit_class``, ``dragging``, ``_drag_xy``, ``_drag_action`` (None) and
    ``_editing``.
    """

    def set_edit_mode(self, on: bool) -> None:
        """In edit mode, click adds, drag moves, right-click deletes points."""
        self.edit_mode = bool(on)
        self.plot_widget.viewport().setCursor(
            Qt.CursorShape.CrossCursor if self.edit_mode else Qt.CursorShape.ArrowCursor
        )
        self._update_edit_label()

    def set_edit_class(self, k: int) -> None:
        """The class of the points added in edit mode."""
        self.edit_class = int(k)
        self._update_edit_label()

    # ------------------------------------------------------------------ mouse
    def pick(self, xy: np.ndarray) -> int | None:
        """The index (into ``session.data``) of the point nearest ``xy`` within reach, or None."""
        X = self.session.data.X
        return nearest_point(X, xy, self._pick_radius()) if X.shape[1] else None

    def _pick_radius(self) -> float:
        px = self.view_box.viewPixelSize()[0] if self.view_box.width() > 1 else 0.0
        x0, x1, _, _ = self.fitted_range
        radius = PICK_PIXELS * px
        if not np.isfinite(radius) or radius <= 0:
            radius = 0.015 * (x1 - x0)
        return radius

    def click_at(self, xy: np.ndarray, button=Qt.MouseButton.LeftButton) -> bool:
        """Handle a click at data point ``xy``; returns True when it did something."""
        xy = np.asarray(xy, dtype=np.float64)
        i = self.pick(xy)
        if button == Qt.MouseButton.LeftButton:
            if i is not None:
                self.session.select(i)
                return True
            if self.edit_mode:
                return self._edit(self.session.add_point, xy, self.edit_class)
            return False
        if button == Qt.MouseButton.RightButton and self.edit_mode:
            if i is not None:
                return self._edit(self.session.delete_point, i)
            return True  # no context menu in edit mode
        return False

    def drag_active(self) -> bool:
        """Whether a drag moves a point or a handle (else a drag pans)."""
        return self.dragging is not None or self.handles.active is not None

    def begin_drag(self, xy: np.ndarray) -> bool:
        """Grab the handle under ``xy``, or else start moving the point under it (edit
        mode); False if there is neither."""
        self._end_drag_action()
        if self.handles.begin(xy):
            self.dragging = None
            return True
        self.dragging = self.pick(np.asarray(xy, dtype=np.float64)) if self.edit_mode else None
        self._drag_xy = None
        if self.dragging is not None:  # the whole drag is one action (one undo)
            self._drag_action = self.session.actions
            self._drag_action.begin("move_point")
        if self.dragging is not None and self.session.selected != self.dragging:
            self.session.select(self.dragging)
        return self.dragging is not None

    def drag_to(self, xy: np.ndarray) -> None:
        """Move the dragged handle or point to ``xy`` (a point live for small data, as a
        marker otherwise)."""
        if self.handles.active is not None:
            self.handles.move(xy)
            return
        if self.dragging is None:
            return
        xy = np.asarray(xy, dtype=np.float64)
        if self.session.data.X.shape[1] <= LIVE_DRAG_MAX:
            if not self._edit(self.session.move_point, self.dragging, xy):
                self.dragging = None
        else:
            self._drag_xy = xy
            self._update_selected()

    def end_drag(self, xy: np.ndarray) -> None:
        """Drop the dragged handle or point at ``xy``."""
        if self.handles.active is not None:
            self.handles.end(xy)
            return
        i, self.dragging, self._drag_xy = self.dragging, None, None
        try:
            if i is not None:
                self._edit(self.session.move_point, i, np.asarray(xy, dtype=np.float64))
        finally:
            self._end_drag_action()

    def _end_drag_action(self) -> None:
        action, self._drag_action = self._drag_action, None
        if action is not None:
            action.end()

    def _edit(self, method, *args) -> bool:
        """Call a session edit; a refusal (``ValueError``) becomes a :attr:`message`."""
        self._editing = True
        try:
            method(*args)
        except ValueError as exc:
            self.message.emit(str(exc))
            return False
        finally:
            self._editing = False
        return True

    def _update_edit_label(self) -> None:
        if not self.edit_mode:
            self.edit_label.set_html(None)
            return
        C = len(getattr(self, "_colors", ()))
        k = self.edit_class
        name = f"class {self.session.data.class_names[k]}" if 0 <= k < C else "no class"
        color = hex_color(self._text_color(k)) if 0 <= k < C else "inherit"
        self.edit_label.set_html(
            f'Edit mode: click adds <b style="color:{color}">{name}</b><br>'
            "drag moves a point · right-click deletes"
        )
