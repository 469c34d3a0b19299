"""The maths of a linear softmax classifier, in numpy only (no Qt, no plotting).

Classes along axis 0, samples along axis 1, as in the seeds' column vectors.
"""

from explorer.core.loss import (
    cross_entropy,
    grad_wrt_logits,
    grad_wrt_probs,
    logits,
    loss_and_grads,
    one_hot,
    smooth_labels,
)
from explorer.core.softmax import log_softmax, softmax, softmax_jacobian

__all__ = [
    "cross_entropy",
    "grad_wrt_logits",
    "grad_wrt_probs",
    "log_softmax",
    "logits",
    "loss_and_grads",
    "one_hot",
    "smooth_labels",
    "softmax",
    "softmax_jacobian",
]
