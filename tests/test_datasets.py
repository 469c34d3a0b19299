"""Built-in data sets: determinism per generator, shapes, balance, ranges, refusals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.datasets import (
    CS231N_B,
    CS231N_W,
    DATASETS,
    MAX_CLASSES,
    DatasetSpec,
    class_sizes,
    make_dataset,
)

NAMES = list(DATASETS)
RANDOM = [n for n in NAMES if n != "cs231n"]


def n_classes(name, classes):
    spec = DATASETS[name]
    return classes if spec.has_classes else spec.fixed_classes


def test_registry_names_and_specs():
    assert set(DATASETS) == {"blobs", "spiral", "rings", "moons", "xor", "linear", "cs231n"}
    for name, spec in DATASETS.items():
        assert isinstance(spec, DatasetSpec)
        assert spec.name == name
        assert spec.title and spec.description
        assert spec.default_noise >= 0
        assert spec.default_samples >= 2
        assert spec.has_classes == (spec.fixed_classes is None)
    assert DATASETS["moons"].fixed_classes == 2
    assert DATASETS["xor"].fixed_classes == 2
    assert DATASETS["cs231n"].fixed_classes == 3


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(RANDOM),
    samples=st.integers(50, 400),
    classes=st.integers(2, MAX_CLASSES),
    seed=st.integers(0, 2**32 - 1),
)
def test_shapes_dtypes_labels_and_balance(name, samples, classes, seed):
    C = n_classes(name, classes)
    samples = max(samples, C)
    X, y = make_dataset(name, np.random.default_rng(seed), samples=samples, classes=classes)
    assert X.shape == (2, samples) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (samples,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=C)
    assert len(counts) == C
    assert counts.min() >= 1 and counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()
    assert np.abs(X).max() < 4.5  # roughly within [-3, 3]², allowing for tails


@pytest.mark.parametrize("name", RANDOM)
def test_same_seed_same_data_different_seed_different_data(name):
    a = make_dataset(name, np.random.default_rng(7), samples=120, classes=4)
    b = make_dataset(name, np.random.default_rng(7), samples=120, classes=4)
    c = make_dataset(name, np.random.default_rng(8), samples=120, classes=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", RANDOM)
def test_global_random_state_is_untouched(name):
    # the legacy global state is exactly what must stay untouched
    legacy = np.random.get_state
    before = legacy()[1].copy()
    make_dataset(name, np.random.default_rng(0))
    np.testing.assert_array_equal(legacy()[1], before)


@pytest.mark.parametrize("name", RANDOM)
def test_smallest_case_one_point_per_class(name):
    C = n_classes(name, 5)
    X, y = make_dataset(name, np.random.default_rng(0), samples=C, classes=5)
    assert sorted(y.tolist()) == list(range(C))
    assert X.shape == (2, C)


@pytest.mark.parametrize("name", RANDOM)
def test_zero_noise_is_allowed_and_changes_the_data(name):
    X0, _ = make_dataset(name, np.random.default_rng(3), noise=0.0)
    X1, _ = make_dataset(name, np.random.default_rng(3), noise=0.3)
    assert np.isfinite(X0).all()
    assert not np.array_equal(X0, X1)


def test_cs231n_exact_points_weights_and_biases():
    X, y = make_dataset("cs231n", np.random.default_rng(0), samples=1000, classes=7, noise=2.0)
    points = {
        0: [(0.5, 0.4), (0.8, 0.3), (0.3, 0.8)],
        1: [(-0.4, 0.3), (-0.3, 0.7), (-0.7, 0.2)],
        2: [(0.7, -0.4), (0.5, -0.6), (-0.4, -0.5)],
    }
    assert X.shape == (2, 9) and X.dtype == np.float64 and y.dtype == np.int64
    got = {k: sorted(map(tuple, X[:, y == k].T.tolist())) for k in range(3)}
    assert got == {k: sorted(v) for k, v in points.items()}
    np.testing.assert_array_equal(CS231N_W, [[1, 2], [2, -4], [3, -1]])
    np.testing.assert_array_equal(CS231N_B, [0, 0.5, -0.5])
    assert CS231N_W.dtype == np.float64 and CS231N_B.dtype == np.float64
    assert np.abs(X).max() <= 1


def test_cs231n_returns_fresh_arrays():
    X, y = make_dataset("cs231n", np.random.default_rng(0))
    X[:] = 0
    y[:] = 0
    X2, y2 = make_dataset("cs231n", np.random.default_rng(0))
    assert X2[0, 0] == 0.5 and set(y2.tolist()) == {0, 1, 2}


def test_blobs_are_well_separated_for_three_classes():
    X, y = make_dataset("blobs", np.random.default_rng(0), samples=600, classes=3)
    centres = np.stack([X[:, y == k].mean(axis=1) for k in range(3)], axis=1)
    nearest = np.argmin(((X[:, None, :] - centres[:, :, None]) ** 2).sum(axis=0), axis=0)
    assert (nearest == y).mean() > 0.97


@pytest.mark.parametrize("classes", [2, 3, 5, 8])
def test_linear_is_linearly_separable_without_noise(classes):
    X, y = make_dataset("linear", np.random.default_rng(classes), samples=500, classes=classes)
    # a few hundred perceptron epochs find the separating W, b when one exists
    Xb = np.vstack([X, np.ones(X.shape[1])])
    W = np.zeros((classes, 3))
    for _ in range(20000):
        pred = np.argmax(W @ Xb, axis=0)
        wrong = pred != y
        if not wrong.any():
            break
        i = np.flatnonzero(wrong)[0]
        W[y[i]] += Xb[:, i]
        W[pred[i]] -= Xb[:, i]
    assert (np.argmax(W @ Xb, axis=0) == y).all()


def test_rings_radii_grow_with_the_class():
    X, y = make_dataset("rings", np.random.default_rng(0), classes=4, noise=0.0)
    radii = [np.hypot(*X[:, y == k]).mean() for k in range(4)]
    assert radii == sorted(radii)


def test_xor_labels_follow_quadrants_without_noise():
    X, y = make_dataset("xor", np.random.default_rng(0), noise=0.0)
    np.testing.assert_array_equal(y, (np.sign(X[0]) != np.sign(X[1])).astype(np.int64))


def test_class_sizes_balanced():
    np.testing.assert_array_equal(class_sizes(10, 3), [4, 3, 3])
    assert class_sizes(7, 7).tolist() == [1] * 7


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"name": "nope"}, ["unknown data set", "nope", "blobs"]),
        ({"name": "blobs", "samples": 2, "classes": 3}, ["samples", "2", "3"]),
        ({"name": "moons", "samples": 1}, ["samples", "1", "2"]),
        ({"name": "blobs", "classes": 1}, ["classes", "2", "50"]),
        ({"name": "spiral", "classes": 51}, ["classes", "51"]),
        ({"name": "blobs", "noise": -0.1}, ["noise", ">= 0"]),
        ({"name": "rings", "noise": float("nan")}, ["noise", "nan"]),
        ({"name": "cs231n", "noise": float("inf")}, ["noise", "inf"]),
        ({"name": "blobs", "samples": 3.5}, ["samples", "integer"]),
        ({"name": "blobs", "classes": True}, ["classes", "integer"]),
        ({"name": "xor", "samples": 10**7}, ["samples", "at most"]),
    ],
)
def test_bad_arguments_are_refused_clearly(kwargs, words):
    kwargs = {"rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(ValueError) as info:
        make_dataset(**kwargs)
    for word in words:
        assert word in str(info.value)


def test_classes_are_ignored_where_fixed():
    _, y = make_dataset("moons", np.random.default_rng(0), classes=9)
    assert set(y.tolist()) == {0, 1}


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        make_dataset("blobs", 0)
