"""Contour segments (marching squares) and the levels the landscape draws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.contours import contour_segments, surface_levels


def clipped_length(p, q, r, level, x0, x1, y0, y1) -> float:
    """Length of the line p x + q y + r = level inside [x0, x1] × [y0, y1] (Liang–Barsky)."""
    norm = np.hypot(p, q)
    point = np.array([p, q]) * (level - r) / norm**2  # the line's point nearest the origin
    direction = np.array([-q, p]) / norm
    lo, hi = -1e18, 1e18
    for k, (a, b) in enumerate(((x0, x1), (y0, y1))):
        if abs(direction[k]) < 1e-15:
            if not a <= point[k] <= b:
                return 0.0
            continue
        t1, t2 = sorted(((a - point[k]) / direction[k], (b - point[k]) / direction[k]))
        lo, hi = max(lo, t1), min(hi, t2)
    return max(0.0, hi - lo)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(-3, 3), q=st.floats(-3, 3), r=st.floats(-2, 2), level=st.floats(-4, 4),
       gx=st.integers(2, 30), gy=st.integers(2, 30))  # fmt: skip
def test_the_contour_of_a_plane_is_its_line_inside_the_grid(p, q, r, level, gx, gy):
    if np.hypot(p, q) < 1e-3:
        return
    xs = np.linspace(-1.0, 2.0, gx)
    ys = np.linspace(-1.5, 1.0, gy) ** 3  # uneven rows
    V = p * xs[None, :] + q * ys[:, None] + r
    if np.abs(V - level).min() < 1e-9:
        return  # a line through a grid node may be drawn in either neighbouring cell, or not
    segments = contour_segments(V, xs, ys, level)
    ends = segments.reshape(-1, 2)
    np.testing.assert_allclose(p * ends[:, 0] + q * ends[:, 1] + r, level, atol=1e-9)
    assert np.all((ends[:, 0] >= xs[0] - 1e-12) & (ends[:, 0] <= xs[-1] + 1e-12))
    length = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1).sum()
    expected = clipped_length(p, q, r, level, xs[0], xs[-1], ys[0], ys[-1])
    # cells where the line only touches a corner add nothing or a zero-length piece
    assert length == pytest.approx(expected, abs=1e-7)


def test_a_circle_and_a_saddle():
    xs = ys = np.linspace(-2, 2, 81)
    V = xs[None, :] ** 2 + ys[:, None] ** 2
    ends = contour_segments(V, xs, ys, 1.0).reshape(-1, 2)
    radius = np.hypot(ends[:, 0], ends[:, 1])
    assert ends.shape[0] > 100 and np.all(np.abs(radius - 1) < 2e-3)
    # x·y = 0.01 near the origin: two branches that must not cross over
    saddle = contour_segments(xs[None, :] * ys[:, None], xs, ys, 0.01).reshape(-1, 2)
    assert np.all(saddle[:, 0] * saddle[:, 1] > 0)  # every point in the 1st or 3rd quadrant
    V[3, 4] = np.nan  # cells touching a NaN are skipped, the rest still drawn
    assert contour_segments(V, xs, ys, 1.0).shape[0] > 100


def test_levels_span_the_low_end_of_the_surface():
    V = np.array([[0.5, 1.0], [2.0, 1e6]])
    low, high, levels = surface_levels(V, n_lines=4, top_quantile=0.5)
    assert low == 0.5 and high == pytest.approx(1.5)
    assert np.all((levels > low) & (levels < high)) and len(levels) == 4
    low, high, _ = surface_levels(np.full((3, 3), 2.0))
    assert high > low == 2.0
    assert surface_levels(np.full((2, 2), np.nan))[:2] == (0.0, 1.0)
