"""Snapshots of a whole session for undo, and the record of the actions that change it.

:func:`take` makes a :class:`SessionSnapshot`: everything an undo puts back (the data
and their feature map, the configuration, the parameters, the optimiser and generator
state, the training history with its checkpoints, the shown step, the selection, the
display temperature, a divergence report). :func:`unpack` and :func:`changes_to` give
the session what :meth:`Session.restore` needs to put a snapshot back bit for bit.

Sharing instead of copying
--------------------------
A snapshot copies only what the session changes in place:

- the live state at the shown step (``W``, ``b``, optimiser slots, generator: a few
  ``C x D`` arrays) through ``Timeline.live_state()``;
- the per-step metrics, which the history overwrites after a truncation, in pieces of
  :data:`METRICS_CHUNK` steps: a piece bit-identical to the one at the same place in the
  previous snapshot is that piece, not a copy (training only appends, so snapshots of one
  run share all but their last piece).

Everything else is held by reference, because nothing changes it once made: the
history's checkpoints (:class:`~explorer.session.history.State`: the history adds,
replaces and drops them but never writes into one, and replay copies out of them), the
:class:`~explorer.session.data.Data` (edits make new ones), the fitted feature map (its
arrays are read-only) and :class:`~explorer.session.config.Config` (frozen). The
trainer's features and buffers (tens of MB at N = 100 000) are not kept: a weak
reference finds them while they are still in use, else :func:`unpack` rebuilds them
from the data and feature map (the same bits). What a snapshot holds, shared pieces
under one key each, is :meth:`SessionSnapshot.pieces`, so a stack of snapshots can
count its bytes once per piece.

Recording actions
-----------------
:class:`ActionRecorder` (``Session.actions``) emits one :class:`Action` after each
outermost user action that changed the session, carrying the snapshot from before it.
The session's edit methods are actions (:func:`undoable`); an app or a view groups
several calls into one (a drag's many moves: :meth:`ActionRecorder.begin` and
:meth:`ActionRecorder.end`, or :meth:`ActionRecorder.group`). Training steps, seeks and
selections are not actions. With nobody listening, no snapshot is taken.
"""

from __future__ import annotations

import functools
import sys
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from explorer.session.build import Setup, build_setup
from explorer.session.changes import Change
from explorer.session.data import Data
from explorer.session.events import Signal
from explorer.session.history import State
from explorer.session.param_path import PathRecord
from explorer.session.reports import Divergence, HistoryFull
from explorer.session.timeline import SavedTimeline

#: Steps per shared piece of the metrics: 4 x 8192 float64 = 256 KiB.
METRICS_CHUNK = 8192
#: Changes that alone do not make an action worth undoing (a click that only selects).
_NOT_AN_EDIT = Change.SELECTION


@dataclass(frozen=True, eq=False)
class SessionSnapshot:
    """A session as it was at one moment (see the module docstring for what is shared).

    Attributes
    ----------
    dtype : numpy.dtype
        The training dtype.
    data : Data
    feature_map : FeatureMap
    metrics : tuple of ndarray of float64, each shape (4, n ≤ METRICS_CHUNK)
        Read-only pieces of the metrics of steps ``0..head``, in order.
    has_test : bool
    stride : int
        The history's checkpoint stride.
    checkpoints : tuple of State
        The history's checkpoints by increasing step (shared, never written).
    live : State
        The state at the shown step (a copy: ``live.step`` is the shown step).
    diverged : Divergence or None
    notice : HistoryFull or None
    selected : int or None
    temperature : float
    path : PathRecord or None
        ``θ`` of the recorded steps (shared with the timeline's record, never written).
    """

    dtype: np.dtype
    data: Data
    feature_map: object
    metrics: tuple[np.ndarray, ...]
    has_test: bool
    stride: int
    checkpoints: tuple[State, ...]
    live: State
    diverged: Divergence | None
    notice: HistoryFull | None
    selected: int | None
    temperature: float
    _setup: Callable[[], Setup | None] = field(repr=False)
    path: PathRecord | None = None

    @property
    def head(self) -> int:
        """The last step of the history held."""
        return sum(piece.shape[1] for piece in self.metrics) - 1

    @property
    def step_index(self) -> int:
        """The step shown."""
        return self.live.step

    @property
    def config(self):
        """The configuration in effect at the shown step."""
        return self.live.config

    def metrics_array(self) -> np.ndarray:
        """The metrics ``(4, head + 1)`` as one new array."""
        return np.concatenate(self.metrics, axis=1)

    def pieces(self) -> dict[int, int]:
        """What the snapshot holds: a key per piece (shared pieces have the same key in
        every snapshot holding them) and its bytes, so that ``sum`` over the union of
        several snapshots' pieces counts each shared piece once."""
        out = {id(piece): _array_bytes(piece) for piece in self.metrics}
        out.update((id(state), state.nbytes) for state in self.checkpoints)
        d = self.data
        out[id(d)] = sum(_array_bytes(a) for a in (d.X, d.y, d.is_test))
        arrays = [v for v in vars(self.feature_map).values() if isinstance(v, np.ndarray)]
        out[id(self.feature_map)] = sum(_array_bytes(a) for a in arrays)
        if self.path is not None and self.path.thetas.size:
            rows = self.path.thetas
            out[id(rows.base)] = _array_bytes(rows) + _array_bytes(self.path.steps)
        own = sys.getsizeof(self) + sys.getsizeof(self.checkpoints) + self.live.nbytes
        out[id(self)] = own + sys.getsizeof(self.metrics)
        return out

    @property
    def nbytes(self) -> int:
        """Bytes held by this snapshot alone (shared pieces included)."""
        return sum(self.pieces().values())


def _array_bytes(a: np.ndarray) -> int:
    """Bytes of ``a`` with its header (``getsizeof`` counts the data only when it owns it)."""
    return sys.getsizeof(a) + (0 if a.base is None else a.nbytes)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two float64 arrays hold the same bits (NaN and -0.0 included)."""
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


def _metric_pieces(metrics, like: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """The metrics ``(4, head + 1)`` in read-only pieces, reusing ``like``'s where equal."""
    rows = (metrics.train_loss, metrics.train_acc, metrics.test_loss, metrics.test_acc)
    pieces = []
    for k, lo in enumerate(range(0, len(metrics), METRICS_CHUNK)):
        hi = min(lo + METRICS_CHUNK, len(metrics))
        old = like[k] if k < len(like) else None
        if old is not None and all(_same_bits(old[r], rows[r][lo:hi]) for r in range(4)):
            pieces.append(old)
            continue
        piece = np.stack([row[lo:hi] for row in rows])
        piece.flags.writeable = False
        pieces.append(piece)
    return tuple(pieces)


class Snapshots:
    """Takes a session's snapshots, each sharing metrics pieces with the one before."""

    def __init__(self) -> None:
        self._last: Callable[[], SessionSnapshot | None] = lambda: None

    def take(self, session, setup: Setup) -> SessionSnapshot:
        """A :class:`SessionSnapshot` of ``session``, whose data and trainer are ``setup``."""
        snapshot = take(session, setup, self._last())
        self._last = weakref.ref(snapshot)
        return snapshot


def take(session, setup: Setup, like: SessionSnapshot | None = None) -> SessionSnapshot:
    """A :class:`SessionSnapshot` of ``session`` (whose data and trainer are ``setup``),
    sharing the metrics pieces it has in common with ``like``."""
    history = session.history
    return SessionSnapshot(
        dtype=session.dtype,
        data=setup.data,
        feature_map=setup.feature_map,
        metrics=_metric_pieces(history.metrics, () if like is None else like.metrics),
        has_test=history.has_test,
        stride=history.stride,
        checkpoints=tuple(history.checkpoints),
        live=session.timeline.live_state(),
        diverged=session.diverged,
        notice=session.notice,
        selected=session.selected,
        temperature=session.temperature,
        _setup=weakref.ref(setup),
        path=session.timeline.path.share(),
    )


def unpack(snapshot: SessionSnapshot) -> tuple[Setup, SavedTimeline]:
    """The :class:`Setup` and :class:`SavedTimeline` that put ``snapshot`` back.

    The setup is the snapshot's own while it still exists, else rebuilt from its data
    and feature map (bit-identical features).
    """
    if not isinstance(snapshot, SessionSnapshot):
        raise TypeError(f"expected a SessionSnapshot, got {type(snapshot).__name__}")
    setup = snapshot._setup()
    if setup is None:
        s = snapshot
        setup = build_setup(s.live.config, s.dtype, s.data, s.feature_map)
    saved = SavedTimeline(
        metrics=snapshot.metrics_array(),
        has_test=snapshot.has_test,
        stride=snapshot.stride,
        checkpoints=list(snapshot.checkpoints),
        live=snapshot.live,
        diverged=snapshot.diverged,
        notice=snapshot.notice,
        path=snapshot.path,
    )
    return setup, saved


def changes_to(session, snapshot: SessionSnapshot) -> Change:
    """What restoring ``snapshot`` changes in ``session`` (the parameters and the
    history are always new)."""
    s = snapshot
    changes = Change.PARAMS | Change.HISTORY
    if (
        s.data is not session.data
        or s.feature_map is not session.feature_map
        or s.dtype != session.dtype
    ):
        changes |= Change.DATA
    if s.live.config != session.config:
        changes |= Change.CONFIG
    if s.selected != session.selected:
        changes |= Change.SELECTION
    if s.temperature != session.temperature:
        changes |= Change.DISPLAY
    if s.diverged != session.diverged:
        changes |= Change.DIVERGED
    return changes


# ================================================================== actions
@dataclass(frozen=True)
class Action:
    """One undoable user action, recorded once it changed the session.

    Attributes
    ----------
    kind : str
        What was done: a session edit (``"add_point"``, ``"move_point"``,
        ``"delete_point"``, ``"set_params"``, ``"configure"``, ``"reset"``,
        ``"regenerate"``, ``"set_data"``, ``"set_temperature"``) or the name an app gave
        a group (``"import_csv"``...). The app words it.
    fields : frozenset of str
        For ``"configure"``, the configuration fields changed; for ``"set_params"``,
        ``"W"`` and/or ``"b"``; else empty.
    before : SessionSnapshot
        The session as it was before the action.
    context : object
        What :attr:`ActionRecorder.context` returned before the action (the app's own
        state beside the session), or None.
    """

    kind: str
    fields: frozenset[str]
    before: SessionSnapshot
    context: object = None


class ActionRecorder:
    """Emits :attr:`recorded` with an :class:`Action` after each outermost user action
    that changed more than the selection.

    Parameters
    ----------
    snapshot : callable
        Takes a :class:`SessionSnapshot` of the session now.

    Attributes
    ----------
    recorded : Signal
        Called with the :class:`Action`.
    context : callable or None
        Called at the start of each action; its result rides along in the Action.
    """

    def __init__(self, snapshot: Callable[[], SessionSnapshot]):
        self.recorded = Signal()
        self.context: Callable[[], object] | None = None
        self._snapshot = snapshot
        self._depth = 0
        self._editing = 0
        self._kind = ""
        self._fields: frozenset[str] = frozenset()
        self._before: SessionSnapshot | None = None
        self._context: object = None
        self._changes = Change(0)

    @property
    def busy(self) -> bool:
        """Whether an action is under way (begun and not yet ended)."""
        return self._depth > 0

    def begin(self, kind: str, fields: frozenset[str] = frozenset()) -> None:
        """Start an action (inside another one, only the outer one counts)."""
        if self._depth == 0:
            self._kind, self._fields, self._changes = kind, frozenset(fields), Change(0)
            listened = len(self.recorded) > 0
            self._before = self._snapshot() if listened else None
            self._context = self.context() if listened and self.context else None
        self._depth += 1

    def end(self) -> None:
        """End the action begun last; the outermost one is recorded if it changed the
        session. Without an action under way, nothing happens."""
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth:
            return
        before, self._before = self._before, None
        if before is not None and self._changes & ~_NOT_AN_EDIT:
            self.recorded.emit(Action(self._kind, self._fields, before, self._context))

    @contextmanager
    def group(self, kind: str, fields: frozenset[str] = frozenset()) -> Iterator[None]:
        """Everything done inside is one action ``kind``."""
        self.begin(kind, fields)
        try:
            yield
        finally:
            self.end()

    @contextmanager
    def editing(self, kind: str, fields: frozenset[str]) -> Iterator[None]:
        """A session edit method runs inside: what it changes belongs to the action."""
        self.begin(kind, fields)
        self._editing += 1
        try:
            yield
        finally:
            self._editing -= 1
            self.end()

    def note(self, changes: Change) -> None:
        """Connected to ``Session.changed``: remember what an edit changed."""
        if self._editing:
            self._changes |= changes


def undoable(kind: str, fields: Callable[..., frozenset[str]] | None = None):
    """Make a :class:`Session` method an action ``kind`` of ``session.actions``.

    ``fields(session, *args, **kwargs)``, called before the method, names what it changes.
    """

    def wrap(method):
        @functools.wraps(method)
        def run(self, *args, **kwargs):
            names = fields(self, *args, **kwargs) if fields is not None else frozenset()
            with self.actions.editing(kind, names):
                return method(self, *args, **kwargs)

        return run

    return wrap


def configured_fields(session, config, *_args) -> frozenset[str]:
    """The fields ``session.configure(config)`` changes (none for a non-Config)."""
    try:
        return session.config.changed_fields(config)
    except (AttributeError, TypeError):
        return frozenset()


def edited_params(session, W, b, *_args) -> frozenset[str]:
    """Which of ``"W"`` and ``"b"`` ``session.set_params(W, b)`` changes."""
    out = set()
    for name, new, old in (("W", W, session.W), ("b", b, session.b)):
        try:
            same = np.array_equal(np.asarray(new, dtype=old.dtype), old)
        except (TypeError, ValueError):
            same = False
        if not same:
            out.add(name)
    return frozenset(out)
