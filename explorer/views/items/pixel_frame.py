"""Drawing text in pixels from an item that lives in data coordinates, from text laid
out once (a rect-and-flags ``drawText`` runs the full text layout at every paint)."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QFont, QStaticText, QTransform
from PyQt6.QtWidgets import QGraphicsItem


def static_text(text: str, font: QFont) -> QStaticText:
    """``text`` (plain) laid out once in ``font``, to draw many times with
    ``drawStaticText`` in a one-unit-per-pixel frame (a rect-and-flags ``drawText`` runs
    the full text-layout engine at every paint)."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(QTransform(), font)
    return static


def view_pixels_per_unit(item: QGraphicsItem, widget=None) -> tuple[float, float] | None:
    """Signed pixels of the item's view per data unit of ``item``, along x and y.

    After ``painter.scale(1 / sx, 1 / sy)`` one unit is one pixel of the view, upright
    even when the plot's y axis points down. A scale that the painter adds on top (a 2×
    export) still applies, so text drawn that way grows with the rest of the picture.

    Parameters
    ----------
    item : QGraphicsItem
        An item in a scene shown by a ``QGraphicsView``.
    widget : QWidget or None
        The ``widget`` argument of ``paint`` (the view's viewport), if any.

    Returns
    -------
    tuple of float, or None
        ``(sx, sy)``; None when the item is in no view or the view is degenerate.
    """
    view = widget.parent() if widget is not None else None
    if view is None or not hasattr(view, "viewportTransform"):
        scene = item.scene()
        views = scene.views() if scene is not None else []
        if not views:
            return None
        view = views[0]
    t = item.deviceTransform(view.viewportTransform())
    sx, sy = t.m11(), t.m22()
    if sx == 0 or sy == 0:
        return None
    return sx, sy
