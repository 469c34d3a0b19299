"""The path on a plane, kept up to date step by step, and a finished landscape.

:class:`PathProjection` holds the recorded path (:mod:`explorer.session.param_path`)
projected on one plane and extends it by the rows recorded since its last update (one
projection of ``P`` numbers a step, not one of the whole path); :class:`Surface` is a
finished landscape with its plane; :func:`sampled` thins a long path for a PCA plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.parameter_planes import ParameterPlane

#: Rows of the path a PCA plane is taken of: longer paths are sampled evenly (first and
#: last rows kept), so the SVD stays a few milliseconds (``docs/landscape.md``).
PCA_ROWS = 4096


@dataclass(frozen=True)
class Surface:
    """A finished landscape.

    Attributes
    ----------
    plane : ParameterPlane
    alphas, betas : ndarray of float64, shapes (Gα,) and (Gβ,)
    values : ndarray of float64, shape (Gβ, Gα)
        ``L(α_c, β_r)`` at ``[r, c]`` (rows follow β).
    step : int
        The shown step the plane was anchored at.
    ranges : (α_min, α_max, β_min, β_max)
    """

    plane: ParameterPlane
    alphas: np.ndarray
    betas: np.ndarray
    values: np.ndarray
    step: int
    ranges: tuple[float, float, float, float]


class PathProjection:
    """The recorded path on one plane, extended as rows are appended.

    ``update(path)`` projects only the rows recorded since the last call while the
    record's epoch is unchanged; after a truncation or a restart, the whole path again.
    """

    def __init__(self, plane: ParameterPlane):
        self.plane = plane
        self._epoch = -1
        self._n = 0
        self.steps = np.zeros(0, dtype=np.int64)
        self._coords = np.zeros((3, 0))  # alphas, betas, distances; capacity columns

    @property
    def alphas(self) -> np.ndarray:
        return self._coords[0, : self._n]

    @property
    def betas(self) -> np.ndarray:
        return self._coords[1, : self._n]

    @property
    def distances(self) -> np.ndarray:
        return self._coords[2, : self._n]

    def update(self, path) -> bool:
        """Bring the projection up to ``path`` (a :class:`~.param_path.ParamPath`);
        returns whether anything changed."""
        n = len(path)
        if path.epoch == self._epoch and n == self._n:
            return False
        start = self._n if path.epoch == self._epoch and n > self._n else 0
        if n > self._coords.shape[1]:
            grown = np.zeros((3, max(1024, 2 * n)))
            grown[:, :start] = self._coords[:, :start]
            self._coords = grown
        if n > start:
            on = self.plane.project(np.asarray(path.thetas[start:n], dtype=np.float64))
            self._coords[0, start:n], self._coords[1, start:n] = on.alphas, on.betas
            self._coords[2, start:n] = on.distances
        self.steps = np.array(path.steps)
        self._epoch, self._n = path.epoch, n
        return True


def sampled(rows: np.ndarray) -> np.ndarray:
    """At most :data:`PCA_ROWS` of ``rows`` (T, P), evenly spaced, first and last kept."""
    if len(rows) <= PCA_ROWS:
        return rows
    return rows[np.unique(np.linspace(0, len(rows) - 1, PCA_ROWS).round().astype(int))]
