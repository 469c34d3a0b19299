"""A bounding rect answered from a cache while the item's data stays the same object.

The graphics scene asks an item for its bounding rect about three times per frame, and
pyqtgraph's items recompute it (a device-transform lookup, a pass over the data) each
time. Items whose data holder is replaced on every change can answer from a cache keyed
by that holder's identity, dropped when the view transform changes.
"""

from __future__ import annotations

from PyQt6.QtCore import QRectF


class CachedBoundsMixin:
    """Mix in before a pyqtgraph item class; subclasses say what identifies their data."""

    _rect: QRectF | None = None
    _rect_key: object = None

    def _bounds_key(self) -> object:
        """An object replaced (not mutated) whenever the item's bounds may change."""
        raise NotImplementedError

    def boundingRect(self) -> QRectF:
        key = self._bounds_key()
        if self._rect is None or self._rect_key is not key:
            self._rect = super().boundingRect()
            self._rect_key = key
        return QRectF(self._rect)

    def viewTransformChanged(self):
        self._rect = None
        super().viewTransformChanged()
