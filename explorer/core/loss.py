"""The losses of a linear classifier and their gradients, one entry point (docs/maths.md).

Shapes follow docs/maths.md, a sample per column: ``W (C, D)``, ``b (C,)``, ``X (D, N)``,
logits (scores) ``Z = W X + b`` of shape ``(C, N)``. Targets ``Y`` are either integer
labels of shape ``(N,)`` (a scalar for one sample) or label distributions of shape
``(C, N)`` (``(C,)`` for one sample): one-hot, soft labels or label smoothing.

Cross-entropy lives here; the other losses of :data:`LOSSES` in
:mod:`explorer.core.squared_error` and :mod:`explorer.core.hinge`. :func:`loss_and_grads`
serves all of them through the same chain rule: only the per-sample ``∂L/∂z`` changes,
``dW = (1/N) dZ Xᵀ`` and ``db = mean(dZ)`` stay (``docs/maths.md``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explorer.core.hinge import HINGE_LOSSES, check_margin, hinge_parts
from explorer.core.parallel import split_columns
from explorer.core.softmax import log_softmax, softmax_in_place
from explorer.core.squared_loss import squared_error_in_place
from explorer.core.targets import as_targets, check_labels, one_hot, smooth_labels

__all__ = [
    "HINGE_LOSSES",
    "LOSSES",
    "PROBABILISTIC_LOSSES",
    "cli_loss_name",
    "cross_entropy",
    "cross_entropy_per_sample",
    "grad_wrt_logits",
    "grad_wrt_probs",
    "logits",
    "loss_and_grads",
    "loss_name",
    "one_hot",
    "smooth_labels",
]

#: Every loss, by its Python name; the first is the default.
LOSSES = ("cross_entropy", "squared_error", "svm_ww", "svm_ova", "svm_structured")
#: The losses of the probabilities ``p = softmax(z)``, which take label distributions.
PROBABILISTIC_LOSSES = ("cross_entropy", "squared_error")


def loss_name(name: str) -> str:
    """The Python name of a loss, from it or its command-line spelling.

    ``"cross-entropy"`` and ``"cross_entropy"`` both give ``"cross_entropy"``.

    Raises
    ------
    ValueError
        For a name that is none of :data:`LOSSES` (either spelling).
    """
    if isinstance(name, str) and name.replace("-", "_") in LOSSES:
        return name.replace("-", "_")
    spelled = ", ".join(cli_loss_name(n) for n in LOSSES)
    raise ValueError(f"unknown loss {str(name)[:40]!r}; choose one of {spelled}")


def cli_loss_name(name: str) -> str:
    """The command-line spelling of a loss (hyphens): ``"svm_ww"`` gives ``"svm-ww"``."""
    return loss_name(name).replace("_", "-")


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
        Integer labels (each in ``[0, C)``, else ``ValueError``) or label distributions.

    Returns
    -------
    float
        The loss, in ``Z``'s precision.
    """
    logp = log_softmax(Z)
    Y = np.asarray(Y)
    C = logp.shape[0]
    if np.issubdtype(Y.dtype, np.integer):
        if logp.ndim == 1:
            return 0.0 - float(logp[int(_one_label(Y, C))])
        y = check_labels(Y, C, logp.shape[1]).reshape(-1)
        return 0.0 - float(logp[y, np.arange(y.size)].mean(dtype=np.float64))
    Yf = as_targets(Y, C, None if logp.ndim == 1 else logp.shape[1], logp.dtype)
    per_sample = -(Yf * logp).sum(axis=0)
    return float(per_sample.mean(dtype=np.float64)) if per_sample.ndim else float(per_sample)


def cross_entropy_per_sample(Z: np.ndarray, Y) -> np.ndarray:
    """Each sample's cross-entropy ``−Σ_c Y[c, n] log p[c, n]``.

    Parameters
    ----------
    Z : ndarray, shape (C, N) or (C,)
    Y : labels or distributions, as in :func:`cross_entropy`

    Returns
    -------
    ndarray, shape (N,) (shape () for one sample), dtype of the logits
    """
    logp = log_softmax(Z)
    C = logp.shape[0]
    single = logp.ndim == 1
    if np.issubdtype(np.asarray(Y).dtype, np.integer):
        if single:
            return -logp[_one_label(Y, C)]
        y = check_labels(Y, C, logp.shape[1]).reshape(-1)
        return -logp[y, np.arange(y.size)]
    Yf = as_targets(Y, C, None if single else logp.shape[1], logp.dtype)
    return -(Yf * logp).sum(axis=0)


def _one_label(Y, C: int) -> np.ndarray:
    Y = np.asarray(Y)
    if Y.size != 1:
        raise ValueError(f"one sample takes one label, got {Y.size}")
    return check_labels(Y.reshape(()), C)


def grad_wrt_probs(P: np.ndarray, Y) -> np.ndarray:
    """``∂L/∂p = −y / p`` per sample (docs/maths.md).

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
    Yf = as_targets(Y, P.shape[0], None if P.ndim == 1 else P.shape[1], P.dtype)
    out = np.zeros_like(P)
    np.divide(-Yf, P, out=out, where=Yf != 0)
    return out


def grad_wrt_logits(P: np.ndarray, Y) -> np.ndarray:
    """``∂L/∂z = Jᵀ(−y/p) = p·Σy − y`` per column (docs/maths.md, "The chain rule").

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
    Yf = as_targets(Y, P.shape[0], None if P.ndim == 1 else P.shape[1], P.dtype)
    return P * Yf.sum(axis=0) - Yf


def loss_and_grads(
    W: np.ndarray,
    b: np.ndarray,
    X: np.ndarray,
    Y,
    l2: float = 0.0,
    *,
    loss: str = "cross_entropy",
    margin: float = 1.0,
    l1: float = 0.0,
    out: np.ndarray | None = None,
    on_probs: Callable[[np.ndarray], None] | None = None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Batch loss and parameter gradients of a linear classifier (docs/maths.md).

    ``loss = mean_n L_n + (l2/2)·‖W‖² + l1·Σ|W|`` (the bias is not regularised),
    ``dW = (1/N) dZ Xᵀ + l2·W + l1·sign(W)``, ``db = mean of dZ over samples``, with
    ``dZ`` the per-sample ``∂L/∂z`` of the chosen loss (``P·ΣY − Y`` for cross-entropy).
    ``sign(0) = 0`` is the subgradient of ``|W|`` at 0; the hinge losses' kinks get the
    subgradient 0 (:mod:`explorer.core.hinge`).

    Parameters
    ----------
    W : ndarray, shape (C, D)
    b : ndarray, shape (C,)
    X : ndarray, shape (D, N)
    Y : ndarray of int with shape (N,), or of float with shape (C, N)
        Labels in ``[0, C)`` (else ``ValueError``) or label distributions; the hinge
        losses take only labels or one-hot columns.
    l2 : float
        L2 penalty strength, finite and >= 0.
    loss : str, optional
        One of :data:`LOSSES`, either spelling (:func:`loss_name`).
    margin : float, optional
        The hinge losses' ``Δ``, finite and > 0 (checked for every loss).
    l1 : float, optional
        L1 penalty strength, finite and >= 0.
    out : ndarray, shape (C, N), C-contiguous, dtype of ``W``, optional
        Scratch for the logits (overwritten). Passing the same array on every call saves
        allocating ``C·N`` numbers each time.
    on_probs : callable, optional
        Called once with the probabilities ``P = softmax(WX + b)``, shape (C, N): copy
        what must outlive the call (cross-entropy turns them into ``dZ`` in place). A
        hinge loss does not need them: they are computed for this call only.

    Returns
    -------
    loss : float
    dW : ndarray, shape (C, D), dtype of ``W``
    db : ndarray, shape (C,), dtype of ``W``
    """
    name = loss_name(loss)
    check_margin(margin)
    for label, value in (("l2", l2), ("l1", l1)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{label} must be finite and >= 0, got {value!r}")
    dtype = W.dtype
    X = np.asarray(X, dtype=dtype)
    n = X.shape[1]
    if n == 0:
        raise ValueError("loss_and_grads needs at least one sample")
    if out is not None and (
        out.shape != (W.shape[0], n) or out.dtype != dtype or not out.flags.c_contiguous
    ):
        raise ValueError(f"out must be a C-contiguous {dtype} array of shape {(W.shape[0], n)}")
    if name == "cross_entropy":
        value, dZ = _cross_entropy_dz(W, b, X, Y, out, on_probs)
    else:
        Z = np.matmul(W, X, out=out)
        Z += np.asarray(b, dtype=dtype)[:, None]
        if name == "squared_error":
            dZ = softmax_in_place(Z)
            if on_probs is not None:
                on_probs(dZ)
            per_sample = squared_error_in_place(dZ, Y)
        else:
            if on_probs is not None:
                on_probs(softmax_in_place(Z.copy()))  # one fresh array, not softmax's two
            per_sample, dZ, _ = hinge_parts(Z, Y, name, margin, overwrite=True)
        value = float(np.mean(per_sample, dtype=np.float64))
    dW = dZ @ X.T
    dW /= n
    db = dZ.mean(axis=1, dtype=dtype)
    if l2:
        value += 0.5 * l2 * float(np.sum(W.astype(np.float64) ** 2))
        dW += dtype.type(l2) * W
    if l1:
        value += l1 * float(np.sum(np.abs(W.astype(np.float64))))
        dW += dtype.type(l1) * np.sign(W)
    return float(value), dW, db


def _cross_entropy_dz(W, b, X, Y, out, on_probs) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and ``dZ (C, N)`` of :func:`loss_and_grads`, in one exp pass."""
    dtype = W.dtype
    n = X.shape[1]
    shifted = np.matmul(W, X, out=out)
    bias = np.asarray(b, dtype=dtype)[:, None]
    Y = np.asarray(Y)
    labels = np.issubdtype(Y.dtype, np.integer)
    if labels:
        y = Y.reshape(-1)
        check_labels(y, W.shape[0], n)
        # [y, arange(n)] as flat indices: the same elements, several times faster to index.
        flat = np.empty(n, dtype=np.intp)
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
        value = float(np.mean(total, dtype=np.float64))
        dZ.ravel()[flat] -= 1
    else:
        Yf = as_targets(Y, dZ.shape[0], n, dtype)
        logp = shifted - np.log(total)
        value = float(np.mean(-(Yf * logp).sum(axis=0), dtype=np.float64))
        dZ *= Yf.sum(axis=0)
        dZ -= Yf
    return value, dZ
