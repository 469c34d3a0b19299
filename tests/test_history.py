"""History: metrics per step, checkpoints, thinning, the memory bound and the step cap."""

import numpy as np
import pytest

import explorer.session.history as history_module
from explorer.app.messages import history_full_text
from explorer.core.optimizers import make_optimizer
from explorer.session.config import Config
from explorer.session.history import History, State, rng_from_array, rng_to_array
from explorer.session.session import Session

MiB = 2**20


def _state(step, C=3, D=2, forced=False, config=None):
    rng = np.random.default_rng(step)
    opt = make_optimizer("adam", [(C, D), (C,)])
    return State(
        step=step,
        W=rng.standard_normal((C, D)).astype(np.float32),
        b=np.zeros(C, np.float32),
        opt=opt.state(),
        rng=rng_to_array(rng),
        config=config or Config(),
        forced=forced,
    )


def test_rng_state_round_trip_is_exact():
    rng = np.random.default_rng([7, 11])
    rng.standard_normal(5)
    rng.integers(0, 10, 3, dtype=np.uint32)  # leaves a buffered uint32 behind
    words = rng_to_array(rng)
    assert words.dtype == np.uint64 and words.shape == (6,)
    again = rng_from_array(words)
    assert np.array_equal(rng.standard_normal(10), again.standard_normal(10))
    assert np.array_equal(rng.integers(0, 99, 20), again.integers(0, 99, 20))


def test_metrics_grow_and_truncate():
    h = History(stride=5)
    for k in range(3000):
        h.append((k, 0.5, 2 * k, 0.25))
    assert h.head == 2999
    m = h.metrics
    assert len(m) == 3000 and m.train_loss.dtype == np.float64
    assert m.train_loss[1234] == 1234 and m.test_loss[10] == 20
    assert not m.train_loss.flags.writeable
    h.truncate(99)
    assert h.head == 99 and len(h.metrics.test_acc) == 100


def test_nearest_checkpoint_and_truncation():
    h = History(stride=5)
    for k in range(23):
        h.append((0, 0, 0, 0))
        if k == 0:
            h.add(_state(0, forced=True))
        elif h.wants_checkpoint(k):
            h.add(_state(k))
    h.add(_state(12, forced=True))
    assert [s.step for s in h.checkpoints] == [0, 5, 10, 12, 15, 20]
    assert h.nearest(14).step == 12 and h.nearest(4).step == 0 and h.nearest(22).step == 20
    h.truncate(13)
    assert [s.step for s in h.checkpoints] == [0, 5, 10, 12]
    with pytest.raises(ValueError):
        h.add(_state(50))


def test_thinning_doubles_the_stride_and_keeps_forced_checkpoints():
    one = _state(0).nbytes
    h = History(stride=2, budget=10 * one)
    for k in range(200):
        h.append((0, 0, 0, 0))
        if k in (0, 33):
            h.add(_state(k, forced=True))
        elif h.wants_checkpoint(k):
            h.add(_state(k))
    regular = [s.step for s in h.checkpoints if not s.forced]
    assert h.stride > 2
    assert all(s % h.stride == 0 for s in regular)
    assert {0, 33} <= {s.step for s in h.checkpoints}
    assert sum(s.nbytes for s in h.checkpoints if not s.forced) <= 10 * one


@pytest.mark.slow
def test_100k_steps_of_a_C10_D27_model_stay_well_under_100_MiB():
    # poly degree 6 gives D = 27; Adam keeps two slots per parameter (the largest state)
    config = Config(
        classes=10,
        samples=20,
        test_fraction=0.0,
        features="poly",
        degree=6,
        optimizer="adam",
        lr=0.01,
    )
    s = Session(config)
    assert s.W.shape == (10, 27)
    assert s.step(100_000) == 100_000
    assert s.head == 100_000
    assert s.history.nbytes < 40 * MiB
    # and the history is really there: an early step comes back exactly
    s.seek(777)
    W = s.W.copy()
    s.seek(90_000)
    s.seek(777)
    assert np.array_equal(W, s.W)


def test_nbytes_counts_checkpoint_arrays():
    h = History(stride=1)
    h.append((0, 0, 0, 0))
    empty = h.nbytes
    h.add(_state(0, C=50, D=200, forced=True))
    assert h.nbytes - empty >= 3 * 50 * 200 * 4


def test_history_cap_stops_training_with_a_notice(monkeypatch):
    monkeypatch.setattr(history_module, "MAX_STEPS", 30)
    s = Session(Config(samples=40))
    events = []
    s.changed.connect(events.append)
    assert s.step(25) == 25
    assert s.step(25) == 5
    assert s.head == 30 and s.notice and "full" in history_full_text(s.notice)
    assert s.step(1) == 0
    assert len(events) == 3
    s.step_back(10)
    assert s.step(5) == 5  # moving along history is still fine


def test_forced_after_lists_the_forced_checkpoints_as_a_walk_of_all_of_them_does():
    """History.forced_after (compare mode's cheap look for A's edits) against a filter of
    every checkpoint, through adds, replacements at a step, thinning, truncation and a
    restore."""
    rng = np.random.default_rng(5)
    h = History(stride=2, budget=4000)
    for step in range(200):
        h.append((0.0, 0.0, 0.0, 0.0))
        forced = step == 0 or rng.random() < 0.1
        if forced or h.wants_checkpoint(step):
            h.add(_state(step, forced=forced))
        if rng.random() < 0.05:  # an edit replacing the checkpoint at this step
            h.add(_state(step, forced=True))
        if rng.random() < 0.02:
            h.truncate(int(rng.integers(0, step + 1)))
            for _ in range(h.head, step):
                h.append((0.0, 0.0, 0.0, 0.0))
        for k in (0, step // 2, step):
            want = [st for st in h.checkpoints if st.forced and st.step > k]
            assert h.forced_after(k) == want
    copy = History()
    copy.restore(np.zeros((4, h.head + 1)), False, h.stride, h.checkpoints)
    assert copy.forced_after(-1) == [st for st in h.checkpoints if st.forced]
