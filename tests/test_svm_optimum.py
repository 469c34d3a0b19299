"""The optimum of each SVM loss with L2 matches an independent solver's (issue 18).

Our objective, ``F(W, b) = (1/N) Σ_n L_n + (λ/2)‖W‖²`` from
:func:`explorer.core.loss_and_grads`, is not differentiable at its optimum (the hinge's
kinks), so it is not handed to a generic minimiser. The solver instead gets the textbook
primal quadratic programme with slack variables, which is smooth and never calls
``explorer``: minimise ``(1/N) Σ ξ + (λ/2)‖W‖²`` over ``(W, b, ξ)`` subject to linear
constraints, one slack per hinge term:

- ``svm_ww``: ``ξ_nj ≥ 0``, ``ξ_nj ≥ z_jn − z_yn + Δ`` for ``j ≠ y_n``;
- ``svm_ova``: ``ξ_nj ≥ 0``, ``ξ_nj ≥ Δ − s_jn z_jn`` for every ``j``;
- ``svm_structured``: ``ξ_n ≥ 0``, ``ξ_n ≥ z_jn − z_yn + Δ`` for every ``j ≠ y_n``;

with ``z = W x + b``. At the QP's optimum each slack equals its hinge term, so the QP's
optimal value is the minimum of ``F``. The solver is scipy's SLSQP
(``scipy.optimize.minimize(method="SLSQP")``), a sequential least-squares QP method: on a
small dense problem with linear inequality constraints and exact gradients (here 9
parameters and 12 to 36 slacks) it converges to the optimum's active set, and its value
agrees with ours there to ~1e-11 relative. ``trust-constr`` was tried too: an
interior-point method, its barrier stopped 1e-9 to 2e-5 relative above SLSQP's value on
these problems, too loose for check (b).
On a small separable set of three classes in the plane, at λ = 0.01 and 0.1 (the optimum
separates with zero data loss: the max-margin solution) and λ = 1 and 3 (some margins
stay violated), two checks:

(a) ``F`` at the solver's ``W*, b*`` equals the solver's optimal value within 1e-6
    relative;
(b) ``W*, b*`` is a minimum of *our* ``F``: for many random unit directions ``d`` in
    ``(W, b)`` and steps ``ε``, ``F(θ* ± εd) ≥ F(θ*) − 1e-9 F(θ*)``, using our function
    only. (a) compares the two objectives at one point; (b) checks that this point
    minimises ours (the probe is shown to fail 1 % away from the optimum).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from explorer.core import HINGE_LOSSES, loss_and_grads

C, D, DELTA = 3, 2, 1.0


def separable_set() -> tuple[np.ndarray, np.ndarray]:
    """Four points around each of three centres 120° apart: ``X (2, 12)``, ``y (12,)``."""
    angles = np.deg2rad([90.0, 210.0, 330.0])
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)])  # (2, 3)
    offsets = np.array([[0.4, -0.3, 0.1, -0.2], [0.1, 0.3, -0.4, -0.1]])  # (2, 4)
    X = (centres[:, :, None] + offsets[:, None, :]).reshape(2, 12)
    return X, np.repeat(np.arange(C), 4)


def hinge_rows(X, y, loss):
    """Each hinge term as ``(coefficients of vec(W), b; constant)``: term = a·θ + c."""
    rows = []  # (slack index, a (C·D + C,), c)
    n_slack = 0
    for n in range(X.shape[1]):
        t = y[n]

        def score(j, n=n):
            a = np.zeros(C * D + C)
            a[j * D : (j + 1) * D] = X[:, n]
            a[C * D + j] = 1.0
            return a

        if loss == "svm_ova":
            for j in range(C):
                s = 1.0 if j == t else -1.0
                rows.append((n_slack, -s * score(j), DELTA))
                n_slack += 1
        else:
            for j in range(C):
                if j != t:
                    rows.append((n_slack, score(j) - score(t), DELTA))
                    if loss == "svm_ww":
                        n_slack += 1
            if loss == "svm_structured":
                n_slack += 1
    return rows, n_slack


def solve_primal_qp(X, y, loss, lam):
    """The slack QP by SLSQP: ``(W*, b*, optimal value)``."""
    N = X.shape[1]
    rows, K = hinge_rows(X, y, loss)
    P = C * D + C
    # Constraints G x + h ≥ 0 with x = (vec W, b, ξ): ξ_k ≥ 0 and ξ_k − (a·θ + c) ≥ 0.
    G = np.zeros((K + len(rows), P + K))
    h = np.zeros(K + len(rows))
    G[:K, P:] = np.eye(K)
    for r, (k, a, c) in enumerate(rows):
        G[K + r, P + k] = 1.0
        G[K + r, :P] = -a
        h[K + r] = -c

    def objective(x):
        W = x[: C * D]
        return x[P:].sum() / N + 0.5 * lam * W @ W

    def gradient(x):
        g = np.zeros_like(x)
        g[: C * D] = lam * x[: C * D]
        g[P:] = 1.0 / N
        return g

    x0 = np.concatenate([np.zeros(P), np.full(K, DELTA + 1.0)])
    result = minimize(
        objective,
        x0,
        jac=gradient,
        method="SLSQP",
        constraints=[{"type": "ineq", "fun": lambda x: G @ x + h, "jac": lambda x: G}],
        options={"ftol": 1e-11, "maxiter": 2000},
    )
    # Status 8 ("positive directional derivative for linesearch") is SLSQP stopping where
    # rounding leaves no descent step; checks (a) and (b) then judge the point it gives.
    assert result.status in (0, 8), result.message
    assert np.all(G @ result.x + h >= -1e-9)  # feasible
    return result.x[: C * D].reshape(C, D), result.x[C * D : P], float(result.fun)


@pytest.mark.parametrize("lam", [0.01, 0.1, 1.0, 3.0])
@pytest.mark.parametrize("loss", HINGE_LOSSES)
def test_svm_optimum_matches_the_primal_qp(loss, lam):
    X, y = separable_set()
    W, b, qp_value = solve_primal_qp(X, y, loss, lam)

    def ours(W, b):
        return loss_and_grads(W, b, X, y, lam, loss=loss, margin=DELTA)[0]

    value = ours(W, b)
    # (a) the same objective at the QP's optimum
    assert value == pytest.approx(qp_value, rel=1e-6)
    # (b) a minimum of our objective, probed in random directions
    assert worst_step(ours, W, b) >= -1e-9 * value
    # The probe can fail: 1 % off the optimum, some probed step goes downhill.
    assert worst_step(ours, 1.01 * W, b) < -1e-6 * value


def worst_step(F, W, b, n_directions: int = 300) -> float:
    """``min F(θ ± εd) − F(θ)`` over random unit directions ``d`` and ``ε`` in 1e-1..1e-5."""
    rng = np.random.default_rng(7)
    value = F(W, b)
    worst = np.inf
    for _ in range(n_directions):
        d = rng.standard_normal(C * D + C)
        d /= np.linalg.norm(d)
        dW, db = d[: C * D].reshape(C, D), d[C * D :]
        for eps in (1e-1, 1e-3, 1e-5):
            for sign in (1.0, -1.0):
                worst = min(worst, F(W + sign * eps * dW, b + sign * eps * db) - value)
    return worst


def test_max_margin_regime_separates_the_set():
    """At the small λ every hinge term is inactive at the optimum: zero data loss."""
    X, y = separable_set()
    for loss in HINGE_LOSSES:
        W, b, qp_value = solve_primal_qp(X, y, loss, 0.01)
        data_loss = loss_and_grads(W, b, X, y, 0.0, loss=loss)[0]
        assert data_loss == pytest.approx(0.0, abs=1e-7)
        assert qp_value == pytest.approx(0.005 * np.sum(W**2), rel=1e-6)
