"""Squared error on the probabilities, ``L = ½ Σ_k (p_k − y_k)²``, and its gradient.

The chain rule of docs/maths.md with another ``∂L/∂p``: ``∂L/∂p = g = p − y``, so
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

from explorer.core.parallel import split_columns
from explorer.core.softmax import as_logits, softmax
from explorer.core.targets import as_targets, check_labels, is_labels

#: Columns per block of the in-place pass: a (C, 2048) float64 scratch stays in cache.
_BLOCK = 2048


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
    if single and not is_labels(Y):
        Y = np.asarray(Y).reshape(-1, 1)
    dz = P.copy()
    loss = squared_error_in_place(dz, Y)
    if single:
        return loss[0], dz[:, 0], P[:, 0]
    return loss, dz, P


def squared_error_in_place(P: np.ndarray, Y) -> np.ndarray:
    """Per-sample squared error of the probabilities ``P``, which become ``∂L/∂z``.

    Parameters
    ----------
    P : ndarray, shape (C, N), C-contiguous, writeable
        Probabilities; overwritten by ``dz = p ⊙ (g − pᵀg)``, ``g = p − y``.
    Y : labels ``(N,)`` or distributions ``(C, N)``

    Returns
    -------
    ndarray, shape (N,), dtype of ``P``
        ``½ Σ_k g_k²`` of each sample.
    """
    C, N = P.shape
    if not P.flags.c_contiguous:
        raise ValueError("squared_error_in_place needs a C-contiguous array")
    labels = is_labels(Y)
    if labels:
        y = check_labels(Y, C, N).reshape(-1)
    else:
        T = as_targets(Y, C, N, P.dtype)
    loss = np.empty(N, dtype=P.dtype)

    def columns(lo: int, hi: int) -> None:
        # Block by block, each with its own scratch g: split_columns may run two halves.
        g = np.empty((C, min(_BLOCK, hi - lo)), dtype=P.dtype)
        for start in range(lo, hi, _BLOCK):
            stop = min(start + _BLOCK, hi)
            p, gb = P[:, start:stop], g[:, : stop - start]
            if labels:
                np.copyto(gb, p)
                gb[y[start:stop], np.arange(stop - start)] -= 1
            else:
                np.subtract(p, T[:, start:stop], out=gb)
            np.einsum("cn,cn->n", gb, gb, out=loss[start:stop])
            gb -= np.einsum("cn,cn->n", p, gb)  # g − pᵀg
            p *= gb  # Jᵀg = p ⊙ (g − pᵀg), in place of p

    split_columns(columns, N, P.size)
    loss *= P.dtype.type(0.5)
    return loss


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
