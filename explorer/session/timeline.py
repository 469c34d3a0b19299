"""The timeline: live parameters, optimiser, batch generator and step along a history.

A :class:`Timeline` trains new steps at the head, moves along recorded history bit for
bit (restoring the nearest checkpoint and replaying the very same code on the very same
state, see :mod:`explorer.session.history`), and edits the state at the shown step
(a new training configuration, new parameters). Training runs in the session dtype on
a :class:`~explorer.session.trainer.Trainer`; divergence and a full history stop it
with a report (:attr:`Timeline.diverged`, :attr:`Timeline.notice`).

Every change of the live parameters or of the training configuration gives the
timeline a new :attr:`Timeline.version`: what was computed for the old one is stale.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from explorer.core.optimizers import make_optimizer
from explorer.core.schedules import learning_rate
from explorer.session.build import readonly_view
from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.history import (
    History,
    SavedTimeline,
    State,
    rng_from_array,
    rng_to_array,
)
from explorer.session.param_path import ParamPath, record_from_states
from explorer.session.reports import Divergence, HistoryFull, implicated_settings
from explorer.session.trainer import Forward, Trainer, TrainingObjective

#: Largest logit magnitude trusted in float32 (spacing there is 1/16): beyond it the
#: probabilities are noise and training has numerically diverged.
LOGIT_LIMIT = 1e6
#: Bytes of recent states kept after a backward seek, so repeated Step back is instant.
RECENT_BUDGET = 16 * 2**20

#: Versions are unique across timelines, so a version never names two states.
_VERSIONS = itertools.count()


def _optimizer_key(config: Config) -> tuple:
    return (config.optimizer, config.momentum, config.beta1, config.beta2)


class Timeline:
    """Live training state at the shown step, over a :class:`History`.

    Parameters
    ----------
    dtype : float32 or float64
        Training dtype of the parameters and optimiser state.

    Attributes
    ----------
    history : History
    config : Config
        The configuration in effect at the shown step.
    diverged : Divergence or None
        Why the last training step failed, until history is next rewritten.
    notice : HistoryFull or None
        Set when training stopped at the maximum history length.
    version : int
        Changes whenever the live parameters or the configuration change.
    """

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self.history = History()
        self.path = ParamPath()  # θ of every step, for the landscape's path
        self.diverged: Divergence | None = None
        self.notice: HistoryFull | None = None
        self.version = next(_VERSIONS)
        self._recent: dict[int, State] = {}

    # ============================================================ live state
    @property
    def W(self) -> np.ndarray:
        """Weights ``(C, D)`` at the shown step (read-only view, training dtype)."""
        return readonly_view(self._W)

    @property
    def b(self) -> np.ndarray:
        """Biases ``(C,)`` at the shown step (read-only view, training dtype)."""
        return readonly_view(self._b)

    @property
    def step_index(self) -> int:
        """The step shown (0..head)."""
        return self._step

    def params64(self) -> tuple[np.ndarray, np.ndarray]:
        """Float64 copies of ``W (C, D)`` and ``b (C,)`` at the shown step."""
        return self._W.astype(np.float64), self._b.astype(np.float64)

    def live_state(self) -> State:
        """A copy of the whole state at the shown step (parameters, optimiser, generator)."""
        return self._snapshot(forced=False)

    def forward(self) -> Forward:
        """The training points' forward pass at the shown step (computed once per version)."""
        if self._fwd is None:
            self._fwd = self._trainer.forward(self._W, self._b, self._objective)
        return self._fwd

    def _changed(self) -> None:
        """The live parameters changed: a new version, the forward pass is stale."""
        self._fwd: Forward | None = None
        self.version = next(_VERSIONS)

    # ============================================================ starting
    def start(self, trainer: Trainer, config: Config, W, b, rng) -> Change:
        """Begin a new history at step 0 from ``W (C, D)``, ``b (C,)`` on ``trainer`` with
        a fresh optimiser (``rng`` draws the mini-batches); ``Change.DIVERGED`` if that
        cleared a divergence report, else ``Change(0)``."""
        changes = self._forget_after(-1)
        self._trainer = trainer
        self.history.has_test = trainer.y_test.size > 0
        self._W = np.array(W, dtype=self.dtype)
        self._b = np.array(b, dtype=self.dtype)
        self._rng = rng
        self._set_config(config)
        self._opt = self._new_optimizer(config)
        self._step = 0
        self._changed()
        with np.errstate(all="ignore"):
            values, _ = self._metrics_now()
        self.history.append(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0))
        self.history.add(self._snapshot(forced=True))
        self.path.record(0, self._W, self._b)
        return changes

    def resume(self, trainer: Trainer, saved: SavedTimeline) -> None:
        """Adopt a saved history and live state (already checked) on ``trainer``."""
        self._forget_after(-1)
        self._trainer = trainer
        self.history.restore(saved.metrics, saved.has_test, saved.stride, saved.checkpoints)
        self._opt = self._new_optimizer(saved.live.config, saved.live.W.shape)
        self._load(saved.live)
        self.diverged, self.notice = saved.diverged, saved.notice
        path = saved.path  # a file has θ only at its checkpoints: the path through them
        self.path.adopt(path or record_from_states([*saved.checkpoints, saved.live]))

    def _set_config(self, config: Config) -> None:
        """Put ``config`` in effect (and the training objective it describes)."""
        self.config = config
        self._objective = TrainingObjective.of(config)

    def _new_optimizer(self, config: Config, shape: tuple[int, int] | None = None):
        C, D = self._W.shape if shape is None else shape
        self._opt_key = _optimizer_key(config)
        return make_optimizer(
            config.optimizer,
            [(C, D), (C,)],
            momentum=config.momentum,
            beta1=config.beta1,
            beta2=config.beta2,
            dtype=self.dtype,
        )

    def _forget_after(self, k: int) -> Change:
        """Drop history after step ``k`` (all of it for ``k < 0``) and what depended on
        it: recent states, the notice, a divergence report (then ``Change.DIVERGED``)."""
        if k < 0:
            self.history.clear()
        else:
            self.history.truncate(k)
        self.path.truncate(k)
        self._forget_recent()
        self.notice = None
        if self.diverged is None:
            return Change(0)
        self.diverged = None
        return Change.DIVERGED

    def _forget_recent(self) -> None:
        self._recent = {}

    # ============================================================ training
    def _metrics_now(self) -> tuple[tuple[float, float, float, float], str | None]:
        """Metrics of the live parameters, and why they are unusable (None if fine)."""
        if not (np.isfinite(self._W).all() and np.isfinite(self._b).all()):
            return (math.nan,) * 4, "the parameters became non-finite"
        fwd = self.forward()
        test_loss, test_acc = self._trainer.test_metrics(self._W, self._b, self._objective)
        values = (fwd.loss, fwd.acc, test_loss, test_acc)
        if not all(math.isfinite(v) for v in values):
            bad = fwd.loss if not math.isfinite(fwd.loss) else test_loss
            return values, f"loss became {bad}"
        peak = float(np.abs(fwd.zmax).max()) if fwd.zmax.size else 0.0
        if peak > LOGIT_LIMIT:
            return values, f"logits reached {peak:.3g}, beyond what float32 resolves"
        return values, None

    def _update_params(self) -> None:
        """One optimiser step from the live state (step t -> t + 1), no recording."""
        cfg, t = self.config, self._step
        lr = learning_rate(
            cfg.schedule,
            cfg.lr,
            t,
            step_every=cfg.step_every,
            step_gamma=cfg.step_gamma,
            cosine_period=cfg.cosine_period,
        )
        tr = self._trainer
        if cfg.batch_size == 0 or cfg.batch_size >= tr.n:
            dW, db = tr.full_grads(self._W, self.forward())
        else:
            idx = self._rng.choice(tr.n, size=cfg.batch_size, replace=False)
            idx.sort()
            dW, db = tr.batch_grads(self._W, self._b, idx, self._objective)
        self._opt.update([self._W, self._b], [dW, db], lr)
        self._step = t + 1
        self._changed()

    def _train_one(self) -> str | None:
        """Train one new step at the head; returns why it failed, or None."""
        self._update_params()
        values, problem = self._metrics_now()
        if problem is not None:
            return problem
        self.history.append(values)
        self.path.record(self._step, self._W, self._b)
        if self.history.wants_checkpoint(self._step):
            self.history.add(self._snapshot(forced=False))
        return None

    def step(self, n: int) -> tuple[int, Change]:
        """Take up to ``n`` steps: along history while behind the head, then by training.

        Stops early at divergence (the last finite state is kept and :attr:`diverged`
        says why) or when history is full (:attr:`notice`).

        Returns
        -------
        done : int
            The steps taken.
        changes : Change
            ``HISTORY`` if steps were recorded (or history is full), ``DIVERGED``.
        """
        done, changes = 0, Change(0)
        with np.errstate(all="ignore"):
            while done < n and self._step < self.history.head:
                self._advance()
                done += 1
            while done < n:
                if self.history.full:
                    self.notice = HistoryFull(self.history.head)
                    changes |= Change.HISTORY
                    break
                problem = self._train_one()
                if problem is not None:
                    self._diverge(problem)
                    changes |= Change.DIVERGED
                    break
                done += 1
                changes |= Change.HISTORY
        return done, changes

    def _diverge(self, problem: str) -> None:
        failed = self.history.head + 1
        self.goto(self.history.head, live_valid=False)
        c = self.config
        self.diverged = Divergence(failed, problem, c.lr, c.l2, implicated_settings(c.lr, c.l2))

    # ============================================================ moving
    def _advance(self) -> None:
        """Move one step along recorded history (bit-identical to training)."""
        saved = self.history.get(self._step + 1)
        if saved is not None:
            self._load(saved)
        else:
            self._update_params()

    def _snapshot(self, forced: bool) -> State:
        return State(
            step=self._step,
            W=self._W.copy(),
            b=self._b.copy(),
            opt=self._opt.state(),
            rng=rng_to_array(self._rng),
            config=self.config,
            forced=forced,
        )

    def _load(self, state: State) -> None:
        if _optimizer_key(state.config) != self._opt_key:
            self._opt = self._new_optimizer(state.config, state.W.shape)
        self._opt.load_state(state.opt)
        self._W = state.W.copy()
        self._b = state.b.copy()
        self._rng = rng_from_array(state.rng)
        self._set_config(state.config)
        self._step = state.step
        self._changed()

    def goto(self, k: int, *, live_valid: bool = True) -> None:
        """Make step ``k`` (0..head) the live state, replaying from a checkpoint.

        Replay after a backward seek keeps the states just before ``k`` (up to
        :data:`RECENT_BUDGET` bytes), so the next Step back is a lookup, not a replay.
        ``live_valid=False``: the live state is not on the history (a failed step).
        """
        if live_valid and k == self._step:
            return
        recent = self._recent.get(k)
        if recent is not None:
            self._load(recent)
            return
        base = self.history.nearest(k)
        backwards = k < self._step
        if not (live_valid and base.step <= self._step < k):
            self._load(base)
        keep_from = k
        if backwards:
            per_state = max(base.nbytes, 1)
            keep_from = k - RECENT_BUDGET // per_state
            self._forget_recent()
        with np.errstate(all="ignore"):
            while self._step < k:
                if self._step >= keep_from:
                    self._recent[self._step] = self._snapshot(forced=False)
                self._advance()

    # ============================================================ edits
    def reconfigure(self, config: Config) -> Change:
        """Put training fields of ``config`` in effect at the shown step.

        History after the shown step is dropped; the parameters are kept; a changed
        optimiser type starts with fresh state, changed hyperparameters keep it; the
        shown step's metrics are those of the new loss. Returns ``Change.DIVERGED`` if a
        divergence report was cleared.
        """
        changes = self._forget_after(self._step)
        if config.optimizer != self.config.optimizer:
            self._opt = self._new_optimizer(config)
        elif _optimizer_key(config) != self._opt_key:
            state = self._opt.state()
            self._opt = self._new_optimizer(config)
            self._opt.load_state(state)
        old = self._objective
        self._set_config(config)
        self.version = next(_VERSIONS)  # what was computed with the old objective
        if self._objective != old:  # the forward pass's losses and dZ were the old ones
            self._fwd = None
            with np.errstate(all="ignore"):
                values, problem = self._metrics_now()
            if problem is None:
                self.history.set_metrics(self._step, values)
        self.history.add(self._snapshot(forced=True))
        self.path.record(self._step, self._W, self._b)
        return changes

    def set_params(self, W, b) -> Change:
        """Edit the parameters at the shown step (history after it is dropped); returns
        ``Change.DIVERGED`` if a divergence report was cleared.

        Raises
        ------
        ValueError
            Wrong shape, or values that are not finite (in the training dtype) or make
            the loss overflow; nothing changes.
        """
        C, D = self._W.shape
        W = np.array(W, dtype=np.float64)
        b = np.array(b, dtype=np.float64)
        if W.shape != (C, D) or b.shape != (C,):
            raise ValueError(f"W must have shape {(C, D)} and b {(C,)}")
        with np.errstate(all="ignore"):
            W, b = W.astype(self.dtype), b.astype(self.dtype)
            if not (np.isfinite(W).all() and np.isfinite(b).all()):
                raise ValueError("parameters must be finite numbers")
            old = (self._W, self._b)
            self._W, self._b = W, b
            self._changed()
            values, problem = self._metrics_now()
        if problem is not None:
            self._W, self._b = old
            self._changed()
            raise ValueError(f"these parameters cannot be used: {problem}")
        changes = self._forget_after(self._step)
        self.history.set_metrics(self._step, values)
        self.history.add(self._snapshot(forced=True))
        self.path.record(self._step, self._W, self._b)
        return changes
