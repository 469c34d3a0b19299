"""Squared error on the probabilities, ``L = ½ Σ_k (p_k − y_k)²``, and its gradient.

The chain rule of seed 2 with another ``∂L/∂p``: ``∂L/∂p = g = p − y``, so
``∂L/∂z = Jᵀ g = diag(p) g − p pᵀ g = p ⊙ (g − pᵀg)`` (``J`` is symmetric), computed
per column without forming the ``C × C`` Jacobian. Unlike cross-entropy's ``p − y`` it
vanishes when ``p`` saturates, right or wrong: a confidently wrong sample stops learning
(``docs/maths.md``).

``Z`` is ``(C, N)`` (or ``(C,)`` for one sample); targets are integer labels or label
distributions (label smoothing applies), as in :mod:`explorer.core.targets`. The dtype of
``Z`` is kept.
"""

from __future__ import annotations

import numpy as np

from explorer.core.softmax import as_logits, softmax
from explorer.core.targets import as_targets, check_labels, is_labels


def squared_error_parts(Z, Y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-sample squared error, its ``∂L/∂z`` and the probabilities.

    Parameters
    ----------
    Z : ndarray, shape (C, N) or (C,)
        Logits.
    Y : int, ndarray of int with shape (N,), or ndarray of float with the shape of ``Z``
        Integer labels or label distributions.

    Returns
    -------
    loss : ndarray, shape (N,) (shape () for one sample)
        ``½ Σ_k (p_k − y_k)²`` of each sample.
    dz : ndarray, shape of ``Z``
        ``p ⊙ (g − pᵀg)`` with ``g = p − y``, which equals ``softmax_jacobian(p).T @ g``.
    P : ndarray, shape of ``Z``
        ``softmax(Z)``.
    """
    Z = as_logits(Z)
    single = Z.ndim == 1
    P = softmax(Z[:, None] if single else Z)
    loss, dz = _loss_and_dz(P, Y, single)
    if single:
        return loss[0], dz[:, 0], P[:, 0]
    return loss, dz, P


def squared_error_from_probs(P: np.ndarray, Y) -> tuple[np.ndarray, np.ndarray]:
    """:func:`squared_error_parts` from the probabilities ``P (C, N)`` (not modified).

    Returns
    -------
    loss : ndarray, shape (N,)
    dz : ndarray, shape (C, N)
    """
    return _loss_and_dz(P, Y, False)


def _loss_and_dz(P: np.ndarray, Y, single: bool) -> tuple[np.ndarray, np.ndarray]:
    C, N = P.shape
    if is_labels(Y):
        y = check_labels(Y, C, N).reshape(-1)
        G = P.copy()
        G.ravel()[y * N + np.arange(N)] -= 1
    else:
        G = P - as_targets(np.asarray(Y).reshape(C, -1) if single else Y, C, N, P.dtype)
    loss = 0.5 * np.einsum("cn,cn->n", G, G)
    # pᵀg per column, then Jᵀg = p ⊙ (g − pᵀg) in place of g.
    p_dot_g = np.einsum("cn,cn->n", P, G)
    G -= p_dot_g
    G *= P
    return loss, G


def squared_error(Z, Y) -> float:
    """Mean squared error on the probabilities, ``(1/N) Σ_n ½ Σ_k (p_kn − y_kn)²``.

    Parameters
    ----------
    Z : ndarray, shape (C, N) or (C,)
        Logits.
    Y : labels or distributions, as in :func:`squared_error_parts`

    Returns
    -------
    float
        The loss (a mean in float64 of the per-sample losses in ``Z``'s precision).

    Notes
    -----
    PyTorch's ``F.mse_loss(p, y)`` averages over all ``C·N`` entries and has no ½: it
    equals ``2/C`` times this.
    """
    loss = squared_error_parts(Z, Y)[0]
    return float(np.mean(loss, dtype=np.float64))
