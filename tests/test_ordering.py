"""Orders and bins of per-sample values, against numpy's stable sort and plain loops."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from explorer.core.ordering import descending_order, extreme_per_bin, samples_per_bin

dtypes = st.sampled_from([np.float32, np.float64])


def finite_values(dtype, max_size=300):
    # a few distinct values too, so that ties (and −0.0 against +0.0) are common
    width = 32 if dtype == np.float32 else 64
    floats = st.floats(allow_nan=False, allow_infinity=False, width=width)
    few = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, -2.5e-8])
    return arrays(dtype, st.integers(0, max_size), elements=st.one_of(floats, few))


@settings(max_examples=200, deadline=None)
@given(st.data(), dtypes)
def test_descending_order_is_numpys_stable_sort_of_the_negated_values(data, dtype):
    values = data.draw(finite_values(dtype))
    order = descending_order(values)
    assert order.dtype == np.int64
    np.testing.assert_array_equal(order, np.argsort(-values, kind="stable"))


def test_descending_order_keeps_ties_in_index_order_and_reads_minus_zero_as_zero():
    values = np.array([0.0, -0.0, 3.0, -1.0, 3.0, 0.0], dtype=np.float32)
    assert descending_order(values).tolist() == [2, 4, 0, 1, 5, 3]


def test_descending_order_of_a_large_array():
    values = np.random.default_rng(7).standard_normal(100_000).astype(np.float32)
    np.testing.assert_array_equal(descending_order(values), np.argsort(-values, kind="stable"))


@given(st.integers(0, 10**7), st.integers(1, 5000))
def test_samples_per_bin_is_the_smallest_size_that_fits(n, places):
    size = samples_per_bin(n, places)
    assert size >= 1 and math.ceil(n / size) <= places
    assert size == 1 or math.ceil(n / (size - 1)) > places


def _loop_extremes(values, size, lowest):
    """Each bin's first lowest (or highest) value's position, one bin at a time."""
    positions = []
    for start in range(0, len(values), size):
        best = start
        for k in range(start, min(start + size, len(values))):
            if (values[k] < values[best]) if lowest else (values[k] > values[best]):
                best = k
        positions.append(best)
    return positions


@settings(max_examples=200, deadline=None)
@given(st.data(), dtypes, st.integers(1, 40), st.booleans())
def test_extreme_per_bin_equals_a_plain_loop(data, dtype, size, lowest):
    values = data.draw(finite_values(dtype, max_size=200))
    positions = extreme_per_bin(values, size, lowest)
    assert positions.dtype == np.int64
    assert positions.tolist() == _loop_extremes(values.tolist(), size, lowest)


def test_a_short_last_bin_is_never_won_by_padding():
    # the bars' values: p_y − 1 <= 0 (lowest) and wrong-class p_k >= 0 (highest)
    assert extreme_per_bin(np.array([-0.5, -0.1, 0.0]), 2, lowest=True).tolist() == [0, 2]
    assert extreme_per_bin(np.array([0.5, 0.1, 0.0]), 2, lowest=False).tolist() == [0, 2]
    assert extreme_per_bin(np.array([-1.0, 5.0, 7.0]), 2, lowest=True).tolist() == [0, 2]
    assert extreme_per_bin(np.zeros(0), 3, lowest=True).tolist() == []
