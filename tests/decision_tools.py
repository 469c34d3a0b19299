"""Decoding the decision image's indices, for the tests: the inverse of the packing in
:mod:`explorer.core.decision` (``index = k · L + l``), which the app itself never needs
(a colour table turns indices into pixels)."""

from __future__ import annotations

import numpy as np

from explorer.core.decision import levels_per_class


def index_to_class_and_confidence(
    idx: np.ndarray | int, C: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode decision indices into the class and the confidence interval of the level.

    Parameters
    ----------
    idx : int or ndarray of int, any shape
        Indices from :func:`decision_indices`, each ``< C · levels_per_class(C)``.
    C : int
        Number of classes.

    Returns
    -------
    k : ndarray of int64, shape of ``idx``
        The winning class.
    conf_low, conf_high : ndarray of float64, shape of ``idx``
        The probabilities that round to this level: ``conf`` of the kernel lies in
        ``[conf_low, conf_high]`` (up to float32 rounding), within ``[1/C, 1]``.
    """
    k, f_lo, f_hi = _decode(idx, C)
    span = 1.0 - 1.0 / C
    return k, 1.0 / C + f_lo * span, 1.0 / C + f_hi * span


def index_to_class_and_margin(
    idx: np.ndarray | int, C: int, margin: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode indices of ``shade="margin"`` into the class and the clipped top-two gap.

    Parameters
    ----------
    idx : int or ndarray of int, any shape
        Indices from :func:`decision_indices` with ``shade="margin"``.
    C : int
        Number of classes.
    margin : float, optional
        The ``Δ`` they were made with.

    Returns
    -------
    k : ndarray of int64, shape of ``idx``
    gap_low, gap_high : ndarray of float64, shape of ``idx``
        ``min(z_top1 − z_top2, Δ)`` lies in ``[gap_low, gap_high]`` (up to float32
        rounding), within ``[0, Δ]``; the top level holds every gap from its low end up.
    """
    k, f_lo, f_hi = _decode(idx, C)
    return k, f_lo * float(margin), f_hi * float(margin)


def _decode(idx, C: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class and the interval in ``[0, 1]`` of the quantised fraction of each index."""
    L = levels_per_class(C)
    idx = np.asarray(idx)
    if not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"indices must be integers, got {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= C * L):
        raise ValueError(f"indices must be in [0, {C * L - 1}] for {C} classes")
    k, lev = np.divmod(idx.astype(np.int64), L)
    if L == 1:  # a single level covers every confidence
        return k, np.zeros(lev.shape), np.ones(lev.shape)
    # level l holds the continuous levels [l − 1/2, l + 1/2] ∩ [0, L − 1]
    return k, np.maximum(lev - 0.5, 0.0) / (L - 1), np.minimum(lev + 0.5, L - 1.0) / (L - 1)
