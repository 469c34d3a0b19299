"""The chain rule's two sides and the gap between them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from explorer.core.chain_rule import chain_rule_gap, signal_ratio

logits = st.integers(2, 8).flatmap(
    lambda C: arrays(np.float64, C, elements=st.floats(-30, 30, allow_nan=False))
)


@given(st.data())
def test_the_gap_is_the_largest_entrywise_difference(data):
    C = data.draw(st.integers(1, 10))
    finite = st.floats(-1e6, 1e6, allow_nan=False)
    a = data.draw(arrays(np.float64, C, elements=finite))
    b = data.draw(arrays(np.float64, C, elements=finite))
    assert chain_rule_gap(a, b) == max(
        abs(x - y) for x, y in zip(a.tolist(), b.tolist(), strict=True)
    )
    assert chain_rule_gap(a, a) == 0.0


def _sides(z, y):
    """``Jᵀ(−y/p)`` and ``p − y`` from the definitions, in float64."""
    p = np.exp(z - z.max())
    p /= p.sum()
    J = np.diag(p) - np.outer(p, p)
    return J.T @ (-y / p), p - y, p


@settings(max_examples=200, deadline=None)
@given(logits, st.data())
def test_for_labels_that_sum_to_one_the_sides_agree_to_rounding(z, data):
    C = len(z)
    weights = data.draw(arrays(np.float64, C, elements=st.floats(0.0, 1.0)))
    if weights.sum() == 0:
        weights[data.draw(st.integers(0, C - 1))] = 1.0
    y = weights / weights.sum()  # one-hot, smoothed or any soft target
    jt, dz, p = _sides(z, y)
    # rounding of the products p_k · (y_j / p_j): relative to the largest −y/p entry
    assert chain_rule_gap(jt, dz) <= 1e-12 * max(1.0, float(np.abs(y / p).max()))


@given(logits, st.floats(0.1, 3.0))
def test_for_labels_that_do_not_sum_to_one_the_gap_is_p_times_the_excess(z, total):
    """``Jᵀ(−y/p) = p·Σy − y``: off by ``p·(Σy − 1)`` from ``p − y``."""
    y = np.zeros(len(z))
    y[0] = total
    jt, dz, p = _sides(z, y)
    expected = float(np.max(np.abs(p * (total - 1.0))))
    assert abs(chain_rule_gap(jt, dz) - expected) <= 1e-9 * max(1.0, total / p[0])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 8).flatmap(
        lambda C: st.tuples(
            st.lists(st.floats(-30, 30), min_size=C, max_size=C), st.integers(0, C - 1)
        )
    )
)
def test_squared_errors_signal_is_at_most_half_of_cross_entropys(case):
    """``‖Jᵀ(p − y)‖ / ‖p − y‖`` is the norm ratio, and J's eigenvalues cap it at 1/2."""
    z, label = np.array(case[0]), case[1]
    e = np.exp(z - z.max())
    p = e / e.sum()
    y = np.zeros_like(p)
    y[label] = 1.0
    J = np.diag(p) - np.outer(p, p)
    dz = J.T @ (p - y)
    ratio = signal_ratio(dz, p - y)
    expected = np.sqrt(np.sum(dz**2)) / np.sqrt(np.sum((p - y) ** 2))
    assert ratio == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert 0.0 <= ratio <= 0.5 + 1e-12
    assert signal_ratio(np.zeros(3), np.zeros(3)) == 0.0
