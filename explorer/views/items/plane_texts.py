"""The regions view's words: the overlays' names and tooltips, the hover read-out; and
the pull overlay's sizes under the chosen loss."""

from __future__ import annotations

import numpy as np
from PyQt6.QtWidgets import QCheckBox

from explorer.core import HINGE_LOSSES
from explorer.views.items.signal_texts import signal_floor
from explorer.views.palette import hex_color
from explorer.views.qt_helpers import typographic_minus

#: The overlays, in the order of their check boxes (also ``export --overlays`` names).
OVERLAYS = ("boundaries", "weights", "zero-lines", "pull")
LABELS = {
    "boundaries": "Boundaries",
    "weights": "Weights w_c",
    "zero-lines": "Zero lines",
    "pull": "Pull 1 − p_y",
}
TOOLTIPS = {
    "boundaries": "Draw the lines where two classes tie for the highest score",
    "weights": "Draw each class's weight vector w_c as an arrow from the centre of the data, "
    "all at one round scale (shown in the corner: arrow = 0.5 × w_c); directions and "
    "ratios are exact.\nDrag an arrow's head to set w_c (Ctrl+Z undoes the drag)",
    "zero-lines": "Draw each class's zero-score line w_c·x + b_c = 0 (dashed, in its colour; "
    "the tick points to where z_c > 0), as the CS231n demo does.\nDrag a line to move it "
    "parallel to itself: that sets b_c (Ctrl+Z undoes the drag)",
    "pull": "Size each training point by how hard its error signal pulls on the weights "
    "(big = badly classified): 1 − p_y for cross-entropy, and for another loss its "
    "|∂L/∂z_y| over the largest it can be (1, or C − 1 for Weston–Watkins)",
}
PULL_DISABLED = (
    "Pull sizes are off above {:,} training points: resizing every point "
    "each frame would make training stutter"
)
#: Why an overlay that needs identity features is unavailable otherwise.
NEEDS_IDENTITY = {
    "weights": "Weight arrows need identity features: with polynomial or random features, "
    "w_c lives in feature space, not in this plane",
    "zero-lines": "Zero-score lines need identity features: with polynomial or random "
    "features w_c·φ(x) + b_c = 0 is a curve in this plane, not a line, and w_c is not a "
    "direction in it",
}


def _colored(values, colors, digits: int = 2) -> str:
    parts = [
        f'<span style="color:{hex_color(colors[k])}">{typographic_minus(f"{v:.{digits}f}")}</span>'
        for k, v in enumerate(values)
    ]
    return f"({', '.join(parts)})"


def probabilities_html(p: np.ndarray, colors) -> str:
    """``p = (0.71, 0.20, 0.09)`` with each value in its class's (text) colour."""
    return f"<b>p</b> = {_colored(p, colors)}"


def hover_html(z: np.ndarray, p: np.ndarray, gap: float, loss: str, margin: float, colors):
    """What the cursor's point reads out: ``p`` for the probabilistic losses; for a
    hinge loss the scores ``z`` and the top-two gap the regions are shaded by (clipped
    at ``Δ``)."""
    if loss not in HINGE_LOSSES:
        return probabilities_html(p, colors)
    shown = min(gap, margin)
    clip = " (≥ Δ: full colour)" if gap >= margin else ""
    return f"<b>z</b> = {_colored(z, colors)}<br>top-two gap {shown:.2f}{clip}, Δ = {margin:g}"


def pull_sizes(session) -> np.ndarray:
    """Each training point's pull in ``[0, 1]``, ``(Ntrain,)``: cross-entropy's
    ``1 − p_y = |p_y − 1|``, else ``|∂L/∂z_y|`` over its largest value
    (:func:`~explorer.views.items.signal_texts.signal_floor`)."""
    loss = session.config.loss
    if loss == "cross_entropy":
        return np.abs(session.train_true_error())
    return np.abs(session.train_error_signal()) / -signal_floor(loss, session.n_classes)


def overlay_boxes(parent, bar, set_overlay) -> dict[str, QCheckBox]:
    """One check box per overlay added to the layout ``bar``, each calling
    ``set_overlay(name, on)`` when toggled."""
    boxes = {}
    for name in OVERLAYS:
        box = QCheckBox(LABELS[name], parent)
        box.setToolTip(TOOLTIPS[name])
        box.toggled.connect(lambda on, n=name: set_overlay(n, on))
        bar.addWidget(box)
        boxes[name] = box
    return boxes
