"""The softmax's flat directions on the landscape, and the path drawn on a plane."""

import numpy as np
import pytest
from landscape_scenes import float32_tolerance, reference_surface, scene

from explorer.core.landscape import Objective, compute_surface
from explorer.core.parameter_planes import (
    coordinate_axis,
    coordinate_plane,
    flat_direction,
    plane_from_axes,
)
from explorer.core.parameters import stack_params, unflatten_params

SHAPE = (4, 2)


def flat_plane(which, other="W[1,0]"):
    F, y, path = scene(*SHAPE, 120, 9, scale=1.5)
    axis = flat_direction(SHAPE, which)
    plane = plane_from_axes(path[-1], SHAPE, axis, coordinate_axis(other, SHAPE))
    alphas = np.linspace(-6.0, 6.0, 25)
    betas = path[-1][1 * SHAPE[1] + 0] + np.linspace(-3.0, 3.0, 7)
    return F, y, plane, alphas, betas


@pytest.mark.parametrize("which", ["b", 0, 1])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_the_probabilistic_losses_are_flat_to_rounding(loss, which):
    F, y, plane, alphas, betas = flat_plane(which)
    objective = Objective(F, y, loss=loss)
    surface = compute_surface(objective, plane, alphas, betas)
    _, biggest = reference_surface(objective, plane, alphas, betas)
    spread = surface.max(axis=1) - surface.min(axis=1)  # along the flat axis, per row
    assert np.all(spread <= 2 * float32_tolerance(biggest))
    assert np.ptp(surface[:, 0]) > 1e-3  # the other axis is not flat: the test can see


@pytest.mark.parametrize("which", ["b", 0])
@pytest.mark.parametrize("loss", ["svm_ww", "svm_structured"])
def test_svms_that_read_only_differences_are_flat_exactly(loss, which):
    F, y, plane, alphas, betas = flat_plane(which)
    surface = compute_surface(Objective(F, y, loss=loss), plane, alphas, betas)
    assert np.all(surface.max(axis=1) - surface.min(axis=1) <= 1e-12 * (1 + np.abs(surface).max()))
    assert np.ptp(surface[:, 0]) > 1e-3


def test_one_vs_all_is_not_flat():
    """One-vs-all reads every ``z_j`` on its own, so a common shift changes its loss."""
    F, y, plane, alphas, betas = flat_plane("b")
    surface = compute_surface(Objective(F, y, loss="svm_ova"), plane, alphas, betas)
    assert np.all(surface.max(axis=1) - surface.min(axis=1) > 0.1)


def test_l2_bends_the_weight_direction_but_not_the_bias_one():
    """``b`` is not penalised, so its flat direction stays flat with L2; ``W``'s does not."""
    for which, flat in (("b", True), (0, False)):
        F, y, plane, alphas, betas = flat_plane(which)
        surface = compute_surface(Objective(F, y, l2=0.5), plane, alphas, betas)
        spread = surface.max(axis=1) - surface.min(axis=1)
        assert np.all(spread < 1e-4) if flat else np.all(spread > 1.0)


def test_a_path_on_a_coordinate_plane_is_drawn_exactly():
    """The history's own entries, and the surface under them is the loss the run had."""
    F, y, path = scene(*SHAPE, 60, 4)
    Ws, bs = zip(*(unflatten_params(t, SHAPE) for t in path), strict=True)
    thetas = stack_params(np.array(Ws), np.array(bs))
    plane = coordinate_plane(thetas[-1], SHAPE, "W[2,1]", "b[0]")
    on = plane.project(thetas)
    assert np.array_equal(on.alphas, np.array(Ws)[:, 2, 1])
    assert np.array_equal(on.betas, np.array(bs)[:, 0])
    # The last point lies on the plane: the surface there is the loss at θ₀.
    objective = Objective(F, y)
    value = compute_surface(objective, plane, on.alphas[-1:], on.betas[-1:])[0, 0]
    exact, biggest = reference_surface(objective, plane, on.alphas[-1:], on.betas[-1:])
    assert value == pytest.approx(exact[0, 0], abs=float32_tolerance(biggest))
