"""Cross-entropy and its gradients for a linear softmax classifier (seeds 1 and 2).

Shapes follow the seeds' column vectors: ``W (C, D)``, ``b (C,)``, ``X (D, N)``,
logits ``Z = W X + b`` of shape ``(C, N)``. Targets ``Y`` are either integer labels of
shape ``(N,)`` (a scalar for one sample) or label distributions of shape ``(C, N)``
(``(C,)`` for one sample): one-hot, soft labels or label smoothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explorer.core.parallel import split_columns
from explorer.core.softmax import log_softmax


def one_hot(y: np.ndarray, n_classes: int, dtype=np.float64) -> np.ndarray:
    """One-hot targets.

    Parameters
    ----------
    y : ndarray of int, shape (N,)
        Class indices in ``[0, n_classes)``.
    n_classes : int
        Number of classes ``C``.

    Returns
    -------
    ndarray, shape (C, N)
    """
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got {y.min()}..{y.max()}")
    Y = np.zeros((n_classes, y.size), dtype=dtype)
    Y[y, np.arange(y.size)] = 1
    return Y


def smooth_labels(y: np.ndarray, n_classes: int, eps: float, dtype=np.float64) -> np.ndarray:
    """Label-smoothed targets ``(1 − ε)·onehot + ε/C``; each column sums to one.

    Parameters
    ----------
    y : ndarray of int, shape (N,)
    n_classes : int
    eps : float in [0, 1)

    Returns
    -------
    ndarray, shape (C, N)
    """
    if not 0.0 <= eps < 1.0:
        raise ValueError(f"label smoothing must lie in [0, 1), got {eps}")
    Y = one_hot(y, n_classes, dtype=dtype)
    Y *= 1.0 - eps
    Y += eps / n_classes
    return Y


def _targets(Y, n_classes: int, n_samples: int | None, dtype) -> np.ndarray:
    """Return targets as a float ``(C, N)`` (or ``(C,)``) array of the given dtype."""
    Y = np.asarray(Y)
    if np.issubdtype(Y.dtype, np.integer):
        if Y.ndim == 0:
            return one_hot(Y.reshape(1), n_classes, dtype)[:, 0]
        return one_hot(Y, n_classes, dtype)
    Y = Y.astype(dtype, copy=False)
    if Y.shape[0] != n_classes or (n_samples is not None and Y.shape[1:] != (n_samples,)):
        raise ValueError(f"targets of shape {Y.shape} do not match {n_classes} classes")
    return Y


def logits(W: np.ndarray, b: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Logits ``Z = W X + b`` for a batch.

    Parameters
    ----------
    W : ndarray, shape (C, D)
    b : ndarray, shape (C,)
    X : ndarray, shape (D, N) (or (D,) for one sample)

    Returns
    -------
    ndarray, shape (C, N) (or (C,))
    """
    Z = W @ X
    Z += b if Z.ndim == 1 else b[:, None]
    return Z


def cross_entropy(Z: np.ndarray, Y) -> float:
    """Mean cross-entropy ``L = −(1/N) Σ_n Σ_c Y[c, n] log p[c, n]``, from log-softmax.

    Parameters
    ----------
    Z : ndarray, shape (C, N) or (C,)
        Logits.
    Y : int, ndarray of int with shape (N,), or ndarray of float with the shape of ``Z``
        Integer labels or label distributions.

    Returns
    -------
    float
        The loss, in ``Z``'s precision.
    """
    logp = log_softmax(Z)
    Y = np.asarray(Y)
    if np.issubdtype(Y.dtype, np.integer):
        if logp.ndim == 1:
            return 0.0 - float(logp[int(Y)])
        y = Y.reshape(-1)
        return 0.0 - float(logp[y, np.arange(y.size)].mean(dtype=np.float64))
    Yf = _targets(Y, logp.shape[0], None, logp.dtype)
    per_sample = -(Yf * logp).sum(axis=0)
    return float(per_sample.mean(dtype=np.float64)) if per_sample.ndim else float(per_sample)


def grad_wrt_probs(P: np.ndarray, Y) -> np.ndarray:
    """``∂L/∂p = −y / p`` (seed 2, result 3), per sample.

    Parameters
    ----------
    P : ndarray, shape (C,) or (C, N)
        Probabilities (strictly positive where ``y`` is not zero).
    Y : labels or distributions, as in :func:`cross_entropy`

    Returns
    -------
    ndarray, shape of ``P``
    """
    P = np.asarray(P)
    Yf = _targets(Y, P.shape[0], None if P.ndim == 1 else P.shape[1], P.dtype)
    out = np.zeros_like(P)
    np.divide(-Yf, P, out=out, where=Yf != 0)
    return out


def grad_wrt_logits(P: np.ndarray, Y) -> np.ndarray:
    """``∂L/∂z = Jᵀ(−y/p) = p·Σy − y`` per column (seed 2, part 3).

    This is ``p − y`` whenever each column of ``y`` sums to one (one-hot or smoothed
    labels).

    Parameters
    ----------
    P : ndarray, shape (C,) or (C, N)
    Y : labels or distributions, as in :func:`cross_entropy`

    Returns
    -------
    ndarray, shape of ``P``
    """
    P = np.asarray(P)
    Yf = _targets(Y, P.shape[0], None if P.ndim == 1 else P.shape[1], P.dtype)
    return P * Yf.sum(axis=0) - Yf


def loss_and_grads(
    W: np.ndarray,
    b: np.ndarray,
    X: np.ndarray,
    Y,
    l2: float = 0.0,
    *,
    out: np.ndarray | None = None,
    on_probs: Callable[[np.ndarray], None] | None = None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Batch loss and parameter gradients of a linear softmax classifier (seed 1, §3–4).

    ``loss = mean CE + (l2/2)·‖W‖²`` (the bias is not regularised),
    ``dW = (1/N) dZ Xᵀ + l2·W``, ``db = mean of dZ over samples``, with ``dZ = P·ΣY − Y``.

    Parameters
    ----------
    W : ndarray, shape (C, D)
    b : ndarray, shape (C,)
    X : ndarray, shape (D, N)
    Y : ndarray of int with shape (N,), or of float with shape (C, N)
    l2 : float
        L2 penalty strength.
    out : ndarray, shape (C, N), C-contiguous, dtype of ``W``, optional
        Scratch for the logits (overwritten). Passing the same array on every call saves
        allocating ``C·N`` numbers each time.
    on_probs : callable, optional
        Called once with the probabilities ``P = softmax(WX + b)``, shape (C, N), before
        they are turned into ``dZ`` in place: copy what must outlive the call.

    Returns
    -------
    loss : float
    dW : ndarray, shape (C, D), dtype of ``W``
    db : ndarray, shape (C,), dtype of ``W``
    """
    dtype = W.dtype
    X = np.asarray(X, dtype=dtype)
    n = X.shape[1]
    if n == 0:
        raise ValueError("loss_and_grads needs at least one sample")
    if out is not None and (
        out.shape != (W.shape[0], n) or out.dtype != dtype or not out.flags.c_contiguous
    ):
        raise ValueError(f"out must be a C-contiguous {dtype} array of shape {(W.shape[0], n)}")
    # One exp pass serves both the loss (through log-softmax) and dZ.
    shifted = np.matmul(W, X, out=out)
    bias = np.asarray(b, dtype=dtype)[:, None]
    Y = np.asarray(Y)
    labels = np.issubdtype(Y.dtype, np.integer)
    if labels:
        # [y, arange(n)] as flat indices: the same elements, several times faster to index.
        flat = np.empty(n, dtype=np.intp)
        y = Y.reshape(-1)
        z_true = np.empty(n, dtype=dtype)
        total = np.empty(n, dtype=dtype)
        everything = shifted.ravel()

        def softmax_columns(lo: int, hi: int) -> None:
            S = shifted[:, lo:hi]
            S += bias
            S -= S.max(axis=0)
            picks = flat[lo:hi]
            np.multiply(y[lo:hi], n, out=picks, dtype=np.intp)
            picks += np.arange(lo, hi)
            np.take(everything, picks, out=z_true[lo:hi])
            np.exp(S, out=S)  # the logits are not needed after z_true
            sums = total[lo:hi]
            np.sum(S, axis=0, out=sums)
            S /= sums
            # total becomes log Σ exp − z_y, each sample's loss (−log p_y)
            np.log(sums, out=sums)
            sums -= z_true[lo:hi]

        split_columns(softmax_columns, n, shifted.size)
        dZ = shifted
    else:
        shifted += bias
        shifted -= shifted.max(axis=0)
        dZ = np.exp(shifted)  # the smoothed loss reads the logits again below
        total = dZ.sum(axis=0)
        dZ /= total
    if on_probs is not None:
        on_probs(dZ)
    if labels:
        loss = float(np.mean(total, dtype=np.float64))
        dZ.ravel()[flat] -= 1
    else:
        Yf = _targets(Y, dZ.shape[0], n, dtype)
        logp = shifted - np.log(total)
        loss = float(np.mean(-(Yf * logp).sum(axis=0), dtype=np.float64))
        dZ *= Yf.sum(axis=0)
        dZ -= Yf
    dW = dZ @ X.T
    dW /= n
    db = dZ.mean(axis=1, dtype=dtype)
    if l2:
        loss += 0.5 * l2 * float(np.sum(W.astype(np.float64) ** 2))
        dW += dtype.type(l2) * W
    return float(loss), dW, db
