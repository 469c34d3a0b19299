"""Label strides and 1-2-5 scales (explorer.core.ticks), checked against brute force."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.core.ticks import label_stride, round_down_125, strided


def ladder(lo_exp=-12, hi_exp=12):
    return sorted(m * 10.0**e for e in range(lo_exp, hi_exp + 1) for m in (1, 2, 5))


@given(st.floats(min_value=1e-10, max_value=1e10, allow_nan=False))
def test_round_down_125_is_the_largest_rung_not_above(value):
    rungs = ladder()
    want = max(r for r in rungs if r <= value * (1 + 1e-12))
    got = round_down_125(value)
    assert math.isclose(got, want, rel_tol=1e-12)
    assert value / 2.5 < got <= value * (1 + 1e-12)


@pytest.mark.parametrize(
    "value, want", [(1.0, 1.0), (0.3, 0.2), (7.0, 5.0), (1000, 1000), (0.05, 0.05), (19.99, 10.0)]
)
def test_round_down_125_examples(value, want):
    assert math.isclose(round_down_125(value), want)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_round_down_125_refuses_non_positive(bad):
    with pytest.raises(ValueError):
        round_down_125(bad)


def brute_stride(count, slot_px, label_px, gap_px):
    for stride in sorted({int(m * 10**e) for e in range(8) for m in (1, 2, 5)}):
        if stride >= count:
            return count
        if stride * slot_px >= label_px + gap_px:
            return stride
    raise AssertionError


@given(
    st.integers(min_value=2, max_value=500),
    st.floats(min_value=0.01, max_value=500),
    st.floats(min_value=0.0, max_value=300),
    st.floats(min_value=0.0, max_value=20),
)
def test_label_stride_is_the_smallest_125_stride_that_separates_labels(
    count, slot_px, label_px, gap_px
):
    stride = label_stride(count, slot_px, label_px, gap_px)
    assert stride == brute_stride(count, slot_px, label_px, gap_px)
    assert 1 <= stride <= count
    shown = strided(count, stride)
    assert shown[0] == 0 and np.all(np.diff(shown) == stride) and shown[-1] < count
    if stride < count:
        # neighbouring labels, centred stride slots apart, leave gap_px between them
        assert stride * slot_px - label_px >= gap_px - 1e-9


def test_label_stride_edge_cases():
    assert label_stride(1, 10, 100) == 1
    assert label_stride(0, 10, 100) == 1
    assert label_stride(50, 0.0, 10) == 1  # unknown width: every label
    assert label_stride(50, 6.0, 11.0, 4.0) == 5  # 50 classes on a 300-pixel axis
    assert label_stride(3, 100.0, 11.0) == 1
