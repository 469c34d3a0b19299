"""The 2-D data plane: the range shown around the points, the grid over it, and points
near a place on it.

The decision-regions view shows the plane; what it draws comes from here: the range
fitted to the data and the plot's shape, how far one may zoom out and pan from it, the
range the decision image covers (what is visible), the feature vectors of the grid cells
whose decision makes the image, the centre the weight arrows start from, and the point a
click hits.
"""

from __future__ import annotations

import numpy as np

from explorer.core.decision import grid_axes, grid_points
from explorer.core.features import FeatureMap

#: Share of the larger data span added around the data on every side.
MARGIN = 0.10
#: The plane can be zoomed out until it spans this many times the fitted range's larger
#: side, and panned as far: far enough to see the regions run off to infinity, near
#: enough that the features of every grid point stay finite in float32.
ZOOM_OUT_LIMIT = 20.0

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


def plane_limits(fitted: Range, zoom_out: float = ZOOM_OUT_LIMIT) -> dict[str, float]:
    """How far the view of the plane may go from the fitted range.

    Parameters
    ----------
    fitted : (xmin, xmax, ymin, ymax)
    zoom_out : float
        Largest span of the view as a multiple of the fitted range's larger side.

    Returns
    -------
    dict
        ``xMin, xMax, yMin, yMax`` (the view stays inside them) and ``maxXRange,
        maxYRange`` (its largest spans), in the keywords of ``pyqtgraph``'s
        ``ViewBox.setLimits``: a square of side ``zoom_out · max(width, height)`` about
        the fitted range's centre.
    """
    x0, x1, y0, y1 = fitted
    half = 0.5 * zoom_out * max(x1 - x0, y1 - y0)
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    return {
        "xMin": cx - half,
        "xMax": cx + half,
        "yMin": cy - half,
        "yMax": cy + half,
        "maxXRange": 2.0 * half,
        "maxYRange": 2.0 * half,
    }


def image_range(visible: Range, limits: dict[str, float] | None = None) -> Range | None:
    """The range the decision image covers: the visible range, kept within ``limits``.

    Parameters
    ----------
    visible : (xmin, xmax, ymin, ymax)
        What the plot shows.
    limits : dict or None
        :func:`plane_limits` of the fitted range (None: no limits).

    Returns
    -------
    (xmin, xmax, ymin, ymax) or None
        The visible range cut to the limits' rectangle; None when nothing finite and
        non-empty is left (a view not laid out yet).
    """
    x0, x1, y0, y1 = (float(v) for v in visible)
    if limits is not None:
        x0, x1 = max(x0, limits["xMin"]), min(x1, limits["xMax"])
        y0, y1 = max(y0, limits["yMin"]), min(y1, limits["yMax"])
    if not all(np.isfinite((x0, x1, y0, y1))) or x0 >= x1 or y0 >= y1:
        return None
    return (x0, x1, y0, y1)


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
