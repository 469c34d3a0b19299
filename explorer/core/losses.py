"""Every loss of :data:`~explorer.core.loss.LOSSES` per sample: what the views show.

One call per quantity, whichever loss is chosen: each sample's loss, each sample's
``∂L/∂z`` (the error signal the chain rule passes to ``W`` and ``b``) and, for the hinge
losses, which margins are active. ``Z`` is ``(C, N)`` (or ``(C,)`` for one sample) and its
dtype is kept; targets are integer labels or label distributions, as in
:mod:`explorer.core.targets` (the hinge losses refuse distributions that are not one-hot).
The batch mean of :func:`per_sample_loss` is what :func:`explorer.core.loss_and_grads`
reports before its penalties, and ``(1/N) per_sample_grad · Xᵀ`` its ``dW``.
"""

from __future__ import annotations

import numpy as np

from explorer.core.hinge import HINGE_LOSSES, check_margin, hinge_parts
from explorer.core.loss import (
    cross_entropy_per_sample,
    grad_wrt_logits,
    loss_name,
)
from explorer.core.softmax import softmax
from explorer.core.squared_loss import squared_error_parts


def per_sample_loss(Z, Y, loss: str = "cross_entropy", *, margin: float = 1.0) -> np.ndarray:
    """Each sample's loss ``L_n``.

    Parameters
    ----------
    Z : ndarray, shape (C, N) or (C,)
        Logits (scores).
    Y : labels or distributions
    loss : str, optional
        A name of :data:`~explorer.core.loss.LOSSES`, either spelling.
    margin : float, optional
        ``Δ > 0`` of the hinge losses (checked for every loss).

    Returns
    -------
    ndarray, shape (N,) (shape () for one sample), dtype of ``Z``
    """
    name = loss_name(loss)
    check_margin(margin)
    if name == "cross_entropy":
        return cross_entropy_per_sample(Z, Y)
    if name == "squared_error":
        return squared_error_parts(Z, Y)[0]
    return hinge_parts(Z, Y, name, margin)[0]


def per_sample_grad(Z, Y, loss: str = "cross_entropy", *, margin: float = 1.0) -> np.ndarray:
    """Each sample's ``∂L_n/∂z_n``: a column per sample, not divided by ``N``.

    Cross-entropy: ``p·Σy − y`` (``p − y`` for labels); squared error: ``Jᵀ(p − y)``;
    hinge losses: the subgradients of :mod:`explorer.core.hinge` (0 at a kink).

    Parameters
    ----------
    As :func:`per_sample_loss`.

    Returns
    -------
    ndarray, shape of ``Z``, dtype of ``Z``
    """
    name = loss_name(loss)
    check_margin(margin)
    if name == "cross_entropy":
        return grad_wrt_logits(softmax(Z), Y)
    if name == "squared_error":
        return squared_error_parts(Z, Y)[1]
    return hinge_parts(Z, Y, name, margin)[1]


def active_margins(Z, Y, loss: str, *, margin: float = 1.0) -> np.ndarray:
    """Which margin terms of a hinge loss are strictly positive.

    Parameters
    ----------
    Z : ndarray, shape (C, N) or (C,)
        Scores.
    Y : labels or one-hot targets
    loss : {"svm_ww", "svm_ova", "svm_structured"}, either spelling
    margin : float, optional

    Returns
    -------
    ndarray of bool, shape of ``Z``
        As :func:`explorer.core.hinge.hinge_parts`' ``active``.

    Raises
    ------
    ValueError
        For a loss that has no margins (cross-entropy, squared error).
    """
    name = loss_name(loss)
    if name not in HINGE_LOSSES:
        raise ValueError(f"{name} has no margins; the hinge losses are {HINGE_LOSSES}")
    return hinge_parts(Z, Y, name, margin)[2]
