"""Planes through parameter space and a path on them, against independent computations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.loss import logits
from explorer.core.parameter_planes import (
    Axis,
    coordinate_axis,
    coordinate_plane,
    fit_path_ranges,
    flat_direction,
    gradient_plane,
    pca_plane,
    plane_from_axes,
)
from explorer.core.parameters import flatten_params, parameter_index, parameter_names

shapes = st.tuples(st.integers(2, 6), st.integers(1, 4))


def random_path(shape, T, seed, rank=None):
    """A random walk of T parameter vectors (optionally confined to ``rank`` directions)."""
    rng = np.random.default_rng(seed)
    P = shape[0] * shape[1] + shape[0]
    steps = rng.standard_normal((T, P if rank is None else rank)) * rng.uniform(0.01, 2.0)
    if rank is not None:
        steps = steps @ rng.standard_normal((rank, P))
    return rng.standard_normal(P) + np.cumsum(steps, axis=0)


@settings(max_examples=40, deadline=None)
@given(shapes, st.integers(1, 30), st.integers(0, 2**32 - 1), st.data())
def test_coordinate_plane_path_is_the_entries_themselves(shape, T, seed, data):
    names = parameter_names(shape)
    first, second = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
    path = random_path(shape, T, seed)
    theta0 = path[-1]
    plane = coordinate_plane(theta0, shape, first, second)
    i, j = parameter_index(first, shape), parameter_index(second, shape)
    on = plane.project(path)
    assert np.array_equal(on.alphas, path[:, i]) and np.array_equal(on.betas, path[:, j])
    others = np.delete(path - theta0, [i, j], axis=1)
    np.testing.assert_allclose(on.distances, np.linalg.norm(others, axis=1), rtol=1e-12)
    assert on.distances[-1] == 0.0
    # A point of the plane is θ₀ with exactly those two entries set.
    alpha, beta = data.draw(st.floats(-1e3, 1e3)), data.draw(st.floats(-1e3, 1e3))
    theta = plane.theta_at(alpha, beta)
    expected = theta0.copy()
    expected[i], expected[j] = alpha, beta
    assert np.array_equal(theta, expected)
    W, b = plane.params_at(alpha, beta)
    assert np.array_equal(flatten_params(W, b), expected)
    assert plane.orthonormal and plane.u_label == first and plane.v_label == second


@settings(max_examples=40, deadline=None)
@given(shapes, st.integers(3, 40), st.integers(0, 2**32 - 1), st.integers(-3, -1))
def test_pca_plane_share_and_projection_match_an_independent_svd(shape, T, seed, now):
    path = random_path(shape, T, seed)
    plane = pca_plane(path, shape, origin_index=now)
    M = path - path[now]
    sigma = np.linalg.svd(M, compute_uv=False)
    share = (sigma[0] ** 2 + sigma[1] ** 2) / np.sum(sigma**2)
    assert plane.variance_share == pytest.approx(share, rel=1e-10)
    assert plane.orthonormal and plane.kind == "pca"
    on = plane.project(path)
    np.testing.assert_allclose(on.alphas, M @ plane.u, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(on.betas, M @ plane.v, rtol=1e-9, atol=1e-12)
    # The share is also the path's energy that the projection keeps (a second identity).
    kept = np.sum(on.alphas**2 + on.betas**2) / np.sum(M**2)
    assert kept == pytest.approx(share, rel=1e-9)
    np.testing.assert_allclose(on.distances**2 + on.alphas**2 + on.betas**2, np.sum(M**2, axis=1),
                               rtol=1e-9, atol=1e-12)  # fmt: skip
    # No other orthonormal pair keeps more: compare with a random one.
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((M.shape[1], 2)))
    assert np.sum((M @ q) ** 2) <= np.sum(M**2) * share * (1 + 1e-9)
    travel = M[-1] - M[0]
    assert travel @ plane.u >= 0 and travel @ plane.v >= 0
    assert f"{100 * share:.1f} %" in plane.note


@pytest.mark.parametrize("T", [1, 5])
def test_pca_plane_of_a_path_that_has_not_moved(T):
    shape = (3, 2)
    path = np.tile(np.arange(9.0), (T, 1))
    plane = pca_plane(path, shape)
    assert plane.variance_share == 1.0 and plane.orthonormal
    assert "not moved" in plane.note
    on = plane.project(path)
    assert np.all(on.distances == 0) and np.all(on.alphas == 0) and np.all(on.betas == 0)


def test_pca_plane_of_a_straight_path():
    shape = (3, 2)
    path = random_path(shape, 12, 7, rank=1)
    plane = pca_plane(path, shape)
    assert plane.variance_share == pytest.approx(1.0) and plane.orthonormal
    assert "straight line" in plane.note
    on = plane.project(path)
    np.testing.assert_allclose(on.distances, 0, atol=1e-9)
    np.testing.assert_allclose(on.betas, 0, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(shapes, st.integers(0, 2**32 - 1))
def test_gradient_plane_holds_the_descent_direction_and_the_update(shape, seed):
    rng = np.random.default_rng(seed)
    P = shape[0] * shape[1] + shape[0]
    theta0, g, d = rng.standard_normal((3, P))
    plane = gradient_plane(theta0, shape, g, d)
    assert plane.orthonormal and plane.note == ""
    np.testing.assert_allclose(plane.u, -g / np.linalg.norm(g), rtol=1e-12)
    on = plane.project(np.stack([theta0, theta0 - d, theta0 - 0.3 * g]))
    np.testing.assert_allclose(on.distances, 0, atol=1e-10)
    assert on.alphas[2] == pytest.approx(0.3 * np.linalg.norm(g))


def test_gradient_plane_says_when_it_is_degenerate():
    shape, P = (2, 2), 6
    theta0, g = np.zeros(P), np.arange(1.0, 7.0)
    cases = {
        "parallel": gradient_plane(theta0, shape, g, -0.1 * g),
        "no last update": gradient_plane(theta0, shape, g, None),
        "gradient is zero": gradient_plane(theta0, shape, np.zeros(P), g),
        "both zero": gradient_plane(theta0, shape, np.zeros(P), np.zeros(P)),
    }
    for words, plane in cases.items():
        assert plane.note and plane.orthonormal, words
    assert "parallel" in cases["parallel"].note
    assert "no last update" in cases["no last update"].note
    assert "gradient is zero" in cases["gradient is zero"].note
    np.testing.assert_allclose(cases["gradient is zero"].u, g / np.linalg.norm(g))


@settings(max_examples=30, deadline=None)
@given(shapes, st.integers(0, 2**32 - 1), st.data())
def test_flat_directions_add_the_same_to_every_logit(shape, seed, data):
    C, D = shape
    which = data.draw(st.sampled_from(["b", *range(D)]))
    axis = flat_direction(shape, which)
    assert np.linalg.norm(axis.vector) == pytest.approx(1.0)
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(C * D + C)
    X = rng.standard_normal((D, 7))
    plane = plane_from_axes(theta, shape, axis, coordinate_axis("W[0,0]", shape))
    before = logits(*plane.params_at(0.0, theta[0]), X)
    after = logits(*plane.params_at(2.5, theta[0]), X)
    shift = after - before
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-12)
    assert np.any(np.abs(shift) > 0.1) or which != "b"


def test_a_plane_of_non_orthogonal_axes_projects_by_least_squares():
    shape = (3, 2)
    path = random_path(shape, 9, 4)
    axes = [coordinate_axis("W[1,0]", shape), flat_direction(shape, 0)]  # share W[1,0]
    plane = plane_from_axes(path[-1], shape, *axes)
    assert not plane.orthonormal
    on = plane.project(path)
    basis = np.stack([plane.u, plane.v], axis=1)
    expected, *_ = np.linalg.lstsq(basis, (path - plane.origin).T, rcond=None)
    np.testing.assert_allclose(on.alphas, expected[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(on.betas, expected[1], rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError):
        plane_from_axes(path[-1], shape, axes[1], Axis(2 * axes[1].vector, "twice"))
    with pytest.raises(ValueError):
        coordinate_plane(path[-1], shape, "b[0]", "b[0]")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1, max_size=30))
def test_fitted_ranges_hold_every_point_with_a_margin(points):
    alphas, betas = np.array(points).T
    a0, a1, b0, b1 = fit_path_ranges(alphas, betas, margin=0.1, min_half_width=0.5)
    assert a0 < a1 and b0 < b1
    for lo, hi, values in ((a0, a1, alphas), (b0, b1, betas)):
        span = values.max() - values.min()
        room = 0.1 * span * (1 - 1e-9)
        assert lo <= values.min() - room and hi >= values.max() + room
        assert hi - lo >= 1.0 - 1e-9
