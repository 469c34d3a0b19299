"""What the error-signal bars say under each loss: names, titles, tooltips and ranges.

The bars show the chosen loss's ``∂L/∂z`` (``docs/maths.md``): per training sample its
value at the true class (the session's ``train_error_signal``), and for the selected
sample every class's. Cross-entropy's is ``p − y``; squared error's is ``Jᵀ(p − y)``,
which the factor ``J`` shrinks where ``p`` saturates; a hinge loss's is its subgradient
of the scores, which counts active margins and has no ``p`` in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.core import HINGE_LOSSES

#: Downward-bar tick sets over ``[−1, 0]``, densest first (the first whose labels fit).
UNIT_TICKS = ((0.0, -0.2, -0.4, -0.6, -0.8, -1.0), (0.0, -0.5, -1.0), (0.0, -1.0), (0.0,))


@dataclass(frozen=True)
class SignalTexts:
    """The words of the bars for one loss (HTML where it is a plot label).

    Attributes
    ----------
    signal : str
        The per-sample quantity, e.g. ``∂L/∂z_y = p_y − 1`` (top plot's y label).
    up : str
        The upward series: the largest wrong-class ``∂L/∂z_k``.
    series : tuple of str
        Names of the selected sample's three bars per class (the last is ``∂L/∂z``).
    top_tip, detail_tip : str
        Tooltips of the two plots (plain text).
    check : str
        Text of the upward-bars check box.
    """

    signal: str
    up: str
    series: tuple[str, str, str]
    top_tip: str
    detail_tip: str
    check: str


_CLICK = (
    "Colour = true class. With many samples each bar is a bin drawn as its worst sample.\n"
    "Click a bar to select that sample."
)
_UP = "↑ largest wrong ∂L/∂z<sub>k</sub>"
_CHECK = "Largest wrong ∂L/∂z_k"

_TEXTS = {
    "cross_entropy": SignalTexts(
        signal="∂L/∂z<sub>y</sub> = p<sub>y</sub> − 1",
        up="↑ largest wrong p<sub>k</sub>",
        series=("p", "y", "p − y"),
        top_tip="Cross-entropy. One bar per training sample: p_y − 1, the error signal on\n"
        "the true class's logit (0 = certain and right, −1 = no probability on the true\n"
        "class). " + _CLICK,
        detail_tip="For the selected sample: the predicted probabilities p, the target y\n"
        "(smoothed when label smoothing is on) and their difference p − y = ∂L/∂z, the\n"
        "gradient of the loss with respect to the logits. Gradient descent lowers z_k\n"
        "where p − y > 0.",
        check="Largest wrong p_k",
    ),
    "squared_error": SignalTexts(
        signal="∂L/∂z<sub>y</sub> of ½‖p − y‖²",
        up=_UP,
        series=("p", "y", "Jᵀ(p − y)"),
        top_tip="Squared error. One bar per training sample: ∂L/∂z_y = [Jᵀ(p − y)]_y, the\n"
        "error signal on the true class's score. The softmax Jacobian J shrinks it where\n"
        "p saturates, right or wrong: a sample the model gets completely wrong has a\n"
        "bar near 0 too. " + _CLICK,
        detail_tip="For the selected sample: p, the target y and ∂L/∂z = Jᵀ(p − y), the\n"
        "chain rule through the softmax with ∂L/∂p = p − y. Compare it with p − y:\n"
        "J = diag(p) − ppᵀ scales the signal down as p nears a corner.",
        check=_CHECK,
    ),
}
_HINGE_NAMES = {
    "svm_ww": "Weston–Watkins SVM",
    "svm_ova": "One-vs-all SVM",
    "svm_structured": "Structured (Crammer–Singer) SVM",
}
_HINGE_SIGNAL = {
    "svm_ww": "∂L/∂z<sub>y</sub> = −#active margins",
    "svm_ova": "∂L/∂z<sub>y</sub> = −1[Δ − z<sub>y</sub> > 0]",
    "svm_structured": "∂L/∂z<sub>y</sub> = −1[active]",
}
_HINGE_TOP = {
    "svm_ww": "minus the number of wrong classes j whose score is within Δ of the true\n"
    "class's (z_j − z_y + Δ > 0): 0 = every margin met, −(C − 1) = none met.",
    "svm_ova": "−1 while the true class's score is below Δ, 0 once it is past it.",
    "svm_structured": "−1 while the runner-up's score is within Δ of the true class's,\n"
    "0 once the margin is met.",
}


def signal_texts(loss: str) -> SignalTexts:
    """:class:`SignalTexts` of ``loss`` (a name of :data:`explorer.core.LOSSES`)."""
    if loss in _TEXTS:
        return _TEXTS[loss]
    if loss not in HINGE_LOSSES:
        raise ValueError(f"unknown loss {loss!r}")
    name = _HINGE_NAMES[loss]
    return SignalTexts(
        signal=_HINGE_SIGNAL[loss],
        up=_UP,
        series=("p − y (CE)", "y", "∂L/∂z"),
        top_tip=f"{name}. One bar per training sample: ∂L/∂z_y, the subgradient on the true\n"
        f"class's score: {_HINGE_TOP[loss]}\nNo softmax in this loss: p plays no part. " + _CLICK,
        detail_tip=f"For the selected sample, {name}: ∂L/∂z, the loss's subgradient of the\n"
        "scores (+1 on each class whose margin is active, minus their count on the true\n"
        "class; 0 at a kink), the target y, and cross-entropy's p − y for comparison.",
        check=_CHECK,
    )


def signal_floor(loss: str, n_classes: int) -> float:
    """The lowest value the true-class signal can take: ``−(C − 1)`` for Weston–Watkins
    (every margin active), −1 for every other loss."""
    return -float(max(n_classes - 1, 1)) if loss == "svm_ww" else -1.0


def floor_ticks(floor: float, both_sides: bool) -> tuple[tuple[float, ...], ...]:
    """Tick sets of a y axis from ``floor`` (<= −1) to 0, or to 1 with ``both_sides``,
    densest first."""
    if floor == -1.0:
        down = UNIT_TICKS
    else:
        steps = [s for s in (1.0, 2.0, 5.0, 10.0, 20.0, 50.0) if -floor / s <= 10]
        down = tuple(tuple(0.0 - s * i for i in range(int(-floor // s) + 1)) for s in steps)
        down += ((0.0, floor), (0.0,))
    if not both_sides:
        return down
    return (*((1.0, *ticks) for ticks in down[:-1]), (0.0,))
