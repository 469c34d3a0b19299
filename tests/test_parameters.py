"""Parameters as one vector θ: the order, the names, and their inverses."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.parameters import (
    flatten_params,
    n_parameters,
    parameter_index,
    parameter_name,
    parameter_names,
    stack_params,
    unflatten_params,
)

shapes = st.tuples(st.integers(1, 12), st.integers(1, 9))


def test_order_is_W_by_rows_then_b():
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = np.array([7.0, 8.0])
    np.testing.assert_array_equal(flatten_params(W, b), [1, 2, 3, 4, 5, 6, 7, 8])
    assert parameter_names((2, 3)) == [
        "W[0,0]", "W[0,1]", "W[0,2]", "W[1,0]", "W[1,1]", "W[1,2]", "b[0]", "b[1]",
    ]  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(shapes, st.integers(0, 2**32 - 1))
def test_flatten_and_unflatten_are_inverse(shape, seed):
    rng = np.random.default_rng(seed)
    W, b = rng.standard_normal(shape), rng.standard_normal(shape[0])
    theta = flatten_params(W, b)
    assert theta.shape == (n_parameters(shape),)
    W2, b2 = unflatten_params(theta, shape)
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(b2, b)
    stacked = stack_params(np.stack([W, 2 * W]), np.stack([b, 2 * b]))
    np.testing.assert_array_equal(stacked[1], flatten_params(2 * W, 2 * b))


@settings(max_examples=40, deadline=None)
@given(shapes, st.data())
def test_names_and_indices_are_inverse_and_name_the_entry(shape, data):
    index = data.draw(st.integers(0, n_parameters(shape) - 1))
    name = parameter_name(index, shape)
    assert parameter_index(name, shape) == index
    theta = np.arange(n_parameters(shape), dtype=float)
    W, b = unflatten_params(theta, shape)
    value = eval(name, {"W": W, "b": b})  # the name indexes numpy's arrays as written
    assert value == theta[index]


def test_names_accept_spaces_and_refuse_what_is_not_a_name():
    assert parameter_index(" W[ 1 , 0 ] ", (3, 2)) == 2
    assert parameter_index("b[2]", (3, 2)) == 8
    for bad in ("W[3,0]", "W[0,2]", "b[3]", "w[0,0]", "W[0]", "b[0,0]", "W[-1,0]", "theta", 3):
        with pytest.raises(ValueError):
            parameter_index(bad, (3, 2))
    with pytest.raises(ValueError):
        parameter_name(9, (3, 2))
    with pytest.raises(ValueError):
        unflatten_params(np.zeros(8), (3, 2))
