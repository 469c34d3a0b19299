"""The multiclass SVM (hinge) losses of the scores ``z = Wx + b``, margin ``Δ > 0``.

With ``y`` the true class and ``s_j = +1`` for ``j = y``, else ``−1`` (``docs/maths.md``):

- ``svm_ww`` (Weston–Watkins): ``L = Σ_{j≠y} max(0, z_j − z_y + Δ)``;
  ``∂L/∂z_j = 1[z_j − z_y + Δ > 0]`` for ``j ≠ y``, and minus their count at ``y``.
- ``svm_ova`` (one-vs-all): ``L = Σ_j max(0, Δ − s_j z_j)``;
  ``∂L/∂z_j = −s_j 1[Δ − s_j z_j > 0]``.
- ``svm_structured`` (Crammer–Singer): ``L = max(0, max_{j≠y} z_j − z_y + Δ)``;
  ``+1`` at the runner-up ``j* = argmax_{j≠y} z_j`` and ``−1`` at ``y``, when active.

No softmax enters these losses. A margin is *active* when its term is strictly positive;
at a kink (a term exactly 0) the strict inequality gives the subgradient 0, and a tie
between runner-ups of ``svm_structured`` goes to the lowest class. The losses take hard
labels only: integer labels, or one-hot columns; soft labels and label smoothing are
refused with a ``ValueError``. Scores must be finite; ``Z`` is ``(C, N)`` with
``C >= 2`` (or ``(C,)`` for one sample) and its dtype is kept.
"""

from __future__ import annotations

import math

import numpy as np

from explorer.core.softmax import as_logits
from explorer.core.targets import hard_labels

#: The hinge losses, by their Python names.
HINGE_LOSSES = ("svm_ww", "svm_ova", "svm_structured")


def check_margin(margin) -> float:
    """The margin ``Δ`` as a float, refused unless finite and > 0."""
    if isinstance(margin, bool) or not isinstance(margin, int | float | np.integer | np.floating):
        raise ValueError(f"the margin must be a number, got {type(margin).__name__}")
    value = float(margin)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"the margin must be finite and > 0, got {value!r}")
    return value


def hinge_parts(Z, Y, loss: str, margin: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-sample hinge loss, its (sub)gradient ``∂L/∂z`` and the active margins.

    Parameters
    ----------
    Z : ndarray, shape (C, N) or (C,)
        Scores, finite, ``C >= 2``.
    Y : int, ndarray of int with shape (N,), or one-hot ndarray with the shape of ``Z``
        True classes.
    loss : {"svm_ww", "svm_ova", "svm_structured"}
    margin : float, optional
        ``Δ > 0``.

    Returns
    -------
    loss : ndarray, shape (N,) (shape () for one sample), dtype of ``Z``
    dz : ndarray, shape of ``Z``, dtype of ``Z``
        Entries in ``{−(C−1), …, −1, 0, 1}``.
    active : ndarray of bool, shape of ``Z``
        Where a margin term is strictly positive: ``svm_ww`` the classes ``j ≠ y`` with
        ``z_j − z_y + Δ > 0`` (never ``y``); ``svm_ova`` every class with
        ``Δ − s_j z_j > 0`` (``y`` included); ``svm_structured`` the runner-up ``j*``
        when the sample's loss is positive.
    """
    if loss not in HINGE_LOSSES:
        raise ValueError(f"{str(loss)[:40]!r} is not a hinge loss; choose one of {HINGE_LOSSES}")
    delta = check_margin(margin)
    Z = as_logits(Z)
    single = Z.ndim == 1
    Zc = np.ascontiguousarray(Z[:, None] if single else Z)
    C, N = Zc.shape
    if C < 2:
        raise ValueError(f"the hinge losses need at least 2 classes, got {C}")
    y = hard_labels(Y, C, None if single else N, loss).reshape(-1)
    dtype = Zc.dtype
    d = dtype.type(delta)
    # Flat indices y·N + n pick Z[y_n, n] without fancy indexing over two axes.
    flat = y * N + np.arange(N)
    z_true = Zc.ravel()[flat]
    if loss == "svm_ww":
        M = Zc - z_true
        M += d
        M.ravel()[flat] = 0  # the true class has no margin term
        active = M > 0
        losses = np.maximum(M, 0).sum(axis=0, dtype=dtype)
        dz = active.astype(dtype)
        dz.ravel()[flat] = -active.sum(axis=0)
    elif loss == "svm_ova":
        M = Zc + d  # Δ − s_j z_j with s_j = −1 ...
        M.ravel()[flat] = d - z_true  # ... and s_y = +1
        active = M > 0
        losses = np.maximum(M, 0).sum(axis=0, dtype=dtype)
        dz = active.astype(dtype)
        dz.ravel()[flat] = -dz.ravel()[flat]  # −s_y = −1 where active
    else:
        others = Zc.copy()
        others.ravel()[flat] = -np.inf
        runner_up = others.argmax(axis=0)  # the first maximum: ties to the lowest class
        m = others.ravel()[runner_up * N + np.arange(N)] - z_true
        m += d
        hit = m > 0
        losses = np.where(hit, m, dtype.type(0))
        active = np.zeros((C, N), dtype=bool)
        active.ravel()[runner_up * N + np.arange(N)] = hit
        dz = active.astype(dtype)
        dz.ravel()[flat] = -hit.astype(dtype)
    if single:
        return losses[0], dz[:, 0], active[:, 0]
    return losses, dz, active


def _mean(Z, Y, loss: str, margin: float) -> float:
    return float(np.mean(hinge_parts(Z, Y, loss, margin)[0], dtype=np.float64))


def svm_ww(Z, Y, margin: float = 1.0) -> float:
    """Mean Weston–Watkins loss ``(1/N) Σ_n Σ_{j≠y_n} max(0, z_jn − z_yn + Δ)``.

    Parameters
    ----------
    Z : ndarray, shape (C, N) or (C,)
    Y : labels or one-hot targets, as in :func:`hinge_parts`
    margin : float, optional

    Returns
    -------
    float

    Notes
    -----
    PyTorch's ``F.multi_margin_loss`` divides each sample's sum by ``C``.
    """
    return _mean(Z, Y, "svm_ww", margin)


def svm_ova(Z, Y, margin: float = 1.0) -> float:
    """Mean one-vs-all loss ``(1/N) Σ_n Σ_j max(0, Δ − s_jn z_jn)``.

    Parameters and return as in :func:`svm_ww`.
    """
    return _mean(Z, Y, "svm_ova", margin)


def svm_structured(Z, Y, margin: float = 1.0) -> float:
    """Mean Crammer–Singer loss ``(1/N) Σ_n max(0, max_{j≠y_n} z_jn − z_yn + Δ)``.

    Parameters and return as in :func:`svm_ww`.
    """
    return _mean(Z, Y, "svm_structured", margin)
