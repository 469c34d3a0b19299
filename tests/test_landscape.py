"""The landscape surface against a direct float64 evaluation, for every loss and plane kind."""

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from landscape_scenes import (
    PLANE_KINDS,
    float32_tolerance,
    grid_around,
    make_plane,
    reference_loss,
    reference_surface,
    scene,
)

from explorer.core.landscape import (
    LANDSCAPE_LOSSES,
    Objective,
    SurfaceJob,
    compute_surface,
    loss_at,
    penalty_surface,
)
from explorer.core.loss import LOSSES, loss_and_grads
from explorer.core.parameter_planes import coordinate_plane, pca_plane

FLOAT64_LOSSES = ("svm_ww", "svm_ova")  # binned in float64 throughout


def tolerance(loss, biggest):
    return 1e-10 * (1.0 + biggest) if loss in FLOAT64_LOSSES else float32_tolerance(biggest)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(LANDSCAPE_LOSSES),
    st.sampled_from(PLANE_KINDS),
    st.tuples(st.integers(2, 6), st.integers(1, 3), st.integers(1, 60)),
    st.sampled_from([0.3, 1.0, 4.0]),
    st.integers(0, 2**32 - 1),
)
def test_every_cell_matches_a_float64_evaluation(loss, kind, sizes, scale, seed):
    C, D, N = sizes
    rng = np.random.default_rng(seed)
    F, y, path = scene(C, D, N, seed, scale)
    plane = make_plane(kind, F, y, path, (C, D), rng)
    l2, l1 = (float(rng.choice([0.0, 0.3])) for _ in range(2))
    objective = Objective(F, y, loss=loss, l2=l2, l1=l1, margin=float(rng.choice([1.0, 0.5])))
    alphas, betas = grid_around(plane, path, rng, int(rng.integers(1, 9)), int(rng.integers(1, 8)))
    surface = compute_surface(objective, plane, alphas, betas)
    expected, biggest = reference_surface(objective, plane, alphas, betas)
    assert surface.shape == (betas.size, alphas.size)
    np.testing.assert_allclose(surface, expected, rtol=0, atol=tolerance(loss, biggest))


@pytest.mark.parametrize("loss", LANDSCAPE_LOSSES)
@pytest.mark.parametrize("kind", PLANE_KINDS)
def test_a_100_by_100_surface_at_random_cells(loss, kind):
    """The size the view uses, on a few hundred samples; 40 random cells checked."""
    rng = np.random.default_rng(zlib.crc32(f"{loss} {kind}".encode()))
    C, D, N = 4, 2, 300
    F, y, path = scene(C, D, N, 5, 2.0)
    plane = make_plane(kind, F, y, path, (C, D), rng)
    objective = Objective(F, y, loss=loss, l2=0.1)
    alphas, betas = grid_around(plane, path, rng, 100, 100, widen=3.0)
    surface = compute_surface(objective, plane, alphas, betas)
    for r, c in zip(rng.integers(0, 100, 40), rng.integers(0, 100, 40), strict=True):
        W, b = plane.params_at(alphas[c], betas[r])
        expected = reference_loss(W, b, F, y, loss, l2=0.1)
        biggest = float(np.abs(W @ F + b[:, None]).max())
        assert surface[r, c] == pytest.approx(expected, abs=tolerance(loss, 4 * biggest))


def test_every_loss_of_loss_and_grads_has_a_landscape():
    assert set(LANDSCAPE_LOSSES) == set(LOSSES)
    assert Objective(np.zeros((1, 1)), np.zeros(1, int), loss="svm-ww").loss == "svm_ww"


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(LANDSCAPE_LOSSES),
    st.sampled_from(PLANE_KINDS),
    st.integers(0, 2**32 - 1),
    st.sampled_from([(0.0, 0.0), (0.5, 0.0), (0.2, 0.3)]),
)
def test_cells_match_loss_and_grads(loss, kind, seed, penalties):
    rng = np.random.default_rng(seed)
    F, y, path = scene(3, 2, 40, seed)
    plane = make_plane(kind, F, y, path, (3, 2), rng)
    l2, l1 = penalties
    objective = Objective(F, y, loss=loss, l2=l2, l1=l1, margin=0.7)
    alphas, betas = grid_around(plane, path, rng, 6, 5)
    surface = compute_surface(objective, plane, alphas, betas)
    _, biggest = reference_surface(objective, plane, alphas, betas)
    for r, beta in enumerate(betas):
        for c, alpha in enumerate(alphas):
            W, b = plane.params_at(alpha, beta)
            exact = loss_and_grads(W, b, F, y, l2, loss=loss, margin=0.7, l1=l1)[0]
            assert loss_at(objective, plane, alpha, beta) == exact  # the number shown
            assert surface[r, c] == pytest.approx(exact, abs=tolerance(loss, biggest))


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error", "svm_structured"])
def test_large_logits_and_wide_ranges_stay_accurate(loss):
    """Logits in the hundreds: the sums are kept in range by blocks of rows, not by luck."""
    rng = np.random.default_rng(11)
    F, y, path = scene(5, 2, 80, 3, scale=30.0)
    plane = make_plane("random", F, y, path, (5, 2), rng)
    objective = Objective(F, y, loss=loss)
    alphas, betas = grid_around(plane, path, rng, 9, 11, widen=4.0)
    job = SurfaceJob(objective, plane, alphas, betas)
    if loss != "svm_structured":
        kernel = getattr(job.kernel, "kernel", job.kernel)
        assert len(kernel.blocks) > 1  # this scene does exercise the blocks
    job.advance()
    expected, biggest = reference_surface(objective, plane, alphas, betas)
    assert biggest > 100
    np.testing.assert_allclose(job.result(), expected, rtol=0, atol=float32_tolerance(biggest))


def test_logits_beyond_float32_are_computed_in_float64():
    F, y, path = scene(3, 2, 30, 1)
    plane = coordinate_plane(path[-1] * 1e17, (3, 2), "W[0,0]", "b[1]")
    alphas = np.linspace(-1e17, 1e17, 5)
    job = SurfaceJob(Objective(F, y), plane, alphas, alphas)
    assert job.dtype == np.float64
    job.advance()
    expected, _ = reference_surface(job.objective, plane, alphas, alphas)
    np.testing.assert_allclose(job.result(), expected, rtol=1e-9)


@pytest.mark.parametrize("loss", LANDSCAPE_LOSSES)
def test_uneven_grids_are_exact_too(loss):
    rng = np.random.default_rng(2)
    F, y, path = scene(4, 2, 50, 2)
    plane = pca_plane(path, (4, 2))
    alphas = np.sort(rng.uniform(-3, 3, 7))
    betas = np.sort(rng.uniform(-2, 2, 6))
    objective = Objective(F, y, loss=loss)
    expected, biggest = reference_surface(objective, plane, alphas, betas)
    surface = compute_surface(objective, plane, alphas, betas)
    np.testing.assert_allclose(surface, expected, rtol=0, atol=tolerance(loss, biggest))


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 6), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_penalty_is_the_quadratic_and_the_sum_of_sizes(C, D, seed):
    rng = np.random.default_rng(seed)
    F, y, path = scene(C, D, 5, seed)
    plane = make_plane("random", F, y, path, (C, D), rng)
    alphas, betas = rng.uniform(-3, 3, 4), rng.uniform(-3, 3, 3)
    l2, l1 = rng.uniform(0, 2, 2)
    surface = penalty_surface(plane, alphas, betas, l2, l1)
    for r, beta in enumerate(betas):
        for c, alpha in enumerate(alphas):
            W, _ = plane.params_at(alpha, beta)
            direct = 0.5 * l2 * np.sum(W**2) + l1 * np.sum(np.abs(W))
            assert surface[r, c] == pytest.approx(direct, rel=1e-12, abs=1e-12)


def test_bad_objectives_and_grids_are_refused():
    F, y, path = scene(3, 2, 10, 0)
    plane = pca_plane(path, (3, 2))
    for bad in ({"loss": "hinge"}, {"l2": -1.0}, {"l1": np.nan}, {"margin": np.inf}, {"margin": 0}):
        with pytest.raises(ValueError):
            Objective(F, y, **bad)
    objective = Objective(F, y)
    for alphas in ([], [1.0, 1.0], [2.0, 1.0], [0.0, np.nan], [[0.0, 1.0]]):
        with pytest.raises(ValueError):
            SurfaceJob(objective, plane, alphas, [0.0, 1.0])
    for labels in (y + 3, y.astype(float), y[:-1]):
        with pytest.raises(ValueError):
            SurfaceJob(Objective(F, labels), plane, [0.0], [0.0])
    with pytest.raises(RuntimeError):
        SurfaceJob(objective, plane, [0.0], [0.0]).result()
