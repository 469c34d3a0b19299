"""The training session: data, model, optimiser, history and the numbers views show.

A :class:`Session` is Qt-free. Views read its properties and connect to
:attr:`Session.changed`, which emits one ``frozenset`` of change kinds per call:

``"params"``     W, b or the shown step changed
``"data"``       the points, or their features (feature map / dimension), changed
``"config"``     the configuration in effect at the shown step changed
``"selection"``  the selected sample changed
``"history"``    steps were added or history was truncated/restarted
``"display"``    the display temperature changed
``"diverged"``   training diverged (or a divergence report was cleared)

Training runs in the session dtype (float32 by default) in the class-major layout of
DESIGN §4 (see :mod:`explorer.session.trainer`); everything shown as exact (sample and
point details, the mean Jacobian, the batch gradients) is recomputed in float64.
Arrays returned by the ``train_*`` methods are read-only views of caches that are valid
until the session changes (the next event); copy one to keep it.
The display temperature ``T`` divides the logits of every display computation and never
enters training. Metrics use the hard labels and no L2 term (the loss you would report);
:meth:`Session.batch_grads` gives the training objective with L2 and label smoothing.
"""

from __future__ import annotations

import math

import numpy as np

from explorer.core import loss_and_grads, smooth_labels, softmax
from explorer.core.datasets import CS231N_B, CS231N_W
from explorer.core.decision import decision_indices
from explorer.core.features import make_feature_map
from explorer.core.optimizers import make_optimizer
from explorer.core.parallel import split_columns
from explorer.core.schedules import learning_rate
from explorer.session import details, state_io
from explorer.session.config import DATA_FIELDS, Config, ConfigError
from explorer.session.data import Data, make_data
from explorer.session.events import Signal
from explorer.session.history import MAX_STEPS, History, State, rng_from_array, rng_to_array
from explorer.session.trainer import Forward, Trainer

#: Stream id of the init/batch generator ``default_rng([seed, TRAIN_STREAM])``,
#: separate from the data generator ``default_rng(seed)``.
TRAIN_STREAM = 0x7EA1
INIT_SCALE = 0.01
#: Largest logit magnitude trusted in float32 (spacing there is 1/16): beyond it the
#: probabilities are noise and training has numerically diverged.
LOGIT_LIMIT = 1e6
MIN_TEMPERATURE = 1e-3
MAX_TEMPERATURE = 1e3
#: Bytes of recent states kept after a backward seek, so repeated Step back is instant.
RECENT_BUDGET = 16 * 2**20
#: Float64 training features are cached up to this size (else recomputed per call).
F64_CACHE_LIMIT = 64 * 2**20


def fit_features(config: Config, data: Data):
    """The feature map of ``config`` fitted to the training points of ``data``."""
    train = data.train_index
    X_fit = data.X[:, train] if train.size else data.X
    return make_feature_map(
        config.features,
        X_fit,
        degree=config.degree,
        rff_dim=config.rff_dim,
        rff_gamma=config.rff_gamma,
        seed=config.seed,
    )


def features_differ(old: Config, new: Config) -> bool:
    """Whether going from ``old`` to ``new`` changes the feature map."""
    if old.features != new.features:
        return True
    if new.features == "poly":
        return old.degree != new.degree
    if new.features == "rff":
        return (old.rff_dim, old.rff_gamma) != (new.rff_dim, new.rff_gamma)
    return False


def _optimizer_key(config: Config) -> tuple:
    return (config.optimizer, config.momentum, config.beta1, config.beta2)


def _readonly(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


def _mean_jacobian(P: np.ndarray) -> np.ndarray:
    """``diag(mean p) − P Pᵀ / N``, float64 ``(C, C)``, for probabilities ``P (C, N)``.

    The product is taken in ``P``'s own dtype (float32 ``P`` gives a float32 ``P Pᵀ``).
    """
    J = np.diag(P.mean(axis=1, dtype=np.float64))
    J -= (P @ P.T).astype(np.float64, copy=False) / P.shape[1]
    return J


def _mean_jacobian_display(P: np.ndarray) -> np.ndarray:
    """:func:`_mean_jacobian` of float32 display probabilities ``P (C, N)``, faster.

    ``P Pᵀ`` is summed over two halves of the samples at once (two cores), and ``mean p``
    is read off its row sums: each column of ``P`` sums to one, so row ``j`` of ``P Pᵀ``
    sums to ``Σₙ p_jn``, within ~1e-8 of the float64 mean in float32. Not bit-identical
    to :func:`_mean_jacobian` (another summation order): only for colours, never for
    shown values.
    """
    C, N = P.shape
    halves = np.zeros((2, C, C), dtype=P.dtype)

    def gram(lo: int, hi: int) -> None:
        np.matmul(P[:, lo:hi], P[:, lo:hi].T, out=halves[0 if lo == 0 else 1])

    split_columns(gram, N, C * N)
    PPt = halves[0].astype(np.float64) + halves[1]
    J = np.diag(PPt.sum(axis=1) / N)
    J -= PPt / N
    return J


class Session:
    """A linear softmax classifier learning on 2-D data, with history for scrubbing.

    Parameters
    ----------
    config : Config, optional
        Defaults to ``Config()``.
    data : Data, optional
        Points to use instead of generating them from ``config`` (e.g. from a CSV).
    dtype : float32 or float64
        Training dtype.
    """

    def __init__(self, config: Config | None = None, data: Data | None = None, dtype=np.float32):
        config = Config() if config is None else config
        if not isinstance(config, Config):
            raise TypeError(f"config must be a Config, got {type(config).__name__}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.changed = Signal()
        self.temperature = 1.0
        self.selected: int | None = None
        self.diverged: str | None = None
        self.notice: str | None = None
        self.history = History()
        data = make_data(config) if data is None else data.copy()
        self._check_train_count(data)
        self._install(config, data, fit_features(config, data))
        self._start(*self._init_params(config))

    # ============================================================ save / load
    def export_state(self) -> dict:
        """The whole state as plain arrays and JSON scalars (:mod:`.state_io`)."""
        return state_io.export_state(self)

    @classmethod
    def from_state(cls, state: dict) -> Session:
        """A session from :meth:`export_state` output, bit for bit.

        Raises
        ------
        ValueError, KeyError
            Inconsistent, incomplete or non-finite content.
        """
        return state_io.restore_state(cls, state)

    @classmethod
    def _restored(
        cls,
        *,
        config,
        data,
        fmap,
        dtype,
        metrics,
        has_test,
        stride,
        states,
        live,
        selected,
        temperature,
        diverged,
        notice,
    ) -> Session:
        self = cls.__new__(cls)
        self.dtype = np.dtype(dtype)
        self.changed = Signal()
        self.temperature = temperature
        self.selected = None
        self.diverged = diverged
        self.notice = notice
        self.history = History()
        self._install(config, data, fmap)
        self.selected = selected
        self.history.restore(metrics, has_test, stride, states)
        self._recent = {}
        step, W, b, opt_state, rng = live
        self._opt = self._new_optimizer(config)
        self._opt.load_state(opt_state)
        self._W, self._b, self._rng, self._step = W, b, rng, step
        self._touch()
        return self

    # ================================================================ properties
    @property
    def config(self) -> Config:
        """The configuration in effect at the shown step."""
        return self._config

    @property
    def data(self) -> Data:
        return self._data

    @property
    def feature_map(self):
        return self._fmap

    @property
    def W(self) -> np.ndarray:
        """Weights ``(C, D)`` at the shown step (read-only view, training dtype)."""
        return _readonly(self._W)

    @property
    def b(self) -> np.ndarray:
        """Biases ``(C,)`` at the shown step (read-only view, training dtype)."""
        return _readonly(self._b)

    @property
    def step_index(self) -> int:
        """The step shown (0..head)."""
        return self._step

    @property
    def head(self) -> int:
        """The last step in history."""
        return self.history.head

    @property
    def n_classes(self) -> int:
        return self._data.n_classes

    @property
    def dim(self) -> int:
        """Feature dimension ``D``."""
        return self._fmap.dim

    @property
    def train_index(self) -> np.ndarray:
        """Data indices of the training points, in the order of ``train_*`` arrays."""
        return self._train_index

    @property
    def test_index(self) -> np.ndarray:
        return self._test_index

    @property
    def metrics(self):
        """:class:`~explorer.session.history.Metrics` for steps ``0..head``."""
        return self.history.metrics

    # ============================================================ setup helpers
    @staticmethod
    def _check_train_count(data: Data) -> None:
        if np.count_nonzero(~data.is_test) < 2:
            raise ValueError("the data need at least 2 training points")

    def _make_trainer(self, data: Data, fmap) -> tuple[Trainer, np.ndarray, np.ndarray]:
        train, test = data.train_index, data.test_index
        with np.errstate(over="ignore", invalid="ignore"):
            F_train = fmap.transform(data.X[:, train], dtype=self.dtype)
            F_test = fmap.transform(data.X[:, test], dtype=self.dtype)
        if not (np.isfinite(F_train).all() and np.isfinite(F_test).all()):
            raise ValueError(
                f"points too far out: their features overflow {self.dtype.name}; "
                "rescale the coordinates"
            )
        trainer = Trainer(F_train, data.y[train], F_test, data.y[test], data.n_classes)
        return trainer, train, test

    def _install(self, config: Config, data: Data, fmap, trainer=None) -> None:
        """Adopt data, feature map and configuration (no parameters yet)."""
        if trainer is None:
            trainer, train, test = self._make_trainer(data, fmap)
        else:
            train, test = data.train_index, data.test_index
        self._config = config
        self._data = data
        self._fmap = fmap
        self._trainer = trainer
        self._train_index = _readonly(train)
        self._test_index = _readonly(test)
        self._F64 = None
        if self.selected is not None and self.selected >= data.n_points:
            self.selected = None

    def _init_params(self, config: Config):
        """Fresh ``W (C, D)``, ``b (C,)`` and the batch generator that drew them."""
        rng = np.random.default_rng([config.seed, TRAIN_STREAM])
        C, D = self._data.n_classes, self._fmap.dim
        W = INIT_SCALE * rng.standard_normal((C, D))
        b = INIT_SCALE * rng.standard_normal(C)
        if config.dataset == "cs231n" and config.features == "identity" and (C, D) == (3, 2):
            W, b = CS231N_W.copy(), CS231N_B.copy()
        return W.astype(self.dtype), b.astype(self.dtype), rng

    def _new_optimizer(self, config: Config):
        C, D = self._data.n_classes, self._fmap.dim
        self._opt_key = _optimizer_key(config)
        return make_optimizer(
            config.optimizer,
            [(C, D), (C,)],
            momentum=config.momentum,
            beta1=config.beta1,
            beta2=config.beta2,
            dtype=self.dtype,
        )

    def _start(self, W, b, rng) -> None:
        """Begin a new history at step 0 from ``W, b`` with a fresh optimiser."""
        self.history.clear()
        self.history.has_test = self._test_index.size > 0
        self._recent: dict[int, State] = {}
        self._W = np.array(W, dtype=self.dtype)
        self._b = np.array(b, dtype=self.dtype)
        self._rng = rng
        self._opt = self._new_optimizer(self._config)
        self._step = 0
        self._touch()
        with np.errstate(all="ignore"):
            values, _ = self._metrics_now()
        self.history.append(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0))
        self.history.add(self._snapshot(forced=True))
        self.notice = None

    def _touch(self) -> None:
        """Parameters changed: drop every cached computation."""
        self._fwd: Forward | None = None
        self._cache: dict = {}

    # ================================================================= training
    def _forward(self) -> Forward:
        if self._fwd is None:
            self._fwd = self._trainer.forward(self._W, self._b)
        return self._fwd

    def _metrics_now(self) -> tuple[tuple[float, float, float, float], str | None]:
        """Metrics of the live parameters, and why they are unusable (None if fine)."""
        if not (np.isfinite(self._W).all() and np.isfinite(self._b).all()):
            return (math.nan,) * 4, "the parameters became non-finite"
        fwd = self._forward()
        test_loss, test_acc = self._trainer.test_metrics(self._W, self._b)
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
        cfg, t = self._config, self._step
        lr = learning_rate(
            cfg.schedule,
            cfg.lr,
            t,
            step_every=cfg.step_every,
            step_gamma=cfg.step_gamma,
            cosine_period=cfg.cosine_period,
        )
        tr = self._trainer
        eps = cfg.label_smoothing
        if cfg.batch_size == 0 or cfg.batch_size >= tr.n:
            dW, db = tr.full_grads(self._W, self._forward(), cfg.l2, eps)
        else:
            idx = self._rng.choice(tr.n, size=cfg.batch_size, replace=False)
            idx.sort()
            dW, db = tr.batch_grads(self._W, self._b, idx, cfg.l2, eps)
        self._opt.update([self._W, self._b], [dW, db], lr)
        self._step = t + 1
        self._touch()

    def _train_one(self) -> str | None:
        """Train one new step at the head; returns a divergence reason or None."""
        self._update_params()
        values, problem = self._metrics_now()
        if problem is not None:
            return problem
        self.history.append(values)
        if self.history.wants_checkpoint(self._step):
            self.history.add(self._snapshot(forced=False))
        return None

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
            config=self._config,
            forced=forced,
        )

    def _load(self, state: State) -> None:
        if _optimizer_key(state.config) != self._opt_key:
            self._opt = self._new_optimizer(state.config)
        self._opt.load_state(state.opt)
        self._W = state.W.copy()
        self._b = state.b.copy()
        self._rng = rng_from_array(state.rng)
        self._config = state.config
        self._step = state.step
        self._touch()

    def _goto(self, k: int, *, live_valid: bool = True) -> None:
        """Make step ``k`` (0..head) the live state, replaying from a checkpoint."""
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
            self._recent = {}
        with np.errstate(all="ignore"):
            while self._step < k:
                if self._step >= keep_from:
                    self._recent[self._step] = self._snapshot(forced=False)
                self._advance()

    # ============================================================ step / seek
    def _emit(self, kinds) -> None:
        self.changed.emit(frozenset(kinds))

    def _clear_diverged(self, kinds: set) -> None:
        if self.diverged is not None:
            self.diverged = None
            kinds.add("diverged")

    def step(self, n: int = 1) -> int:
        """Take ``n`` steps: along history while behind the head, then by training.

        Stops early at divergence (the last finite state is kept and :attr:`diverged`
        says why) or when history is full (:attr:`notice` says so). Emits once.

        Returns
        -------
        int
            The number of steps taken.
        """
        n = int(n)
        if n < 1:
            return 0
        done, kinds, config = 0, {"params"}, self._config
        with np.errstate(all="ignore"):
            while done < n and self._step < self.head:
                self._advance()
                done += 1
            while done < n:
                if self.history.full:
                    self.notice = (
                        f"History is full ({MAX_STEPS:,} steps): training stopped. "
                        "Reset, or change a setting at an earlier step, to continue."
                    )
                    kinds.add("history")
                    break
                problem = self._train_one()
                if problem is not None:
                    self._diverge(problem)
                    kinds.add("diverged")
                    break
                done += 1
                kinds.add("history")
        if self._config is not config:
            kinds.add("config")
        self._emit(kinds)
        return done

    def _diverge(self, problem: str) -> None:
        failed = self.head + 1
        self._goto(self.head, live_valid=False)
        c = self._config
        causes = [f"learning rate {c.lr:g}"]
        if c.l2 * c.lr >= 1.0:  # the L2 term alone overshoots once lr·λ ≥ 1 (plain SGD: ≥ 2)
            causes.append(f"L2 {c.l2:g}")
        self.diverged = (
            f"Training diverged at step {failed} ({problem}); the last finite state is kept. "
            f"Lower the {' or the '.join(causes)} and press Step."
        )

    def step_back(self, n: int = 1) -> int:
        """Show ``n`` steps earlier (not before 0); returns the steps moved. Emits once."""
        target = max(0, self._step - max(0, int(n)))
        moved = self._step - target
        self.seek(target)
        return moved

    def seek(self, k: int) -> None:
        """Show step ``k`` (clamped to ``0..head``), bit-identical to when it was trained."""
        k = min(max(int(k), 0), self.head)
        config = self._config
        self._goto(k)
        kinds = {"params"}
        if self._config is not config:
            kinds.add("config")
        self._emit(kinds)

    def reset(self) -> None:
        """Start again from a fresh initialisation (same seed: same init), keep the data."""
        kinds = {"params", "history"}
        self._clear_diverged(kinds)
        self._start(*self._init_params(self._config))
        self._emit(kinds)

    def regenerate(self) -> None:
        """Rebuild the data from the configuration (undoing edits) and reset."""
        config = self._config
        data = make_data(config)
        self._check_train_count(data)
        fmap = fit_features(config, data)
        kinds = {"data", "params", "history", "selection"}
        self._clear_diverged(kinds)
        self.selected = None
        self._install(config, data, fmap)
        self._start(*self._init_params(config))
        self._emit(kinds)

    # ================================================================ configure
    def configure(self, config: Config) -> str:
        """Apply a new configuration at the shown step.

        Data fields regenerate the data and restart; feature fields refit the feature
        map and restart; training fields take effect at once: history after the shown
        step is dropped, the parameters are kept, and a changed optimiser type starts
        with fresh state.

        Returns
        -------
        str
            A note for the status bar ("" when nothing needs saying).

        Raises
        ------
        ConfigError
            The configuration cannot be used; nothing changes.
        """
        if not isinstance(config, Config):
            raise ConfigError(f"expected a Config, got {type(config).__name__}")
        old = self._config
        changed = old.changed_fields(config)
        if not changed:
            return ""
        kinds = {"config"}
        if changed & DATA_FIELDS:
            try:
                data = make_data(config)
                self._check_train_count(data)
                fmap = fit_features(config, data)
            except ConfigError:
                raise
            except ValueError as exc:
                raise ConfigError(str(exc)) from exc
            self._clear_diverged(kinds)
            self.selected = None
            self._install(config, data, fmap)
            self._start(*self._init_params(config))
            kinds |= {"data", "params", "history", "selection"}
            self._emit(kinds)
            return "Data changed: training restarted at step 0"
        if features_differ(old, config):
            try:
                fmap = fit_features(config, self._data)
            except ValueError as exc:
                raise ConfigError(str(exc)) from exc
            self._clear_diverged(kinds)
            self._install(config, self._data, fmap)
            self._start(*self._init_params(config))
            kinds |= {"data", "params", "history"}
            self._emit(kinds)
            return "Features changed: training restarted at step 0"
        self._clear_diverged(kinds)
        self.history.truncate(self._step)
        self._recent = {}
        if config.optimizer != old.optimizer:
            self._opt = self._new_optimizer(config)
        elif _optimizer_key(config) != self._opt_key:
            state = self._opt.state()
            self._opt = self._new_optimizer(config)
            self._opt.load_state(state)
        self._config = config
        self.history.add(self._snapshot(forced=True))
        self.notice = None
        kinds.add("history")
        self._emit(kinds)
        return ""

    def set_params(self, W, b) -> None:
        """Edit the parameters at the shown step (history after it is dropped).

        Raises
        ------
        ValueError
            Wrong shape, or values that are not finite (in the training dtype) or make
            the loss overflow; nothing changes.
        """
        C, D = self.n_classes, self.dim
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
            self._touch()
            values, problem = self._metrics_now()
        if problem is not None:
            self._W, self._b = old
            self._touch()
            raise ValueError(f"these parameters cannot be used: {problem}")
        kinds = {"params", "history"}
        self._clear_diverged(kinds)
        self.history.truncate(self._step)
        self._recent = {}
        self.history.set_metrics(self._step, values)
        self.history.add(self._snapshot(forced=True))
        self.notice = None
        self._emit(kinds)

    # ================================================================ data edits
    def _edit_data(self, data: Data, selected: int | None, *, fmap=None, init=False) -> None:
        """Adopt edited data; restart history at step 0 from the current params."""
        self._check_train_count(data)
        fmap = self._fmap if fmap is None else fmap
        trainer, _, _ = self._make_trainer(data, fmap)
        if not init:
            with np.errstate(all="ignore"):
                fwd = trainer.forward(self._W, self._b)
            if not math.isfinite(fwd.loss):
                raise ValueError("the loss overflows on these points; move them closer")
        kinds = {"data", "params", "history", "selection"}
        self._clear_diverged(kinds)
        self._install(self._config, data, fmap, trainer)
        self.selected = selected
        if init:
            self._start(*self._init_params(self._config))
        else:
            rng = np.random.default_rng([self._config.seed, TRAIN_STREAM])
            self._start(self._W, self._b, rng)
        self._emit(kinds)

    def _check_index(self, i) -> int:
        i = int(i)
        if not 0 <= i < self._data.n_points:
            raise ValueError(f"no point {i} (there are {self._data.n_points})")
        return i

    @staticmethod
    def _check_xy(xy) -> np.ndarray:
        xy = np.array(xy, dtype=np.float64).reshape(-1)
        if xy.shape != (2,) or not np.isfinite(xy).all():
            raise ValueError("a point needs two finite coordinates")
        return xy

    def add_point(self, xy, label: int, test: bool = False) -> int:
        """Add a point of an existing class; returns its index."""
        xy = self._check_xy(xy)
        label = int(label)
        if not 0 <= label < self.n_classes:
            raise ValueError(f"label must be one of the classes 0..{self.n_classes - 1}")
        d = self._data
        data = Data(
            np.concatenate([d.X, xy[:, None]], axis=1),
            np.append(d.y, label),
            np.append(d.is_test, bool(test)),
            d.class_names,
        )
        self._edit_data(data, self.selected)
        return d.n_points

    def move_point(self, i: int, xy) -> None:
        """Move point ``i`` to ``xy``."""
        i, xy = self._check_index(i), self._check_xy(xy)
        data = self._data.copy()
        data.X[:, i] = xy
        self._edit_data(data, self.selected)

    def delete_point(self, i: int) -> None:
        """Delete point ``i`` (at least 2 training points must remain)."""
        i = self._check_index(i)
        d = self._data
        if not d.is_test[i] and np.count_nonzero(~d.is_test) <= 2:
            raise ValueError("cannot delete: at least 2 training points must remain")
        keep = np.arange(d.n_points) != i
        data = Data(d.X[:, keep], d.y[keep], d.is_test[keep], d.class_names)
        sel = self.selected
        if sel is not None:
            sel = None if sel == i else (sel - 1 if sel > i else sel)
        self._edit_data(data, sel)

    def set_data(self, data: Data, refit: bool = False) -> None:
        """Replace the data; history restarts at step 0.

        With the same number of classes and ``refit=False`` the parameters and the fitted
        feature map are kept (the picture does not jump). With ``refit=True`` (a new data
        set, e.g. an imported CSV) the feature map is fitted to the new points and the
        parameters are initialised afresh; a different class count does the same.
        """
        if not isinstance(data, Data):
            raise TypeError(f"expected Data, got {type(data).__name__}")
        data = data.copy()
        self._check_train_count(data)
        fresh = refit or data.n_classes != self.n_classes
        fmap = fit_features(self._config, data) if refit else None
        self._edit_data(data, None, fmap=fmap, init=fresh)

    # ========================================================= selection/display
    def select(self, i: int | None) -> None:
        """Select the data point ``i`` (or nothing)."""
        self.selected = None if i is None else self._check_index(i)
        self._emit({"selection"})

    def set_temperature(self, T: float) -> None:
        """Display temperature ``T`` in [0.001, 1000] dividing the logits of every display.

        The bounds keep ``z / T`` finite in float64 for any trained model.
        """
        T = float(T)
        if not (math.isfinite(T) and MIN_TEMPERATURE <= T <= MAX_TEMPERATURE):
            raise ValueError(
                f"temperature must be a finite number in [{MIN_TEMPERATURE:g}, "
                f"{MAX_TEMPERATURE:g}] (got {T})"
            )
        self.temperature = T
        self._cache = {}
        self._emit({"display"})

    def _display(self) -> dict:
        """Probabilities of the training points at the display temperature (cached)."""
        cached = self._cache.get("display")
        if cached is not None:
            return cached
        fwd, T = self._forward(), self.temperature
        flat = self._trainer.flat
        if T == 1.0:
            P = fwd.P.view()
            logp_true = np.take(fwd.Z.ravel(), flat) - fwd.lse
        else:
            with np.errstate(all="ignore"):
                S = np.subtract(fwd.Z, fwd.zmax)
                S /= self.dtype.type(T)
                P = np.exp(S)
                total = P.sum(axis=0)
                P /= total
                logp_true = np.take(S.ravel(), flat) - np.log(total)
        p_true = np.take(P.ravel(), flat)
        out = {"P": P, "true_error": p_true - 1, "loss": -logp_true}
        for a in out.values():
            a.flags.writeable = False
        self._cache["display"] = out
        return out

    def train_probs(self) -> np.ndarray:
        """``P (C, Ntrain)`` of the training points at the shown step and temperature."""
        return self._display()["P"]

    def train_true_error(self) -> np.ndarray:
        """``p_y − 1`` per training point ``(Ntrain,)``."""
        return self._display()["true_error"]

    def train_max_wrong(self) -> np.ndarray:
        """The largest wrong-class probability per training point ``(Ntrain,)``."""
        display = self._display()
        cached = display.get("max_wrong")
        if cached is None:
            # Only the bars' optional upward series needs it: a (C, N) copy, so on demand.
            P = display["P"]
            if self.n_classes > 1:
                wrong = P.copy()
                wrong.ravel()[self._trainer.flat] = -1
                cached = wrong.max(axis=0)
            else:
                cached = np.zeros_like(display["true_error"])
            cached.flags.writeable = False
            display["max_wrong"] = cached
        return cached

    def train_sample_loss(self) -> np.ndarray:
        """``−log p_y`` per training point ``(Ntrain,)``."""
        return self._display()["loss"]

    def decision_image(self, F_grid: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Class and confidence index per grid point, ``uint8 (M,)``, for ``F_grid (D, M)``.

        See :func:`explorer.core.decision.decision_indices`; ``out`` is reused if given.
        """
        return decision_indices(self._W, self._b, F_grid, temperature=self.temperature, out=out)

    # ============================================================ exact numbers
    def _params64(self):
        cached = self._cache.get("params64")
        if cached is None:
            cached = (self._W.astype(np.float64), self._b.astype(np.float64))
            self._cache["params64"] = cached
        return cached

    def _train_features64(self) -> np.ndarray:
        if self._F64 is not None:
            return self._F64
        X = self._data.X[:, self._train_index]
        F = self._fmap.transform(X, dtype=np.float64)
        if F.nbytes <= F64_CACHE_LIMIT:
            F.flags.writeable = False
            self._F64 = F
        return F

    def sample_detail(self, i: int):
        """:class:`~explorer.session.details.SampleDetail` of data point ``i`` (float64).

        Cached until the parameters, the data or the display change: the Jacobian, the
        bars and the inspector all show the selected sample's detail every frame. Its
        arrays are read-only.
        """
        i = self._check_index(i)
        key = ("sample_detail", i, self._config.label_smoothing, self.temperature)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._sample_detail(i)
            for value in vars(cached).values():
                if isinstance(value, np.ndarray):
                    value.flags.writeable = False
        return cached

    def _sample_detail(self, i: int):
        W64, b64 = self._params64()
        d = self._data
        return details.sample_detail(
            W64,
            b64,
            self._fmap,
            d.X[:, i],
            int(d.y[i]),
            index=i,
            is_test=bool(d.is_test[i]),
            label_smoothing=self._config.label_smoothing,
            temperature=self.temperature,
        )

    def point_detail(self, xy):
        """:class:`~explorer.session.details.PointDetail` at the plane point ``xy (2,)``."""
        W64, b64 = self._params64()
        return details.point_detail(W64, b64, self._fmap, self._check_xy(xy), self.temperature)

    def mean_jacobian(self, exact: bool = True) -> np.ndarray:
        """Mean softmax Jacobian over the training points, float64 ``(C, C)``.

        ``mean_n (diag(p_n) − p_n p_nᵀ) = diag(mean p) − P Pᵀ / N``.

        ``exact=False`` is for pictures that show no numbers (DESIGN §4.2: float32 where
        exactness is not shown): it uses the float32 probabilities the display already has
        (:meth:`train_probs`) with a float32 ``P Pᵀ``, ~1e-6 from the exact matrix, instead
        of a float64 softmax of every training point (~9 ms at N = 80 000, C = 10).
        """
        if not exact:
            return self._mean_jacobian_float32()
        cached = self._cache.get("mean_jacobian")
        if cached is None:
            if self.temperature == 1.0:
                self._batch64()
                return self._cache["mean_jacobian"]
            W64, b64 = self._params64()
            Z = W64 @ self._train_features64()
            Z += b64[:, None]
            Z /= self.temperature
            cached = self._jacobian_of(softmax(Z))
        return cached

    def _mean_jacobian_float32(self) -> np.ndarray:
        cached = self._cache.get("mean_jacobian_float32")
        if cached is None:
            cached = _mean_jacobian_display(self.train_probs())  # float32, display temperature
            cached.flags.writeable = False
            self._cache["mean_jacobian_float32"] = cached
        return cached

    def _jacobian_of(self, P: np.ndarray) -> np.ndarray:
        """``diag(mean p) − P Pᵀ / N`` for ``P (C, N)``, cached read-only."""
        J = _mean_jacobian(P)
        J.flags.writeable = False
        self._cache["mean_jacobian"] = J
        return J

    def batch_grads(self) -> tuple[float, np.ndarray, np.ndarray]:
        """Training objective and its gradients on all training points, float64.

        ``(loss, dW (C, D), db (C,))`` with the configuration's L2 and label smoothing,
        at temperature 1 (these are what training follows).
        """
        key = ("batch_grads", self._config.l2, self._config.label_smoothing)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._batch64()
        return cached

    def _batch64(self) -> tuple[float, np.ndarray, np.ndarray]:
        """:meth:`batch_grads`, and :meth:`mean_jacobian` too at temperature 1, in one pass.

        Both need the float64 softmax of every training point, and its ``exp`` is most of
        their cost (~7 ms at N = 80 000, C = 10: numpy's float64 ``exp`` has no SIMD path
        here): :func:`explorer.core.loss_and_grads` hands its probabilities over on the
        way (``Z / 1.0`` is exact, so they are bit-identical to ``softmax``).
        """
        W64, b64 = self._params64()
        X = self._train_features64()
        y = self._trainer.y
        eps, l2 = self._config.label_smoothing, self._config.l2
        Y = smooth_labels(y, self.n_classes, eps) if eps > 0 else y
        # One (C, N) scratch kept between frames (fresh 6 MB arrays at W3 cost ~3 ms in
        # page faults); it survives _touch(): it holds nothing once the call returns.
        shape = (W64.shape[0], X.shape[1])
        buffer = getattr(self, "_buffer64", None)
        if buffer is None or buffer.shape != shape:
            buffer = self._buffer64 = np.empty(shape, dtype=np.float64)
        share = self.temperature == 1.0 and "mean_jacobian" not in self._cache
        loss, dW, db = loss_and_grads(
            W64, b64, X, Y, l2, out=buffer, on_probs=self._jacobian_of if share else None
        )
        dW.flags.writeable = False
        db.flags.writeable = False
        cached = (loss, dW, db)
        self._cache[("batch_grads", l2, eps)] = cached
        return cached
