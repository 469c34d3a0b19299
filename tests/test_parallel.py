"""Column-split passes: two halves at once give exactly the bits of one pass."""

from __future__ import annotations

import contextlib
import gc
import threading
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import parallel
from explorer.core.decision import DecisionWorkspace, decision_indices
from explorer.core.loss import loss_and_grads
from explorer.session.trainer import Trainer, TrainingObjective


def split_mode(split: bool, func):
    """Call ``func()`` with column splitting forced on (two threads) or off."""
    calls = []
    original = parallel.split_columns

    def spy(work, n, elements):
        calls.append(original(work, n, elements))
        return calls[-1]

    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch.object(parallel, "MIN_SPLIT_ELEMENTS", 0 if split else 10**15)
        )
        stack.enter_context(mock.patch.object(parallel, "usable_cpus", lambda: 2))
        for module in ("explorer.core.loss", "explorer.core.decision", "explorer.session.trainer"):
            stack.enter_context(mock.patch(f"{module}.split_columns", spy))
        result = func()
    assert calls and all(c == split for c in calls), calls
    return result


shapes = st.tuples(
    st.integers(2, 12),  # C
    st.integers(1, 7),  # D (both the multiply-add and the matrix-product paths)
    st.integers(2 * parallel.MIN_HALF_COLUMNS, 2 * parallel.MIN_HALF_COLUMNS + 97),  # N
    st.integers(0, 2**32 - 1),  # seed
)


def _problem(C, D, N, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    W = (rng.normal(size=(C, D)) * 2).astype(dtype)
    b = rng.normal(size=C).astype(dtype)
    X = (rng.normal(size=(D, N)) * 3).astype(dtype)
    y = rng.integers(0, C, size=N)
    return W, b, X, y


@settings(max_examples=40, deadline=None)
@given(shapes)
def test_loss_and_grads_split_is_bit_identical(shape):
    W, b, X, y = _problem(*shape)

    def run(split):
        probs = []
        out = split_mode(
            split,
            lambda: loss_and_grads(W, b, X, y, l2=0.1, on_probs=lambda P: probs.append(P.copy())),
        )
        return out, probs[0]

    (loss1, dW1, db1), P1 = run(False)
    (loss2, dW2, db2), P2 = run(True)
    assert loss1 == loss2
    np.testing.assert_array_equal(dW1, dW2)
    np.testing.assert_array_equal(db1, db2)
    np.testing.assert_array_equal(P1, P2)


@settings(max_examples=40, deadline=None)
@given(shapes)
def test_trainer_forward_split_is_bit_identical(shape):
    W, b, X, y = _problem(*shape, dtype=np.float32)
    trainer = Trainer(X, y, X[:, :1], y[:1], n_classes=W.shape[0])
    one = split_mode(False, lambda: trainer.forward(W, b))
    one = [one.Z.copy(), one.P.copy(), one.zmax.copy(), one.lse.copy(), one.loss, one.acc]
    two = split_mode(True, lambda: trainer.forward(W, b))
    two = [two.Z, two.P, two.zmax, two.lse, two.loss, two.acc]
    for a, b_ in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b_)


@settings(max_examples=40, deadline=None)
@given(shapes, st.sampled_from([0.5, 1.0, 3.0]))
def test_decision_indices_split_is_bit_identical(shape, temperature):
    W, b, F, _ = _problem(*shape)
    F = F.astype(np.float32)
    one = split_mode(
        False, lambda: decision_indices(W, b, F, temperature, workspace=DecisionWorkspace())
    )
    two = split_mode(
        True, lambda: decision_indices(W, b, F, temperature, workspace=DecisionWorkspace())
    )
    np.testing.assert_array_equal(one, two)


def test_split_runs_halves_on_two_threads(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_SPLIT_ELEMENTS", 0)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    seen = []

    def work(lo, hi):
        seen.append((lo, hi, threading.get_ident()))

    n = 2 * parallel.MIN_HALF_COLUMNS + 1
    assert parallel.split_columns(work, n, n) is True
    assert sorted(s[:2] for s in seen) == [(0, n // 2), (n // 2, n)]
    assert len({s[2] for s in seen}) == 2


def test_split_stays_whole_when_small_or_on_one_cpu(monkeypatch):
    seen = []
    n = 2 * parallel.MIN_HALF_COLUMNS
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    assert parallel.split_columns(lambda lo, hi: seen.append((lo, hi)), n, n) is False  # small
    monkeypatch.setattr(parallel, "MIN_SPLIT_ELEMENTS", 0)
    assert parallel.split_columns(lambda lo, hi: seen.append((lo, hi)), n - 1, n) is False  # narrow
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 1)
    assert parallel.split_columns(lambda lo, hi: seen.append((lo, hi)), n, n) is False  # one CPU
    assert seen == [(0, n), (0, n - 1), (0, n)]


def test_a_split_inside_a_split_runs_whole(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_SPLIT_ELEMENTS", 0)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    inner = []

    def work(lo, hi):
        inner.append(parallel.split_columns(lambda a, b: None, hi - lo, hi - lo))

    n = 4 * parallel.MIN_HALF_COLUMNS
    assert parallel.split_columns(work, n, n) is True
    assert inner == [False, False]  # neither half splits again (no deadlock either)


def test_the_collector_is_off_during_a_split_and_back_after(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_SPLIT_ELEMENTS", 0)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    seen = []
    n = 2 * parallel.MIN_HALF_COLUMNS
    assert gc.isenabled()
    parallel.split_columns(lambda lo, hi: seen.append(gc.isenabled()), n, n)
    assert seen == [False, False]
    assert gc.isenabled()


def test_helper_errors_reach_the_caller(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_SPLIT_ELEMENTS", 0)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)

    def work(lo, hi):
        if lo > 0:
            raise ValueError("helper half failed")

    n = 2 * parallel.MIN_HALF_COLUMNS
    with pytest.raises(ValueError, match="helper half failed"):
        parallel.split_columns(work, n, n)
    seen = []
    assert parallel.split_columns(lambda lo, hi: seen.append(lo), n, n) is True  # still works
    assert sorted(seen) == [0, n // 2]
    assert gc.isenabled()


@settings(max_examples=30, deadline=None)
@given(shapes, st.sampled_from([0.0, 0.1]), st.sampled_from(["cross_entropy", "squared_error"]))
def test_trainer_full_grads_split_is_bit_identical(shape, eps, loss):
    W, b, X, y = _problem(*shape, dtype=np.float32)
    trainer = Trainer(X, y, X[:, :1], y[:1], n_classes=W.shape[0])
    objective = TrainingObjective(loss, l2=0.01, label_smoothing=eps)

    def grads():  # a new forward pass each time: its dZ is made once and kept
        return trainer.full_grads(W, trainer.forward(W, b, objective))

    one = [a.copy() for a in split_mode(False, grads)]
    two = split_mode(True, grads)
    for a, b_ in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b_)
