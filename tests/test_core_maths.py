"""Property tests for the identities of docs/maths.md: softmax, the Jacobian, the chain
rule, the loss."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import (
    HINGE_LOSSES,
    LOSSES,
    active_margins,
    cross_entropy,
    grad_wrt_logits,
    grad_wrt_probs,
    hinge_parts,
    log_softmax,
    loss_and_grads,
    one_hot,
    per_sample_grad,
    per_sample_loss,
    smooth_labels,
    softmax,
    softmax_jacobian,
    squared_error,
    squared_error_parts,
    svm_ova,
    svm_structured,
    svm_ww,
)
from explorer.core.loss import cross_entropy_per_sample

DTYPES = [np.float32, np.float64]


@st.composite
def logit_batches(draw, max_c=50, max_n=500):
    """Random logits ``(C, N)`` with a scale up to 1e4, plus a dtype and a seed."""
    c = draw(st.integers(2, max_c))
    n = draw(st.integers(1, max_n))
    scale = draw(st.sampled_from([1e-3, 1.0, 30.0, 1e3, 1e4]))
    seed = draw(st.integers(0, 2**32 - 1))
    dtype = draw(st.sampled_from(DTYPES))
    Z = (np.random.default_rng(seed).standard_normal((c, n)) * scale).astype(dtype)
    return Z, seed


@settings(max_examples=60, deadline=None)
@given(logit_batches())
def test_softmax_columns_sum_to_one_without_warnings(batch):
    Z, _ = batch
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = softmax(Z)
        logP = log_softmax(Z)
    assert P.dtype == Z.dtype and logP.dtype == Z.dtype
    assert np.all(P >= 0) and np.all(np.isfinite(logP))
    tol = 1e-5 if Z.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(P.sum(axis=0), 1.0, atol=tol)
    assert np.all(logP <= 0)


def test_softmax_matches_float64_definition_on_small_logits():
    Z = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 0.0]])
    expected = np.exp(Z) / np.exp(Z).sum(axis=0)
    np.testing.assert_allclose(softmax(Z), expected, rtol=1e-15)
    np.testing.assert_allclose(log_softmax(Z), np.log(expected), rtol=1e-14)
    np.testing.assert_allclose(softmax(Z[:, 0]), expected[:, 0], rtol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_logits_are_stable(dtype):
    Z = np.array([[1e4, -1e4], [0.0, 0.0], [-1e4, 1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = softmax(Z)
        loss_right = cross_entropy(Z, np.array([0, 2]))
        loss_wrong = cross_entropy(Z, np.array([2, 0]))
    np.testing.assert_array_equal(P, np.array([[1, 0], [0, 0], [0, 1]], dtype=dtype))
    assert loss_right == 0.0
    assert loss_wrong == pytest.approx(2e4)


@settings(max_examples=60, deadline=None)
@given(logit_batches(max_n=40))
def test_jacobian_symmetric_rows_sum_to_zero(batch):
    Z, _ = batch
    P = softmax(Z.astype(np.float64))
    J = softmax_jacobian(P)
    assert J.shape == (Z.shape[1], Z.shape[0], Z.shape[0])
    np.testing.assert_array_equal(J, np.swapaxes(J, 1, 2))
    np.testing.assert_allclose(J.sum(axis=2), 0.0, atol=1e-15)
    np.testing.assert_allclose(softmax_jacobian(P[:, 0]), J[0], rtol=0, atol=0)


def test_jacobian_entries_are_p_j_times_delta_jk_minus_p_k():
    p = np.array([0.2, 0.5, 0.3])
    J = softmax_jacobian(p)
    for j in range(3):
        for k in range(3):
            expected = p[j] * (1 - p[j]) if j == k else -p[j] * p[k]
            assert J[j, k] == pytest.approx(expected, rel=1e-15, abs=1e-16)


def test_jacobian_matches_finite_differences_of_softmax():
    from explorer.core.gradcheck import numerical_gradient

    z = np.array([0.3, -1.2, 2.0, 0.1])
    J = softmax_jacobian(softmax(z))
    for j in range(4):
        row = numerical_gradient(lambda v, j=j: softmax(v)[j], z)
        np.testing.assert_allclose(row, J[j], atol=1e-9)


@st.composite
def probs_and_targets(draw):
    Z, seed = draw(logit_batches(max_n=60))
    rng = np.random.default_rng(seed + 1)
    Z = np.clip(Z.astype(np.float64), -30, 30)  # keep every p > 0 so -y/p is finite
    P = softmax(Z)
    c, n = Z.shape
    kind = draw(st.sampled_from(["labels", "onehot", "soft", "smoothed", "unnormalised"]))
    y = rng.integers(0, c, n)
    if kind == "labels":
        Y = y
    elif kind == "onehot":
        Y = one_hot(y, c)
    elif kind == "soft":
        Y = softmax(rng.standard_normal((c, n)))
    elif kind == "smoothed":
        Y = smooth_labels(y, c, 0.1)
    else:
        Y = rng.random((c, n)) * 2
    return P, Y, kind


@settings(max_examples=80, deadline=None)
@given(probs_and_targets())
def test_chain_rule_jacobian_times_dl_dp_equals_dz(case):
    """The chain rule: Jᵀ(−y/p) = p·Σy − y, which is p − y when Σy = 1."""
    P, Y, kind = case
    J = softmax_jacobian(P)  # (N, C, C)
    dL_dp = grad_wrt_probs(P, Y)  # (C, N)
    chained = np.einsum("nkj,kn->jn", J, dL_dp)
    dz = grad_wrt_logits(P, Y)
    np.testing.assert_allclose(chained, dz, atol=1e-9)
    if kind != "unnormalised":
        Yf = one_hot(Y, P.shape[0]) if kind == "labels" else Y
        np.testing.assert_allclose(dz, P - Yf, atol=1e-12)


def test_grad_wrt_probs_is_minus_y_over_p():
    p = np.array([0.25, 0.5, 0.25])
    np.testing.assert_array_equal(grad_wrt_probs(p, 1), [0.0, -2.0, 0.0])
    np.testing.assert_array_equal(grad_wrt_probs(p, np.array([0.5, 0.5, 0.0])), [-2.0, -1.0, 0.0])


@st.composite
def linear_problems(draw):
    c = draw(st.integers(2, 12))
    d = draw(st.integers(1, 8))
    n = draw(st.integers(1, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    l2 = draw(st.sampled_from([0.0, 0.01, 1.0]))
    soft = draw(st.booleans())
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((c, d))
    b = rng.standard_normal(c)
    X = rng.standard_normal((d, n)) * 2
    y = rng.integers(0, c, n)
    Y = softmax(rng.standard_normal((c, n))) if soft else y
    return W, b, X, Y, l2


@settings(max_examples=40, deadline=None)
@given(linear_problems())
def test_loss_and_grads_match_central_differences(problem):
    from explorer.core.gradcheck import numerical_gradient

    W, b, X, Y, l2 = problem
    _, dW, db = loss_and_grads(W, b, X, Y, l2)
    num_dW = numerical_gradient(lambda w: loss_and_grads(w, b, X, Y, l2)[0], W)
    num_db = numerical_gradient(lambda v: loss_and_grads(W, v, X, Y, l2)[0], b)
    scale_W = max(1.0, np.abs(num_dW).max())
    scale_b = max(1.0, np.abs(num_db).max())
    assert np.abs(dW - num_dW).max() / scale_W < 1e-7
    assert np.abs(db - num_db).max() / scale_b < 1e-7


def test_loss_and_grads_definition_in_float64():
    rng = np.random.default_rng(3)
    W, b, X = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((3, 7))
    y = rng.integers(0, 4, 7)
    l2 = 0.3
    Z = W @ X + b[:, None]
    P = np.exp(Z) / np.exp(Z).sum(axis=0)
    Y = one_hot(y, 4)
    expected_loss = -np.mean(np.log(P[y, np.arange(7)])) + 0.5 * l2 * np.sum(W**2)
    loss, dW, db = loss_and_grads(W, b, X, y, l2)
    assert loss == pytest.approx(expected_loss, rel=1e-13)
    np.testing.assert_allclose(dW, (P - Y) @ X.T / 7 + l2 * W, rtol=1e-12)
    np.testing.assert_allclose(db, (P - Y).mean(axis=1), rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_functions_keep_dtype(dtype):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 2)).astype(dtype)
    b = rng.standard_normal(3).astype(dtype)
    X = rng.standard_normal((2, 5)).astype(dtype)
    y = rng.integers(0, 3, 5)
    _, dW, db = loss_and_grads(W, b, X, y)
    P = softmax(W @ X)
    assert dW.dtype == dtype and db.dtype == dtype
    assert softmax_jacobian(P).dtype == dtype
    assert grad_wrt_logits(P, y).dtype == dtype
    assert grad_wrt_probs(P, y).dtype == dtype


def test_cross_entropy_soft_labels_equals_weighted_log_probs():
    Z = np.array([[2.0, 0.0], [1.0, 0.5], [0.0, -1.0]])
    Y = np.array([[0.7, 0.1], [0.2, 0.1], [0.1, 0.8]])
    expected = -(Y * np.log(np.exp(Z) / np.exp(Z).sum(axis=0))).sum(axis=0).mean()
    assert cross_entropy(Z, Y) == pytest.approx(expected, rel=1e-14)
    assert cross_entropy(Z[:, 0], 0) == pytest.approx(-np.log(softmax(Z[:, 0])[0]))


def test_bad_labels_are_refused():
    with pytest.raises(ValueError, match="labels"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="smoothing"):
        smooth_labels(np.array([0]), 3, 1.0)


@pytest.mark.parametrize("soft", [False, True])
def test_loss_and_grads_scratch_and_probability_hook_change_nothing(soft):
    rng = np.random.default_rng(3)
    C, D, N = 4, 3, 50
    W, b, X = rng.normal(size=(C, D)), rng.normal(size=C), rng.normal(size=(D, N))
    y = rng.integers(0, C, N)
    Y = smooth_labels(y, C, 0.1) if soft else y
    plain = loss_and_grads(W, b, X, Y, 0.01)
    seen = []
    scratch = np.empty((C, N))
    hooked = loss_and_grads(W, b, X, Y, 0.01, out=scratch, on_probs=lambda P: seen.append(P.copy()))
    assert hooked[0] == plain[0]
    assert np.array_equal(hooked[1], plain[1]) and np.array_equal(hooked[2], plain[2])
    (P,) = seen
    np.testing.assert_array_equal(P, softmax(W @ X + b[:, None]))
    with pytest.raises(ValueError, match="out must be"):
        loss_and_grads(W, b, X, Y, out=np.empty((C, N + 1)))
    with pytest.raises(ValueError, match="out must be"):
        loss_and_grads(W, b, X, Y, out=np.empty((N, C)).T)


# ------------------------------------------------- bad labels and infinite logits
def _batch(Z, y, loss):
    """:func:`loss_and_grads` whose logits are ``Z`` (one sample: a batch of one)."""
    Z = Z.reshape(Z.shape[0], -1)
    X = np.ones((1, Z.shape[1]))
    return loss_and_grads(np.zeros((Z.shape[0], 1)), np.zeros(Z.shape[0]), X, y, loss=loss)


def _label_entry_points():
    """Every core function that takes labels, as ``call(Z, y)`` with ``Z (4, N)``."""
    calls = {
        "cross_entropy": cross_entropy,
        "cross_entropy_per_sample": cross_entropy_per_sample,
        "grad_wrt_logits": lambda Z, y: grad_wrt_logits(softmax(Z), y),
        "grad_wrt_probs": lambda Z, y: grad_wrt_probs(softmax(Z), y),
        "one_hot": lambda Z, y: one_hot(y, Z.shape[0]),
        "smooth_labels": lambda Z, y: smooth_labels(y, Z.shape[0], 0.1),
        "squared_error": squared_error,
        "squared_error_parts": squared_error_parts,
        "svm_ww": svm_ww,
        "svm_ova": svm_ova,
        "svm_structured": svm_structured,
    }
    for loss in LOSSES:
        calls[f"per_sample_loss[{loss}]"] = lambda Z, y, loss=loss: per_sample_loss(Z, y, loss)
        calls[f"per_sample_grad[{loss}]"] = lambda Z, y, loss=loss: per_sample_grad(Z, y, loss)
        calls[f"loss_and_grads[{loss}]"] = lambda Z, y, loss=loss: _batch(Z, y, loss)
    for loss in HINGE_LOSSES:
        calls[f"active_margins[{loss}]"] = lambda Z, y, loss=loss: active_margins(Z, y, loss)
        calls[f"hinge_parts[{loss}]"] = lambda Z, y, loss=loss: hinge_parts(Z, y, loss)
    return calls


LABEL_ENTRY_POINTS = _label_entry_points()


@pytest.mark.parametrize("name", sorted(LABEL_ENTRY_POINTS))
@pytest.mark.parametrize("labels", [[0, 1, -1], [0, 1, 4], [0, 1, 2**40], [-(2**40), 0, 1]])
def test_bad_labels_are_refused_everywhere(name, labels):
    """Issue 20: ``-1`` read as the last class, ``C`` raised a bare ``IndexError``."""
    call = LABEL_ENTRY_POINTS[name]
    Z = np.random.default_rng(0).standard_normal((4, 3))
    good = np.array([0, 1, 3])
    call(Z, good)  # the same call with good labels works
    call(Z[:, 0], good[2])
    y = np.array(labels)
    with pytest.raises(ValueError, match="labels must lie in"):
        call(Z, y)
    with pytest.raises(ValueError, match="labels must lie in"):
        call(Z[:, 0], y[(y < 0) | (y >= 4)][0])  # one sample, one bad label
    if name in ("one_hot", "smooth_labels"):
        return  # these make as many columns as they are given labels
    with pytest.raises(ValueError, match="labels"):
        call(Z, good[:2])  # too few labels for the samples
    with pytest.raises(ValueError, match="label"):
        call(Z[:, 0], good)  # one sample, three labels


def test_labels_must_be_whole_numbers():
    np.testing.assert_array_equal(one_hot(np.array([0.0, 2.0]), 3), [[1, 0], [0, 0], [0, 1]])
    for bad in ([0.0, 1.5], [np.nan], [True, False]):
        with pytest.raises(ValueError, match="labels must be"):
            one_hot(np.array(bad), 3)


def test_bad_labels_message_names_the_range():
    Z = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\), got -1\.\.1"):
        cross_entropy(Z, np.array([0, 1, -1]))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 4\), got 0\.\.4"):
        loss_and_grads(np.zeros((4, 2)), np.zeros(4), np.zeros((2, 3)), np.array([0, 1, 4]))
    with pytest.raises(ValueError, match="expected 3 labels, got 2"):
        loss_and_grads(np.zeros((4, 2)), np.zeros(4), np.zeros((2, 3)), np.array([0, 1]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_of_infinite_logits_is_the_limit(dtype):
    inf, nan = np.inf, np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(softmax(np.array([inf, 0, 0], dtype)), [1, 0, 0])
        np.testing.assert_array_equal(log_softmax(np.array([inf, 0, 0], dtype)), [0, -inf, -inf])
        Z = np.array(
            [
                [inf, inf, 1.0, -inf, nan, -inf, inf],
                [0.0, inf, 2.0, -inf, 0.0, 3.0, inf],
                [-inf, -inf, -inf, -inf, 0.0, -inf, inf],
            ],
            dtype=dtype,
        )
        P, logP = softmax(Z), log_softmax(Z)
    third = np.float64(1) / 3
    expected = np.array(
        [
            [1, 0.5, 1 / (1 + np.e), nan, nan, 0, third],
            [0, 0.5, np.e / (1 + np.e), nan, nan, 1, third],
            [0, 0, 0, nan, nan, 0, third],
        ]
    ).astype(dtype)
    assert P.dtype == dtype and logP.dtype == dtype
    rtol = 1e-6 if dtype == np.float32 else 1e-15
    np.testing.assert_allclose(P, expected, rtol=rtol, equal_nan=True)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(logP, np.log(expected), rtol=rtol, equal_nan=True)
    # Ties among +inf share exactly; every defined column sums to one.
    assert P[0, 1] == 0.5 and P[0, 6] == dtype(third)
    np.testing.assert_allclose(P[:, [0, 1, 2, 5, 6]].sum(axis=0), 1, rtol=rtol)
    # The finite columns are computed as without their infinite neighbours.
    np.testing.assert_array_equal(P[:, [2, 5]], softmax(Z[:, [2, 5]]))


def test_losses_of_infinite_logits_follow_softmax():
    z = np.array([np.inf, 0.0, 0.0])
    assert cross_entropy(z, 0) == 0.0
    assert cross_entropy(z, 1) == np.inf
    assert cross_entropy(np.array([np.inf, np.inf, 0.0]), 0) == pytest.approx(np.log(2))
    np.testing.assert_array_equal(grad_wrt_logits(softmax(z), 1), [1, -1, 0])
