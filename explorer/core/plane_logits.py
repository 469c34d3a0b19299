"""The logits on a plane, and how a landscape's work is cut into units.

On a plane ``θ = o + α u + β v`` the logits are linear (``docs/landscape.md``):

    ``Z(α, β) = Z₀ + α Z_u + β Z_v``,  ``Z_u = W_u F + b_u 1ᵀ``

so three ``(C, N)`` products hold everything a landscape needs; no cell ever multiplies
a matrix. A surface kernel (:mod:`~explorer.core.landscape_softmax`,
:mod:`~explorer.core.landscape_hinge`) is cut into *units* of work that are computed on
their own (in either of two threads) and then added in unit order, so the surface has the
same bits however the units were shared out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from explorer.core.parallel import MIN_HALF_COLUMNS, split_columns
from explorer.core.parameter_planes import ParameterPlane


@dataclass(frozen=True)
class PlaneLogits:
    """``Z₀, Z_u, Z_v`` of the training set on a plane, float64.

    Attributes
    ----------
    Z0, Zu, Zv : ndarray of float64, shape (C, N)
    y : ndarray of intp, shape (N,)
        Labels in ``[0, C)``.
    """

    Z0: np.ndarray
    Zu: np.ndarray
    Zv: np.ndarray
    y: np.ndarray

    @property
    def n_samples(self) -> int:
        return self.Z0.shape[1]

    def true_class(self, Z: np.ndarray) -> np.ndarray:
        """``Z[y_n, n]`` for every sample, shape (N,)."""
        return Z[self.y, np.arange(self.y.size)]


def plane_logits(features: np.ndarray, labels: np.ndarray, plane: ParameterPlane) -> PlaneLogits:
    """The three logit matrices of ``features`` on ``plane``.

    Parameters
    ----------
    features : ndarray, shape (D, N)
        Training features ``F`` (``D`` as in ``plane.shape``).
    labels : ndarray of int, shape (N,)
    plane : ParameterPlane

    Returns
    -------
    PlaneLogits
    """
    F = np.asarray(features, dtype=np.float64)
    C, D = plane.shape
    if F.ndim != 2 or F.shape[0] != D:
        raise ValueError(f"features must be ({D}, N) for this plane, got {F.shape}")
    y = np.asarray(labels).reshape(-1)
    if not np.issubdtype(y.dtype, np.integer) or y.size != F.shape[1]:
        raise ValueError(f"labels must be {F.shape[1]} integers, got {y.dtype} {y.shape}")
    if F.shape[1] == 0:
        raise ValueError("a landscape needs at least one training sample")
    if y.min() < 0 or y.max() >= C:
        raise ValueError(f"labels must lie in [0, {C}), got {y.min()}..{y.max()}")
    if not np.all(np.isfinite(F)):
        raise ValueError("the features hold values that are not finite")

    def logits_of(theta: np.ndarray) -> np.ndarray:
        W, b = theta[: C * D].reshape(C, D), theta[C * D :]
        Z = W @ F
        Z += b[:, None]
        return Z

    return PlaneLogits(
        logits_of(plane.origin), logits_of(plane.u), logits_of(plane.v), y.astype(np.intp)
    )


def check_axis(values, name: str) -> np.ndarray:
    """A grid axis as float64 ``(G,)``: finite and strictly increasing, ``G >= 1``."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a non-empty 1-D array of finite numbers")
    if np.any(np.diff(values) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    return values


class SurfaceKernel(Protocol):
    """A loss's surface, computed unit by unit.

    ``total`` starts as zeros of shape ``(Gβ, Gα)``; ``add(total, unit, run(unit))`` for
    every unit in order, then ``finish(total)`` is the mean data loss (no penalty).
    """

    n_units: int
    unit_elements: int  # array elements one unit works through (for the thread split)

    def run(self, unit: int): ...

    def add(self, total: np.ndarray, unit: int, part) -> None: ...

    def finish(self, total: np.ndarray) -> np.ndarray: ...


def run_units(kernel: SurfaceKernel, lo: int, hi: int) -> list:
    """``[kernel.run(u) for u in range(lo, hi)]``, in two threads when that pays.

    :func:`~explorer.core.parallel.split_columns` splits columns; here each unit stands
    for :data:`~explorer.core.parallel.MIN_HALF_COLUMNS` columns, and a half computes the
    units whose first column falls in its range. Results are stored by unit, so the
    caller adds them in the same order either way.
    """
    count = hi - lo
    parts: list = [None] * count
    width = MIN_HALF_COLUMNS

    def work(first: int, last: int) -> None:
        for k in range(-(-first // width), -(-last // width)):
            parts[k] = kernel.run(lo + k)

    split_columns(work, count * width, count * kernel.unit_elements)
    return parts
