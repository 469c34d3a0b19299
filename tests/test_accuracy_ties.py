"""Accuracy uses the argmax of the regions view: a tie goes to the lowest class.

A sample counts as correct only when its true class is the *first* class holding the
largest logit, so tied logits (all-zero parameters, duplicated rows of ``W`` and ``b``)
are not all counted as correct. The reference is the decision kernel the regions view
paints with (:func:`explorer.core.decision.decision_indices`), evaluated at the points.
"""

import numpy as np
import pytest
from decision_tools import index_to_class_and_confidence
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.decision import decision_indices
from explorer.session.config import Config
from explorer.session.session import Session


def regions_accuracy(session: Session, index: np.ndarray) -> float:
    """Accuracy of the points ``index`` by the class the regions view paints there."""
    F = session.feature_map.transform(session.data.X[:, index], dtype=np.float32)
    k, _, _ = index_to_class_and_confidence(
        decision_indices(session.W, session.b, F), session.n_classes
    )
    return float(np.mean(k == session.data.y[index]))


def test_all_zero_parameters_predict_class_zero_everywhere():
    s = Session(Config(dataset="blobs", features="identity", samples=90))
    s.set_params(np.zeros((3, 2)), np.zeros(3))
    m, k = s.metrics, s.step_index
    train_y = s.data.y[s.train_index]
    test_y = s.data.y[s.test_index]
    assert m.train_acc[k] == pytest.approx(np.mean(train_y == 0))
    assert m.test_acc[k] == pytest.approx(np.mean(test_y == 0))
    assert m.train_acc[k] < 0.5  # three balanced classes: about 1/3, not 100 %


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    classes=st.integers(2, 6),
    ties=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=4),
    zero_rows=st.lists(st.integers(0, 5), max_size=3),
)
def test_accuracy_matches_the_regions_view_with_ties(seed, classes, ties, zero_rows):
    s = Session(
        Config(dataset="blobs", features="identity", samples=60, classes=classes, seed=seed % 50)
    )
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((classes, 2))
    b = rng.standard_normal(classes)
    for i, j in ties:  # identical rows tie exactly for every point
        W[j % classes], b[j % classes] = W[i % classes], b[i % classes]
    for i in zero_rows:
        W[i % classes], b[i % classes] = 0.0, 0.0
    W[:] = W.astype(np.float32)
    b[:] = b.astype(np.float32)
    s.set_params(W, b)
    k = s.step_index
    assert s.metrics.train_acc[k] == regions_accuracy(s, s.train_index)
    assert s.metrics.test_acc[k] == regions_accuracy(s, s.test_index)


def test_accuracy_after_training_steps_matches_the_regions_view():
    s = Session(Config(dataset="blobs", features="identity", samples=120, classes=4, lr=0.5))
    for _ in range(5):
        s.step(7)
        k = s.step_index
        assert s.metrics.train_acc[k] == regions_accuracy(s, s.train_index)
        assert s.metrics.test_acc[k] == regions_accuracy(s, s.test_index)
