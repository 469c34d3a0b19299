"""Softmax, log-softmax and the softmax Jacobian, in the seeds' notation.

Classes run along axis 0 and samples along axis 1: a logit vector ``z`` has shape
``(C,)`` and a batch ``Z`` has shape ``(C, N)``. Every function keeps the dtype it is
given, and subtracts the per-column maximum first, so logits of ±1e4 neither overflow
nor underflow into ``log(0)``.
"""

from __future__ import annotations

import numpy as np


def _as_float(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z)
    if not np.issubdtype(Z.dtype, np.floating):
        Z = Z.astype(np.float64)
    if Z.ndim not in (1, 2):
        raise ValueError(f"logits must have shape (C,) or (C, N), got {Z.shape}")
    return Z


def log_softmax(Z: np.ndarray) -> np.ndarray:
    """Logarithm of the softmax, computed without forming ``softmax`` first.

    Parameters
    ----------
    Z : ndarray, shape (C,) or (C, N)
        Logits, one column per sample.

    Returns
    -------
    ndarray, same shape and dtype as ``Z``
        ``z - max(z) - log Σ exp(z - max(z))`` per column; every entry is ``<= 0``.
    """
    Z = _as_float(Z)
    shifted = Z - Z.max(axis=0)
    return shifted - np.log(np.exp(shifted).sum(axis=0))


def softmax(Z: np.ndarray) -> np.ndarray:
    """Probabilities ``p_i = exp(z_i) / Σ_j exp(z_j)`` per column (seed 2, part 1).

    Parameters
    ----------
    Z : ndarray, shape (C,) or (C, N)
        Logits, one column per sample.

    Returns
    -------
    ndarray, same shape and dtype as ``Z``
        Each column is non-negative and sums to one.
    """
    Z = _as_float(Z)
    E = np.exp(Z - Z.max(axis=0))
    E /= E.sum(axis=0)
    return E


def softmax_jacobian(p: np.ndarray) -> np.ndarray:
    """The softmax Jacobian ``J = ∂p/∂z = diag(p) − p pᵀ`` (seed 2, results 1 and 2).

    ``J[j, k] = p_j (1 − p_j)`` on the diagonal and ``−p_j p_k`` off it. It is symmetric
    and each row sums to zero because the probabilities sum to one.

    Parameters
    ----------
    p : ndarray, shape (C,) or (C, N)
        Probabilities of one sample, or one column per sample.

    Returns
    -------
    ndarray, shape (C, C) for one sample, or (N, C, C) for a batch
        Same dtype as ``p``.
    """
    p = _as_float(p)
    if p.ndim == 1:
        return np.diag(p) - np.outer(p, p)
    cols = p.T  # (N, C)
    J = -cols[:, :, None] * cols[:, None, :]
    idx = np.arange(p.shape[0])
    J[:, idx, idx] += cols
    return J
