"""Every loss of issue 18 against its closed form, central differences and the chain rule.

The closed forms (:func:`reference`) are written here from the table of the issue, one
sample at a time in plain Python loops, independently of ``explorer.core``'s vectorised
code. Gradients are checked by central differences away from the kinks: a draw with a
hinge term within ``KINK`` of zero (or, for L1, a weight within ``KINK`` of 0, or two
runner-ups of the structured SVM within ``KINK`` of each other) is rejected, so that the
step of ``1e-6`` never crosses a kink.
"""

from __future__ import annotations

import contextlib
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from explorer.core import (
    HINGE_LOSSES,
    LOSSES,
    PROBABILISTIC_LOSSES,
    active_margins,
    cli_loss_name,
    cross_entropy,
    loss_and_grads,
    loss_name,
    one_hot,
    parallel,
    per_sample_grad,
    per_sample_loss,
    smooth_labels,
    softmax,
    softmax_jacobian,
    squared_error,
    svm_ova,
    svm_structured,
    svm_ww,
)
from explorer.core.gradcheck import numerical_gradient

KINK = 1e-3


def reference(z, y, loss: str, delta: float):
    """Loss, ``∂L/∂z`` and active margins of one sample, from the issue's table.

    ``z`` is a float64 ``(C,)`` vector, ``y`` an integer label or a ``(C,)`` distribution
    (the probabilistic losses only).
    """
    C = len(z)
    t = [1.0 if j == y else 0.0 for j in range(C)] if np.ndim(y) == 0 else list(y)
    grad = [0.0] * C
    active = [False] * C
    if loss in PROBABILISTIC_LOSSES:
        m = max(z)
        e = [np.exp(v - m) for v in z]
        p = [v / sum(e) for v in e]
        if loss == "cross_entropy":
            value = -sum(tk * np.log(pk) for tk, pk in zip(t, p, strict=True))
            grad = [pk * sum(t) - tk for tk, pk in zip(t, p, strict=True)]
        else:
            g = [pk - tk for tk, pk in zip(t, p, strict=True)]
            value = 0.5 * sum(v * v for v in g)
            # Jᵀ g with J[j, k] = p_j (δ_jk − p_k), written out.
            for k in range(C):
                grad[k] = sum(p[j] * ((j == k) - p[k]) * g[j] for j in range(C))
        return value, np.array(grad), np.array(active)
    value = 0.0
    if loss == "svm_ww":
        for j in range(C):
            if j != y and z[j] - z[y] + delta > 0:
                value += z[j] - z[y] + delta
                grad[j] += 1.0
                grad[y] -= 1.0
                active[j] = True
    elif loss == "svm_ova":
        for j in range(C):
            s = 1.0 if j == y else -1.0
            if delta - s * z[j] > 0:
                value += delta - s * z[j]
                grad[j] = -s
                active[j] = True
    else:
        runner = max((j for j in range(C) if j != y), key=lambda j: (z[j], -j))
        if z[runner] - z[y] + delta > 0:
            value = z[runner] - z[y] + delta
            grad[runner], grad[y] = 1.0, -1.0
            active[runner] = True
    return value, np.array(grad), np.array(active)


def hinge_terms(Z, y, loss: str, delta: float) -> list[float]:
    """The quantities whose sign decides a hinge loss's gradient (kinks where one is 0)."""
    C, N = Z.shape
    terms = []
    for n in range(N):
        z, t = Z[:, n], y[n]
        if loss == "svm_ww":
            terms += [z[j] - z[t] + delta for j in range(C) if j != t]
        elif loss == "svm_ova":
            terms += [delta - (1 if j == t else -1) * z[j] for j in range(C)]
        else:
            others = np.sort(np.delete(z, t))
            terms.append(others[-1] - z[t] + delta)
            if C > 2:
                terms.append(others[-1] - others[-2])  # runner-up ties
    return terms


def away_from_kinks(Z, y, loss: str, delta: float) -> bool:
    if loss in PROBABILISTIC_LOSSES:
        return True
    return min(abs(v) for v in hinge_terms(Z, y, loss, delta)) > KINK


@st.composite
def scores(draw, max_c=7, max_n=12):
    C = draw(st.integers(2, max_c))
    N = draw(st.integers(1, max_n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.3, 1.0, 3.0]))
    Z = rng.standard_normal((C, N)) * scale
    y = rng.integers(0, C, N)
    return Z, y, draw(st.sampled_from(LOSSES)), draw(st.sampled_from([0.5, 1.0, 2.0]))


@settings(max_examples=150, deadline=None)
@given(scores())
def test_per_sample_values_match_the_closed_forms(case):
    Z, y, loss, delta = case
    values = per_sample_loss(Z, y, loss, margin=delta)
    grads = per_sample_grad(Z, y, loss, margin=delta)
    assert values.shape == (Z.shape[1],) and grads.shape == Z.shape
    for n in range(Z.shape[1]):
        value, grad, active = reference(list(Z[:, n]), int(y[n]), loss, delta)
        assert values[n] == pytest.approx(value, rel=1e-12, abs=1e-14)
        np.testing.assert_allclose(grads[:, n], grad, rtol=1e-12, atol=1e-14)
        if loss in HINGE_LOSSES:
            np.testing.assert_array_equal(active_margins(Z, y, loss, margin=delta)[:, n], active)
    # One sample on its own gives the same numbers as its column.
    single = per_sample_loss(Z[:, 0], int(y[0]), loss, margin=delta)
    assert single.shape == () and single == pytest.approx(values[0], rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(
        per_sample_grad(Z[:, 0], int(y[0]), loss, margin=delta), grads[:, 0], rtol=1e-12, atol=1e-16
    )


@settings(max_examples=150, deadline=None)
@given(scores())
def test_per_sample_grad_matches_central_differences(case):
    Z, y, loss, delta = case
    assume(away_from_kinks(Z, y, loss, delta))
    grads = per_sample_grad(Z, y, loss, margin=delta)
    num = numerical_gradient(lambda v: per_sample_loss(v, y, loss, margin=delta).sum(), Z)
    np.testing.assert_allclose(grads, num, rtol=1e-6, atol=1e-8)


def test_the_named_batch_functions_are_the_means():
    rng = np.random.default_rng(5)
    Z, y = rng.standard_normal((4, 30)), rng.integers(0, 4, 30)
    for name, function in [
        ("cross_entropy", cross_entropy),
        ("squared_error", squared_error),
        ("svm_ww", lambda Z, y: svm_ww(Z, y, margin=1.5)),
        ("svm_ova", lambda Z, y: svm_ova(Z, y, margin=1.5)),
        ("svm_structured", lambda Z, y: svm_structured(Z, y, margin=1.5)),
    ]:
        expected = np.mean([reference(list(Z[:, n]), y[n], name, 1.5)[0] for n in range(30)])
        assert function(Z, y) == pytest.approx(expected, rel=1e-13)


@st.composite
def linear_problems(draw):
    C = draw(st.integers(2, 5))
    D = draw(st.integers(1, 4))
    N = draw(st.integers(1, 15))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    W = rng.standard_normal((C, D))
    b = rng.standard_normal(C)
    X = rng.standard_normal((D, N)) * 1.5
    y = rng.integers(0, C, N)
    loss = draw(st.sampled_from(LOSSES))
    l2 = draw(st.sampled_from([0.0, 0.1]))
    l1 = draw(st.sampled_from([0.0, 0.05]))
    return W, b, X, y, loss, draw(st.sampled_from([0.5, 1.0])), l2, l1


@settings(max_examples=120, deadline=None)
@given(linear_problems())
def test_loss_and_grads_match_central_differences(problem):
    W, b, X, y, loss, delta, l2, l1 = problem
    Z = W @ X + b[:, None]
    assume(away_from_kinks(Z, y, loss, delta))
    assume(not l1 or np.abs(W).min() > KINK)
    kw = {"loss": loss, "margin": delta, "l1": l1}
    _, dW, db = loss_and_grads(W, b, X, y, l2, **kw)
    num_dW = numerical_gradient(lambda w: loss_and_grads(w, b, X, y, l2, **kw)[0], W)
    num_db = numerical_gradient(lambda v: loss_and_grads(W, v, X, y, l2, **kw)[0], b)
    np.testing.assert_allclose(dW, num_dW, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, num_db, rtol=1e-6, atol=1e-8)


@settings(max_examples=100, deadline=None)
@given(linear_problems(), st.sampled_from([np.float32, np.float64]))
def test_loss_and_grads_is_the_chain_rule_of_the_per_sample_gradient(problem, dtype):
    """``dW = (1/N) dZ Xᵀ + λ₂W + λ₁ sign W``, ``db = mean dZ``, loss = mean + penalties."""
    W, b, X, y, loss, delta, l2, l1 = problem
    W, b, X = W.astype(dtype), b.astype(dtype), X.astype(dtype)
    value, dW, db = loss_and_grads(W, b, X, y, l2, loss=loss, margin=delta, l1=l1)
    assert dW.dtype == dtype and db.dtype == dtype
    W64, b64, X64 = W.astype(np.float64), b.astype(np.float64), X.astype(np.float64)
    Z = W64 @ X64 + b64[:, None]
    dZ = per_sample_grad(Z, y, loss, margin=delta)
    penalty = 0.5 * l2 * np.sum(W64**2) + l1 * np.sum(np.abs(W64))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    if dtype == np.float32 and loss in HINGE_LOSSES:
        # A hinge term within float32 rounding of 0 may fall on either side of its kink.
        assume(away_from_kinks(Z, y, loss, delta))
    expected_value = per_sample_loss(Z, y, loss, margin=delta).mean() + penalty
    assert value == pytest.approx(expected_value, rel=tol, abs=tol)
    expected_dW = dZ @ X64.T / X.shape[1] + l2 * W64 + l1 * np.sign(W64)
    np.testing.assert_allclose(dW, expected_dW, rtol=tol, atol=tol)
    np.testing.assert_allclose(db, dZ.mean(axis=1), rtol=tol, atol=tol)


@settings(max_examples=80, deadline=None)
@given(scores(max_n=30), st.sampled_from(["labels", "smoothed", "soft"]))
def test_squared_error_gradient_is_the_jacobian_chain_rule(case, kind):
    """``∂L/∂z = softmax_jacobian(p).T @ (p − y)`` for each sample (the chain rule of
    docs/maths.md with another ∂L/∂p)."""
    Z, y, _, _ = case
    C, N = Z.shape
    rng = np.random.default_rng(N)
    Y = {
        "labels": y,
        "smoothed": smooth_labels(y, C, 0.2),
        "soft": softmax(rng.normal(size=(C, N))),
    }[kind]
    Yf = one_hot(y, C) if kind == "labels" else Y
    P = softmax(Z)
    J = softmax_jacobian(P)
    dz = per_sample_grad(Z, Y, "squared_error")
    for n in range(N):
        np.testing.assert_allclose(dz[:, n], J[n].T @ (P[:, n] - Yf[:, n]), rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(
        per_sample_loss(Z, Y, "squared_error"), 0.5 * ((P - Yf) ** 2).sum(axis=0), rtol=1e-13
    )
    # Label smoothing and soft labels reach both probabilistic losses.
    for n in range(N):
        for name in PROBABILISTIC_LOSSES:
            value, grad, _ = reference(list(Z[:, n]), Yf[:, n], name, 1.0)
            assert per_sample_loss(Z, Y, name)[n] == pytest.approx(value, rel=1e-12)
            np.testing.assert_allclose(per_sample_grad(Z, Y, name)[:, n], grad, atol=1e-14)


def test_squared_error_stalls_where_cross_entropy_pulls_hardest():
    """A confidently wrong sample: cross-entropy's ``p − y`` is about ``−1`` at the true
    class, squared error's ``Jᵀ(p − y)`` vanishes with ``p``'s saturation."""
    z = np.array([0.0, 12.0, 0.0])
    ce = per_sample_grad(z, 0, "cross_entropy")
    se = per_sample_grad(z, 0, "squared_error")
    assert ce[0] == pytest.approx(-1.0, abs=1e-5)
    assert np.abs(se).max() < 1e-4


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", LOSSES)
def test_dtype_is_kept(loss, dtype):
    rng = np.random.default_rng(1)
    Z, y = rng.standard_normal((3, 8)).astype(dtype), rng.integers(0, 3, 8)
    assert per_sample_loss(Z, y, loss).dtype == dtype
    assert per_sample_grad(Z, y, loss).dtype == dtype
    assert per_sample_loss(Z[:, 0], 1, loss).dtype == dtype
    if loss in HINGE_LOSSES:
        assert active_margins(Z, y, loss).dtype == np.bool_
    W, b, X = Z[:, :2].copy(), Z[:, 2].copy(), rng.standard_normal((2, 8)).astype(dtype)
    _, dW, db = loss_and_grads(W, b, X, y, 0.1, loss=loss, l1=0.1)
    assert dW.dtype == dtype and db.dtype == dtype


def test_kinks_take_the_strict_inequality():
    """A hinge term exactly 0 is inactive: loss 0 and subgradient 0."""
    for loss in HINGE_LOSSES:
        # Every term z_j − z_y + Δ (svm_ww, svm_structured) or Δ − s_j z_j (svm_ova) is 0.
        z = np.array([1.0, -1.0, -1.0]) if loss == "svm_ova" else np.array([1.0, 0.0, 0.0])
        assert per_sample_loss(z, 0, loss, margin=1.0) == 0.0
        np.testing.assert_array_equal(per_sample_grad(z, 0, loss, margin=1.0), 0.0)
        assert not active_margins(z, 0, loss, margin=1.0).any()
    # Just inside the margin every term is active.
    w = np.array([0.999, 0.0, 0.0])
    np.testing.assert_array_equal(per_sample_grad(w, 0, "svm_ww"), [-2.0, 1.0, 1.0])
    np.testing.assert_array_equal(per_sample_grad(w, 0, "svm_ova"), [-1.0, 1.0, 1.0])
    # Tied runner-ups: the lowest class takes the structured SVM's +1.
    np.testing.assert_array_equal(per_sample_grad(w, 0, "svm_structured"), [-1.0, 1.0, 0.0])


def test_l1_subgradient_is_zero_at_zero():
    rng = np.random.default_rng(2)
    W = np.array([[0.0, 1.0], [-2.0, 0.0], [0.5, 0.0]])
    b, X, y = rng.standard_normal(3), rng.standard_normal((2, 6)), rng.integers(0, 3, 6)
    for loss in LOSSES:
        value0, dW0, db0 = loss_and_grads(W, b, X, y, loss=loss)
        value, dW, db = loss_and_grads(W, b, X, y, loss=loss, l1=0.25)
        assert value == pytest.approx(value0 + 0.25 * 3.5, rel=1e-15)
        np.testing.assert_allclose(dW - dW0, 0.25 * np.sign(W), rtol=0, atol=1e-15)
        np.testing.assert_array_equal(db, db0)


@pytest.mark.parametrize("loss", LOSSES)
def test_scratch_and_probability_hook_for_every_loss(loss):
    rng = np.random.default_rng(3)
    W, b, X = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(3, 50))
    y = rng.integers(0, 4, 50)
    plain = loss_and_grads(W, b, X, y, 0.01, loss=loss, l1=0.01)
    seen = []
    hooked = loss_and_grads(
        W,
        b,
        X,
        y,
        0.01,
        loss=loss,
        l1=0.01,
        out=np.empty((4, 50)),
        on_probs=lambda P: seen.append(P.copy()),
    )
    assert hooked[0] == plain[0]
    assert np.array_equal(hooked[1], plain[1]) and np.array_equal(hooked[2], plain[2])
    (P,) = seen
    np.testing.assert_allclose(P, softmax(W @ X + b[:, None]), rtol=1e-15)
    # One-hot columns are the same targets as the labels, for every loss.
    onehot = loss_and_grads(W, b, X, one_hot(y, 4), 0.01, loss=loss, l1=0.01)
    assert onehot[0] == pytest.approx(plain[0], rel=1e-14)
    np.testing.assert_allclose(onehot[1], plain[1], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("loss", HINGE_LOSSES)
def test_hinge_losses_refuse_soft_labels(loss):
    rng = np.random.default_rng(4)
    Z, y = rng.normal(size=(3, 5)), rng.integers(0, 3, 5)
    W, b, X = Z[:, :2].copy(), Z[:, 2].copy(), rng.normal(size=(2, 5))
    for Y in (smooth_labels(y, 3, 0.1), softmax(Z), one_hot(y, 3) * 0.5):
        for call in (
            lambda Y=Y: per_sample_loss(Z, Y, loss),
            lambda Y=Y: per_sample_grad(Z, Y, loss),
            lambda Y=Y: active_margins(Z, Y, loss),
            lambda Y=Y: loss_and_grads(W, b, X, Y, loss=loss),
            lambda Y=Y: per_sample_loss(Z[:, 0], Y[:, 0], loss),
        ):
            with pytest.raises(ValueError, match=r"hard labels.*label smoothing"):
                call()
    with pytest.raises(ValueError, match="no margins"):
        active_margins(Z, y, "cross_entropy")


def test_loss_names_in_both_spellings():
    assert LOSSES == ("cross_entropy", "squared_error", "svm_ww", "svm_ova", "svm_structured")
    assert PROBABILISTIC_LOSSES == ("cross_entropy", "squared_error")
    assert set(HINGE_LOSSES) | set(PROBABILISTIC_LOSSES) == set(LOSSES)
    for name in LOSSES:
        cli = name.replace("_", "-")
        assert loss_name(name) == name and loss_name(cli) == name
        assert cli_loss_name(name) == cli and cli_loss_name(cli) == cli
    for bad in ("cross entropy", "svm", "", "CROSS_ENTROPY", None, 3):
        with pytest.raises(ValueError, match="unknown loss"):
            loss_name(bad)
    Z, y = np.zeros((3, 2)), np.array([0, 1])
    with pytest.raises(ValueError, match="unknown loss"):
        per_sample_loss(Z, y, "hinge")
    with pytest.raises(ValueError, match="unknown loss"):
        loss_and_grads(np.zeros((3, 2)), np.zeros(3), np.zeros((2, 2)), y, loss="mse")
    np.testing.assert_array_equal(
        per_sample_loss(Z, y, "svm-structured"), per_sample_loss(Z, y, "svm_structured")
    )


def test_bad_margins_and_penalties_are_refused():
    W, b, X, y = np.zeros((3, 2)), np.zeros(3), np.zeros((2, 2)), np.array([0, 1])
    for margin in (0.0, -1.0, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError, match="margin"):
            loss_and_grads(W, b, X, y, loss="svm_ww", margin=margin)
        with pytest.raises(ValueError, match="margin"):
            per_sample_loss(W @ X, y, "svm_ova", margin=margin)
    for value in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="l1"):
            loss_and_grads(W, b, X, y, l1=value)
        with pytest.raises(ValueError, match="l2"):
            loss_and_grads(W, b, X, y, value)
    with pytest.raises(ValueError, match="at least 2 classes"):
        per_sample_loss(np.zeros((1, 3)), np.zeros(3, dtype=int), "svm_ww")


def _with_split(split: bool, func):
    """``func()`` with the column split forced on (two threads) or off, and whether every
    split_columns call of the loss modules split as asked."""
    calls = []
    original = parallel.split_columns

    def spy(work, n, elements):
        calls.append(original(work, n, elements))
        return calls[-1]

    with contextlib.ExitStack() as stack:
        limit = 0 if split else 10**15
        stack.enter_context(mock.patch.object(parallel, "MIN_SPLIT_ELEMENTS", limit))
        stack.enter_context(mock.patch.object(parallel, "usable_cpus", lambda: 2))
        for module in ("loss", "softmax", "squared_loss"):
            stack.enter_context(mock.patch(f"explorer.core.{module}.split_columns", spy))
        result = func()
    return result, calls


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", LOSSES)
def test_two_threads_give_the_bits_of_one(loss, dtype):
    """The column split (two halves at once, blocks starting at each half) changes no bit."""
    rng = np.random.default_rng(9)
    C, D, N = 5, 3, 5001  # blocks of the in-place passes do not line up with the halves
    W, b = rng.normal(size=(C, D)).astype(dtype), rng.normal(size=C).astype(dtype)
    X, y = rng.normal(size=(D, N)).astype(dtype), rng.integers(0, C, N)
    targets = [y]
    if loss in PROBABILISTIC_LOSSES:
        targets.append(smooth_labels(y, C, 0.1, dtype=dtype))

    def run(Y):
        seen = []
        value, dW, db = loss_and_grads(
            W, b, X, Y, 0.1, loss=loss, l1=0.1, on_probs=lambda P: seen.append(P.copy())
        )
        return value, dW, db, seen[0]

    for Y in targets:
        (split, split_calls), (whole, whole_calls) = (
            _with_split(True, lambda Y=Y: run(Y)),
            _with_split(False, lambda Y=Y: run(Y)),
        )
        if loss in PROBABILISTIC_LOSSES and Y is y:  # the passes that split
            assert split_calls and all(split_calls) and not any(whole_calls)
        assert split[0] == whole[0]
        for a, b_ in zip(split[1:], whole[1:], strict=True):
            assert np.array_equal(a, b_)
