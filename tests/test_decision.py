"""The decision-image kernel against float64 softmax, its grid, decoding and colour table."""

import math
import warnings

import numpy as np
import pytest
from decision_tools import index_to_class_and_confidence, index_to_class_and_margin
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.decision import (
    SHADES,
    DecisionWorkspace,
    decision_indices,
    decision_lut,
    grid_axes,
    grid_points,
    levels_per_class,
)


def _reference(W, b, F, T=1.0):
    """Class and continuous confidence level from float64 softmax probabilities."""
    Z = (
        np.asarray(W, np.float64) @ np.asarray(F, np.float64) + np.asarray(b, np.float64)[:, None]
    ) / T
    P = np.exp(Z - Z.max(axis=0))
    P /= P.sum(axis=0)
    C = W.shape[0]
    L = levels_per_class(C)
    x = (P.max(axis=0) - 1.0 / C) / (1.0 - 1.0 / C) * (L - 1)
    return P.argmax(axis=0), x, Z


def _strict(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


@st.composite
def exact_problems(draw):
    """Inputs whose float32 logits are exact: multiples of a power of two, small enough.

    Then the float32 kernel and the float64 reference see the very same logits, so the
    class must match exactly and the level to well within one quantisation step.
    """
    C = draw(st.integers(2, 50))
    D = draw(st.integers(1, 30))
    M = draw(st.integers(1, 500))
    scale = draw(st.floats(1e-2, 1e4))
    seed = draw(st.integers(0, 2**32 - 1))
    f_dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(seed)
    q = 2.0 ** math.floor(math.log2(scale / 1024))  # resolution of W
    k_max = 2**22 // (64 * D)  # keeps |Σ k j| < 2**22 units of q/16
    k = np.clip(np.rint(rng.standard_normal((C, D)) * 2048 / math.sqrt(D)), -k_max, k_max)
    j = np.clip(np.rint(rng.standard_normal((D, M)) * 16), -64, 64)
    i = np.clip(np.rint(rng.standard_normal(C) * 2048 * 16), -(2**22), 2**22)
    return k * q, i * q / 16, (j / 16).astype(f_dtype)


@settings(max_examples=120, deadline=None)
@given(exact_problems())
def test_kernel_matches_float64_softmax(problem):
    W, b, F = problem
    C = W.shape[0]
    L = levels_per_class(C)
    idx = _strict(decision_indices, W, b, F)
    assert idx.dtype == np.uint8 and idx.shape == (F.shape[1],)
    k_ref, x_ref, _ = _reference(W, b, F)
    level_ref = np.clip(np.rint(x_ref), 0, L - 1)
    k, level = np.divmod(idx.astype(np.int64), L)
    np.testing.assert_array_equal(k, k_ref)
    assert np.all(np.abs(level - level_ref) <= 1)
    assert np.all(np.abs(level - x_ref) <= 0.5 + 1e-3)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 50),
    st.integers(1, 30),
    st.integers(1, 500),
    st.floats(1e-2, 30.0),
    st.integers(0, 2**32 - 1),
)
def test_kernel_on_generic_float64_inputs(C, D, M, scale, seed):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((C, D)) * scale
    b = rng.standard_normal(C) * scale
    F = rng.standard_normal((D, M))
    L = levels_per_class(C)
    k, level = np.divmod(_strict(decision_indices, W, b, F).astype(np.int64), L)
    k_ref, x_ref, Z = _reference(W, b, F)
    cols = np.arange(M)
    # Where two logits are closer than float32 rounding either may win; elsewhere exact.
    top2 = np.sort(Z, axis=0)[-2:]
    clear = top2[1] - top2[0] > 1e-2
    np.testing.assert_array_equal(k[clear], k_ref[clear])
    assert np.all(Z[k, cols] >= Z.max(axis=0) - 1e-2)
    assert np.all(np.abs(level - np.clip(np.rint(x_ref), 0, L - 1)) <= 1)


@pytest.mark.parametrize("scale", [1e3, 1e4, 3e4])
def test_huge_logits_no_warnings_and_full_confidence(scale):
    rng = np.random.default_rng(1)
    C, D, M = 7, 3, 2000
    W = rng.standard_normal((C, D)) * scale
    b = rng.standard_normal(C) * scale
    F = rng.standard_normal((D, M)).astype(np.float32)
    idx = _strict(decision_indices, W, b, F)
    L = levels_per_class(C)
    k_ref, x_ref, _ = _reference(W, b, F)
    assert np.mean(idx // L == k_ref) > 0.999
    assert np.all(np.abs(idx % L - x_ref) <= 1)
    assert np.mean(idx % L == L - 1) > 0.9  # almost everywhere certain


def test_temperature_is_dividing_the_logits():
    rng = np.random.default_rng(2)
    W, b = rng.standard_normal((5, 4)), rng.standard_normal(5)
    F = rng.standard_normal((4, 300)).astype(np.float32)
    for T in (0.3, 1.7, 25.0):
        np.testing.assert_array_equal(
            decision_indices(W, b, F, temperature=T), decision_indices(W / T, b / T, F)
        )


def test_temperature_keeps_class_and_moves_confidence():
    rng = np.random.default_rng(4)
    C = 4
    L = levels_per_class(C)
    W = np.rint(rng.standard_normal((C, 2)) * 64) / 8  # dyadic: scaling by 2**n is exact
    b = np.rint(rng.standard_normal(C) * 64) / 8
    F = (np.rint(rng.standard_normal((2, 1000)) * 16) / 16).astype(np.float32)
    base = decision_indices(W, b, F)
    hot = decision_indices(W, b, F, temperature=64.0)
    cold = decision_indices(W, b, F, temperature=1 / 64)
    np.testing.assert_array_equal(hot // L, base // L)
    np.testing.assert_array_equal(cold // L, base // L)
    assert np.all(hot % L <= base % L) and np.all(cold % L >= base % L)
    assert np.mean(hot % L) < 0.2 * (L - 1) and np.mean(cold % L) > 0.9 * (L - 1)
    with pytest.raises(ValueError):
        decision_indices(W, b, F, temperature=0.0)
    with pytest.raises(ValueError):
        decision_indices(W, b, F, temperature=float("nan"))


def test_ties_go_to_the_lowest_class_at_the_lowest_level():
    C = 5
    F = np.ones((2, 10), dtype=np.float32)
    idx = decision_indices(np.zeros((C, 2)), np.zeros(C), F)
    np.testing.assert_array_equal(idx, 0)
    b = np.array([0.0, 3.0, 3.0, 1.0, 3.0])
    k = decision_indices(np.zeros((C, 2)), b, F) // levels_per_class(C)
    np.testing.assert_array_equal(k, 1)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12), st.integers(1, 400), st.integers(0, 2**32 - 1))
def test_ties_in_finely_mixed_classes_go_to_the_lowest_class(C, M, seed):
    """Small integer logits: many exact ties, and the winning class changes from one
    point to the next. The class is numpy's first argmax (the lowest class of a tie),
    also when a reused workspace last held another answer."""
    rng = np.random.default_rng(seed)
    W = rng.integers(-2, 3, size=(C, 2)).astype(np.float64)
    b = rng.integers(-2, 3, size=C).astype(np.float64)
    F = rng.integers(-3, 4, size=(2, M)).astype(np.float32)
    workspace = DecisionWorkspace()
    L = levels_per_class(C)
    decision_indices(-W, -b, F, workspace=workspace)  # leaves other classes behind
    k = decision_indices(W, b, F, workspace=workspace) // L
    np.testing.assert_array_equal(k, (W @ F + b[:, None]).argmax(axis=0))


def test_out_and_workspace_reused_across_shapes():
    rng = np.random.default_rng(6)
    ws = DecisionWorkspace()
    for C, D, M in [(3, 2, 100), (3, 2, 100), (10, 5, 40), (3, 2, 100)]:
        W, b = rng.standard_normal((C, D)), rng.standard_normal(C)
        F = rng.standard_normal((D, M))
        out = np.empty(M, dtype=np.uint8)
        res = decision_indices(W, b, F, out=out, workspace=ws)
        assert res is out
        np.testing.assert_array_equal(res, decision_indices(W, b, F))
    # A non-contiguous float32 view is handled too.
    F = rng.standard_normal((4, 200)).astype(np.float32)
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(3)
    np.testing.assert_array_equal(
        decision_indices(W, b, F[::2]), decision_indices(W, b, np.ascontiguousarray(F[::2]))
    )


def test_kernel_refusals():
    W, b, F = np.zeros((3, 2)), np.zeros(3), np.zeros((2, 5))
    for args in [
        (W, np.zeros(2), F),
        (W, b, np.zeros((3, 5))),
        (W[0], b, F),
        (np.zeros((1, 2)), b[:1], F),
    ]:
        with pytest.raises(ValueError):
            decision_indices(*args)
    with pytest.raises(ValueError):
        decision_indices(W, b, F, out=np.empty(5, dtype=np.int32))
    with pytest.raises(ValueError):
        decision_indices(W, b, F, out=np.empty(4, dtype=np.uint8))


def test_levels_per_class():
    assert [levels_per_class(c) for c in (2, 3, 4, 10, 50, 128, 129, 256)] == [
        128,
        85,
        64,
        25,
        5,
        2,
        1,
        1,
    ]
    for bad in (0, 1, 257, 2.0, True):
        with pytest.raises(ValueError):
            levels_per_class(bad)


def test_many_classes_single_level():
    rng = np.random.default_rng(8)
    C = 200
    W, b = rng.standard_normal((C, 3)), rng.standard_normal(C)
    F = rng.standard_normal((3, 400))
    idx = decision_indices(W, b, F)
    np.testing.assert_array_equal(idx, _reference(W, b, F)[0])
    _, lo, hi = index_to_class_and_confidence(idx, C)
    assert np.all(lo == 1 / C) and np.all(hi == 1.0)


def test_grid_axes_and_points():
    xs, ys = grid_axes(-1.0, 1.0, 0.0, 4.0, 4)
    np.testing.assert_allclose(xs, [-0.75, -0.25, 0.25, 0.75])
    np.testing.assert_allclose(ys, [0.5, 1.5, 2.5, 3.5])
    assert xs.dtype == ys.dtype == np.float64
    P = grid_points(np.array([0.0, 1.0, 2.0]), np.array([10.0, 20.0]))
    assert P.shape == (2, 6) and P.dtype == np.float64
    np.testing.assert_array_equal(P[0], [0, 1, 2, 0, 1, 2])
    np.testing.assert_array_equal(P[1], [10, 10, 10, 20, 20, 20])
    # Reshaped to (rows, cols) the image has y along rows and x along columns.
    img = P[0].reshape(2, 3)
    np.testing.assert_array_equal(img[:, 2], [2, 2])
    for bad in [(0, 1, 0, 1, 0), (1, 0, 0, 1, 3), (0, 1, 0, np.inf, 3), (0, 1, 0, 1, 2.5)]:
        with pytest.raises(ValueError):
            grid_axes(*bad)
    with pytest.raises(ValueError):
        grid_points(np.zeros((2, 2)), np.zeros(2))


@pytest.mark.parametrize("C", [2, 3, 10, 50])
def test_index_decoding_brackets_the_kernel_confidence(C):
    rng = np.random.default_rng(C)
    W, b = rng.standard_normal((C, 2)) * 3, rng.standard_normal(C)
    F = rng.standard_normal((2, 3000)).astype(np.float32)
    idx = decision_indices(W, b, F)
    k, lo, hi = index_to_class_and_confidence(idx, C)
    k_ref, _, Z = _reference(W, b, F)
    conf = 1.0 / np.exp(Z - Z.max(axis=0)).sum(axis=0)
    np.testing.assert_array_equal(k, k_ref)
    assert np.all(lo - 1e-5 <= conf) and np.all(conf <= hi + 1e-5)
    assert np.all(lo >= 1 / C - 1e-15) and np.all(hi <= 1.0 + 1e-15)
    k0, lo0, hi0 = index_to_class_and_confidence(levels_per_class(C), C)
    assert int(k0) == 1 and float(lo0) == pytest.approx(1 / C) and float(hi0) > float(lo0)
    with pytest.raises(ValueError):
        index_to_class_and_confidence(C * levels_per_class(C), C)
    with pytest.raises(ValueError):
        index_to_class_and_confidence(np.array([0.5]), C)


def test_decision_lut_blends_from_pale_to_full():
    colors = np.array([[200, 0, 0], [0, 120, 255], [10, 200, 30]], dtype=np.uint8)
    bg = np.array([255, 255, 255], dtype=np.uint8)
    C = 3
    L = levels_per_class(C)
    lut = decision_lut(colors, bg, C)
    assert lut.dtype == np.uint32 and lut.shape == (256,)
    assert np.all(lut >> 24 == 0xFF)
    rgb = np.stack([(lut >> 16) & 0xFF, (lut >> 8) & 0xFF, lut & 0xFF], axis=1).astype(int)
    for k in range(C):
        block = rgb[k * L : (k + 1) * L]
        np.testing.assert_array_equal(block[-1], colors[k])
        dist = np.abs(block - bg.astype(int)).sum(axis=1)
        assert np.all(np.diff(dist) >= 0)  # confidence up, further from the background
        assert dist[0] <= 0.15 * np.abs(colors[k].astype(int) - bg).sum() + 3
    np.testing.assert_array_equal(rgb[C * L :], np.broadcast_to(bg, (256 - C * L, 3)))
    assert decision_lut(colors, bg, 3, pale=1.0)[0] == 0xFFC80000


def test_decision_lut_refusals():
    colors = np.zeros((3, 3), dtype=np.uint8)
    bg = np.zeros(3, dtype=np.uint8)
    for args in [(colors[:2], bg, 3), (colors[:, :2], bg, 3), (colors, bg[:2], 3), (colors, bg, 1)]:
        with pytest.raises(ValueError):
            decision_lut(*args)
    with pytest.raises(ValueError):
        decision_lut(np.full((3, 3), 300), bg, 3)
    with pytest.raises(ValueError):
        decision_lut(colors, bg, 3, pale=0.5, full=0.2)


# ------------------------------------------------------- shading by the score margin
def _margin_reference(W, b, F, delta, T=1.0):
    """Class and continuous level of ``min(top1 − top2, Δ) / Δ``, in float64 numpy."""
    Z = (np.asarray(W, np.float64) @ np.asarray(F, np.float64) + np.asarray(b)[:, None]) / T
    top = np.sort(Z, axis=0)
    gap = np.minimum(top[-1] - top[-2], delta)
    L = levels_per_class(W.shape[0])
    return Z.argmax(axis=0), gap / delta * (L - 1), gap


@settings(max_examples=120, deadline=None)
@given(exact_problems(), st.sampled_from([0.25, 1.0, 3.0, 1000.0]))
def test_margin_shading_matches_a_numpy_recomputation(problem, delta):
    W, b, F = problem
    L = levels_per_class(W.shape[0])
    idx = _strict(decision_indices, W, b, F, shade="margin", margin=delta)
    assert idx.dtype == np.uint8 and idx.shape == (F.shape[1],)
    k_ref, x_ref, _ = _margin_reference(W, b, F, delta)
    k, level = np.divmod(idx.astype(np.int64), L)
    np.testing.assert_array_equal(k, k_ref)  # the same argmax as the probability shading
    np.testing.assert_array_equal(k, decision_indices(W, b, F) // L)
    assert np.all(np.abs(level - np.clip(np.rint(x_ref), 0, L - 1)) <= 1)
    assert np.all(np.abs(level - x_ref) <= 0.5 + 1e-3)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12), st.integers(1, 400), st.integers(0, 2**32 - 1))
def test_margin_shading_of_ties_and_exact_gaps(C, M, seed):
    """Small integer scores: exact ties (gap 0, level 0) and exact gaps, so the level is
    exactly ``rint(min(gap, Δ)/Δ · (L − 1))``; ties for the top go to the lowest class."""
    rng = np.random.default_rng(seed)
    W = rng.integers(-2, 3, size=(C, 2)).astype(np.float64)
    b = rng.integers(-2, 3, size=C).astype(np.float64)
    F = rng.integers(-3, 4, size=(2, M)).astype(np.float32)
    L = levels_per_class(C)
    ws = DecisionWorkspace()
    decision_indices(-W, -b, F, workspace=ws, shade="margin", margin=4.0)
    idx = decision_indices(W, b, F, workspace=ws, shade="margin", margin=4.0)
    k_ref, _, gap = _margin_reference(W, b, F, 4.0)
    np.testing.assert_array_equal(idx // L, k_ref)
    np.testing.assert_array_equal(idx % L, np.rint(gap / 4.0 * (L - 1)))
    assert np.all((idx % L == 0) == (gap == 0))


def test_margin_shading_levels_and_decoding():
    C = 3
    L = levels_per_class(C)
    # One feature, scores (x, 0, −10): class 0 wins for x >= 0 (the tie at 0 included),
    # class 1 for x < 0, and the gap between the top two is |x|.
    W = np.array([[1.0], [0.0], [0.0]])
    b = np.array([0.0, 0.0, -10.0])
    xs = np.array([[0.0, 0.5, 1.0, 2.0, 5.0, -0.5, -3.0]], dtype=np.float32)
    idx = decision_indices(W, b, xs, shade="margin", margin=2.0)
    k, lo, hi = index_to_class_and_margin(idx, C, margin=2.0)
    np.testing.assert_array_equal(k, [0, 0, 0, 0, 0, 1, 1])
    gaps = np.minimum(np.abs(xs[0]), 2.0)
    np.testing.assert_array_equal(idx % L, np.rint(gaps / 2.0 * (L - 1)))
    assert np.all(lo <= gaps + 1e-12) and np.all(gaps <= hi + 1e-12)
    assert np.all(lo >= 0) and np.all(hi <= 2.0)
    assert hi[3] == hi[4] == 2.0  # clipped at Δ: a gap of 2 and one of 5 look the same
    # The temperature divides the scores before the gap is taken.
    np.testing.assert_array_equal(
        decision_indices(W, b, xs, temperature=2.0, shade="margin", margin=2.0),
        decision_indices(W / 2, b / 2, xs, shade="margin", margin=2.0),
    )


def test_margin_shading_refusals():
    W, b, F = np.zeros((3, 2)), np.zeros(3), np.zeros((2, 5))
    assert SHADES == ("probability", "margin")
    with pytest.raises(ValueError, match="shade"):
        decision_indices(W, b, F, shade="gap")
    for margin in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="margin"):
            decision_indices(W, b, F, shade="margin", margin=margin)
    np.testing.assert_array_equal(decision_indices(W, b, F, shade="margin"), 0)
