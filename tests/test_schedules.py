"""Learning-rate schedules: values at known steps and refusals."""

import itertools
import math

import numpy as np
import pytest

from explorer.core.schedules import SCHEDULES, learning_rate


def test_names():
    assert SCHEDULES == ("constant", "step", "cosine")


@pytest.mark.parametrize("step", [0, 1, 99, 100, 10_000])
def test_constant(step):
    assert learning_rate("constant", 0.3, step) == 0.3


def test_step_decay_values():
    lr = [
        learning_rate("step", 0.8, s, step_every=10, step_gamma=0.5) for s in (0, 9, 10, 19, 20, 35)
    ]
    assert lr == [0.8, 0.8, 0.4, 0.4, 0.2, 0.1]
    assert learning_rate("step", 1.0, 250) == 0.25  # defaults: every 100, gamma 0.5
    assert learning_rate("step", 1.0, 10**7, step_every=1) == 0.0  # underflows quietly


def test_cosine_values():
    kw = {"cosine_period": 100, "min_lr": 0.1}
    assert learning_rate("cosine", 1.1, 0, **kw) == pytest.approx(1.1)
    assert learning_rate("cosine", 1.1, 50, **kw) == pytest.approx(0.6)
    assert learning_rate("cosine", 1.1, 25, **kw) == pytest.approx(0.1 + 0.5 * (1 + math.sqrt(0.5)))
    assert learning_rate("cosine", 1.1, 100, **kw) == 0.1
    assert learning_rate("cosine", 1.1, 5000, **kw) == 0.1
    assert learning_rate("cosine", 2.0, 500) == pytest.approx(1.0)  # period 1000, min 0


def test_cosine_is_non_increasing():
    values = [learning_rate("cosine", 1.0, s, cosine_period=37) for s in range(60)]
    assert all(a >= b for a, b in itertools.pairwise(values))


def test_numpy_integer_step_accepted():
    assert learning_rate("step", 1.0, np.int64(100)) == 0.5


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("linear", 0.1, 0), {}),
        (("constant", -0.1, 0), {}),
        (("constant", float("nan"), 0), {}),
        (("constant", float("inf"), 0), {}),
        (("constant", 0.1, -1), {}),
        (("constant", 0.1, 1.5), {}),
        (("constant", 0.1, True), {}),
        (("step", 0.1, 0), {"step_every": 0}),
        (("step", 0.1, 0), {"step_gamma": 0.0}),
        (("step", 0.1, 0), {"step_gamma": 1.5}),
        (("cosine", 0.1, 0), {"cosine_period": 0}),
        (("cosine", 0.1, 0), {"min_lr": 0.2}),
        (("cosine", 0.1, 0), {"min_lr": -0.01}),
    ],
)
def test_refusals(args, kwargs):
    with pytest.raises(ValueError):
        learning_rate(*args, **kwargs)
