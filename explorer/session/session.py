"""The training session: one object the views read and the app commands.

A :class:`Session` is Qt-free and a facade over parts that each do one job:

- :class:`~explorer.session.build.Setup` (:mod:`.build`): the data, the fitted feature
  map and the trainer a configuration describes;
- :class:`~explorer.session.timeline.Timeline`: live parameters, optimiser, batch
  generator and the shown step along the history, with training and replay;
- :class:`~explorer.session.numbers.Numbers`: what the views read for one version of
  the parameters at the display temperature, replaced whole when either changes;
- :mod:`.edits`: point edits as pure functions on :class:`~explorer.session.data.Data`;
- :mod:`.snapshots`: :meth:`Session.snapshot` and :meth:`Session.restore` for undo, and
  :attr:`Session.actions`, which announces each undoable action with the snapshot from
  before it (the edit methods are actions; training, seeking and selecting are not).

Views connect to :attr:`Session.changed`, which emits one
:class:`~explorer.session.changes.Change` per user-level call. Arrays returned by the
``train_*`` methods are read-only views of caches valid until the session changes (the
next event); copy one to keep it. The display temperature ``T`` divides the scores of
every display computation, whatever the loss, and never enters training. Metrics are the
chosen loss on the hard labels without penalties (the loss you would report); the
per-point numbers (``train_sample_loss``, ``train_dz``, ``train_error_signal``, the
details and the table) and :meth:`Session.batch_grads` are the training objective's
(label smoothing, and for the batch L2 and L1 too): :mod:`.numbers`.
"""

from __future__ import annotations

import math
from operator import attrgetter

import numpy as np

from explorer.core.decision import decision_indices
from explorer.core.hinge import HINGE_LOSSES
from explorer.session import edits, snapshots, state_io
from explorer.session.build import (
    Setup,
    build_setup,
    check_train_count,
    features_differ,
    fit_features,
    initial_params,
    restart_rng,
)
from explorer.session.changes import RESTART, Change
from explorer.session.config import DATA_FIELDS, Config, ConfigError
from explorer.session.data import Data
from explorer.session.events import Signal
from explorer.session.numbers import Numbers, Scratch64
from explorer.session.reports import Configured
from explorer.session.snapshots import SessionSnapshot, undoable
from explorer.session.timeline import SavedTimeline, Timeline
from explorer.session.trainer import TrainingObjective

MIN_TEMPERATURE = 1e-3
MAX_TEMPERATURE = 1e3
#: ``_restart(selected=KEEP)``: the selection stays (if the new data still has it).
KEEP = -1


def _read(path: str, doc: str) -> property:
    """A read-only property whose value is ``self.<path>`` (what one of the parts holds)."""
    return property(attrgetter(path), doc=doc)


class Session:
    """A linear softmax classifier learning on 2-D data, with history for scrubbing.

    Parameters
    ----------
    config : Config, optional
        Defaults to ``Config()``; with ``resume``, the configuration at the shown step.
    data : Data, optional
        Points to use instead of generating them from ``config`` (e.g. from a CSV).
    dtype : float32 or float64
        Training dtype.
    feature_map : FeatureMap, optional
        A fitted feature map to use instead of fitting one to the data.
    resume : SavedTimeline, optional
        History and live state to continue from instead of a fresh start (a file).
    """

    def __init__(
        self,
        config: Config | None = None,
        data: Data | None = None,
        dtype=np.float32,
        *,
        feature_map=None,
        resume: SavedTimeline | None = None,
    ):
        config = Config() if config is None else config
        if not isinstance(config, Config):
            raise TypeError(f"config must be a Config, got {type(config).__name__}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.changed = Signal()
        self._recorder = snapshots.ActionRecorder(self.snapshot)
        self.changed.connect(self._recorder.note)
        self._snapshots = snapshots.Snapshots()
        self._temperature = 1.0
        self._selected: int | None = None
        self._numbers: Numbers | None = None
        self._scratch = Scratch64()
        self._timeline = Timeline(self.dtype)
        data = None if data is None else data.copy()
        self._setup = build_setup(config, self.dtype, data, feature_map)
        if resume is None:
            self._timeline.start(self._setup.trainer, config, *self._fresh_params(config))
        else:
            self._timeline.resume(self._setup.trainer, resume)

    # ============================================================ save / load
    def export_state(self) -> dict:
        """The whole state as plain arrays and JSON scalars (:mod:`.state_io`)."""
        return state_io.export_state(self)

    @classmethod
    def from_state(cls, state: dict) -> Session:
        """A session from :meth:`export_state` output, bit for bit; ``ValueError`` or
        ``KeyError`` for inconsistent, incomplete or non-finite content."""
        return state_io.restore_state(cls, state)

    # ============================================================ undo
    def snapshot(self) -> SessionSnapshot:
        """Everything :meth:`restore` puts back; cheap: it shares history (:mod:`.snapshots`)."""
        return self._snapshots.take(self, self._setup)

    def restore(self, snapshot: SessionSnapshot) -> None:
        """Make the session what it was at ``snapshot``, bit for bit; emits once."""
        setup, saved = snapshots.unpack(snapshot)
        changes = snapshots.changes_to(self, snapshot)
        self._release_numbers()
        if snapshot.dtype != self.dtype:
            self.dtype, self._timeline = snapshot.dtype, Timeline(snapshot.dtype)
        self._setup = setup
        self._timeline.resume(setup.trainer, saved)
        self._selected, self._temperature = snapshot.selected, snapshot.temperature
        self._emit(changes)

    actions = _read("_recorder", "The :class:`~.snapshots.ActionRecorder` of undoable actions.")

    # ============================================== what the parts hold (read-only)
    config = _read("_timeline.config", "The configuration in effect at the shown step.")
    timeline = _read("_timeline", "The :class:`Timeline` (read it; change it through the session).")
    history = _read("_timeline.history", "The :class:`~.history.History` of the timeline.")
    W = _read("_timeline.W", "Weights ``(C, D)`` at the shown step (read-only, training dtype).")
    b = _read("_timeline.b", "Biases ``(C,)`` at the shown step (read-only, training dtype).")
    step_index = _read("_timeline.step_index", "The step shown (0..head).")
    head = _read("_timeline.history.head", "The last step in history.")
    metrics = _read("_timeline.history.metrics", ":class:`~.history.Metrics` of steps 0..head.")
    diverged = _read(
        "_timeline.diverged", "The :class:`~.reports.Divergence` that stopped training, or None."
    )
    notice = _read(
        "_timeline.notice", ":class:`~.reports.HistoryFull` if training stopped at the end."
    )
    data = _read("_setup.data", "The points, a :class:`Data`.")
    feature_map = _read("_setup.feature_map", "The fitted feature map.")
    n_classes = _read("_setup.data.n_classes", "Number of classes ``C``.")
    dim = _read("_setup.feature_map.dim", "Feature dimension ``D``.")
    train_index = _read("_setup.train_index", "Data indices of the ``train_*`` arrays' columns.")
    test_index = _read("_setup.test_index", "Data indices of the test points.")
    selected = _read("_selected", "The selected data point, or None.")
    temperature = _read("_temperature", "The display temperature ``T``.")

    @property
    def numbers(self) -> Numbers:
        """The :class:`~explorer.session.numbers.Numbers` of the shown step and temperature."""
        n = self._numbers
        if n is None or n.version != self._timeline.version or n.temperature != self._temperature:
            n = self._numbers = Numbers(
                self._timeline, self._setup, self._temperature, self._scratch
            )
        return n

    # ================================================================ internals
    def _emit(self, changes: Change) -> None:
        self.changed.emit(changes)

    def _release_numbers(self) -> None:
        """Let the shown step's numbers go before moving it (they would be stale anyway):
        their arrays are then free for the step's own (~5 µs a frame at W1)."""
        self._numbers = None

    def _set_selection(self, i: int | None) -> None:
        """The one place the selection changes (dropped if ``i`` is not a point)."""
        self._selected = i if i is not None and i < self._setup.data.n_points else None

    def _fresh_params(self, config: Config):
        return initial_params(config, self._setup, self.dtype)

    def _restart(
        self,
        changes: Change,
        config: Config,
        setup: Setup | None = None,
        params=None,
        selected: int | None = KEEP,
    ) -> None:
        """Restart training at step 0 and emit ``changes`` with what a restart changes:
        adopt ``setup`` (if given) and ``selected``, start from ``params`` (``W, b, rng``;
        default: a fresh initialisation for ``config``)."""
        if setup is not None:
            self._setup = setup
        self._set_selection(self._selected if selected == KEEP else selected)
        W, b, rng = self._fresh_params(config) if params is None else params
        changes |= self._timeline.start(self._setup.trainer, config, W, b, rng)
        self._emit(changes | RESTART)

    def _built(self, config: Config, data: Data | None = None) -> Setup:
        """:func:`build_setup` for a configuration change: refusals are ConfigErrors."""
        try:
            return build_setup(config, self.dtype, data)
        except ConfigError:
            raise
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc

    # ============================================================ step / seek
    def step(self, n: int = 1) -> int:
        """Take ``n`` steps: along history while behind the head, then by training.

        Stops early at divergence (the last finite state is kept and :attr:`diverged`
        says why) or when history is full (:attr:`notice`). Emits once.

        Returns
        -------
        int
            The number of steps taken.
        """
        n = int(n)
        if n < 1:
            return 0
        config = self.config
        self._release_numbers()
        done, changes = self._timeline.step(n)
        if self.config is not config:
            changes |= Change.CONFIG
        self._emit(Change.PARAMS | changes)
        return done

    def step_back(self, n: int = 1) -> int:
        """Show ``n`` steps earlier (not before 0); returns the steps moved. Emits once."""
        target = max(0, self.step_index - max(0, int(n)))
        moved = self.step_index - target
        self.seek(target)
        return moved

    def seek(self, k: int) -> None:
        """Show step ``k`` (clamped to ``0..head``), bit-identical to when it was trained."""
        k = min(max(int(k), 0), self.head)
        config = self.config
        self._release_numbers()
        self._timeline.goto(k)
        self._emit(Change.PARAMS | (Change.CONFIG if self.config is not config else Change(0)))

    @undoable("reset")
    def reset(self) -> None:
        """Start again from a fresh initialisation (same seed: same init), keep the data."""
        self._restart(Change(0), self.config)

    @undoable("regenerate")
    def regenerate(self) -> None:
        """Rebuild the data from the configuration (undoing edits) and reset."""
        setup = build_setup(self.config, self.dtype)
        self._restart(Change.DATA | Change.SELECTION, self.config, setup, selected=None)

    # ================================================================ configure
    @undoable("configure", snapshots.configured_fields)
    def configure(self, config: Config) -> Configured:
        """Apply a new configuration at the shown step.

        Data fields regenerate the data and restart; feature fields refit the feature
        map and restart; training fields take effect at once: history after the shown
        step is dropped, the parameters are kept, and a changed optimiser type starts
        with fresh state.

        Returns
        -------
        Configured
            What happened (``NOTHING`` for the same configuration: no event).

        Raises
        ------
        ConfigError
            The configuration cannot be used; nothing changes.
        """
        if not isinstance(config, Config):
            raise ConfigError(f"expected a Config, got {type(config).__name__}")
        old = self.config
        changed = old.changed_fields(config)
        if not changed:
            return Configured.NOTHING
        if changed & DATA_FIELDS:
            setup = self._built(config)
            changes = Change.CONFIG | Change.DATA | Change.SELECTION
            self._restart(changes, config, setup, selected=None)
            return Configured.DATA
        if features_differ(old, config):
            self._restart(Change.CONFIG | Change.DATA, config, self._built(config, self.data))
            return Configured.FEATURES
        changes = self._timeline.reconfigure(config)
        self._emit(Change.CONFIG | Change.HISTORY | changes)
        return Configured.TRAINING

    @undoable("set_params", snapshots.edited_params)
    def set_params(self, W, b) -> None:
        """Edit the parameters at the shown step (history after it is dropped); see
        :meth:`Timeline.set_params` for what is refused (``ValueError``, no change)."""
        changes = self._timeline.set_params(W, b)
        self._emit(Change.PARAMS | Change.HISTORY | changes)

    # ================================================================ data edits
    def _edit_data(self, data: Data, selected: int | None, *, fmap=None, init=False) -> None:
        """Adopt edited data; restart history at step 0 from the current params."""
        fmap = self.feature_map if fmap is None else fmap
        setup = build_setup(self.config, self.dtype, data, fmap)
        params = None
        if not init:
            with np.errstate(all="ignore"):
                fwd = setup.trainer.forward(self.W, self.b, TrainingObjective.of(self.config))
            if not math.isfinite(fwd.loss):
                raise ValueError("the loss overflows on these points; move them closer")
            params = (self.W, self.b, restart_rng(self.config))
        self._restart(Change.DATA | Change.SELECTION, self.config, setup, params, selected)

    @undoable("add_point")
    def add_point(self, xy, label: int, test: bool = False) -> int:
        """Add a point of an existing class; returns its index."""
        self._edit_data(*edits.add_point(self.data, xy, label, test, self._selected))
        return self.data.n_points - 1

    @undoable("move_point")
    def move_point(self, i: int, xy) -> None:
        """Move point ``i`` to ``xy``."""
        self._edit_data(*edits.move_point(self.data, i, xy, self._selected))

    @undoable("delete_point")
    def delete_point(self, i: int) -> None:
        """Delete point ``i`` (at least 2 training points must remain)."""
        self._edit_data(*edits.delete_point(self.data, i, self._selected))

    @undoable("set_data")
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
        check_train_count(data)
        fresh = refit or data.n_classes != self.n_classes
        fmap = fit_features(self.config, data) if refit else None
        self._edit_data(data, None, fmap=fmap, init=fresh)

    # ========================================================= selection/display
    def select(self, i: int | None) -> None:
        """Select the data point ``i`` (or nothing)."""
        self._set_selection(None if i is None else edits.check_index(self.data, i))
        self._emit(Change.SELECTION)

    @undoable("set_temperature")
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
        self._temperature = T
        self._emit(Change.DISPLAY)

    # ============================================================ numbers
    # What the views read each frame: see explorer.session.numbers.Numbers.
    def train_probs(self) -> np.ndarray:
        """``P (C, Ntrain)`` of the training points at the shown step and temperature."""
        return self.numbers.probs

    def train_true_error(self) -> np.ndarray:
        """``p_y − 1`` per training point ``(Ntrain,)``."""
        return self.numbers.true_error

    def train_max_wrong(self) -> np.ndarray:
        """The largest wrong-class probability per training point ``(Ntrain,)``."""
        return self.numbers.max_wrong

    def train_sample_loss(self) -> np.ndarray:
        """The chosen loss ``L_n`` per training point ``(Ntrain,)``, float32 (cross-entropy:
        ``−log p_y``)."""
        return self.numbers.sample_loss

    def train_dz(self) -> np.ndarray:
        """The chosen loss's ``∂L_n/∂z_n`` per training point ``(C, Ntrain)``, float32."""
        return self.numbers.dz

    def train_error_signal(self) -> np.ndarray:
        """``∂L_n/∂z`` at the true class per training point ``(Ntrain,)``, float32: the
        bars' error signal (cross-entropy: ``p_y − 1``)."""
        return self.numbers.error_signal

    def train_max_wrong_signal(self) -> np.ndarray:
        """The largest ``∂L_n/∂z_k`` over the wrong classes ``k ≠ y_n`` per training point
        ``(Ntrain,)``, float32: the bars' upward series."""
        return self.numbers.max_wrong_signal

    def train_table(self):
        """:class:`~explorer.session.details.SampleTable`: every training point's ``x``,
        ``z``, ``p``, loss and ``∂L/∂z``, float64 (made on first use, then kept)."""
        return self.numbers.sample_table()

    def decision_image(self, F_grid: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Class and confidence index ``uint8 (M,)`` per grid point of ``F_grid (D, M)``
        (:func:`explorer.core.decision.decision_indices`; ``out`` is reused if given),
        shaded by ``max p``, or for a hinge loss by the top-two score gap clipped at ``Δ``."""
        t, c = self._timeline, self._timeline.config
        shade = "margin" if c.loss in HINGE_LOSSES else "probability"
        return decision_indices(
            t.W, t.b, F_grid, self._temperature, out, shade=shade, margin=c.margin
        )

    def sample_detail(self, i: int):
        """:class:`~explorer.session.details.SampleDetail` of data point ``i`` (float64,
        kept until the parameters, the data or the display change; read-only arrays)."""
        return self.numbers.sample_detail(edits.check_index(self.data, i))

    def point_detail(self, xy):
        """:class:`~explorer.session.details.PointDetail` at the plane point ``xy (2,)``."""
        return self.numbers.point_detail(edits.check_xy(xy))

    def mean_jacobian(self, exact: bool = True) -> np.ndarray:
        """Mean softmax Jacobian ``diag(mean p) − P Pᵀ / N`` of the training points,
        float64 ``(C, C)``; ``exact=False`` for pictures that show no numbers: from the
        float32 display probabilities, ~1e-6 from the exact matrix and much faster (a
        float64 softmax of every point costs ~9 ms at N = 80 000, C = 10)."""
        return self.numbers.mean_jacobian(exact)

    def train_features64(self) -> np.ndarray:
        """Float64 features of the training points ``(D, Ntrain)``, read-only (the
        landscape's ``F``; columns in :attr:`train_index` order)."""
        return self._setup.train_features64()

    def batch_grads(self) -> tuple[float, np.ndarray, np.ndarray]:
        """``(loss, dW (C, D), db (C,))`` of the training objective (the loss and margin,
        L2, L1, label smoothing, temperature 1: what training follows) on all training
        points, float64."""
        return self.numbers.batch_grads()
