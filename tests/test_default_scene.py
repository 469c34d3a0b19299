"""The default scene teaches: learning stays visible for the first seconds of playing
(at 30 steps a second), instead of being over after one step."""

import numpy as np

from explorer.core.plane import fit_range, grid_features
from explorer.session.config import Config
from explorer.session.session import Session


def test_learning_is_visible_for_seconds_in_the_default_scene():
    s = Session(Config())
    F = grid_features(s.feature_map, fit_range(s.data.X), 100)
    L = 256 // s.data.n_classes
    pictures = {}
    for k in (1, 30, 100, 300):
        s.step(k - s.head)
        pictures[k] = s.decision_image(F) // L  # the winning class per pixel
    acc = s.metrics.train_acc
    assert acc[1] < 0.7  # not solved by the first step (the blobs were at 99.6 %) ...
    assert acc[30] < acc[100] < acc[300]  # ... it improves over ten seconds ...
    assert acc[300] > 0.95  # ... and gets there
    # the regions keep moving between one and three seconds (30 and 100 steps)
    assert np.mean(pictures[30] != pictures[100]) > 0.05
    assert np.mean(pictures[100] != pictures[300]) > 0.02
