"""The tie lines drawn over the decision regions (explorer/core/boundaries.py): exact
segments for a linear classifier, marching-squares contours otherwise, each against a
brute-force argmax or a recomputation of the logits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from explorer.core.boundaries import (
    changed_edges,
    edge_crossings,
    grid_logits,
    plane_ties,
    tie_contours,
    tie_segments,
)
from explorer.core.decision import decision_indices, grid_axes, grid_points, levels_per_class
from explorer.core.features import make_feature_map

RANGE = (-3.0, 3.0, -2.0, 2.5)
values = st.floats(-5, 5, allow_nan=False, width=64)


def linear_models(elements=values):
    def model(C):
        return st.tuples(
            arrays(np.float64, (C, 2), elements=elements),
            arrays(np.float64, (C,), elements=elements),
        )

    return st.integers(2, 6).flatmap(model)


#: Multiples of 1/8: with the dyadic grid below every logit is exact in float64, so the
#: brute-force argmax is exact too (no rounding decides a winner).
eighths = st.integers(-40, 40).map(lambda v: v / 8)


def top_two_gap(W, b, P):
    """``z_top1 − z_top2`` at the points ``P (2, m)``, and the logits' scale."""
    Z = np.sort(W @ P + b[:, None], axis=0)
    return Z[-1] - Z[-2], np.abs(Z).max(axis=0) + 1.0


def segment_points(segments, count=5):
    """``count`` evenly spaced points on every segment, ``(2, S · count)``."""
    tau = np.linspace(0.0, 1.0, count)
    x = segments[:, [0]] + tau * (segments[:, [2]] - segments[:, [0]])
    y = segments[:, [1]] + tau * (segments[:, [3]] - segments[:, [1]])
    return np.vstack([x.ravel(), y.ravel()])


def distance_to_segments(P, segments):
    """Distance from each point ``P (2, m)`` to the nearest segment ``(S, 4)``."""
    a, d = segments[:, :2], segments[:, 2:] - segments[:, :2]
    rel = P.T[:, None, :] - a[None]  # (m, S, 2)
    length2 = np.maximum((d * d).sum(axis=1), 1e-300)
    t = np.clip((rel * d[None]).sum(axis=2) / length2, 0.0, 1.0)
    nearest = a[None] + t[..., None] * d[None]
    return np.sqrt(((P.T[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1)


# ---------------------------------------------------------------- exact segments
@settings(max_examples=200, deadline=None)
@given(linear_models())
def test_points_on_a_tie_segment_tie_exactly_for_the_top_two(model):
    W, b = model
    segments = tie_segments(W, b, RANGE)
    if segments.size == 0:
        return
    P = segment_points(segments)
    gap, scale = top_two_gap(W, b, P)
    assert np.all(gap <= 1e-9 * scale)  # the top two are equal: a tie for the highest
    x0, x1, y0, y1 = RANGE
    assert np.all((P[0] >= x0 - 1e-9) & (P[0] <= x1 + 1e-9))
    assert np.all((P[1] >= y0 - 1e-9) & (P[1] <= y1 + 1e-9))


@settings(max_examples=150, deadline=None)
@given(linear_models(eighths))
def test_every_change_of_winner_on_a_fine_grid_crosses_a_segment(model):
    """Between two neighbouring grid points with different argmax lies a point where the
    top two tie; it must be on a segment, so a segment passes within half a step of the
    edge's midpoint."""
    W, b = model
    G = 64
    rng = (-4.0, 4.0, -3.0, 5.0)  # cell centres at odd multiples of 1/16: exact
    xs, ys = grid_axes(*rng, G)
    P = grid_points(xs, ys)
    winner = (W @ P + b[:, None]).argmax(axis=0).reshape(G, G)
    across, up = changed_edges(winner)
    r, c = np.nonzero(across)
    mids = [np.vstack([(xs[c] + xs[c + 1]) / 2, ys[r]])]
    r, c = np.nonzero(up)
    mids.append(np.vstack([xs[c], (ys[r] + ys[r + 1]) / 2]))
    mids = np.hstack(mids)
    if mids.shape[1] == 0:
        return
    segments = tie_segments(W, b, rng)
    step = max(xs[1] - xs[0], ys[1] - ys[0])
    assert segments.shape[0] > 0
    assert distance_to_segments(mids, segments).max() <= step / 2 + 1e-9


def test_three_classes_meeting_at_the_origin():
    """z = (x1, x2, −x1 − x2): three rays from the origin, along the closed forms."""
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    segments = tie_segments(W, np.zeros(3), (-2.0, 2.0, -2.0, 2.0))
    ends = sorted(tuple(np.round(s[2:] if np.allclose(s[:2], 0) else s[:2], 12)) for s in segments)
    assert len(segments) == 3
    assert all(np.allclose(s[:2], 0) or np.allclose(s[2:], 0) for s in segments)
    # 0-1 along x1 = x2 > 0 to the corner, 0-2 along x2 = −2 x1, 1-2 along x1 = −2 x2
    assert ends == sorted([(2.0, 2.0), (1.0, -2.0), (-2.0, 1.0)])


def test_equal_weights_have_no_tie_line_and_bad_shapes_are_refused():
    W = np.array([[1.0, 2.0], [1.0, 2.0]])
    assert tie_segments(W, np.array([0.0, 1.0]), RANGE).shape == (0, 4)
    with pytest.raises(ValueError):
        tie_segments(np.zeros((3, 3)), np.zeros(3), RANGE)


# ---------------------------------------------------------------- contours
def random_grid(seed, C, Gy, Gx, scale):
    rng = np.random.default_rng(seed)
    Z = rng.normal(0.0, scale, size=(C, Gy * Gx))
    xs = np.cumsum(rng.uniform(0.1, 1.0, Gx))
    ys = np.cumsum(rng.uniform(0.1, 1.0, Gy))
    return xs, ys, Z, Z.argmax(axis=0).reshape(Gy, Gx)


grids = st.tuples(
    st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(2, 14), st.integers(2, 14),
    st.floats(1e-3, 1e3),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(grids)
def test_contour_crossings_lie_where_the_logit_difference_interpolates_to_zero(grid):
    xs, ys, Z, winner = random_grid(*grid)
    Gy, Gx = winner.shape
    points, t, a, b = edge_crossings(xs, ys, winner, lambda flat: Z[:, flat])
    # every edge whose ends differ, found by a plain loop
    edges = [(r * Gx + c, r * Gx + c + 1) for r in range(Gy) for c in range(Gx - 1)]
    edges += [(r * Gx + c, (r + 1) * Gx + c) for r in range(Gy - 1) for c in range(Gx)]
    flat = winner.ravel()
    changed = sorted((p, q) for p, q in edges if flat[p] != flat[q])
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == changed
    i, j = flat[a], flat[b]
    d_a = Z[i, a] - Z[j, a]
    d_b = Z[i, b] - Z[j, b]
    assert np.all((t >= 0) & (t <= 1))
    assert np.all(d_a >= 0) and np.all(d_b <= 0)  # exact winners: no clipping needed
    scale = np.abs(Z).max()
    np.testing.assert_allclose((1 - t) * d_a + t * d_b, 0.0, atol=1e-12 * scale)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    np.testing.assert_allclose(points[:, 0], gx[a] + t * (gx[b] - gx[a]), rtol=1e-12)
    np.testing.assert_allclose(points[:, 1], gy[a] + t * (gy[b] - gy[a]), rtol=1e-12)


@settings(max_examples=200, deadline=None)
@given(grids)
def test_contour_segments_stay_in_one_cell_and_use_every_crossing(grid):
    xs, ys, Z, winner = random_grid(*grid)
    segments = tie_contours(xs, ys, winner, lambda flat: Z[:, flat])
    points, _, _, _ = edge_crossings(xs, ys, winner, lambda flat: Z[:, flat])
    assert (segments.shape[0] == 0) == (points.shape[0] == 0)
    if segments.shape[0] == 0:
        return
    # both ends of a segment in the same closed cell
    lo_x = np.searchsorted(xs, np.minimum(segments[:, 0], segments[:, 2]), side="right") - 1
    hi_x = np.searchsorted(xs, np.maximum(segments[:, 0], segments[:, 2]), side="left")
    lo_y = np.searchsorted(ys, np.minimum(segments[:, 1], segments[:, 3]), side="right") - 1
    hi_y = np.searchsorted(ys, np.maximum(segments[:, 1], segments[:, 3]), side="left")
    assert np.all(hi_x - lo_x <= 1) and np.all(hi_y - lo_y <= 1)
    ends = np.vstack([segments[:, :2], segments[:, 2:]])
    near = np.abs(points[:, None, :] - ends[None]).max(axis=2).min(axis=1)
    assert near.max() <= 1e-12 * (1 + np.abs(ends).max())


@settings(max_examples=100, deadline=None)
@given(linear_models(), st.integers(3, 40))
def test_contours_of_a_linear_model_cross_where_the_two_classes_tie(model, G):
    """For identity features the logits are affine along an edge, so interpolation is
    exact: at each crossing the two ends' classes have equal logits."""
    W, b = model
    xs, ys = grid_axes(*RANGE, G)
    P = grid_points(xs, ys)
    Z = W @ P + b[:, None]
    winner = Z.argmax(axis=0).reshape(G, G)
    points, _, a, bb = edge_crossings(xs, ys, winner, lambda flat: Z[:, flat])
    flat = winner.ravel()
    z = W @ points.T + b[:, None]
    i, j = flat[a], flat[bb]
    cols = np.arange(points.shape[0])
    scale = np.abs(z).max(initial=0.0) + 1.0
    np.testing.assert_allclose(z[i, cols] - z[j, cols], 0.0, atol=1e-9 * scale)


def test_plane_ties_of_a_curved_model_follow_the_float32_decision_image():
    """What the regions view draws for polynomial features: the contour of the decision
    kernel's winners, with the crossings from float64 logits of the grid's features."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 50))
    fmap = make_feature_map("poly", X, degree=3)
    W = rng.normal(size=(4, fmap.dim))
    b = rng.normal(size=4)
    G = 80
    xs, ys = grid_axes(*RANGE, G)
    F = fmap.transform(grid_points(xs, ys)).astype(np.float32)
    winner = (decision_indices(W, b, F) // levels_per_class(4)).reshape(G, G)
    segments = plane_ties(W, b, RANGE, exact=False, winner=winner, F=F)
    assert segments.shape[0] > 0
    P = segment_points(segments, 3)
    assert np.all((P[0] >= xs[0] - 1e-12) & (P[0] <= xs[-1] + 1e-12))
    Z = W @ fmap.transform(P) + b[:, None]
    top = np.sort(Z, axis=0)
    # within a fraction of a cell of a tie: the gap is small against the logits' slope
    slope = np.abs(np.diff(W @ F.astype(np.float64) + b[:, None], axis=1)).max()
    assert np.all(top[-1] - top[-2] <= slope)
    logits = grid_logits(W, b, F)(np.array([0, G * G - 1]))
    np.testing.assert_allclose(logits, W @ F[:, [0, G * G - 1]].astype(np.float64) + b[:, None])
    exact = plane_ties(W[:, :2], b, RANGE, exact=True)
    np.testing.assert_array_equal(exact, tie_segments(W[:, :2], b, RANGE))


def test_a_stride_contours_every_other_grid_line_with_the_grids_own_logits():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(2, 50))
    fmap = make_feature_map("poly", X, degree=3)
    W, b = rng.normal(size=(3, fmap.dim)), rng.normal(size=3)
    G = 81
    xs, ys = grid_axes(*RANGE, G)
    F = fmap.transform(grid_points(xs, ys)).astype(np.float32)
    winner = (decision_indices(W, b, F) // levels_per_class(3)).reshape(G, G)
    coarse = winner[::2, ::2]
    Fc = F.reshape(-1, G, G)[:, ::2, ::2].reshape(F.shape[0], -1).astype(np.float64)
    expected = tie_contours(xs[::2], ys[::2], coarse, lambda flat: W @ Fc[:, flat] + b[:, None])
    got = plane_ties(W, b, RANGE, exact=False, winner=winner, F=F, stride=2)
    assert got.shape[0] > 20
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert got.shape[0] < plane_ties(W, b, RANGE, exact=False, winner=winner, F=F).shape[0]
