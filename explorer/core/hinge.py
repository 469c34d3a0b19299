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


def hinge_parts(
    Z, Y, loss: str, margin: float = 1.0, *, overwrite: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    overwrite : bool, optional
        Let ``dz`` take ``Z``'s memory when ``Z`` is a C-contiguous float ``(C, N)``
        array (saves a ``C·N`` array's page faults at large N). ``Z`` is then lost.

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
    given = Z
    Z = as_logits(Z)
    single = Z.ndim == 1
    C, N = (Z.shape[0], 1) if single else Z.shape
    if C < 2:
        raise ValueError(f"the hinge losses need at least 2 classes, got {C}")
    y = hard_labels(Y, C, None if single else N, loss).reshape(-1)
    if overwrite and Z is given and not single and Z.flags.c_contiguous and Z.flags.writeable:
        work = Z
    else:
        work = np.array(Z.reshape(C, N), order="C")
    losses, active = _HINGES[loss](work, y, work.dtype.type(delta))
    if single:
        return losses[0], work[:, 0], active[:, 0]
    return losses, work, active


# Each turns the scores S (C, N), C-contiguous, into dz in place and returns the per-sample
# losses and the active margins. Flat indices y·N + n pick S[y_n, n] without fancy indexing
# over two axes; fresh (C, N) float arrays are avoided (their page faults cost more than
# the arithmetic at large N).
def _weston_watkins(S, y, d):
    N = S.shape[1]
    flat = y * N + np.arange(N)
    everything = S.ravel()
    S -= everything[flat]  # z_j − z_y ...
    S += d  # ... + Δ
    everything[flat] = 0  # the true class has no margin term
    active = S > 0
    np.maximum(S, 0, out=S)
    losses = S.sum(axis=0)
    np.copyto(S, active)
    everything[flat] = -S.sum(axis=0)  # minus the count of active margins
    return losses, active


def _one_vs_all(S, y, d):
    N = S.shape[1]
    flat = y * N + np.arange(N)
    everything = S.ravel()
    true_terms = d - everything[flat]  # Δ − s_y z_y with s_y = +1 ...
    S += d  # ... and Δ + z_j elsewhere (s_j = −1)
    everything[flat] = true_terms
    active = S > 0
    np.maximum(S, 0, out=S)
    losses = S.sum(axis=0)
    np.copyto(S, active)  # −s_j = +1 where active ...
    everything[flat] *= -1  # ... and −1 at y
    return losses, active


def _crammer_singer(S, y, d):
    C, N = S.shape
    columns = np.arange(N)
    flat = y * N + columns
    everything = S.ravel()
    margin = -everything[flat]
    everything[flat] = -np.inf
    top = S.max(axis=0)
    # The runner-up: the first class holding the maximum of the others (the lowest on a
    # tie), going down the classes so that the last write wins; a class-major loop,
    # ~5x faster than argmax over axis 0 at C = 10.
    runner_up = np.full(N, C - 1)
    for k in range(C - 2, -1, -1):
        np.copyto(runner_up, k, where=S[k] == top)
    margin += top
    margin += d
    hit = margin > 0
    losses = np.where(hit, margin, S.dtype.type(0))
    active = np.zeros((C, N), dtype=bool)
    active.ravel()[runner_up * N + columns] = hit
    np.copyto(S, active)
    everything[flat] = -hit.astype(S.dtype)
    return losses, active


_HINGES = {"svm_ww": _weston_watkins, "svm_ova": _one_vs_all, "svm_structured": _crammer_singer}


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
