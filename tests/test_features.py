"""Feature maps: shapes, names, standardisation, determinism, exact state round trips."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.datasets import CS231N_B, CS231N_W, make_dataset
from explorer.core.features import (
    FEATURE_KINDS,
    FeatureMap,
    make_feature_map,
    poly_dim,
)

DTYPES = [np.float32, np.float64]


def fit_points(seed=0, n=200):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, n)) * np.array([[2.0], [0.5]]) + np.array([[1.0], [-0.7]])


def grid(G=400):
    xs = np.linspace(-3, 3, G)
    return np.stack(np.meshgrid(xs, xs)).reshape(2, -1)


def all_maps(X):
    yield make_feature_map("identity", X)
    for degree in range(1, 7):
        yield make_feature_map("poly", X, degree=degree)
    yield make_feature_map("rff", X, rff_dim=37, rff_gamma=0.7, seed=5)


def test_kinds():
    assert FEATURE_KINDS == ("identity", "poly", "rff")


@pytest.mark.parametrize("dtype", DTYPES)
def test_shapes_dtypes_and_layout(dtype):
    X = fit_points()
    pts = fit_points(1, 33)
    for fm in all_maps(X):
        F = fm.transform(pts, dtype=dtype)
        assert F.shape == (fm.dim, 33)
        assert F.dtype == dtype and F.flags.c_contiguous
        assert len(fm.names) == fm.dim == len(set(fm.names))
        assert np.isfinite(F).all()
        assert fm.transform(np.zeros((2, 0)), dtype=dtype).shape == (fm.dim, 0)


def test_default_dtype_is_float32():
    assert make_feature_map("poly", fit_points()).transform(fit_points()).dtype == np.float32


@pytest.mark.parametrize("degree", range(1, 7))
def test_poly_dimension_formula(degree):
    fm = make_feature_map("poly", fit_points(), degree=degree)
    assert fm.dim == degree * (degree + 3) // 2 == poly_dim(degree)


def test_identity_is_raw_x_so_cs231n_weights_apply():
    X, _ = make_dataset("cs231n", np.random.default_rng(0))
    fm = make_feature_map("identity", X)
    F = fm.transform(X, dtype=np.float64)
    np.testing.assert_array_equal(F, X)
    assert fm.names == ("x1", "x2")
    scores = CS231N_W @ F + CS231N_B[:, None]
    np.testing.assert_allclose(scores[:, 0], [1.3, -0.1, 0.6])


def test_identity_returns_a_copy():
    X = fit_points()
    F = make_feature_map("identity", X).transform(X, dtype=np.float64)
    F[:] = 0
    assert X.any()


def test_poly_names():
    fm = make_feature_map("poly", fit_points(), degree=5)
    assert fm.names[:9] == ("x1", "x2", "x1²", "x1·x2", "x2²", "x1³", "x1²x2", "x1·x2²", "x2³")
    assert "x1³x2²" in fm.names and "x2⁵" in fm.names


def test_poly_values_are_monomials_of_standardised_points():
    X = fit_points()
    fm = make_feature_map("poly", X, degree=4)
    pts = fit_points(3, 20)
    U = (pts - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)
    F = fm.transform(pts, dtype=np.float64)
    exps = [(t - j, j) for t in range(1, 5) for j in range(t + 1)]
    expected = np.stack([U[0] ** i * U[1] ** j for i, j in exps])
    np.testing.assert_allclose(F, expected, rtol=1e-12, atol=1e-12)


def test_degree_one_standardises_the_fit_data():
    X = fit_points()
    F = make_feature_map("poly", X, degree=1).transform(X, dtype=np.float64)
    np.testing.assert_allclose(F.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(F.std(axis=1), 1, rtol=1e-12)


def test_constant_coordinate_does_not_divide_by_zero():
    X = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])
    fm = make_feature_map("poly", X, degree=2)
    F = fm.transform(X, dtype=np.float64)
    assert np.isfinite(F).all()
    np.testing.assert_array_equal(F[1], 0)
    one = make_feature_map("rff", X[:, :1])
    assert np.isfinite(one.transform(X)).all()


def test_rff_determinism_and_scale():
    X = fit_points()
    a = make_feature_map("rff", X, rff_dim=64, seed=3)
    b = make_feature_map("rff", X, rff_dim=64, seed=3)
    c = make_feature_map("rff", X, rff_dim=64, seed=4)
    Fa = a.transform(X, dtype=np.float64)
    np.testing.assert_array_equal(Fa, b.transform(X, dtype=np.float64))
    assert not np.array_equal(Fa, c.transform(X, dtype=np.float64))
    assert np.abs(Fa).max() <= np.sqrt(2 / 64) + 1e-12
    assert a.names[0] == "rff1" and a.names[-1] == "rff64"


def test_rff_approximates_the_rbf_kernel():
    X = fit_points()
    gamma = 0.5
    fm = make_feature_map("rff", X, rff_dim=4000, rff_gamma=gamma, seed=1)
    pts = fit_points(2, 30)
    F = fm.transform(pts, dtype=np.float64)
    U = (pts - fm.mean[:, None]) / fm.scale[:, None]
    d2 = ((U[:, :, None] - U[:, None, :]) ** 2).sum(0)
    np.testing.assert_allclose(F.T @ F, np.exp(-gamma * d2), atol=0.08)


@pytest.mark.parametrize("dtype", DTYPES)
def test_same_points_same_features_alone_or_in_a_grid(dtype):
    X = fit_points()
    G = grid(400)
    for fm in all_maps(X):
        F = fm.transform(G, dtype=dtype)
        for idx in ([0], [12345], np.arange(1000, 1037), [159_999, 3, 77]):
            np.testing.assert_array_equal(fm.transform(G[:, idx], dtype=dtype), F[:, idx])


@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(FEATURE_KINDS),
    degree=st.integers(1, 6),
    rff_dim=st.integers(1, 300),
    gamma=st.floats(1e-3, 50),
    seed=st.integers(0, 2**32 - 1),
)
def test_state_round_trip_is_bit_exact(kind, degree, rff_dim, gamma, seed):
    X = fit_points(seed % 7)
    fm = make_feature_map(kind, X, degree=degree, rff_dim=rff_dim, rff_gamma=gamma, seed=seed)
    state = fm.state()
    back = FeatureMap.from_state(state)
    assert (back.kind, back.dim, back.names) == (fm.kind, fm.dim, fm.names)
    pts = fit_points(11, 50)
    for dtype in DTYPES:
        np.testing.assert_array_equal(back.transform(pts, dtype), fm.transform(pts, dtype))


def test_state_survives_npz_without_pickle():
    fm = make_feature_map("rff", fit_points(), rff_dim=20, rff_gamma=2.5, seed=9)
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in fm.state().items()})
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as f:
        back = FeatureMap.from_state(dict(f))
    pts = fit_points(2)
    np.testing.assert_array_equal(back.transform(pts), fm.transform(pts))
    assert back.rff_gamma == 2.5 and back.seed == 9


def test_state_is_a_copy():
    fm = make_feature_map("poly", fit_points())
    state = fm.state()
    state["mean"][:] = 100
    assert fm.mean[0] != 100


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda s: s.pop("omega"), "omega"),
        (lambda s: s.update(kind="nope"), "unknown feature map"),
        (lambda s: s.update(omega=np.zeros((3, 2))), "omega"),
        (lambda s: s.update(scale=np.array([1.0, 0.0])), "scale"),
        (lambda s: s.update(mean=np.array([np.nan, 0.0])), "mean"),
        (lambda s: s.update(degree="x"), "bad feature map state"),
    ],
)
def test_bad_state_is_refused(change, match):
    state = make_feature_map("rff", fit_points(), rff_dim=10).state()
    change(state)
    with pytest.raises(ValueError, match=match):
        FeatureMap.from_state(state)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("cubic", None), {}, "unknown feature map"),
        (("poly", None), {"degree": 0}, "degree"),
        (("poly", None), {"degree": 7}, "degree"),
        (("poly", None), {"degree": 99}, "degree"),
        (("poly", None), {"degree": 2.0}, "degree"),
        (("rff", None), {"rff_dim": 0}, "rff_dim"),
        (("rff", None), {"rff_gamma": 0.0}, "rff_gamma"),
        (("rff", None), {"rff_gamma": float("nan")}, "rff_gamma"),
        (("rff", None), {"seed": -1}, "seed"),
        (("poly", np.zeros((3, 5))), {}, "shape"),
        (("poly", np.zeros((2, 0))), {}, "shape"),
        (("poly", np.array([[0.0, np.inf], [0, 0]])), {}, "NaN or infinity"),
    ],
)
def test_bad_arguments_are_refused(args, kwargs, match):
    kind, X = args
    with pytest.raises(ValueError, match=match):
        make_feature_map(kind, fit_points() if X is None else X, **kwargs)


def test_bad_transform_input():
    fm = make_feature_map("poly", fit_points())
    with pytest.raises(ValueError, match="shape"):
        fm.transform(np.zeros(5))
    with pytest.raises(ValueError, match="dtype"):
        fm.transform(fit_points(), dtype=np.int32)
