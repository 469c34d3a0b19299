"""Each class's zero-score line on the plane, and the parameters a drag on the plane sets.

With identity features a class's score ``z_c = w_c·x + b_c`` is zero on a straight line,
``w_c`` is normal to it and points to the side where ``z_c > 0``, and its distance from
the origin is ``|b_c| / ‖w_c‖`` (the CS231n demo's picture). The regions view draws the
part of each line inside the visible range, and lets one drag it: moving the line so it
passes through a point ``x`` sets ``b_c = −w_c·x``; moving the tip of ``w_c``'s arrow to
``t`` (arrow from ``centre``, at ``scale`` plane units per unit of ``w``) sets
``w_c = (t − centre) / scale``.
"""

from __future__ import annotations

import numpy as np

Range = tuple[float, float, float, float]


def zero_line_segment(w, b: float, rng: Range) -> np.ndarray | None:
    """The part of ``w·x + b = 0`` inside ``rng = (xmin, xmax, ymin, ymax)``.

    Parameters
    ----------
    w : array_like, shape (2,)
    b : float
    rng : tuple of 4 floats

    Returns
    -------
    ndarray, shape (2, 2), or None
        The two ends (rows), or None when ``w = 0`` (no line: the score is constant), when
        the line misses the range, or when a value is not finite.
    """
    w = np.asarray(w, dtype=np.float64).reshape(2)
    b = float(b)
    norm2 = float(w @ w)
    if not (np.isfinite(norm2) and np.isfinite(b)) or norm2 == 0.0:
        return None
    p0 = -b * w / norm2  # the line's point nearest the origin
    d = np.array([-w[1], w[0]]) / np.sqrt(norm2)
    lo, hi = -np.inf, np.inf
    for axis, (a, c) in enumerate(((rng[0], rng[1]), (rng[2], rng[3]))):
        if abs(d[axis]) < 1e-12:  # parallel to this axis (a unit d: no overflow below)
            if not a <= p0[axis] <= c:
                return None
            continue
        t0, t1 = sorted(((a - p0[axis]) / d[axis], (c - p0[axis]) / d[axis]))
        lo, hi = max(lo, t0), min(hi, t1)
    if not lo <= hi:
        return None
    seg = np.array([p0 + lo * d, p0 + hi * d])
    return seg if np.isfinite(seg).all() else None


def segment_distance(xy, segment: np.ndarray) -> float:
    """Distance from ``xy (2,)`` to the segment between the rows of ``segment (2, 2)``."""
    p = np.asarray(xy, dtype=np.float64)
    a, e = segment[0], segment[1]
    d = e - a
    length2 = float(d @ d)
    t = 0.0 if length2 == 0.0 else float(np.clip((p - a) @ d / length2, 0.0, 1.0))
    return float(np.hypot(*(p - (a + t * d))))


def offset_through(w, xy) -> float:
    """The ``b`` that puts the zero-score line of ``w (2,)`` through ``xy (2,)``: ``−w·xy``."""
    return -float(np.asarray(w, dtype=np.float64) @ np.asarray(xy, dtype=np.float64))


def row_from_tip(tip, centre, scale: float) -> np.ndarray:
    """The ``w (2,)`` whose arrow from ``centre`` at ``scale`` ends at ``tip``.

    Raises
    ------
    ValueError
        For a scale that is not finite and positive (no arrow is drawn then).
    """
    scale = float(scale)
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"the arrows' scale must be finite and > 0, got {scale}")
    return (np.asarray(tip, dtype=np.float64) - np.asarray(centre, dtype=np.float64)) / scale
