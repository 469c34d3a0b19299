"""The lines where two classes tie for the highest score, as line segments in the plane.

The decision regions are drawn from a grid of cells, so a boundary read off the cells is
a staircase of whole cells. These lines are drawn over the image instead:

- **Identity features** (``z = W x + b``): the tie between classes ``i`` and ``j`` is the
  line ``(w_i − w_j) · x + (b_i − b_j) = 0``, and the boundary is the part of it where
  ``i`` and ``j`` are also the top two (``z_i = z_j >= z_k`` for every ``k``): an
  intersection of half-planes, one per other class, cut to the visible rectangle
  (:func:`tie_segments`). Exact, whatever the zoom.
- **Any other feature map**: marching squares on the grid of cell centres
  (:func:`tie_contours`). Along a grid edge whose two ends have different winners
  ``i`` and ``j``, the boundary crosses where the logit difference ``d = z_i − z_j``,
  interpolated linearly between the ends, is 0: ``t = d_a / (d_a − d_b)``. In each
  cell, two crossings are joined by a segment; three or four (three classes meet, or a
  saddle) are each joined to their mean. For an affine feature map the crossings are
  exact; otherwise they are within a fraction of a cell of the true curve.

The logits are needed only at the ends of the grid edges that change winner (a few
per cent of the grid), in float64: the contour costs a pass over the ``uint8`` winners and
a product on those few points, not a second pass of the decision kernel.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explorer.core.decision import grid_axes

Range = tuple[float, float, float, float]
#: ``(S, 4)`` segments: ``x0, y0, x1, y1`` per row, in data coordinates.
NO_SEGMENTS = np.zeros((0, 4), dtype=np.float64)


def tie_segments(W: np.ndarray, b: np.ndarray, rng: Range) -> np.ndarray:
    """The exact decision boundaries of a linear classifier on the plane, inside ``rng``.

    Parameters
    ----------
    W : ndarray, shape (C, 2)
        Weights on ``x = (x1, x2)`` (identity features).
    b : ndarray, shape (C,)
    rng : (xmin, xmax, ymin, ymax)
        The rectangle the segments are cut to.

    Returns
    -------
    ndarray of float64, shape (S, 4)
        One row ``x0, y0, x1, y1`` per pair ``i < j`` whose tie line has a stretch of
        positive length inside ``rng`` where ``i`` and ``j`` are the top two classes.
        A pair with ``w_i = w_j`` has no tie line (the two never tie, or tie everywhere).
    """
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != 2 or b.shape != (W.shape[0],):
        raise ValueError(f"expected W (C, 2) and b (C,), got {W.shape} and {b.shape}")
    x0, x1, y0, y1 = (float(v) for v in rng)
    C = W.shape[0]
    # A constraint parallel to the line (a class k whose w_i − w_k is along the tie's
    # normal, as for two equal classes) is decided by its sign alone, up to rounding.
    reach = 1.0 + max(abs(x0), abs(x1), abs(y0), abs(y1))
    tiny = 1e-12 * (1.0 + float(np.abs(W).max(initial=0.0)) + float(np.abs(b).max(initial=0.0)))
    out = []
    for i in range(C):
        for j in range(i + 1, C):
            n = W[i] - W[j]
            c = b[i] - b[j]
            norm = float(np.hypot(n[0], n[1]))  # no underflow of a tiny |n|²
            if not norm > 0.0 or not np.isfinite(norm):
                continue
            unit = n / norm
            with np.errstate(over="ignore", invalid="ignore"):
                p0 = -(c / norm) * unit  # the point of the line nearest the origin
            if not np.all(np.isfinite(p0)):
                continue  # a line farther than any float: not in the rectangle
            u = np.array([-unit[1], unit[0]])  # unit direction along it
            lo, hi = -np.inf, np.inf
            # a·t + r >= 0 for every constraint: the rectangle's four sides, then
            # z_i − z_k >= 0 for every other class k (on the line z_i = z_j).
            rows = [(u[0], p0[0] - x0), (-u[0], x1 - p0[0]), (u[1], p0[1] - y0),
                    (-u[1], y1 - p0[1])]  # fmt: skip
            for k in range(C):
                if k != i and k != j:
                    m = W[i] - W[k]
                    rows.append((float(m @ u), float(m @ p0 + b[i] - b[k])))
            for a, r in rows:
                if a > tiny:
                    lo = max(lo, -r / a)
                elif a < -tiny:
                    hi = min(hi, -r / a)
                elif r < -tiny * reach:
                    lo, hi = np.inf, -np.inf  # parallel and outside
            if hi > lo:
                out.append((*(p0 + lo * u), *(p0 + hi * u)))
    return np.array(out, dtype=np.float64).reshape(-1, 4)


def changed_edges(winner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where neighbouring grid points have different winners.

    Parameters
    ----------
    winner : ndarray of int, shape (Gy, Gx)
        The winning class at each grid point; row ``r`` is the ``r``-th y.

    Returns
    -------
    across, up : ndarray of bool, shapes (Gy, Gx − 1) and (Gy − 1, Gx)
        ``across[r, c]``: the points ``(r, c)`` and ``(r, c + 1)`` differ; ``up[r, c]``:
        ``(r, c)`` and ``(r + 1, c)`` differ.
    """
    return winner[:, 1:] != winner[:, :-1], winner[1:] != winner[:-1]


def edge_crossings(
    xs: np.ndarray,
    ys: np.ndarray,
    winner: np.ndarray,
    logits_at: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the boundary crosses each grid edge whose two ends have different winners.

    Parameters are those of :func:`tie_contours`.

    Returns
    -------
    points : ndarray of float64, shape (E, 2)
        The crossings: for the edge from grid point ``a`` (winner ``i``) to ``b``
        (winner ``j``), ``a + t (b − a)``.
    t : ndarray of float64, shape (E,)
        With ``d = z_i − z_j``, ``(1 − t) d_a + t d_b = 0``, clipped to ``[0, 1]`` (which
        matters only where the winners given disagree with the logits, as float32
        winners may at a near tie); 0.5 where ``d_a = d_b``.
    a, b : ndarray of int64, shape (E,)
        The edges' ends as flat grid indices ``r · Gx + c``: the edges of
        ``np.nonzero(across)`` then of ``np.nonzero(up)`` (:func:`changed_edges`), ``b``
        to the right of or above ``a``.
    """
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    winner = np.asarray(winner)
    Gy, Gx = winner.shape
    if xs.shape != (Gx,) or ys.shape != (Gy,):
        raise ValueError(f"xs {xs.shape} and ys {ys.shape} do not fit winner {winner.shape}")
    return _crossings(xs, ys, winner, logits_at, _changed(winner))


def _changed(winner: np.ndarray) -> tuple[np.ndarray, ...]:
    """``ra, ca, ru, cu``: rows and columns of the changed edges (:func:`changed_edges`),
    across then up, in ``np.nonzero``'s order (one flat pass each: 2-D ``nonzero`` is
    3x slower)."""
    across, up = changed_edges(winner)
    ra, ca = np.divmod(np.flatnonzero(across), across.shape[1])
    ru, cu = np.divmod(np.flatnonzero(up), up.shape[1])
    return ra, ca, ru, cu


def _crossings(xs, ys, winner, logits_at, changed):
    """:func:`edge_crossings` of the changed edges ``changed = (ra, ca, ru, cu)``."""
    ra, ca, ru, cu = changed
    Gx = winner.shape[1]
    a = np.concatenate([ra * Gx + ca, ru * Gx + cu]).astype(np.int64)
    b = np.concatenate([ra * Gx + ca + 1, (ru + 1) * Gx + cu]).astype(np.int64)
    if a.size == 0:
        return np.zeros((0, 2)), np.zeros(0), a, b
    # both ends of every edge: a point on two edges is computed twice, cheaper than
    # finding the unique points
    Z = np.asarray(logits_at(np.concatenate([a, b])), dtype=np.float64)
    flat = winner.reshape(-1)
    i, j = flat[a], flat[b]
    ia = np.arange(a.size)
    ib = ia + a.size
    d_a = Z[i, ia] - Z[j, ia]
    d_b = Z[i, ib] - Z[j, ib]
    span = d_a - d_b
    with np.errstate(divide="ignore", invalid="ignore"):
        t = d_a / span
    t[~np.isfinite(t)] = 0.5  # d_a = d_b (span 0), or logits beyond float64
    np.clip(t, 0.0, 1.0, out=t)
    n = ra.size
    points = np.empty((a.size, 2))
    points[:n, 0] = xs[ca] + t[:n] * (xs[ca + 1] - xs[ca])
    points[:n, 1] = ys[ra]
    points[n:, 0] = xs[cu]
    points[n:, 1] = ys[ru] + t[n:] * (ys[ru + 1] - ys[ru])
    return points, t, a, b


def tie_contours(
    xs: np.ndarray,
    ys: np.ndarray,
    winner: np.ndarray,
    logits_at: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """Marching-squares boundaries between the winners of a grid (module docstring).

    Parameters
    ----------
    xs : ndarray, shape (Gx,)
        Increasing x of the grid's columns.
    ys : ndarray, shape (Gy,)
        Increasing y of its rows.
    winner : ndarray of int, shape (Gy, Gx)
        The winning class at each grid point.
    logits_at : callable
        ``logits_at(flat)`` with ``flat`` an int array ``(m,)`` of grid points
        ``r · Gx + c`` returns their logits, ``(C, m)``.

    Returns
    -------
    ndarray of float64, shape (S, 4)
        Segments ``x0, y0, x1, y1`` of positive length. Each end is a crossing of
        :func:`edge_crossings` or the mean of one cell's crossings.
    """
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    winner = np.asarray(winner)
    if xs.shape != (winner.shape[1],) or ys.shape != (winner.shape[0],):
        raise ValueError(f"xs {xs.shape} and ys {ys.shape} do not fit winner {winner.shape}")
    changed = _changed(winner)
    points, _, _, _ = _crossings(xs, ys, winner, logits_at, changed)
    if points.shape[0] == 0:
        return NO_SEGMENTS.copy()
    segments = _join_in_cells(winner.shape, changed, points[:, 0], points[:, 1])
    return segments[(segments[:, 0] != segments[:, 2]) | (segments[:, 1] != segments[:, 3])]


def _join_in_cells(shape, changed, px, py) -> np.ndarray:
    """Join the crossings of each cell: two by a segment, more to their mean.

    ``shape`` is the grid's ``(Gy, Gx)``; ``px, py`` hold the crossings of the edges
    ``changed = (ra, ca, ru, cu)`` (:func:`_changed`), across then up.
    Cell ``(r, c)`` has the corners ``(r, c)``, ``(r, c + 1)``, ``(r + 1, c)`` and
    ``(r + 1, c + 1)``: the edges ``across[r, c]`` (bottom), ``across[r + 1, c]``
    (top), ``up[r, c]`` (left) and ``up[r, c + 1]`` (right).
    """
    ra, ca, ru, cu = changed
    Gy, Gx = shape
    width = Gx - 1  # cells per row
    # only the cells beside a crossing (a boundary's length, not the grid's area)
    beside = np.concatenate([(ra - 1) * width + ca, ra * width + ca, ru * width + cu - 1,
                             ru * width + cu])  # fmt: skip
    inside = np.concatenate([ra >= 1, ra < Gy - 1, cu >= 1, cu < Gx - 1])
    touched = np.zeros((Gy - 1) * width, dtype=bool)
    touched[beside[inside]] = True
    r, c = np.divmod(np.flatnonzero(touched), width)
    # the crossing number of every changed edge, −1 elsewhere
    number_across = np.full((Gy, Gx - 1), -1, dtype=np.int32)
    number_across[ra, ca] = np.arange(ra.size, dtype=np.int32)
    number_up = np.full((Gy - 1, Gx), -1, dtype=np.int32)
    number_up[ru, cu] = np.arange(ra.size, ra.size + ru.size, dtype=np.int32)
    edges = np.stack(
        [number_across[r, c], number_across[r + 1, c], number_up[r, c], number_up[r, c + 1]]
    )  # (4, cells)
    count = (edges >= 0).sum(axis=0)
    segments = []
    two = count == 2
    if two.any():
        pair = np.sort(edges[:, two], axis=0)[2:]  # the two crossings; −1s sort first
        segments.append(np.column_stack([px[pair[0]], py[pair[0]], px[pair[1]], py[pair[1]]]))
    many = edges[:, count > 2]
    if many.size:
        mask = many >= 0
        number = np.where(mask, many, 0)
        k = mask.sum(axis=0)
        mx = (px[number] * mask).sum(axis=0) / k
        my = (py[number] * mask).sum(axis=0) / k
        cells, spoke = np.nonzero(mask.T)
        ends = many.T[cells, spoke]
        segments.append(np.column_stack([px[ends], py[ends], mx[cells], my[cells]]))
    if not segments:
        return NO_SEGMENTS.copy()
    return np.concatenate(segments)


def grid_logits(W: np.ndarray, b: np.ndarray, F: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``logits_at`` for :func:`tie_contours`: ``W F[:, flat] + b`` in float64.

    Parameters
    ----------
    W : ndarray, shape (C, D)
    b : ndarray, shape (C,)
    F : ndarray, shape (D, M)
        The grid points' features, column ``r · Gx + c``.
    """
    W64 = np.asarray(W, dtype=np.float64)
    b64 = np.asarray(b, dtype=np.float64)

    def logits_at(flat: np.ndarray) -> np.ndarray:
        return W64 @ np.asarray(F[:, flat], dtype=np.float64) + b64[:, None]

    return logits_at


def plane_ties(
    W: np.ndarray,
    b: np.ndarray,
    rng: Range,
    *,
    exact: bool,
    winner: np.ndarray | None = None,
    F: np.ndarray | None = None,
    stride: int = 1,
) -> np.ndarray:
    """The boundaries the regions view draws over the decision image of ``rng``.

    Parameters
    ----------
    W : ndarray, shape (C, D)
    b : ndarray, shape (C,)
    rng : (xmin, xmax, ymin, ymax)
        The range the decision grid tiles.
    exact : bool
        True for identity features (``D = 2``): :func:`tie_segments`.
    winner : ndarray of int, shape (G, G)
        The winners of the grid's cells (rows = y), for ``exact=False``.
    F : ndarray, shape (D, G·G)
        The cells' features, for ``exact=False``.
    stride : int, optional
        Contour every ``stride``-th row and column of the grid only (cells of a pixel or
        two on screen make as many segments as cells, most shorter than the line is
        wide); the logits are those of the grid's own cells.

    Returns
    -------
    ndarray of float64, shape (S, 4)
        Segments ``x0, y0, x1, y1`` in data coordinates.
    """
    if exact:
        return tie_segments(W, b, rng)
    G = winner.shape[0]
    xs, ys = grid_axes(*rng, G)
    logits_at = grid_logits(W, b, F)
    if stride == 1:
        return tie_contours(xs, ys, winner, logits_at)
    coarse = winner[::stride, ::stride]
    columns = coarse.shape[1]

    def fine(flat: np.ndarray) -> np.ndarray:  # a coarse point's logits at its grid cell
        r, c = np.divmod(flat, columns)
        return logits_at(r * stride * G + c * stride)

    return tie_contours(xs[::stride], ys[::stride], coarse, fine)
