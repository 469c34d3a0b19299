"""Contour lines of a surface on a grid (marching squares), and the levels to draw.

The landscape view draws the loss with a few contour lines. pyqtgraph's ``isocurve``
walks the cells in Python (about 10 ms a level on a 100 × 100 grid); here every cell of a
level is done at once with numpy (well under a millisecond a level), as unconnected
segments, which is all a picture needs.

In each cell (corners ``a`` bottom-left, ``b`` bottom-right, ``c`` top-right, ``d``
top-left, "bottom" being the lower row index) an edge whose two ends lie on different
sides of the level (``v ≥ level`` or not) is crossed at the point linear interpolation
puts the level at. A cell with two crossed edges gets one segment between them; a saddle
(four crossed edges) gets two, around the two corners that lie on the other side from
the cell's mean. Exact for a surface that is linear in each cell along its edges (the
tests use planes).
"""

from __future__ import annotations

import numpy as np

#: Cell edges in order, as (start corner, end corner) of the corners a, b, c, d.
_EDGES = ((0, 1), (1, 2), (3, 2), (0, 3))  # bottom, right, top, left
#: The two edges at each corner, for the saddle cells.
_AROUND = {0: (0, 3), 1: (0, 1), 2: (1, 2), 3: (2, 3)}


def contour_segments(values, xs, ys, level: float) -> np.ndarray:
    """The segments of the contour ``values == level``.

    Parameters
    ----------
    values : ndarray, shape (Gy, Gx)
        ``values[r, c]`` at ``(xs[c], ys[r])``; cells touching a non-finite value are skipped.
    xs : ndarray, shape (Gx,), increasing
    ys : ndarray, shape (Gy,), increasing
    level : float

    Returns
    -------
    ndarray of float64, shape (K, 2, 2)
        Segment ``k`` runs from ``out[k, 0]`` to ``out[k, 1]``, each an ``(x, y)`` point.
    """
    V = np.asarray(values, dtype=np.float64)
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    if V.ndim != 2 or V.shape != (ys.size, xs.size):
        raise ValueError(f"values must be (len(ys), len(xs)), got {V.shape}")
    if V.shape[0] < 2 or V.shape[1] < 2:
        return np.zeros((0, 2, 2))
    corners = np.stack([V[:-1, :-1], V[:-1, 1:], V[1:, 1:], V[1:, :-1]])  # (4, Gy-1, Gx-1)
    cx = np.stack([xs[:-1], xs[1:], xs[1:], xs[:-1]])[:, None, :]  # corner x, (4, 1, Gx-1)
    cy = np.stack([ys[:-1], ys[:-1], ys[1:], ys[1:]])[:, :, None]  # corner y, (4, Gy-1, 1)
    cx, cy = np.broadcast_to(cx, corners.shape), np.broadcast_to(cy, corners.shape)
    finite = np.isfinite(corners).all(axis=0)
    above = corners >= level
    crossed = np.stack([above[i] != above[j] for i, j in _EDGES]) & finite  # (4, cells)
    px = np.empty(crossed.shape)
    py = np.empty(crossed.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        for e, (i, j) in enumerate(_EDGES):
            t = (level - corners[i]) / (corners[j] - corners[i])
            px[e] = cx[i] + t * (cx[j] - cx[i])
            py[e] = cy[i] + t * (cy[j] - cy[i])
    count = crossed.sum(axis=0)
    pieces = []
    two = count == 2
    if two.any():
        edges = crossed[:, two]  # (4, n)
        first = np.argmax(edges, axis=0)
        second = 3 - np.argmax(edges[::-1], axis=0)
        cols = np.arange(first.size)
        X, Y = px[:, two], py[:, two]
        pieces.append(np.stack([np.stack([X[first, cols], Y[first, cols]], -1),
                                np.stack([X[second, cols], Y[second, cols]], -1)], 1))  # fmt: skip
    four = count == 4
    if four.any():
        X, Y, C = px[:, four], py[:, four], corners[:, four]
        centre_above = C.mean(axis=0) >= level
        a_above = C[0] >= level
        # the corners on the other side from the centre get the segments around them
        around_ac = centre_above != a_above  # then a and c are on the other side
        for corner_pair, mask in (((0, 2), around_ac), ((1, 3), ~around_ac)):
            for corner in corner_pair:
                e1, e2 = _AROUND[corner]
                pieces.append(np.stack([np.stack([X[e1, mask], Y[e1, mask]], -1),
                                        np.stack([X[e2, mask], Y[e2, mask]], -1)], 1))  # fmt: skip
    return np.concatenate(pieces) if pieces else np.zeros((0, 2, 2))


def surface_levels(values, n_lines: int = 11, top_quantile: float = 0.85):
    """The colour range and the contour levels of a surface.

    The colours run from the lowest value to the ``top_quantile`` of the finite values
    (a far corner of a landscape can be thousands of times the loss near the path, and
    would leave the rest in one colour); the ``n_lines`` levels split that range evenly.

    Returns
    -------
    (low, high, levels) : float, float, ndarray of float64 (n_lines,)
        ``low < high``; ``levels`` strictly between them. For a surface without finite
        values, ``(0, 1, levels of that range)``.
    """
    V = np.asarray(values, dtype=np.float64)
    V = V[np.isfinite(V)]
    low, high = (float(V.min()), float(np.quantile(V, top_quantile))) if V.size else (0.0, 1.0)
    if not high > low:
        high = low + max(1e-12, 1e-9 * abs(low))
    levels = low + (high - low) * np.arange(1, n_lines + 1) / (n_lines + 1)
    return low, high, levels
