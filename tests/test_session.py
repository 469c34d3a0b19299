"""The training session: exact history, events, divergence, configuration, edits, details."""

import numpy as np
import pytest

from explorer.app.messages import configured_text, divergence_text
from explorer.core import cross_entropy, logits, loss_and_grads, smooth_labels, softmax
from explorer.core.datasets import CS231N_B, CS231N_W
from explorer.core.optimizers import OPTIMIZERS
from explorer.session.changes import Change
from explorer.session.config import Config, ConfigError
from explorer.session.data import Data, make_data
from explorer.session.session import Session


def make(**changes):
    # Gaussian blobs in the plane (the default scene is rings with quadratic features)
    return Session(Config(**{"samples": 90, "dataset": "blobs", "features": "identity", **changes}))


def recorder(session):
    events = []
    session.changed.connect(events.append)
    return events


# ------------------------------------------------------------------ exact history
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("batch_size", [0, 16])
def test_step_back_and_seek_reproduce_training_bit_for_bit(optimizer, batch_size):
    s = make(optimizer=optimizer, batch_size=batch_size, lr=0.05, schedule="cosine")
    trained = [(s.W.copy(), s.b.copy())]
    for _ in range(60):
        s.step()
        trained.append((s.W.copy(), s.b.copy()))
    for k in [59, 31, 25, 24, 0, 1, 50, 60, 13]:
        s.seek(k)
        assert s.step_index == k
        assert np.array_equal(s.W, trained[k][0]) and np.array_equal(s.b, trained[k][1])
    s.seek(60)
    for k in range(59, -1, -1):
        s.step_back()
        assert np.array_equal(s.W, trained[k][0]) and np.array_equal(s.b, trained[k][1])
    for k in range(1, 61):
        s.step()
        assert np.array_equal(s.W, trained[k][0]) and np.array_equal(s.b, trained[k][1])
    assert s.head == 60


def test_stepping_along_history_then_training_matches_straight_training():
    a, b = make(batch_size=8), make(batch_size=8)
    a.step(40)
    a.step_back(30)
    a.step(50)  # 30 along history, then 20 new steps
    b.step(60)
    assert a.head == b.head == 60
    assert np.array_equal(a.W, b.W) and np.array_equal(a.metrics.train_loss, b.metrics.train_loss)


def test_one_event_per_call():
    s = make()
    events = recorder(s)
    assert s.step(7) == 7
    assert events == [Change.PARAMS | Change.HISTORY]
    s.step_back(3)
    assert len(events) == 2 and events[-1] == Change.PARAMS
    s.step(5)
    assert len(events) == 3 and Change.HISTORY in events[-1]
    s.seek(2)
    s.select(4)
    s.set_temperature(2.0)
    assert events[-3:] == [Change.PARAMS, Change.SELECTION, Change.DISPLAY]
    assert s.step(0) == 0 and len(events) == 6


def test_step_back_stops_at_zero():
    s = make()
    s.step(3)
    assert s.step_back(10) == 3 and s.step_index == 0
    s.seek(99)
    assert s.step_index == 3


# --------------------------------------------------------------------- divergence
def test_divergence_rolls_back_reports_and_emits():
    def start():
        s = make(dataset="xor")  # not separable: the gradient stays large
        s.step(5)
        s.configure(s.config.replace(lr=1e6))
        return s

    s = start()
    events = recorder(s)
    with np.errstate(all="raise"):  # no numpy warning may escape
        done = s.step(10)
    assert done < 10
    assert s.step_index == s.head == 5 + done
    twin = start()
    twin.step(done)  # the last finite state, trained without the failing step
    assert np.array_equal(s.W, twin.W) and np.array_equal(s.b, twin.b)
    assert divergence_text(s.diverged).startswith(f"Training diverged at step {6 + done}")
    assert "lower the learning rate 1e+06 there" in divergence_text(s.diverged)
    assert events == [Change.PARAMS | Change.DIVERGED | (Change.HISTORY if done else Change(0))]
    for name in ("train_loss", "train_acc", "test_loss", "test_acc"):
        assert np.isfinite(getattr(s.metrics, name)).all()
    assert np.isfinite(s.train_probs()).all()
    assert s.step(1) == 0 and s.diverged  # the same step diverges again
    s.configure(s.config.replace(lr=0.1))
    assert s.diverged is None
    assert Change.DIVERGED in events[-1]
    assert s.step(3) == 3


def test_divergence_after_some_good_steps_keeps_them():
    s = make(dataset="spiral", lr=1e6)
    s.configure(s.config.replace(lr=0.5))
    s.step(4)
    s.configure(s.config.replace(lr=1e6, optimizer="adam"))
    s.configure(s.config.replace(lr=1e6, optimizer="sgd"))
    s.step(50)
    assert s.diverged and s.head == s.step_index
    assert np.isfinite(s.W).all()


def test_reset_clears_divergence_and_reinitialises_deterministically():
    s = make()
    W0 = s.W.copy()
    s.configure(s.config.replace(lr=1e6))
    s.step()
    assert s.diverged
    s.reset()
    assert s.diverged is None and s.head == 0 and np.array_equal(s.W, W0)


# ------------------------------------------------------------------ configuration
def test_training_change_mid_history_truncates_and_keeps_params():
    s = make()
    s.step(30)
    s.seek(12)
    W = s.W.copy()
    events = recorder(s)
    note = s.configure(s.config.replace(lr=0.05))
    assert configured_text(note) == ""
    assert s.head == 12 and s.step_index == 12 and len(s.metrics.train_loss) == 13
    assert np.array_equal(s.W, W)
    assert events == [Change.CONFIG | Change.HISTORY]
    s.step(20)
    trained = s.W.copy()
    s.seek(3)
    assert s.config.lr == 0.1  # the configuration in effect at that step
    s.seek(32)
    assert s.config.lr == 0.05 and np.array_equal(s.W, trained)


def test_optimizer_change_starts_fresh_state_and_replays_exactly():
    s = make(optimizer="momentum", lr=0.1)
    s.step(10)
    s.configure(s.config.replace(optimizer="adam", lr=0.01))
    assert int(s.timeline.live_state().opt["steps"]) == 0
    s.step(17)
    W = s.W.copy()
    s.seek(4)
    s.seek(27)
    assert np.array_equal(W, s.W)


def test_data_and_feature_changes_restart_with_a_note():
    s = make()
    s.step(5)
    note = s.configure(s.config.replace(dataset="moons"))
    assert configured_text(note) == "Data changed: training restarted. Ctrl+Z undoes it."
    assert s.head == 0 and s.data.n_classes == 2
    note = s.configure(s.config.replace(features="poly", degree=3))
    assert configured_text(note).startswith("Features changed") and s.W.shape == (2, 9)
    assert configured_text(s.configure(s.config)) == ""


def test_cs231n_starts_from_the_demo_weights():
    s = Session(Config(dataset="cs231n", features="identity"))
    assert np.array_equal(s.W, CS231N_W.astype(np.float32))
    assert np.array_equal(s.b, CS231N_B.astype(np.float32))
    assert s.data.n_points == 9 and not s.data.is_test.any()


def test_set_params_edits_the_shown_step():
    s = make()
    s.step(10)
    s.seek(4)
    W = np.ones((3, 2))
    s.set_params(W, np.zeros(3))
    assert s.head == 4 and np.array_equal(s.W, W)
    F = s.feature_map.transform(s.data.X[:, s.train_index], np.float64)
    expected = cross_entropy(logits(W, np.zeros(3), F), s.data.y[s.train_index])
    assert s.metrics.train_loss[4] == pytest.approx(expected, rel=1e-6)
    s.step(3)
    s.seek(0)
    s.seek(4)
    assert np.array_equal(s.W, W)
    with pytest.raises(ValueError, match="finite"):
        s.set_params(np.full((3, 2), np.nan), np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        s.set_params(np.ones((2, 2)), np.zeros(3))
    assert np.array_equal(s.W, W) or s.step_index == 4


# -------------------------------------------------------------------- data edits
def test_add_move_delete_keep_params_and_restart_history():
    s = make(features="poly", degree=2)
    s.step(10)
    W, fmap = s.W.copy(), s.feature_map
    n = s.data.n_points
    events = recorder(s)
    i = s.add_point([0.3, -0.2], 1)
    assert i == n and s.data.n_points == n + 1 and s.data.y[i] == 1
    assert s.head == 0 and np.array_equal(s.W, W) and s.feature_map is fmap
    assert (Change.DATA | Change.PARAMS | Change.HISTORY) in events[-1]
    s.move_point(i, [1.0, 1.0])
    assert np.array_equal(s.data.X[:, i], [1.0, 1.0])
    s.select(i - 1)
    s.delete_point(0)
    assert s.selected == i - 2 and s.data.n_points == n
    s.delete_point(s.selected)
    assert s.selected is None
    with pytest.raises(ValueError, match="label"):
        s.add_point([0, 0], 7)
    with pytest.raises(ValueError, match="finite"):
        s.add_point([np.nan, 0], 0)
    with pytest.raises(ValueError):
        s.delete_point(10_000)


def test_delete_refuses_to_leave_fewer_than_two_training_points():
    data = Data(np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 0.0]]), [0, 1, 0], [False, False, True], "ab")
    s = Session(Config(), data=data)
    s.delete_point(2)  # the test point may go
    with pytest.raises(ValueError, match="at least 2 training points"):
        s.delete_point(0)
    assert s.data.n_points == 2


def test_set_data_keeps_or_reinitialises():
    s = make()
    s.step(5)
    W = s.W.copy()
    new = make_data(Config(samples=50, seed=3, dataset="blobs"))
    s.set_data(new)
    assert np.array_equal(s.W, W) and s.head == 0 and s.data.n_points == 50
    four = make_data(Config(samples=50, classes=4))
    s.set_data(four)
    assert s.W.shape == (4, 2)


# ---------------------------------------------------------------------- details
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_sample_detail_identities(smoothing):
    s = make(features="poly", degree=2, label_smoothing=smoothing)
    s.step(15)
    for i in (0, 7, int(s.test_index[0])):
        d = s.sample_detail(i)
        assert d.z.dtype == np.float64 and d.J.shape == (3, 3) and d.dW.shape == (3, 5)
        y = smooth_labels(np.array([d.label]), 3, smoothing)[:, 0]
        assert np.array_equal(d.y, y)
        assert np.array_equal(d.dz, d.p - d.y)
        np.testing.assert_allclose(d.jt_dl_dp, d.dz, rtol=0, atol=1e-12)
        assert np.array_equal(d.dW, np.outer(d.dz, d.phi))
        assert np.array_equal(d.db, d.dz)
        assert d.loss == pytest.approx(-np.sum(d.y * np.log(d.p)), rel=1e-12)
        W64, b64 = s.W.astype(np.float64), s.b.astype(np.float64)
        assert np.array_equal(d.z, W64 @ d.phi + b64)


def test_temperature_divides_logits_in_display_only():
    s = make()
    s.step(10)
    W = s.W.copy()
    p1 = s.train_probs().copy()
    s.set_temperature(4.0)
    d = s.sample_detail(3)
    W64, b64 = s.W.astype(np.float64), s.b.astype(np.float64)
    np.testing.assert_allclose(d.z, (W64 @ d.phi + b64) / 4.0, rtol=1e-15)
    P = s.train_probs()
    assert not np.allclose(P, p1)
    np.testing.assert_allclose(P.sum(axis=0), 1, rtol=1e-5)
    Z = logits(W64, b64, s.feature_map.transform(s.data.X[:, s.train_index], np.float64))
    np.testing.assert_allclose(P, softmax(Z / 4.0), atol=1e-6)
    s.step()
    s.step_back()
    assert np.array_equal(s.W, W)
    with pytest.raises(ValueError):
        s.set_temperature(0)


def test_train_arrays_agree_with_probabilities():
    s = make()
    s.step(5)
    P = s.train_probs()
    y = s.data.y[s.train_index]
    cols = np.arange(y.size)
    assert np.array_equal(s.train_true_error(), P[y, cols] - 1)
    wrong = P.copy()
    wrong[y, cols] = -1
    assert np.array_equal(s.train_max_wrong(), wrong.max(axis=0))
    np.testing.assert_allclose(s.train_sample_loss(), -np.log(P[y, cols]), rtol=1e-5)


def test_point_detail_and_mean_jacobian():
    s = make()
    s.step(5)
    p = s.point_detail([0.2, -0.4])
    np.testing.assert_allclose(p.J, np.diag(p.p) - np.outer(p.p, p.p), atol=1e-16)
    F = s.feature_map.transform(s.data.X[:, s.train_index], np.float64)
    W64, b64 = s.W.astype(np.float64), s.b.astype(np.float64)
    P = softmax(logits(W64, b64, F))
    J = np.mean([np.diag(c) - np.outer(c, c) for c in P.T], axis=0)
    np.testing.assert_allclose(s.mean_jacobian(), J, atol=1e-15)


@pytest.mark.parametrize(("l2", "smoothing"), [(0.0, 0.0), (0.01, 0.2)])
def test_batch_grads_equal_core_loss_and_grads(l2, smoothing):
    s = make(l2=l2, label_smoothing=smoothing)
    s.step(5)
    F = s.feature_map.transform(s.data.X[:, s.train_index], np.float64)
    y = s.data.y[s.train_index]
    Y = smooth_labels(y, 3, smoothing) if smoothing else y
    W64, b64 = s.W.astype(np.float64), s.b.astype(np.float64)
    loss, dW, db = loss_and_grads(W64, b64, F, Y, l2)
    got = s.batch_grads()
    assert got[0] == loss and np.array_equal(got[1], dW) and np.array_equal(got[2], db)


@pytest.mark.parametrize("temperature", [1.0, 2.5])
@pytest.mark.parametrize("first", ["jacobian", "grads"])
def test_one_pass_mean_jacobian_and_batch_grads_are_bit_identical(temperature, first):
    """The shared float64 pass gives exactly what the separate computations give."""
    s = make(l2=0.01)
    s.step(7)
    s.set_temperature(temperature)
    F = s.feature_map.transform(s.data.X[:, s.train_index], np.float64)
    W64, b64 = s.W.astype(np.float64), s.b.astype(np.float64)
    Z = W64 @ F
    Z += b64[:, None]
    Z /= temperature
    P = softmax(Z)
    J = np.diag(P.mean(axis=1)) - (P @ P.T) / P.shape[1]
    loss, dW, db = loss_and_grads(W64, b64, F, s.data.y[s.train_index], 0.01)
    if first == "jacobian":
        got_J, got = s.mean_jacobian(), s.batch_grads()
    else:
        got, got_J = s.batch_grads(), s.mean_jacobian()
    assert np.array_equal(got_J, J)
    assert got[0] == loss and np.array_equal(got[1], dW) and np.array_equal(got[2], db)
    s.step(1)  # new parameters: both recomputed
    assert not np.array_equal(s.mean_jacobian(), got_J)
    assert not np.array_equal(s.batch_grads()[1], got[1])


def test_metrics_have_head_plus_one_entries_and_match_float64():
    s = make(optimizer="adam", lr=0.05, batch_size=10)
    s.step(40)
    m = s.metrics
    assert all(len(a) == 41 for a in (m.train_loss, m.train_acc, m.test_loss, m.test_acc))
    assert m.has_test
    s.seek(17)
    W64, b64 = s.W.astype(np.float64), s.b.astype(np.float64)
    for index, loss, acc in (
        (s.train_index, m.train_loss, m.train_acc),
        (s.test_index, m.test_loss, m.test_acc),
    ):
        Z = logits(W64, b64, s.feature_map.transform(s.data.X[:, index], np.float64))
        y = s.data.y[index]
        assert loss[17] == pytest.approx(cross_entropy(Z, y), rel=1e-5)
        assert acc[17] == pytest.approx(np.mean(Z.argmax(axis=0) == y))


def test_no_test_points_gives_zero_test_metrics():
    s = Session(Config(samples=40, test_fraction=0.0))
    s.step(3)
    assert not s.metrics.has_test and np.array_equal(s.metrics.test_loss, np.zeros(4))


def test_selection():
    s = make()
    events = recorder(s)
    s.select(5)
    assert s.selected == 5
    s.select(None)
    assert s.selected is None and len(events) == 2
    with pytest.raises(ValueError):
        s.select(1000)


# ------------------------------------------------------------------ save / load
def _assert_same_state(a, b):
    ea, eb = a.export_state(), b.export_state()
    assert ea.keys() == eb.keys()
    for key in ea:
        va, vb = ea[key], eb[key]
        if isinstance(va, np.ndarray):
            assert va.dtype == vb.dtype and np.array_equal(va, vb), key
        else:
            assert va == vb, key


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_export_and_restore_are_bit_identical(optimizer):
    s = make(optimizer=optimizer, batch_size=12, features="poly", degree=2, lr=0.05)
    s.step(30)
    s.configure(s.config.replace(lr=0.02, optimizer="momentum"))
    s.step(20)
    s.seek(37)
    s.select(3)
    state = s.export_state()
    for key, value in state.items():
        assert isinstance(value, np.ndarray | int | float | str | bool), key
        assert not isinstance(value, np.ndarray) or value.ndim > 0, key  # no 0-d arrays
    r = Session.from_state(state)
    _assert_same_state(s, r)
    assert r.step_index == 37 and r.selected == 3 and r.config == s.config
    for k in (36, 12, 0, 50):
        s.seek(k)
        r.seek(k)
        assert np.array_equal(s.W, r.W) and np.array_equal(s.b, r.b)
    s.step(10)
    r.step(10)
    assert np.array_equal(s.W, r.W) and np.array_equal(s.metrics.train_loss, r.metrics.train_loss)
    r.step_back(4)
    s.step_back(4)
    assert np.array_equal(s.W, r.W)


def test_restore_refuses_inconsistent_state():
    s = make()
    s.step(5)
    good = s.export_state()
    bad = dict(good, **{"live/W": np.full_like(good["live/W"], np.nan)})
    with pytest.raises(ValueError, match="NaN"):
        Session.from_state(bad)
    bad = dict(good, **{"history/W": good["history/W"][:, :2]})
    with pytest.raises(ValueError, match="shape"):
        Session.from_state(bad)
    bad = dict(good, step_index=99)
    with pytest.raises(ValueError, match="step_index"):
        Session.from_state(bad)
    bad = dict(good, config='{"lr": -1}')
    with pytest.raises(ConfigError):
        Session.from_state(bad)
    bad = dict(good)
    del bad["data/X"]
    with pytest.raises(KeyError):
        Session.from_state(bad)


def test_underflowed_probability_shows_no_nan():
    s = make()
    W = np.array([[1000.0, 0.0], [-1000.0, 0.0], [0.0, 0.0]])
    s.set_params(W, np.zeros(3))
    worst = int(np.argmax(s.train_sample_loss()))
    d = s.sample_detail(int(s.train_index[worst]))
    assert d.underflow and d.p[d.label] == 0
    for a in (d.z, d.p, d.J, d.dL_dp, d.jt_dl_dp, d.dz, d.dW, d.db):
        assert np.isfinite(a).all()
    assert np.isfinite(d.loss) and d.loss > 745
    assert np.array_equal(d.jt_dl_dp, d.dz)


def test_points_whose_features_overflow_are_refused():
    s = make()
    n = s.data.n_points
    with pytest.raises(ValueError, match="too far out"):
        s.add_point([1e39, 0.0], 0)
    assert s.data.n_points == n
    with pytest.raises(ValueError, match="temperature"):
        s.set_temperature(1e-9)


@pytest.mark.parametrize("gap", [710.0, 712.0, 740.0])
def test_subnormal_probability_shows_no_inf(gap):
    # p of the true class is tiny but not 0: −y/p overflows to −inf without the guard.
    s = make()
    b = np.zeros(3)
    label = int(s.data.y[s.train_index[0]])
    b[(label + 1) % 3] = gap
    s.set_params(np.zeros_like(s.W, dtype=np.float64), b)
    d = s.sample_detail(int(s.train_index[0]))
    assert 0 < d.p[d.label] < 1e-300
    assert d.underflow
    for a in (d.z, d.p, d.J, d.dL_dp, d.jt_dl_dp, d.dz, d.dW, d.db):
        assert np.isfinite(a).all()
    assert np.array_equal(d.jt_dl_dp, d.dz)
    assert d.loss == pytest.approx(gap, rel=1e-12)


def test_small_but_safe_probability_keeps_the_literal_chain_rule():
    s = make()
    b = np.zeros(3)
    label = int(s.data.y[s.train_index[0]])
    b[(label + 1) % 3] = 600.0
    s.set_params(np.zeros_like(s.W, dtype=np.float64), b)
    d = s.sample_detail(int(s.train_index[0]))
    assert not d.underflow
    # The literal Jᵀ(−y/p): products p_j·p_k of two tiny p's underflow (~1e-261 → 0).
    np.testing.assert_allclose(d.jt_dl_dp, d.dz, rtol=1e-9, atol=1e-250)


def test_divergence_from_a_huge_l2_names_it():
    s = Session(Config(samples=60, l2=1e6))
    s.step(500)
    assert s.diverged and "L2 1e+06" in divergence_text(s.diverged)
    assert np.isfinite(s.W).all()


def test_sample_detail_is_cached_per_state_and_read_only():
    s = Session(Config(samples=60))
    first = s.sample_detail(4)
    assert s.sample_detail(4) is first
    assert not first.p.flags.writeable and not first.J.flags.writeable
    s.step(1)
    after_step = s.sample_detail(4)
    assert after_step is not first and not np.array_equal(after_step.z, first.z)
    s.set_temperature(2.0)
    hotter = s.sample_detail(4)
    assert hotter is not after_step
    np.testing.assert_allclose(hotter.z * 2.0, after_step.z, rtol=1e-12)
    s.step_back(1)
    np.testing.assert_array_equal(s.sample_detail(4).phi, first.phi)


@pytest.mark.parametrize("temperature", [1.0, 2.5])
def test_mean_jacobian_from_float32_probabilities_is_within_1e6_of_the_exact_one(temperature):
    s = Session(Config(classes=10, samples=3000))
    s.step(5)
    s.set_temperature(temperature)
    fast = s.mean_jacobian(exact=False)
    exact = s.mean_jacobian()
    assert fast.dtype == np.float64 and fast.shape == (10, 10)
    np.testing.assert_allclose(fast, exact, rtol=0, atol=2e-6)
    assert not np.array_equal(fast, exact)  # a different computation, not the same one
    assert s.mean_jacobian(exact=False) is fast and not fast.flags.writeable
    s.step(1)
    assert s.mean_jacobian(exact=False) is not fast


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("C, N", [(2, 5), (3, 300), (10, 4000)])
def test_display_mean_jacobian_matches_a_float64_recomputation(C, N, split, monkeypatch):
    """The float32 batch J (two-core P Pᵀ, mean p from its row sums) is the float64
    ``diag(mean p) − P Pᵀ / N`` of the same probabilities within float32 rounding."""
    from explorer.core import parallel
    from explorer.session.numbers import mean_jacobian_display as _mean_jacobian_display

    if split:  # make every size split in two halves
        monkeypatch.setattr(parallel, "MIN_SPLIT_ELEMENTS", 0)
        monkeypatch.setattr(parallel, "MIN_HALF_COLUMNS", 1)
    rng = np.random.default_rng(C * N)
    Z = rng.normal(scale=3.0, size=(C, N))
    P = np.exp(Z - Z.max(axis=0))
    P /= P.sum(axis=0)
    P32 = P.astype(np.float32)
    P64 = P32.astype(np.float64)
    want = np.diag(P64.mean(axis=1)) - P64 @ P64.T / N
    got = _mean_jacobian_display(P32)
    assert got.dtype == np.float64 and got.shape == (C, C)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    np.testing.assert_allclose(got, got.T, rtol=0, atol=1e-7)  # symmetric, as J is
