"""The 2-D data plane: the range shown around the points, the grid over it, and points
near a place on it.

The decision-regions view shows the plane; what it draws comes from here: the range
fitted to the data and the plot's shape, the feature vectors of the grid cells whose
decision makes the image, the centre the weight arrows start from, and the point a
click hits.
"""

from __future__ import annotations

import numpy as np

from explorer.core.decision import grid_axes, grid_points
from explorer.core.features import FeatureMap

#: Share of the larger data span added around the data on every side.
MARGIN = 0.10

Range = tuple[float, float, float, float]


def fit_range(X: np.ndarray, aspect: float = 1.0) -> Range:
    """A range around the points, 10 % margin on every side, widened to ``aspect``.

    Parameters
    ----------
    X : ndarray, shape (2, N)
    aspect : float
        Wanted width / height of the range (the plot's, so the grid fills it at 1:1).

    Returns
    -------
    (xmin, xmax, ymin, ymax) : tuple of float
        The data bounds grown by 10 % of the larger data span on each side, then the
        shorter side grown about the centre until ``width / height == aspect``.
    """
    if X.shape[1] == 0:
        lo, hi = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
    else:
        lo, hi = X.min(axis=1), X.max(axis=1)
    centre = (lo + hi) / 2.0
    size = hi - lo
    span = float(size.max())
    if not np.isfinite(span) or span <= 1e-12:
        size, span = np.ones(2), 1.0
    width = float(size[0]) + 2 * MARGIN * span
    height = float(size[1]) + 2 * MARGIN * span
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    return (
        float(centre[0] - width / 2),
        float(centre[0] + width / 2),
        float(centre[1] - height / 2),
        float(centre[1] + height / 2),
    )


def inside(X: np.ndarray, rng: Range) -> bool:
    """True when every point of ``X (2, N)`` lies within ``rng = (xmin, xmax, ymin, ymax)``."""
    x0, x1, y0, y1 = rng
    if X.shape[1] == 0:
        return True
    return bool(X[0].min() >= x0 and X[0].max() <= x1 and X[1].min() >= y0 and X[1].max() <= y1)


def data_centre(X: np.ndarray) -> np.ndarray:
    """The middle of the points' bounding box, ``(2,)``: where the weight arrows start.

    Parameters
    ----------
    X : ndarray, shape (2, N), N >= 1
    """
    return (X.min(axis=1) + X.max(axis=1)) / 2.0


def grid_features(feature_map: FeatureMap, rng: Range, G: int) -> np.ndarray:
    """The feature vectors of the ``G × G`` cell centres tiling ``rng``, ``(D, G·G)``.

    Column ``r·G + c`` is the cell in row ``r`` (y ascending) and column ``c``; the cells
    tile the range exactly (:func:`explorer.core.decision.grid_axes`).
    """
    xs, ys = grid_axes(*rng, G)
    return feature_map.transform(grid_points(xs, ys))


def nearest_point(X: np.ndarray, xy: np.ndarray, radius: float) -> int | None:
    """The index of the point of ``X`` nearest ``xy``, if it is within ``radius``.

    Parameters
    ----------
    X : ndarray, shape (2, N)
    xy : ndarray, shape (2,)
    radius : float
        Largest distance that counts as a hit (in data units).

    Returns
    -------
    int or None
        The nearest point's column (the first of equally near ones), or None when there
        are no points or the nearest is farther than ``radius``.
    """
    if X.shape[1] == 0:
        return None
    d2 = (X[0] - xy[0]) ** 2 + (X[1] - xy[1]) ** 2
    i = int(np.argmin(d2))
    return i if d2[i] <= radius**2 else None
