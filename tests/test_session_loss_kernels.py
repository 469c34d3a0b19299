"""The training pass's own loss kernels (session/loss_kernels.py) give the core's numbers."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import hinge_parts, softmax
from explorer.core.squared_loss import squared_error_in_place
from explorer.session.loss_kernels import squared_error_from_probs, structured_hinge_from_scores


def problem(C, N, seed, scale, dtype=np.float32):
    rng = np.random.default_rng(seed)
    Z = (scale * rng.standard_normal((C, N))).astype(dtype)
    y = rng.integers(0, C, N)
    return Z, y, y * N + np.arange(N)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 12),
    st.integers(1, 300),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.1, 1.0, 8.0, 40.0]),
    st.sampled_from([np.float32, np.float64]),
)
def test_squared_error_from_probs_is_the_cores(C, N, seed, scale, dtype):
    Z, y, flat = problem(C, N, seed, scale, dtype)
    P = softmax(Z)
    out = np.empty_like(P)
    losses = squared_error_from_probs(P, flat, out)
    ref = P.copy()
    ref_losses = squared_error_in_place(ref, y)
    eps = np.finfo(dtype).eps
    assert losses.dtype == dtype and out.dtype == dtype
    # both sums of squares of the same entries: relative accuracy, small losses too
    np.testing.assert_allclose(losses, ref_losses, rtol=8 * C * eps, atol=1e-30)
    np.testing.assert_allclose(out, ref, rtol=0, atol=8 * C * eps)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 12),
    st.integers(1, 300),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.1, 1.0, 5.0]),
    st.sampled_from([0.3, 1.0, 2.5]),
    st.booleans(),
)
def test_structured_hinge_from_scores_is_the_cores(C, N, seed, scale, margin, rounded):
    Z, y, flat = problem(C, N, seed, scale)
    if rounded:  # scores on a coarse grid: ties for the runner-up and kinks happen
        Z = np.round(Z * 2) / 2
    out = np.empty_like(Z)
    tops = np.empty(Z.shape, dtype=bool)
    z_true = np.take(Z.ravel(), flat)
    losses = structured_hinge_from_scores(Z, y, flat, z_true, margin, out, tops)
    ref_losses, ref_dz, _ = hinge_parts(Z, y, "svm_structured", margin)
    np.testing.assert_array_equal(losses, ref_losses)
    np.testing.assert_array_equal(out, ref_dz)


def test_a_tie_for_the_runner_up_goes_to_the_lowest_class():
    Z = np.array([[0.0, 2.0], [1.0, 1.0], [1.0, 1.0]], dtype=np.float32)
    y = np.array([0, 0])
    flat = y * 2 + np.arange(2)
    out, tops = np.empty_like(Z), np.empty(Z.shape, dtype=bool)
    losses = structured_hinge_from_scores(Z, y, flat, Z[0], 1.0, out, tops)
    np.testing.assert_array_equal(losses, [2.0, 0.0])
    np.testing.assert_array_equal(out[:, 0], [-1.0, 1.0, 0.0])
    np.testing.assert_array_equal(out[:, 1], [0.0, 0.0, 0.0])
