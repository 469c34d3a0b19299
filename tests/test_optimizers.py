"""Optimisers: hand-computed steps, in-place updates, exact state round trips."""

import math

import numpy as np
import pytest

from explorer.core.optimizers import OPTIMIZERS, make_optimizer

SHAPES = [(2, 3), (2,)]


def _problem(dtype=np.float64):
    rng = np.random.default_rng(3)
    params = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    return params, grads


def test_names_and_hyperparams():
    assert OPTIMIZERS == ("sgd", "momentum", "nesterov", "adam")
    for name in OPTIMIZERS:
        opt = make_optimizer(name, SHAPES)
        assert opt.name == name
        assert opt.dtype == np.float32
    assert make_optimizer("sgd", SHAPES).hyperparams == {}
    assert make_optimizer("nesterov", SHAPES, momentum=0.5).hyperparams == {"momentum": 0.5}
    adam = make_optimizer("adam", SHAPES, beta1=0.8, beta2=0.99, eps=1e-6)
    assert adam.hyperparams == {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}


def test_sgd_one_step():
    (W, b), (gW, gb) = _problem()
    W0, b0 = W.copy(), b.copy()
    make_optimizer("sgd", SHAPES, dtype=np.float64).update([W, b], [gW, gb], 0.1)
    np.testing.assert_allclose(W, W0 - 0.1 * gW, rtol=1e-15)
    np.testing.assert_allclose(b, b0 - 0.1 * gb, rtol=1e-15)


def test_momentum_two_steps_by_hand():
    p = np.array([1.0, -2.0])
    opt = make_optimizer("momentum", [(2,)], momentum=0.5, dtype=np.float64)
    opt.update([p], [np.array([2.0, 4.0])], 0.1)  # v = [-0.2, -0.4]
    np.testing.assert_allclose(p, [0.8, -2.4])
    opt.update([p], [np.array([1.0, 0.0])], 0.1)  # v = 0.5 v - 0.1 g = [-0.2, -0.2]
    np.testing.assert_allclose(p, [0.6, -2.6])
    np.testing.assert_allclose(opt.state()["velocity_0"], [-0.2, -0.2])


def test_nesterov_two_steps_by_hand():
    p = np.array([1.0, -2.0])
    opt = make_optimizer("nesterov", [(2,)], momentum=0.5, dtype=np.float64)
    opt.update([p], [np.array([2.0, 4.0])], 0.1)
    # v = [-0.2, -0.4]; p += 0.5 v - 0.1 g = [-0.3, -0.6]
    np.testing.assert_allclose(p, [0.7, -2.6])
    opt.update([p], [np.array([1.0, 0.0])], 0.1)
    # v = [-0.2, -0.2]; p += 0.5 v - 0.1 g = [-0.2, -0.1]
    np.testing.assert_allclose(p, [0.5, -2.7])


def test_nesterov_equals_cs231n_form():
    (W, _), (g, _) = _problem()
    mu, lr = 0.9, 0.05
    p, ref, v = W.copy(), W.copy(), np.zeros_like(W)
    opt = make_optimizer("nesterov", [W.shape], momentum=mu, dtype=np.float64)
    for k in range(5):
        gk = g * (k + 1) - ref  # gradient depending on the point, like a real loss
        v_prev = v.copy()
        v = mu * v - lr * gk
        ref = ref - mu * v_prev + (1 + mu) * v
        opt.update([p], [g * (k + 1) - p], lr)
    np.testing.assert_allclose(p, ref, rtol=1e-12, atol=1e-12)


def test_adam_two_steps_by_hand():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    p = np.array([1.0, -1.0, 0.5])
    opt = make_optimizer("adam", [(3,)], beta1=b1, beta2=b2, eps=eps, dtype=np.float64)
    ref = p.copy()
    m = np.zeros(3)
    s = np.zeros(3)
    for t, g in enumerate([np.array([0.5, -2.0, 0.0]), np.array([1.0, 1.0, 3.0])], start=1):
        opt.update([p], [g], lr)
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        s_hat = s / (1 - b2**t)
        ref = ref - lr * m_hat / (np.sqrt(s_hat) + eps)
        np.testing.assert_allclose(p, ref, rtol=1e-12)
    st = opt.state()
    assert st["steps"].shape == () and st["steps"].dtype == np.int64 and int(st["steps"]) == 2
    np.testing.assert_allclose(st["m_0"], m)
    np.testing.assert_allclose(st["s_0"], s)


def test_first_adam_step_has_size_lr():
    p = np.array([3.0, -3.0], dtype=np.float32)
    make_optimizer("adam", [(2,)]).update([p], [np.array([100.0, -1e-3], np.float32)], 0.1)
    np.testing.assert_allclose(p, [2.9, -2.9], rtol=1e-5)


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updates_in_place_without_replacing_buffers(name, dtype):
    (W, b), (gW, gb) = _problem(dtype)
    opt = make_optimizer(name, SHAPES, dtype=dtype)
    ids = (id(W), id(b))
    opt.update([W, b], [gW, gb], 0.1)
    assert (id(W), id(b)) == ids
    assert W.dtype == dtype and b.dtype == dtype
    buffers = [id(a) for a in opt._buffers.values()]
    opt.update([W, b], [gW, gb], 0.1)
    assert [id(a) for a in opt._buffers.values()] == buffers


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_round_trip_continues_bit_identically(name):
    rng = np.random.default_rng(11)
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(8)]
    params = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]

    a = make_optimizer(name, SHAPES, momentum=0.8)
    pa = [p.copy() for p in params]
    for g in grads[:4]:
        a.update(pa, g, 0.05)
    saved, saved_params = a.state(), [p.copy() for p in pa]
    for g in grads[4:]:
        a.update(pa, g, 0.05)

    b = make_optimizer(name, SHAPES, momentum=0.8)
    b.update([p.copy() for p in params], grads[0], 1.0)  # some unrelated state first
    b.load_state(saved)
    pb = saved_params
    for g in grads[4:]:
        b.update(pb, g, 0.05)
    for x, y in zip(pa, pb, strict=True):
        assert x.tobytes() == y.tobytes()
    assert b.steps == a.steps == 8


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_is_a_copy(name):
    opt = make_optimizer(name, SHAPES)
    (W, b), (gW, gb) = _problem(np.float32)
    opt.update([W, b], [gW, gb], 0.1)
    st = opt.state()
    for v in st.values():
        v[...] = 7
    assert opt.state()["steps"] == 1
    if name != "sgd":
        assert not np.all(next(iter(opt._buffers.values())) == 7)


def test_same_sequence_is_deterministic():
    results = []
    for _ in range(2):
        (W, b), (gW, gb) = _problem(np.float32)
        opt = make_optimizer("adam", SHAPES)
        for k in range(20):
            opt.update([W, b], [gW * k, gb - k], 0.01)
        results.append(W.tobytes() + b.tobytes())
    assert results[0] == results[1]


def test_load_state_refusals_leave_state_unchanged():
    opt = make_optimizer("adam", SHAPES)
    (W, b), (gW, gb) = _problem(np.float32)
    opt.update([W, b], [gW, gb], 0.1)
    good = opt.state()

    bad_states = []
    missing = dict(good)
    del missing["m_1"]
    bad_states.append(missing)
    bad_states.append({**good, "velocity_0": good["m_0"]})
    bad_states.append({**good, "m_0": good["m_0"].astype(np.float64)})
    bad_states.append({**good, "s_1": np.zeros(3, np.float32)})
    bad_states.append({**good, "steps": np.array(1, dtype=np.int32)})
    bad_states.append({**good, "steps": np.array([1], dtype=np.int64)})
    bad_states.append({**good, "steps": np.array(-1, dtype=np.int64)})
    for bad in bad_states:
        with pytest.raises(ValueError):
            opt.load_state(bad)
        after = opt.state()
        assert after.keys() == good.keys()
        for k in good:
            assert after[k].tobytes() == good[k].tobytes()
    with pytest.raises(ValueError):
        make_optimizer("momentum", SHAPES).load_state(good)


def test_update_and_construction_refusals():
    with pytest.raises(ValueError):
        make_optimizer("rmsprop", SHAPES)
    with pytest.raises(ValueError):
        make_optimizer("sgd", SHAPES, dtype=np.int32)
    for kw in ({"momentum": 1.0}, {"momentum": -0.1}, {"momentum": float("nan")}):
        with pytest.raises(ValueError):
            make_optimizer("momentum", SHAPES, **kw)
    for kw in ({"beta1": 1.0}, {"beta2": -1.0}, {"eps": 0.0}, {"eps": float("inf")}):
        with pytest.raises(ValueError):
            make_optimizer("adam", SHAPES, **kw)
    opt = make_optimizer("sgd", SHAPES, dtype=np.float64)
    (W, b), (gW, gb) = _problem()
    for args in (
        ([W], [gW], 0.1),
        ([W, b], [gW, gb[:1]], 0.1),
        ([W.astype(np.float32), b], [gW, gb], 0.1),
        ([W, b], [gW, gb], -0.1),
        ([W, b], [gW, gb], math.nan),
    ):
        with pytest.raises(ValueError):
            opt.update(*args)
    assert opt.steps == 0


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_all_minimise_a_convex_quadratic(name):
    # f(W, b) = ½ Σ a_ij (W_ij − c_ij)² + ½ Σ (b_i − d_i)², ill-conditioned a little.
    rng = np.random.default_rng(5)
    a = rng.uniform(0.5, 2.0, size=(2, 3))
    c, d = rng.standard_normal((2, 3)), rng.standard_normal(2)
    W, b = np.zeros((2, 3)), np.zeros(2)
    lr = {"sgd": 0.3, "momentum": 0.05, "nesterov": 0.05, "adam": 0.05}[name]
    opt = make_optimizer(name, SHAPES, dtype=np.float64)

    def f():
        return 0.5 * np.sum(a * (W - c) ** 2) + 0.5 * np.sum((b - d) ** 2)

    start = f()
    for _ in range(600):
        opt.update([W, b], [a * (W - c), b - d], lr)
    assert f() < 1e-6 * start
    np.testing.assert_allclose(W, c, atol=2e-3)
    np.testing.assert_allclose(b, d, atol=2e-3)


def test_reset_returns_to_a_fresh_optimizer():
    opt = make_optimizer("adam", SHAPES)
    (W, b), (gW, gb) = _problem(np.float32)
    opt.update([W, b], [gW, gb], 0.1)
    opt.reset()
    fresh = make_optimizer("adam", SHAPES).state()
    st = opt.state()
    assert all(st[k].tobytes() == fresh[k].tobytes() for k in fresh)
