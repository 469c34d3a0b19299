"""The session under every loss: training, the numbers the views read, configure and history.

Every number is compared with an independent float64 computation from the session's own
data and parameters: :func:`explorer.core.loss_and_grads` and the per-sample functions of
the core (themselves tested against the issue's closed forms and central differences in
``test_losses.py``), or, for the details, the closed forms written out here.
"""

import numpy as np
import pytest
from decision_tools import index_to_class_and_margin

from explorer.core import (
    HINGE_LOSSES,
    LOSSES,
    cross_entropy,
    loss_and_grads,
    per_sample_grad,
    per_sample_loss,
    smooth_labels,
    softmax,
    softmax_jacobian,
)
from explorer.core.decision import levels_per_class
from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.data import Data
from explorer.session.session import Session
from explorer.session.trainer import TrainingObjective


def separable(n_per_class=20, seed=1) -> Data:
    """Three tight clusters far apart, a few points of each held out."""
    rng = np.random.default_rng(seed)
    centres = np.array([[-3.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    X = np.concatenate(
        [c[:, None] + 0.3 * rng.standard_normal((2, n_per_class)) for c in centres], 1
    )
    y = np.repeat(np.arange(3), n_per_class)
    is_test = np.zeros(y.size, dtype=bool)
    is_test[::7] = True
    return Data(X, y, is_test, ("a", "b", "c"))


def make(loss="cross_entropy", data=None, **changes) -> Session:
    return Session(Config(samples=90, loss=loss, **changes), data=data)


def train_set64(s: Session):
    """Float64 features ``(D, Nt)`` and labels ``(Nt,)`` of the training points."""
    X = s.feature_map.transform(s.data.X[:, s.train_index], dtype=np.float64)
    return X, s.data.y[s.train_index]


def reference(s: Session, loss=None, **overrides):
    """``loss_and_grads`` in float64 from the session's data and parameters."""
    c = s.config.replace(**overrides)
    X, y = train_set64(s)
    Y = smooth_labels(y, s.n_classes, c.label_smoothing) if c.label_smoothing else y
    W, b = s.W.astype(np.float64), s.b.astype(np.float64)
    return loss_and_grads(W, b, X, Y, c.l2, loss=loss or c.loss, margin=c.margin, l1=c.l1)


# ---------------------------------------------------------------- training
@pytest.mark.parametrize("loss", LOSSES)
def test_training_decreases_each_objective_on_a_separable_set(loss):
    s = make(loss, separable(), lr=0.02, l2=1e-3, l1=1e-3)
    objective = [s.batch_grads()[0]]
    for _ in range(60):
        s.step()
        objective.append(s.batch_grads()[0])
    objective = np.array(objective)
    assert objective[-1] < 0.8 * objective[0]
    steps = np.diff(objective)
    if loss in HINGE_LOSSES:  # a subgradient step may overshoot a kink now and then
        assert np.mean(steps <= 0) > 0.9
    else:  # smooth losses and a small step: every step goes down
        assert np.all(steps <= 1e-9 * objective[:-1])
    assert s.metrics.train_acc[-1] == 1.0


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("changes", [{}, {"l2": 0.05, "l1": 0.02, "margin": 0.5}])
def test_batch_grads_are_loss_and_grads_recomputed_independently(loss, changes):
    s = make(loss, **changes)
    s.step(7)
    got_loss, got_dW, got_db = s.batch_grads()
    ref_loss, ref_dW, ref_db = reference(s)
    assert got_loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(got_dW, ref_dW, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got_db, ref_db, rtol=1e-12, atol=1e-15)
    assert got_dW.dtype == np.float64 and not got_dW.flags.writeable


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_batch_grads_follow_label_smoothing(loss):
    s = make(loss, label_smoothing=0.2, l1=0.01)
    s.step(3)
    got = s.batch_grads()
    ref = reference(s)
    assert got[0] == pytest.approx(ref[0], rel=1e-12)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-12, atol=1e-15)
    assert got[0] != pytest.approx(reference(s, label_smoothing=0.0)[0], rel=1e-6)


@pytest.mark.parametrize("loss", LOSSES)
def test_float32_training_gradient_matches_float64(loss):
    s = make(loss, l2=0.01, l1=0.005, margin=0.7)
    s.step(5)
    trainer = s.timeline.forward()
    objective = TrainingObjective.of(s.config)
    assert trainer.objective == objective
    from explorer.session.build import build_setup

    setup = build_setup(s.config, np.float32, s.data, s.feature_map)
    fwd = setup.trainer.forward(s.W, s.b, objective)
    dW, db = setup.trainer.full_grads(s.W, fwd)
    _, ref_dW, ref_db = reference(s)
    scale = max(np.abs(ref_dW).max(), 1.0)
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-4, atol=1e-5 * scale)
    np.testing.assert_allclose(db, ref_db, rtol=1e-4, atol=1e-5 * scale)
    assert fwd.loss == pytest.approx(s.metrics.train_loss[-1], rel=1e-12)
    # a mini-batch: the same objective on those points
    idx = np.arange(0, setup.trainer.n, 3)
    dW, db = setup.trainer.batch_grads(s.W, s.b, idx, objective)
    X, y = train_set64(s)
    W64, b64 = s.W.astype(np.float64), s.b.astype(np.float64)
    c = s.config
    _, ref_dW, ref_db = loss_and_grads(
        W64, b64, X[:, idx], y[idx], c.l2, loss=loss, margin=c.margin, l1=c.l1
    )
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-4, atol=1e-5 * scale)
    np.testing.assert_allclose(db, ref_db, rtol=1e-4, atol=1e-5 * scale)


@pytest.mark.parametrize("loss", LOSSES)
def test_metrics_are_the_chosen_loss_on_hard_labels_without_penalty(loss):
    smoothing = 0.1 if loss not in HINGE_LOSSES else 0.0
    s = make(loss, l2=0.5, l1=0.5, label_smoothing=smoothing, margin=1.5)
    s.step(4)
    X, y = train_set64(s)
    Z = s.W.astype(np.float64) @ X + s.b.astype(np.float64)[:, None]
    expected = np.mean(per_sample_loss(Z, y, loss, margin=1.5))
    assert s.metrics.train_loss[-1] == pytest.approx(expected, rel=1e-5)
    assert s.metrics.train_acc[-1] == np.mean(np.argmax(Z, axis=0) == y)
    Xt = s.feature_map.transform(s.data.X[:, s.test_index], dtype=np.float64)
    yt = s.data.y[s.test_index]
    Zt = s.W.astype(np.float64) @ Xt + s.b.astype(np.float64)[:, None]
    expected = np.mean(per_sample_loss(Zt, yt, loss, margin=1.5))
    assert s.metrics.test_loss[-1] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("loss", LOSSES)
def test_a_tie_at_the_top_goes_to_the_lowest_class(loss):
    s = make(loss)
    s.set_params(np.zeros_like(s.W), np.zeros_like(s.b))  # every score equal
    y = s.data.y[s.train_index]
    assert s.metrics.train_acc[-1] == np.mean(y == 0)
    assert s.metrics.test_acc[-1] == np.mean(s.data.y[s.test_index] == 0)


@pytest.mark.parametrize("loss", HINGE_LOSSES)
def test_divergence_is_caught_with_a_hinge_loss(loss):
    s = make(loss, dataset="xor", lr=1e6)
    with np.errstate(all="raise"):
        done = s.step(20)
    assert done < 20 and s.diverged is not None
    assert "logits reached" in s.diverged.problem
    assert np.isfinite(s.W).all() and s.step_index == s.head


# ---------------------------------------------------------------- configure and history
def test_changing_the_loss_behind_the_head_truncates_keeps_params_and_replays():
    s = make()
    s.step(30)
    s.seek(12)
    W, b = s.W.copy(), s.b.copy()
    old_loss = s.metrics.train_loss[12]
    events = []
    s.changed.connect(events.append)
    s.configure(s.config.replace(loss="svm_ww", margin=2.0))
    assert events == [Change.CONFIG | Change.HISTORY]
    assert s.head == 12 and s.step_index == 12
    assert np.array_equal(s.W, W) and np.array_equal(s.b, b)
    # the shown step's metrics now measure the new loss of the same parameters
    X, y = train_set64(s)
    Z = W.astype(np.float64) @ X + b.astype(np.float64)[:, None]
    new_loss = np.mean(per_sample_loss(Z, y, "svm_ww", margin=2.0))
    assert s.metrics.train_loss[12] == pytest.approx(new_loss, rel=1e-5)
    assert s.metrics.train_loss[12] != pytest.approx(old_loss)
    s.step(10)
    trained = (s.W.copy(), s.b.copy(), s.metrics.train_loss.copy())
    s.seek(5)
    assert s.config.loss == "cross_entropy" and s.config.margin == 1.0
    assert s.batch_grads()[0] == pytest.approx(reference(s)[0], rel=1e-12)
    s.seek(17)
    assert s.config.loss == "svm_ww" and s.config.margin == 2.0
    s.seek(22)
    assert np.array_equal(s.W, trained[0]) and np.array_equal(s.b, trained[1])
    assert np.array_equal(s.metrics.train_loss, trained[2])
    configs = {st.step: st.config for st in s.history.checkpoints}
    assert configs[0].loss == "cross_entropy" and configs[12].loss == "svm_ww"


def test_changing_l1_or_l2_keeps_the_metrics_and_changes_the_objective():
    s = make()
    s.step(10)
    metrics = s.metrics.train_loss.copy()
    before = s.batch_grads()
    s.configure(s.config.replace(l1=0.1))
    np.testing.assert_array_equal(s.metrics.train_loss, metrics)
    after = s.batch_grads()
    assert after[0] > before[0]
    np.testing.assert_allclose(
        after[1] - before[1], 0.1 * np.sign(s.W.astype(np.float64)), rtol=1e-9, atol=1e-12
    )


def test_a_changed_loss_is_what_the_next_step_follows():
    s = make(lr=0.3)
    s.step(3)
    s.configure(s.config.replace(loss="squared_error"))
    W0, b0 = s.W.astype(np.float64), s.b.astype(np.float64)
    _, dW, db = reference(s)
    s.step()
    np.testing.assert_allclose(s.W, W0 - 0.3 * dW, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s.b, b0 - 0.3 * db, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- the views' numbers
def targets_of(s: Session):
    y = s.data.y[s.train_index]
    eps = s.config.label_smoothing
    return smooth_labels(y, s.n_classes, eps) if eps > 0 else y


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("temperature", [1.0, 2.5])
@pytest.mark.parametrize("batch_size", [0, 16])
def test_display_per_sample_numbers_match_float64(loss, temperature, batch_size):
    smoothing = 0.15 if loss not in HINGE_LOSSES else 0.0
    s = make(loss, label_smoothing=smoothing, batch_size=batch_size, margin=0.8)
    s.step(6)
    s.set_temperature(temperature)
    X, _ = train_set64(s)
    Z = (s.W.astype(np.float64) @ X + s.b.astype(np.float64)[:, None]) / temperature
    Y = targets_of(s)
    losses, dz = s.train_sample_loss(), s.train_dz()
    assert losses.shape == (len(s.train_index),) and dz.shape == (s.n_classes, len(s.train_index))
    assert losses.dtype == np.float32 and dz.dtype == np.float32
    assert not (losses.flags.writeable or dz.flags.writeable)
    np.testing.assert_allclose(
        losses, per_sample_loss(Z, Y, loss, margin=0.8), rtol=2e-5, atol=2e-6
    )
    np.testing.assert_allclose(dz, per_sample_grad(Z, Y, loss, margin=0.8), rtol=2e-5, atol=2e-6)
    y = s.data.y[s.train_index]
    np.testing.assert_array_equal(s.train_error_signal(), dz[y, np.arange(y.size)])
    table = s.train_table()
    np.testing.assert_array_equal(table.index, s.train_index)
    np.testing.assert_array_equal(table.X, s.data.X[:, s.train_index])
    np.testing.assert_allclose(table.Z, Z, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(table.P, softmax(Z), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(table.loss, per_sample_loss(Z, Y, loss, margin=0.8), rtol=1e-12)
    np.testing.assert_allclose(table.dz, per_sample_grad(Z, Y, loss, margin=0.8), atol=1e-13)
    assert s.train_table() is table  # kept for the version
    for i in (0, 5):
        d = s.sample_detail(int(s.train_index[i]))
        assert d.loss == pytest.approx(table.loss[i], rel=1e-12)
        np.testing.assert_allclose(d.dz, table.dz[:, i], atol=1e-13)


def test_cross_entropy_display_numbers_are_todays():
    s = make()
    s.step(5)
    P = s.train_probs()
    y = s.data.y[s.train_index]
    cols = np.arange(y.size)
    np.testing.assert_array_equal(s.train_error_signal(), s.train_true_error())
    np.testing.assert_array_equal(s.train_dz()[y, cols], P[y, cols] - 1)
    fwd = s.timeline.forward()
    np.testing.assert_array_equal(s.train_sample_loss(), fwd.lse - fwd.Z[y, cols])


def test_display_dz_is_the_next_full_batch_steps_own():
    s = make("svm_ova")
    s.step(2)
    dz = s.train_dz()
    assert np.shares_memory(dz, s.timeline.forward().dz)


def test_decision_image_shades_by_margin_for_a_hinge_loss():
    s = make("svm_ww", margin=0.5)
    s.step(20)
    s.set_temperature(2.0)
    grid = np.array([[-2.0, 0.0, 1.0, 3.0], [0.5, 0.0, -1.0, 2.0]])
    F = s.feature_map.transform(grid, dtype=np.float32)
    idx = s.decision_image(F)
    k, lo, hi = index_to_class_and_margin(idx, s.n_classes, 0.5)
    for j in range(grid.shape[1]):
        p = s.point_detail(grid[:, j])
        assert k[j] == np.argmax(p.z)
        gap = min(p.score_gap, 0.5)  # the gap of z / T, clipped at Δ
        assert lo[j] - 1e-6 <= gap <= hi[j] + 1e-6
    assert levels_per_class(s.n_classes) > 1


# ---------------------------------------------------------------- the selected sample
def closed_form(loss, z, label, margin):
    """Loss and ∂L/∂z of one sample, written out from the issue's table."""
    C = z.size
    dz = np.zeros(C)
    if loss == "svm_ww":
        terms = [max(0.0, z[j] - z[label] + margin) for j in range(C) if j != label]
        for j in range(C):
            if j != label and z[j] - z[label] + margin > 0:
                dz[j] = 1.0
                dz[label] -= 1.0
        return sum(terms), dz
    if loss == "svm_ova":
        total = 0.0
        for j in range(C):
            s_j = 1.0 if j == label else -1.0
            total += max(0.0, margin - s_j * z[j])
            if margin - s_j * z[j] > 0:
                dz[j] = -s_j
        return total, dz
    others = [z[j] if j != label else -np.inf for j in range(C)]
    runner = int(np.argmax(others))
    value = others[runner] - z[label] + margin
    if value > 0:
        dz[runner], dz[label] = 1.0, -1.0
    return max(0.0, value), dz


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("temperature", [1.0, 0.5])
def test_sample_detail_of_each_loss(loss, temperature):
    smoothing = 0.1 if loss not in HINGE_LOSSES else 0.0
    s = make(loss, label_smoothing=smoothing, margin=0.6)
    s.step(8)
    s.set_temperature(temperature)
    for i in (0, 3, 11):
        d = s.sample_detail(i)
        W64, b64 = s.W.astype(np.float64), s.b.astype(np.float64)
        np.testing.assert_allclose(d.z, (W64 @ d.phi + b64) / temperature, rtol=1e-14)
        assert (d.loss_name, d.margin) == (loss, 0.6)
        np.testing.assert_allclose(d.p_minus_y, d.p - d.y, atol=1e-15)
        assert np.array_equal(d.dW, np.outer(d.dz, d.phi)) and np.array_equal(d.db, d.dz)
        top = np.sort(d.z)
        assert d.score_gap == pytest.approx(top[-1] - top[-2], abs=1e-15)
        if loss == "cross_entropy":
            assert d.loss == pytest.approx(cross_entropy(d.z, d.y), rel=1e-12)
            np.testing.assert_allclose(d.dL_dp, -d.y / d.p, rtol=1e-14)
            np.testing.assert_array_equal(d.dz, d.p_minus_y)
            assert d.active is None and d.hinge_terms is None
        elif loss == "squared_error":
            assert d.loss == pytest.approx(0.5 * np.sum((d.p - d.y) ** 2), rel=1e-12)
            np.testing.assert_array_equal(d.dL_dp, d.p - d.y)
            J = softmax_jacobian(d.p)
            np.testing.assert_allclose(d.jt_dl_dp, J.T @ (d.p - d.y), atol=1e-15)
            np.testing.assert_allclose(d.dz, d.jt_dl_dp, atol=1e-14)
            assert d.active is None and d.hinge_terms is None
        else:
            assert d.dL_dp is None and d.jt_dl_dp is None
            value, dz = closed_form(loss, d.z, d.label, 0.6)
            assert d.loss == pytest.approx(value, rel=1e-12, abs=1e-15)
            np.testing.assert_array_equal(d.dz, dz)
            terms, has_term = d.hinge_terms, d.hinge_has_term
            assert np.isfinite(terms).all() and np.all(terms[~has_term] == 0)
            expected_has = np.ones(s.n_classes, dtype=bool)
            if loss == "svm_ww":
                expected_has[d.label] = False
            elif loss == "svm_structured":
                others = np.where(np.arange(s.n_classes) == d.label, -np.inf, d.z)
                expected_has[:] = np.arange(s.n_classes) == np.argmax(others)
            np.testing.assert_array_equal(has_term, expected_has)
            np.testing.assert_array_equal(d.active, has_term & (terms > 0))
            assert np.sum(np.maximum(terms, 0)) == pytest.approx(value, abs=1e-12)
            assert not (d.active.flags.writeable or terms.flags.writeable)


def test_sample_loss_picks_the_worst_point_of_a_hinge_loss():
    s = make("svm_structured")
    s.step(3)
    worst = int(np.argmax(s.train_sample_loss()))
    d = s.sample_detail(int(s.train_index[worst]))
    assert d.loss == pytest.approx(float(s.train_table().loss.max()), rel=1e-5)
