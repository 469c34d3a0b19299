"""The Jacobian view's words: its sources, notes, axis labels, tooltip and cell texts.

Kept apart from :mod:`explorer.views.jacobian`, which draws; nothing here computes.
"""

from __future__ import annotations

from explorer.views.qt_helpers import typographic_minus

#: (id, combo text) of the sources of the matrix.
SOURCES = (
    ("selected", "Selected sample"),
    ("hover", "Point under the cursor"),
    ("batch", "Batch mean"),
)
#: The source box's text when a source falls back to another matrix: (source, shown).
FALLBACK_TEXTS = {
    ("selected", "batch"): "Batch mean (nothing selected)",
    ("hover", "sample"): "Selected sample (cursor off the plane)",
    ("hover", "batch"): "Batch mean (nothing selected)",
}
SATURATED_NOTE = "<b>Saturated softmax:</b> J ≈ 0, the gradient through it vanishes"
#: Under an SVM loss: the matrix is still softmax's, of the scores, but not in the gradient.
HINGE_NOTE = (
    "<b>Not part of this loss’s gradient:</b> the {loss} loss reads the scores z directly;"
    " this is the softmax Jacobian of those scores, for comparison."
)
HINGE_TITLE = " — softmax of the scores, not part of the {loss} loss's gradient"

ROW_LABEL = "output ∂p<sub>j</sub>  (row j)"
COLUMN_LABEL = "logit ∂z<sub>k</sub>  (column k)"
COLORBAR_LABEL = "∂p<sub>j</sub> / ∂z<sub>k</sub>"
MATRIX_TIP = (
    "J[j, k] = ∂p_j / ∂z_k = p_j (δ_jk − p_k)\n"
    "Diagonal p_j (1 − p_j) ≥ 0 (red): raising z_j raises p_j.\n"
    "Off the diagonal −p_j p_k ≤ 0 (blue): raising z_k takes probability from p_j.\n"
    "Every row and column sums to 0, because the probabilities always sum to 1.\n"
    "The colour scale is fixed at ±0.25 since |J| ≤ 1/4 always: a pale matrix means a\n"
    "confident (saturated) softmax that passes little gradient back to the logits."
)


def format_value(v: float) -> str:
    """Compact cell text: ``0.222``, ``−0.114``, or for entries below 0.001 one digit and
    a short exponent (``−2e−6``, ``−4e−88``), about as wide as an ordinary entry."""
    if v == 0.0:
        return "0"
    if abs(v) >= 0.001:
        return typographic_minus(f"{v:.3f}")
    mantissa, exponent = f"{v:.0e}".split("e")
    return typographic_minus(f"{mantissa}e{int(exponent)}")
