"""The compare mode's lesson: from large wrong logits, cross-entropy recovers fast and
squared error stalls (session/lesson.py), checked on the metrics after K steps and on
the reason, the size of each run's ``∂L/∂z`` at the start."""

import numpy as np
import pytest

from explorer.core.softmax import softmax
from explorer.session.config import ConfigError
from explorer.session.lesson import WRONG_GAP, lesson_comparison, wrong_start
from explorer.session.session import Session


def test_the_wrong_start_scores_every_true_class_lowest_by_the_gap():
    c = lesson_comparison()
    a = c.a
    F = a.feature_map.transform(a.data.X[:, a.train_index], dtype=np.float64)
    y = a.data.y[a.train_index]
    Z = a.W.astype(np.float64) @ F + a.b.astype(np.float64)[:, None]
    true = Z[y, np.arange(y.size)]
    others = Z.copy()
    others[y, np.arange(y.size)] = -np.inf
    gap = others.max(axis=0) - true
    assert (gap > 0).all()  # every training point starts misclassified
    assert gap.mean() == pytest.approx(WRONG_GAP, rel=1e-5)  # float32 parameters
    assert a.metrics.train_acc[0] == 0.0 and c.b.metrics.train_acc[0] == 0.0
    assert np.array_equal(c.b.W, a.W) and c.b.config.loss == "squared_error"


def test_cross_entropy_recovers_and_squared_error_stalls():
    c = lesson_comparison()
    a, b = c.a, c.b
    loss_a0, loss_b0 = a.metrics.train_loss[0], b.metrics.train_loss[0]
    c.step(50)
    assert a.metrics.train_acc[50] == 1.0 and a.metrics.train_loss[50] < 0.05 * loss_a0
    assert b.metrics.train_acc[50] == 0.0 and b.metrics.train_loss[50] > 0.99 * loss_b0
    c.step(950)
    assert a.metrics.train_acc[1000] == 1.0
    assert b.metrics.train_acc[1000] == 0.0 and b.metrics.train_loss[1000] > 0.9 * loss_b0


def test_the_reason_is_the_true_class_error_signal_at_the_start():
    """Cross-entropy's ``∂L/∂z_y = p_y − 1`` is about −1 at every point; squared error's
    ``(Jᵀ(p − y))_y`` is about 0: the saturated softmax's Jacobian swallows it (the rest
    of its ``∂L/∂z`` only moves mass between the wrong classes)."""
    c = lesson_comparison()
    a, b = c.a, c.b
    # Independent float64 computation of both losses' dL/dz at the start.
    F = a.feature_map.transform(a.data.X[:, a.train_index], dtype=np.float64)
    y = a.data.y[a.train_index]
    P = softmax(a.W.astype(np.float64) @ F + a.b.astype(np.float64)[:, None])
    Y = np.eye(a.n_classes)[:, y]
    dz_ce = P - Y
    dz_se = np.empty_like(P)
    for n in range(y.size):
        p = P[:, n]
        J = np.diag(p) - np.outer(p, p)
        dz_se[:, n] = J.T @ (p - Y[:, n])
    assert np.allclose(a.train_dz(), dz_ce, atol=1e-5)
    assert np.allclose(b.train_dz(), dz_se, atol=1e-5)
    cols = np.arange(y.size)
    true_ce, true_se = np.abs(dz_ce[y, cols]), np.abs(dz_se[y, cols])
    assert true_ce.min() > 0.98
    assert np.median(true_se) < 1e-3 and true_se.max() < 0.05
    assert np.allclose(b.train_error_signal(), dz_se[y, cols], atol=1e-6)


def test_the_lesson_takes_the_options_given_with_it_and_refuses_bad_ones():
    c = lesson_comparison({"lr": 0.5, "seed": 3})
    assert c.a.config.lr == c.b.config.lr == 0.5 and c.a.config.dataset == "blobs"
    with pytest.raises(ConfigError):
        lesson_comparison({"lr": -1.0})
    smoothed = lesson_comparison({"label_smoothing": 0.1})
    assert smoothed.b.config.label_smoothing == 0.1 and smoothed.b.config.loss == "squared_error"
    s = Session()
    W, b = wrong_start(s, gap=3.0)
    assert W.shape == s.W.shape and not b.any()
