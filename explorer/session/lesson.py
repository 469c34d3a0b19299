"""The compare mode's lesson: why cross-entropy, from a bad start.

A model that starts confidently wrong (large logits, the true class scored far below the
others) recovers within tens of steps under cross-entropy, whose ``∂L/∂z = p − y`` is
about 1 at a confidently wrong sample, and stalls under squared error, whose
``∂L/∂z = Jᵀ(p − y)`` goes through the softmax Jacobian ``J = diag(p) − p pᵀ``, which is
nearly zero where ``p`` saturates (docs/maths.md). :func:`lesson_comparison` builds that
scene: three Gaussian blobs with identity features (the weight arrows show where each
class's scores grow), started from :func:`wrong_start`, cross-entropy as run A against
squared error as run B (``softmax-explorer --compare lesson``; Train → Compare… offers
it too).

With the defaults (seed 0, learning rate 0.1, full batch) run A classifies every
training point after 50 steps while run B still classifies none after 1000
(``tests/test_compare_lesson.py``).
"""

from __future__ import annotations

import numpy as np

from explorer.session.compare import Comparison, parse_spec
from explorer.session.config import Config

#: The name of the preset, for ``--compare`` and the dialog.
LESSON = "lesson"
#: What run B changes in the lesson.
LESSON_SPEC = "loss=squared_error"
#: The lesson's scene, under the options given with it.
LESSON_CONFIG = {"dataset": "blobs", "features": "identity"}
#: Mean gap between the best wrong score and the true one at the bad start.
WRONG_GAP = 10.0


def wrong_start(session, gap: float = WRONG_GAP) -> tuple[np.ndarray, np.ndarray]:
    """Parameters that score every class's points lowest for that class.

    ``W = −s·M``, ``b = 0``, where the rows of ``M (C, D)`` are the classes' mean
    training features, centred over the classes, and ``s`` makes the mean over the
    training points of ``max_{j≠y} z_j − z_y`` equal ``gap``.

    Parameters
    ----------
    session : Session
    gap : float
        > 0.

    Returns
    -------
    W : ndarray of float64, shape (C, D)
    b : ndarray of float64, shape (C,)
    """
    train = session.train_index
    F = session.feature_map.transform(session.data.X[:, train], dtype=np.float64)
    y = session.data.y[train]
    C = session.n_classes
    M = np.zeros((C, F.shape[0]))
    for c in range(C):
        if np.any(y == c):
            M[c] = F[:, y == c].mean(axis=1)
    M -= M.mean(axis=0)
    Z = -M @ F
    cols = np.arange(y.size)
    true = Z[y, cols].copy()
    Z[y, cols] = -np.inf
    mean_gap = float(np.mean(Z.max(axis=0) - true))
    if not mean_gap > 0:
        raise ValueError("these points have no wrong start: their classes' means coincide")
    return -M * (gap / mean_gap), np.zeros(C)


def lesson_comparison(changes: dict | None = None, dtype=np.float32) -> Comparison:
    """The lesson's comparison: :data:`LESSON_CONFIG` under ``changes`` (the options given
    with it), started from :func:`wrong_start`, against :data:`LESSON_SPEC`.

    Raises
    ------
    ConfigError, ValueError, CompareError
        Settings that cannot be used.
    """
    from explorer.session.session import Session

    config = Config().replace(**{**LESSON_CONFIG, **(changes or {})})
    a = Session(config, dtype=dtype)
    a.set_params(*wrong_start(a))
    return Comparison(a, parse_spec(LESSON_SPEC))
