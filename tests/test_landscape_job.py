"""A surface in slices, in two threads, or stopped: always the same bits, or nothing."""

import contextlib
from unittest import mock

import numpy as np
import pytest
from landscape_scenes import grid_around, make_plane, scene

from explorer.core import (
    landscape,
    landscape_hinge,
    landscape_softmax,
    landscape_structured,
    parallel,
)
from explorer.core.landscape import LANDSCAPE_LOSSES, Objective, SurfaceJob, compute_surface


@contextlib.contextmanager
def small_units():
    """Units of a few hundred elements, so that a small scene has many of them."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch.dict(landscape_softmax.UNIT_ELEMENTS, cross_entropy=512, squared_error=512)
        )
        stack.enter_context(mock.patch.object(landscape_hinge, "TERMS_PER_UNIT", 16))
        stack.enter_context(mock.patch.object(landscape_hinge, "PAIRS_PER_BATCH", 64))
        stack.enter_context(mock.patch.object(landscape_structured, "SAMPLES_PER_UNIT", 16))
        stack.enter_context(mock.patch.object(landscape_structured, "PAIRS_PER_BATCH", 64))
        yield


@contextlib.contextmanager
def splitting(split: bool):
    """Force the column split on (two threads) or off, and record that it happened."""
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
        stack.enter_context(mock.patch("explorer.core.plane_logits.split_columns", spy))
        yield calls


def job_for(loss, kind="pca", seed=0):
    rng = np.random.default_rng(seed)
    F, y, path = scene(4, 2, 300, seed, 2.0)
    plane = make_plane(kind, F, y, path, (4, 2), rng)
    alphas, betas = grid_around(plane, path, rng, 30, 20)
    return Objective(F, y, loss=loss, l2=0.1), plane, alphas, betas


@pytest.mark.parametrize("loss", LANDSCAPE_LOSSES)
def test_two_threads_slices_and_one_pass_give_the_same_bits(loss):
    problem = job_for(loss)
    with small_units():
        with splitting(False) as calls:
            whole = SurfaceJob(*problem)
            assert whole.kernel.n_units > 4
            whole.advance()
            assert calls and not any(calls)
        with splitting(True) as calls:
            split = SurfaceJob(*problem)
            split.advance()
            assert calls and all(calls)
            sliced = SurfaceJob(*problem)
            progress = [sliced.progress]
            while not sliced.advance(units=3):
                progress.append(sliced.progress)
            progress.append(sliced.progress)
    assert np.array_equal(whole.result(), split.result())
    assert np.array_equal(whole.result(), sliced.result())
    assert progress[0] == 0.0 and progress[-1] == 1.0 and np.all(np.diff(progress) > 0)


def test_a_time_slice_returns_and_the_job_finishes_later():
    with small_units():
        job = SurfaceJob(*job_for("cross_entropy"))
        assert not job.advance(seconds=0.0)  # at least one batch, then it gives way
        assert 0 < job.progress < 1
        while not job.advance(seconds=0.001):
            pass
        expected = compute_surface(*job_for("cross_entropy"))
    assert np.array_equal(job.result(), expected)


def test_a_stopped_surface_is_none():
    asked = []

    def stop():
        asked.append(True)
        return len(asked) > 2

    with small_units(), mock.patch.object(landscape, "STOP_CHECK_SECONDS", 0.0):
        assert compute_surface(*job_for("svm_ww"), should_stop=stop) is None
    assert len(asked) == 3
    assert compute_surface(*job_for("svm_ww"), should_stop=lambda: False) is not None
