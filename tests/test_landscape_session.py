"""The session's side of the landscape: the recorded path, the planes, the surface job.

Every number is checked against an independent computation: the path against the
history replayed step by step, the PCA share against ``numpy.linalg.svd``, the surface
against ``loss_and_grads`` in float64 at the cells' parameters.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.loss import loss_and_grads
from explorer.core.parameter_planes import percent_text
from explorer.core.parameters import flatten_params
from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.landscape_choice import PlaneChoice, parse_plane
from explorer.session.landscape_model import REFRESH_SECONDS, Landscape
from explorer.session.param_path import ParamPath
from explorer.session.persist import load_session, save_session
from explorer.session.session import Session

EPS32 = float(np.finfo(np.float32).eps)


def make(optimizer="momentum", steps=40, **kw) -> Session:
    config = dict(samples=90, classes=3, features="identity", optimizer=optimizer, lr=0.3)
    config.update(kw)
    s = Session(Config(**config))
    s.step(steps)
    return s


def params_by_replay(s: Session, steps) -> np.ndarray:
    """θ at each step, read by seeking there (the history's own replay)."""
    shown = s.step_index
    rows = []
    for k in steps:
        s.seek(int(k))
        rows.append(flatten_params(s.W, s.b))
    s.seek(shown)
    return np.array(rows)


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


# ---------------------------------------------------------------- the record
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_the_path_holds_every_steps_parameters_bit_for_bit(optimizer):
    s = make(optimizer, steps=60, batch_size=16)
    path = s.timeline.path
    assert list(path.steps) == list(range(61))
    np.testing.assert_array_equal(np.asarray(path.thetas, np.float64),
                                  params_by_replay(s, range(61)))  # fmt: skip


def test_an_edit_truncates_the_path_and_replaces_the_shown_step():
    s = make(steps=30)
    s.seek(10)
    W, b = np.array(s.W), np.array(s.b)
    W[1, 0] = 0.75
    s.set_params(W, b)
    path = s.timeline.path
    assert list(path.steps) == list(range(11))
    np.testing.assert_array_equal(path.thetas[10], flatten_params(W, b).astype(np.float32))
    s.step(5)
    np.testing.assert_array_equal(np.asarray(path.thetas, np.float64),
                                  params_by_replay(s, range(16)))  # fmt: skip


def test_undo_puts_the_path_back_and_the_share_is_never_written():
    s = make(steps=20)
    snap = s.snapshot()
    before = np.array(s.timeline.path.thetas)
    s.seek(5)
    W, b = np.array(s.W), np.array(s.b)
    W[0, 0] += 1
    s.set_params(W, b)
    s.step(30)  # overwrites rows 6.. of the timeline's record, not the snapshot's
    np.testing.assert_array_equal(snap.path.thetas, before)
    s.restore(snap)
    np.testing.assert_array_equal(s.timeline.path.thetas, before)
    assert list(s.timeline.path.steps) == list(range(21))


def test_a_loaded_file_draws_the_path_through_its_checkpoints(tmp_path):
    s = make(steps=70)
    s.seek(60)
    loaded = load_session(save_session(s, tmp_path / "run.smx"))
    steps = list(loaded.timeline.path.steps)
    assert steps == [0, 25, 50, 60]
    np.testing.assert_array_equal(np.asarray(loaded.timeline.path.thetas, np.float64),
                                  params_by_replay(loaded, steps))  # fmt: skip


def test_a_full_record_thins_to_every_second_step():
    W, b = np.zeros((2, 3), np.float32), np.zeros(2, np.float32)
    path = ParamPath(budget=100 * 8 * 4)  # 100 rows of 8 float32
    for k in range(300):
        path.record(k, W + k, b - k)
    assert path.stride == 4
    assert np.all(path.steps % 4 == 0) and path.steps[0] == 0
    np.testing.assert_array_equal(path.thetas[:, 0], path.steps.astype(np.float32))
    assert len(path) * 8 * 4 <= 100 * 8 * 4


# ---------------------------------------------------------------- choices
def test_plane_text_is_read_and_refused_with_a_reason():
    shape = (3, 2)
    assert parse_plane("W[0,0],b[1]", shape) == PlaneChoice("coordinates", "W[0,0]", "b[1]")
    assert parse_plane(" W[ 1 , 0 ] , W[2,1]", shape).second == "W[2,1]"
    assert parse_plane("PCA", shape).kind == "pca"
    assert parse_plane("gradient", shape).kind == "gradient"
    assert parse_plane("flat:1,b[0]", shape) == PlaneChoice("flat", "W[0,0]", "b[0]", "1")
    for bad in ("W[0,0]", "W[3,0],b[0]", "W[0,0],W[0,0]", "flat:5", "bogus", "b[1],b[9]"):
        with pytest.raises(ValueError):
            parse_plane(bad, shape)


# ---------------------------------------------------------------- the path on a plane
def test_the_path_on_a_coordinate_plane_is_the_entries_themselves():
    s = make(steps=50)
    land = Landscape(s, PlaneChoice("coordinates", "W[2,1]", "b[0]"))
    land.finish()
    path = land.path()
    replayed = params_by_replay(s, path.steps)
    C, D = 3, 2
    np.testing.assert_array_equal(path.alphas, replayed[:, 2 * D + 1])
    np.testing.assert_array_equal(path.betas, replayed[:, C * D + 0])
    s.step(7)  # extended live, one row at a time
    path = land.path()
    assert path.steps[-1] == 57
    np.testing.assert_array_equal(path.alphas, np.asarray(s.timeline.path.thetas)[:, 5])


@pytest.mark.parametrize("kind", ["pca", "gradient", "flat"])
def test_the_path_on_other_planes_is_the_orthogonal_projection(kind):
    s = make("adam", steps=40, batch_size=8)
    land = Landscape(s, PlaneChoice(kind, "W[0,0]", "W[1,1]"))
    land.finish()
    first = len(land.path().steps)
    s.step(9)
    path = land.path()  # nine rows added to the projection
    plane = path.plane
    thetas = params_by_replay(s, path.steps)
    basis = np.stack([plane.u, plane.v]).T  # (P, 2)
    coef, *_ = np.linalg.lstsq(basis, (thetas - plane.origin).T, rcond=None)
    assert len(path.steps) == first + 9
    np.testing.assert_allclose(path.alphas, coef[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(path.betas, coef[1], rtol=0, atol=1e-12)
    off = thetas - plane.origin - (basis @ coef).T
    np.testing.assert_allclose(path.distances, np.linalg.norm(off, axis=1), atol=1e-12)


def test_the_pca_planes_variance_share_is_that_of_the_svd():
    s = make("momentum", steps=80, batch_size=10)
    s.seek(50)
    land = Landscape(s, PlaneChoice("pca"))
    land.finish()
    plane = land.surface.plane
    M = params_by_replay(s, range(81)) - flatten_params(s.W, s.b)
    sigma = np.linalg.svd(M, compute_uv=False)
    assert plane.variance_share == pytest.approx(np.sum(sigma[:2] ** 2) / np.sum(sigma**2),
                                                 rel=1e-12)  # fmt: skip
    assert f"{percent_text(plane.variance_share)} %" in plane.note
    # the marker sits at the origin of the plane through the shown step
    alpha, beta, distance = land.marker()
    assert abs(alpha) < 1e-12 and abs(beta) < 1e-12 and distance < 1e-12


# ---------------------------------------------------------------- the surface
@settings(max_examples=12, deadline=None)
@given(kind=st.sampled_from(["coordinates", "pca", "gradient", "flat"]),
       loss=st.sampled_from(["cross_entropy", "squared_error", "svm_ww"]),
       l2=st.sampled_from([0.0, 1e-2]), seed=st.integers(0, 2**16))  # fmt: skip
def test_surface_cells_are_the_float64_loss_at_their_parameters(kind, loss, l2, seed):
    s = make("adam", steps=25, loss=loss, l2=l2, lr=0.1)
    land = Landscape(s, PlaneChoice(kind, "W[1,0]", "b[2]"), grid=24)
    surface = land.finish()
    plane = surface.plane
    F = s.train_features64()
    y = np.asarray(s.data.y)[s.train_index]
    rng = np.random.default_rng(seed)
    for r, c in rng.integers(0, 24, size=(6, 2)):
        W, b = plane.params_at(surface.alphas[c], surface.betas[r])
        Z = W @ F + b[:, None]
        exact = loss_and_grads(W, b, F, y, l2, loss=loss)[0]
        assert abs(surface.values[r, c] - exact) <= 64 * EPS32 * (1 + np.abs(Z).max())
        hover = land.loss_at(surface.alphas[c], surface.betas[r])
        assert hover == pytest.approx(exact, rel=1e-13, abs=1e-13)


def test_the_flat_direction_is_flat_to_rounding():
    s = make(steps=30)
    land = Landscape(s, PlaneChoice("flat", second="W[0,1]", flat="b"), grid=20)
    values = land.finish().values  # rows follow the other axis, columns the flat one
    spread = values.max(axis=1) - values.min(axis=1)
    assert np.all(spread <= 64 * EPS32 * (1 + np.abs(values).max()))
    assert np.ptp(values[:, 0]) > 1e-3  # the other axis does change the loss
    assert "constant" in land.surface.plane.note


def test_a_click_sets_exactly_those_two_parameters_and_is_undoable():
    s = make(steps=30)
    land = Landscape(s, PlaneChoice("coordinates", "W[2,0]", "b[1]"))
    land.finish()
    W0, b0 = np.array(s.W), np.array(s.b)
    actions = []
    s.actions.recorded.connect(actions.append)
    s.set_params(*land.params_at(0.3125, -1.5))
    assert s.W[2, 0] == np.float32(0.3125) and s.b[1] == np.float32(-1.5)
    changed_W, changed_b = s.W != W0, s.b != b0
    assert changed_W.sum() == 1 and changed_W[2, 0] and changed_b.sum() == 1 and changed_b[1]
    assert [a.kind for a in actions] == ["set_params"]
    s.restore(actions[0].before)
    np.testing.assert_array_equal(s.W, W0)
    with pytest.raises(ValueError):
        Landscape(s, PlaneChoice("pca")).params_at(0.0, 0.0)


# ---------------------------------------------------------------- when it recomputes
def test_the_surface_is_recomputed_only_when_its_plane_or_range_changes():
    s = make(steps=20)
    clock = Clock()
    land = Landscape(s, PlaneChoice("coordinates", "W[0,0]", "W[1,1]"), clock=clock)
    land.finish()
    first = land.surface
    # playing: a coordinate plane stays where it was anchored
    s.step(5)
    land.notice(Change.PARAMS | Change.HISTORY)
    clock.t += 10
    assert not land.tick(playing=True) and not land.busy and land.surface is first
    # paused: it follows the shown step (the other entries moved)
    assert land.tick(playing=False, seconds=0.0) or land.busy
    land.finish()
    second = land.surface
    assert second.step == 25
    # a click in the plane changes neither the plane nor the range: no new surface
    s.set_params(*land.params_at(0.1, 0.2))
    land.set_ranges(second.ranges)
    land.notice(Change.PARAMS | Change.HISTORY)
    clock.t += 10
    assert not land.tick() and not land.busy and land.surface is second
    # new ranges are computed at once
    land.set_ranges((-1, 1, -2, 2))
    assert land.tick(seconds=0.0) or land.busy
    assert land.finish().ranges == (-1, 1, -2, 2)


def test_a_pca_plane_follows_playing_at_most_every_half_second():
    s = make(steps=20)
    clock = Clock()
    land = Landscape(s, PlaneChoice("pca"), grid=16, clock=clock)
    land.finish()
    for _ in range(3):
        s.step(1)
        land.notice(Change.PARAMS | Change.HISTORY)
        clock.t += REFRESH_SECONDS / 4
        assert not land.tick(playing=True) and not land.busy
    clock.t += REFRESH_SECONDS
    assert land.tick(playing=True, seconds=0.0) or land.busy
    assert land.finish().step == 23


def test_a_share_below_one_never_reads_100_percent():
    assert percent_text(0.5) == "50.0" and percent_text(1.0) == "100.0"
    assert percent_text(0.99971) == "99.97" and float(percent_text(1 - 1e-9)) < 100


def test_run_bs_path_is_drawn_when_it_shares_the_loss_and_pca_holds_both_paths():
    from explorer.session.compare import Comparison

    a = make("sgd", steps=0, lr=0.5)
    comparison = Comparison(a, {"optimizer": "adam", "lr": 0.05})
    a.changed.connect(comparison.sync)
    a.step(30)
    land = Landscape(a, PlaneChoice("coordinates", "W[0,0]", "b[1]"))
    land.set_companion(comparison.b)
    land.finish()
    other = land.companion_path()
    b_rows = params_by_replay(comparison.b, other.steps)
    np.testing.assert_array_equal(other.alphas, b_rows[:, 0])
    np.testing.assert_array_equal(other.betas, b_rows[:, 7])  # b[1] = θ[C·D + 1]
    alpha, beta, _ = land.companion_marker()
    assert (alpha, beta) == (float(comparison.b.W[0, 0]), float(comparison.b.b[1]))
    a0, a1, b0, b1 = land.surface.ranges  # the ranges hold both paths
    assert a0 < other.alphas.min() and other.alphas.max() < a1
    assert b0 < other.betas.min() and other.betas.max() < b1
    land.set_choice(PlaneChoice("pca"))
    plane = land.finish().plane
    rows = np.vstack([b_rows, params_by_replay(a, range(31)), flatten_params(a.W, a.b)])
    sigma = np.linalg.svd(rows - flatten_params(a.W, a.b), compute_uv=False)
    assert plane.variance_share == pytest.approx(np.sum(sigma[:2] ** 2) / np.sum(sigma**2))
    other_loss = Comparison(a, {"loss": "squared_error"})  # B on another landscape
    land.set_companion(other_loss.b)
    land.finish()
    assert not land.companion_shares_objective() and land.companion_path() is None
