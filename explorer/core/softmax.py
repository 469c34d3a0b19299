"""Softmax, log-softmax and the softmax Jacobian, in the notation of docs/maths.md.

Classes run along axis 0 and samples along axis 1: a logit vector ``z`` has shape
``(C,)`` and a batch ``Z`` has shape ``(C, N)``. Every function keeps the dtype it is
given, and subtracts the per-column maximum first, so logits of ±1e4 neither overflow
nor underflow into ``log(0)``.

Infinite logits get the limit of the softmax (``docs/maths.md``): in a column holding
``+inf``, the ``+inf`` entries share the probability equally (``[inf, 0, 0]`` gives
``[1, 0, 0]``, ``[inf, inf, 0]`` gives ``[½, ½, 0]``) and every other entry gets 0; a
``−inf`` entry beside a finite maximum gets 0 (``log_softmax``: ``−inf``). A column whose
entries are all ``−inf`` has no limit (it depends on how they fall), and a column holding
NaN has no value: both give NaN in every entry, quietly (no warning, no exception), so the
other columns of a batch keep their numbers.
"""

from __future__ import annotations

import numpy as np

from explorer.core.parallel import split_columns


def as_logits(Z) -> np.ndarray:
    """``Z`` as a float array of shape ``(C,)`` or ``(C, N)`` (integers become float64)."""
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
        Infinite logits: the logarithm of :func:`softmax`'s limit (module docstring).
    """
    Z = as_logits(Z)
    zmax = Z.max(axis=0)
    if not np.all(np.isfinite(zmax)):
        return _columnwise_with_infinities(Z, zmax, log_softmax, log=True)
    shifted = Z - zmax
    return shifted - np.log(np.exp(shifted).sum(axis=0))


def softmax(Z: np.ndarray) -> np.ndarray:
    """Probabilities ``p_i = exp(z_i) / Σ_j exp(z_j)`` per column (docs/maths.md, "Softmax").

    Parameters
    ----------
    Z : ndarray, shape (C,) or (C, N)
        Logits, one column per sample.

    Returns
    -------
    ndarray, same shape and dtype as ``Z``
        Each column is non-negative and sums to one. With ``+inf`` logits, the limit
        (module docstring); NaN for a column of ``−inf`` only or holding NaN.
    """
    Z = as_logits(Z)
    zmax = Z.max(axis=0)
    if not np.all(np.isfinite(zmax)):
        return _columnwise_with_infinities(Z, zmax, softmax, log=False)
    E = np.exp(Z - zmax)
    E /= E.sum(axis=0)
    return E


def softmax_in_place(Z: np.ndarray) -> np.ndarray:
    """:func:`softmax` of finite logits, written over them; the same bits.

    Parameters
    ----------
    Z : ndarray, shape (C, N), float, C-contiguous, writeable
        Finite logits (infinite ones are not given their limit here).

    Returns
    -------
    ndarray
        ``Z`` itself, holding the probabilities. Saves the two ``(C, N)`` arrays
        :func:`softmax` allocates, and splits the columns between two threads at large N.
    """

    def columns(lo: int, hi: int) -> None:
        S = Z[:, lo:hi]
        S -= S.max(axis=0)
        np.exp(S, out=S)
        S /= S.sum(axis=0)

    split_columns(columns, Z.shape[1], Z.size)
    return Z


def _columnwise_with_infinities(Z, zmax, finite_function, *, log: bool) -> np.ndarray:
    """:func:`softmax` (or its log) of logits some of whose columns have no finite maximum.

    Columns with a finite maximum go to ``finite_function``; a column whose maximum is
    ``+inf`` gets ``1/k`` on its ``k`` infinite entries and 0 elsewhere (the limit); a
    ``−inf`` or NaN maximum (every entry ``−inf``, or a NaN) gets NaN (module docstring).
    """
    out = np.empty_like(Z)
    cols, out2 = (Z[:, None], out[:, None]) if Z.ndim == 1 else (Z, out)
    zmax = np.atleast_1d(zmax)
    finite = np.isfinite(zmax)
    top = zmax == np.inf
    if finite.any():
        out2[:, finite] = finite_function(cols[:, finite])
    if top.any():
        at_top = cols[:, top] == np.inf
        share = 1.0 / at_top.sum(axis=0)
        if log:
            out2[:, top] = np.where(at_top, np.log(share), -np.inf)
        else:
            out2[:, top] = np.where(at_top, share, 0.0)
    out2[:, ~(finite | top)] = np.nan
    return out


def softmax_jacobian(p: np.ndarray) -> np.ndarray:
    """The softmax Jacobian ``J = ∂p/∂z = diag(p) − p pᵀ`` (docs/maths.md).

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
    p = as_logits(p)
    if p.ndim == 1:
        return np.diag(p) - np.outer(p, p)
    cols = p.T  # (N, C)
    J = -cols[:, :, None] * cols[:, None, :]
    idx = np.arange(p.shape[0])
    J[:, idx, idx] += cols
    return J
