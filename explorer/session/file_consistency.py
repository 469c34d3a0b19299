"""A loaded session checked against its own history: nothing shown is taken on trust.

A session file stores the live state (``live/W``, ``live/b``, the optimiser state and
the batch generator at ``step_index``) beside the checkpoints it can be recomputed from,
and the metrics beside the parameters they were computed from. :func:`check_session`
recomputes both:

- the live state: copied from the checkpoint at the shown step, or replayed from the
  nearest one before it (at most ``stride - 1`` steps, what a seek costs in the window);
  the session is left on the replayed state, so seeking away and back shows the same;
- the metrics at the shown step, the head and step 0 from the parameters there, under
  the loss in effect there.

On the machine that wrote the file both are bit-identical. Elsewhere numpy's ``exp``
may round differently (another SIMD path), so float comparisons allow a relative
:data:`RTOL`; the generator state and the optimiser's step count must match exactly.
"""

from __future__ import annotations

import numpy as np

from explorer.session.trainer import Trainer, TrainingObjective

#: Relative tolerance of recomputed parameters and losses (float32 training).
RTOL = 1e-4
#: Tolerance of a recomputed accuracy (a sample at an exact tie may flip elsewhere).
ACC_TOL = 0.02


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    scale = 1.0 + (float(np.abs(want).max()) if want.size else 0.0)
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(got - want) <= RTOL * scale))


def _check_checkpoint_copy(state: dict, i: int, step: int) -> None:
    """The live state at a checkpoint's step is that checkpoint, exactly."""
    pairs = [("live/W", "history/W"), ("live/b", "history/b"), ("live/rng", "history/rng")]
    pairs += [
        (key, "history/opt/" + key.removeprefix("live/opt/"))
        for key in state
        if key.startswith("live/opt/") and key != "live/opt/steps"
    ]
    for live, saved in pairs:
        if not np.array_equal(state[live], state[saved][i]):
            raise ValueError(f"{live} is not the history's checkpoint at step {step}")
    if state["live/opt/steps"] != int(state["history/opt/steps"][i]):
        raise ValueError(f"live/opt/steps is not the history's checkpoint at step {step}")


def _check_replay(session, state: dict, step: int, base: int) -> None:
    """Replay from the checkpoint at ``base`` to ``step``; the live state must agree."""
    session.seek(base)
    session.seek(step)
    now = session.export_state()
    for key in state:
        if not key.startswith(("live/W", "live/b", "live/opt/")) or key == "live/opt/steps":
            continue
        if not _close(now[key], state[key]):
            raise ValueError(
                f"{key} is not what the history gives at step {step} "
                f"(replayed from the checkpoint at step {base})"
            )
    if now["live/opt/steps"] != state["live/opt/steps"]:
        raise ValueError(f"live/opt/steps is not what the history gives at step {step}")
    if not np.array_equal(now["live/rng"], state["live/rng"]):
        raise ValueError(f"live/rng is not what the history gives at step {step}")


def _trainer(session) -> Trainer:
    data, fmap, dtype = session.data, session.feature_map, session.W.dtype
    train, test = data.train_index, data.test_index
    with np.errstate(all="ignore"):
        F_train = fmap.transform(data.X[:, train], dtype=dtype)
        F_test = fmap.transform(data.X[:, test], dtype=dtype)
    return Trainer(F_train, data.y[train], F_test, data.y[test], data.n_classes)


_NAMES = ("train loss", "train accuracy", "test loss", "test accuracy")


def _check_metrics(trainer: Trainer, W, b, config, stored: np.ndarray, step: int) -> None:
    objective = TrainingObjective.of(config)
    with np.errstate(all="ignore"):
        fwd = trainer.forward(W, b, objective)
        test_loss, test_acc = trainer.test_metrics(W, b, objective)
    computed = (fwd.loss, fwd.acc, test_loss, test_acc)
    for name, got, want in zip(_NAMES, computed, stored, strict=True):
        if name.endswith("loss"):
            ok = np.isfinite(got) and abs(got - want) <= RTOL * max(1.0, abs(got))
        else:
            ok = abs(got - want) <= ACC_TOL
        if not ok:
            raise ValueError(
                f"the stored {name} at step {step} is {want:.6g}, "
                f"but the parameters there give {got:.6g}"
            )


def check_session(session, state: dict) -> None:
    """Refuse a session whose live state or metrics its history does not give.

    Parameters
    ----------
    session : Session
        Just built from ``state`` (left on the shown step, replayed if it was between
        checkpoints).
    state : dict
        The checked state it was built from (:func:`.file_checks.check_state`).
    """
    steps = state["history/steps"]
    metrics = state["history/metrics"]
    step, head = session.step_index, session.head
    i = int(np.searchsorted(steps, step, side="right")) - 1
    base = int(steps[i])
    if base == step:
        _check_checkpoint_copy(state, i, step)
    else:
        _check_replay(session, state, step, base)
    trainer = _trainer(session)
    first = session.history.checkpoints[0].config
    W0, b0 = state["history/W"][0], state["history/b"][0]
    _check_metrics(trainer, W0, b0, first, metrics[:, 0], 0)
    _check_metrics(trainer, session.W, session.b, session.config, metrics[:, step], step)
    if head != step:
        session.seek(head)
        _check_metrics(trainer, session.W, session.b, session.config, metrics[:, head], head)
        session.seek(step)
