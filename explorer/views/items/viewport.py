"""How the plot views repaint what changed: the bounding rect of a frame's changes
(0.3–0.8 ms a frame less than Qt clipping to their exact region)."""

from __future__ import annotations

from PyQt6.QtWidgets import QGraphicsView


def repaint_changes_as_one_rect(view: QGraphicsView) -> None:
    """Make ``view`` repaint the bounding rect of a frame's changes, not their exact region.

    pyqtgraph asks for ``MinimalViewportUpdate``: the changes of one frame (the image, the
    bars, the curves, a marker and its label) then form a region of many rectangles, and
    clipping every item's painting to it costs more than repainting the few unchanged
    pixels inside their bounding rect (0.3–0.8 ms a frame at W1 and W2, measured by
    switching the mode back and forth in one run).
    """
    view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
