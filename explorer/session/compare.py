"""Two runs side by side: a second model that differs from the first in named settings.

A :class:`Comparison` holds run A (the window's session, unchanged) and run B, a
:class:`~explorer.session.session.Session` of its own on the same points, the same
fitted feature map and the same step-0 state (``W``, ``b``, optimiser state, batch
generator) whose configuration is A's with :attr:`Comparison.overrides` applied. Only
training fields may differ (:data:`COMPARE_FIELDS`): both models must have the same
shape, on the same data.

B follows A in lock step. :meth:`Comparison.sync` (call it after each change of A, e.g.
connected to ``A.changed`` ahead of A's views) makes B what it must be:

- B shows A's step: it seeks along its own history, or trains on to reach it (it stops
  early if it diverges: :attr:`Session.diverged` of B says why, and A goes on alone);
- every edit A's history holds after step 0 (a forced checkpoint: a changed training
  setting, edited parameters) is done to B at the same step, a setting B overrides
  excepted (A's new loss does not change B's loss);
- when A's step 0, its data or its feature map are not those B was made from (a
  restart, a data edit, an undo across an edit), B is made again from A's new step 0
  and replays A's edits;
- the selection and the display temperature are A's.

So B is a function of A's history and the overrides, and step, play, step back and
scrub move both. The parsing of ``FIELD=VALUE[,FIELD=VALUE]`` (:func:`parse_spec`) goes
through the configuration table: each field's own spelling rules (``loss=svm-ww``) and
checks apply.
"""

from __future__ import annotations

import contextlib

import numpy as np

from explorer.core.optimizers import make_optimizer
from explorer.session.changes import Change
from explorer.session.config import TRAINING_FIELDS, Config, ConfigError
from explorer.session.config_table import CONFIG_TABLE, ROWS
from explorer.session.history import DEFAULT_STRIDE, SavedTimeline, State

#: The settings a comparison may change: the training fields, in the table's order.
COMPARE_FIELDS = tuple(row.name for row in CONFIG_TABLE if row.name in TRAINING_FIELDS)
#: How the two runs are named in legends, file names and messages.
RUN_NAMES = ("A", "B")


class CompareError(ValueError):
    """A comparison that cannot be made; the message says why in one sentence."""


def _number(row, text: str) -> object:
    try:
        return int(text) if row.kind == "int" else float(text)
    except ValueError:
        kind = "an integer" if row.kind == "int" else "a number"
        raise CompareError(f"{row.name} must be {kind} (got {text!r})") from None


def _parse_value(row, text: str) -> dict[str, object]:
    """``text`` as the value of ``row``'s field, by the field's own rules."""
    if row.flag is not None and row.flag.parse is not None:
        try:
            return row.flag.parse(text)
        except ValueError as exc:
            raise CompareError(str(exc)) from None
    if row.kind == "choice":
        value = text.lower()
        if value not in row.choices:
            raise CompareError(f"{row.name} must be one of {', '.join(row.choices)} (got {text!r})")
        return {row.name: value}
    if row.kind == "optional real" and text.lower() in ("default", "none"):
        return {row.name: None}
    return {row.name: _number(row, text)}


def parse_spec(text: str) -> dict[str, object]:
    """The settings of ``FIELD=VALUE[,FIELD=VALUE]`` (``loss=squared_error``,
    ``optimizer=adam,lr=0.01``).

    A field is written as in :class:`Config` or as its option without dashes
    (``batch-size=32``); a value as on the command line (``loss=svm-ww``). Each value
    is checked as the field checks it.

    Raises
    ------
    CompareError
        Empty text, a part without ``=``, an unknown or non-training field, a field
        given twice, or a value the field refuses.
    """
    if not isinstance(text, str) or not text.strip():
        raise CompareError("a comparison needs FIELD=VALUE[,FIELD=VALUE] (e.g. loss=squared_error)")
    out: dict[str, object] = {}
    for part in text.split(","):
        name, equals, value = (s.strip() for s in part.partition("="))
        if not equals or not name or not value:
            raise CompareError(
                f"{part.strip()!r} is not FIELD=VALUE (e.g. loss=squared_error or lr=0.01)"
            )
        name = name.lower().replace("-", "_")
        row = ROWS.get(name)
        if row is None or row.group == "display":
            raise CompareError(
                f"unknown setting {name!r}: a comparison changes one of {', '.join(COMPARE_FIELDS)}"
            )
        if name not in TRAINING_FIELDS:
            raise CompareError(
                f"{name} is a {row.group} setting: both runs train on the same data and "
                f"features, so a comparison changes training settings only "
                f"({', '.join(COMPARE_FIELDS)})"
            )
        parsed = _parse_value(row, value)
        for key in parsed:
            if key in out:
                raise CompareError(f"{key} is given twice")
        out.update(parsed)
    try:
        Config().replace(**out)  # each value's own range check
    except ConfigError as exc:
        if "label_smoothing must be 0" not in str(exc):  # a rule across fields: A decides
            raise CompareError(str(exc)) from None
    return out


def spec_text(overrides: dict[str, object]) -> str:
    """``overrides`` written back as ``FIELD=VALUE,...`` (what :func:`parse_spec` reads)."""
    return ",".join(f"{k}={'default' if v is None else v}" for k, v in overrides.items())


def _value_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "default" if value is None else str(value).replace("_", " ")


class Comparison:
    """Run A and run B side by side (see the module docstring).

    Parameters
    ----------
    a : Session
        Run A; never changed by the comparison.
    overrides : dict[str, object]
        Training fields and B's values (e.g. from :func:`parse_spec`).
    b : Session, optional
        A run B read back from a file (checked against A and the overrides); default:
        B is made from A's step 0.

    Raises
    ------
    CompareError
        No override, a field that is not a training setting, a configuration B cannot
        have (label smoothing with an SVM loss), or an inconsistent ``b``.
    """

    def __init__(self, a, overrides: dict[str, object], b=None):
        overrides = dict(overrides)
        if not overrides:
            raise CompareError("a comparison needs at least one setting for run B")
        bad = sorted(set(overrides) - TRAINING_FIELDS)
        if bad:
            raise CompareError(
                f"{bad[0]} is not a training setting; a comparison changes only those"
            )
        self.a = a
        self.overrides = overrides
        self._pending = Change(0)
        self.b = None
        #: A at the last sync: (shown step, W, b, the checkpoint at that step or None).
        self._seen = None
        #: id of each edit of A seen -> (the edit, whether it set the parameters).
        self._param_edits: dict[int, tuple[State, bool]] = {}
        if b is None:
            self._rebuild()
        else:
            self._adopt(b)
        self._remember()

    # ----------------------------------------------------------------- labels
    def label(self, run: int) -> str:
        """``"A: loss cross entropy"`` / ``"B: loss squared error"``: the run's name and
        its values of the compared fields (``run`` 0 for A, 1 for B)."""
        config = (self.a, self.b)[run].config
        values = ", ".join(f"{k} {_value_text(getattr(config, k))}" for k in self.overrides)
        return f"{RUN_NAMES[run]}: {values}"

    def config_b(self, config_a: Config) -> Config:
        """B's configuration for A's ``config_a``; raises :class:`CompareError`."""
        try:
            return config_a.replace(**self.overrides)
        except ConfigError as exc:
            raise CompareError(f"run B cannot use {spec_text(self.overrides)}: {exc}") from None

    # ----------------------------------------------------------------- making B
    def _origin_state(self, origin: State, config: Config) -> State:
        """A's step-0 state ``origin`` under B's ``config`` (fresh optimiser slots when
        B's optimiser differs: they are fresh at step 0 anyway)."""
        if config.optimizer == origin.config.optimizer:
            opt = {k: v.copy() for k, v in origin.opt.items()}
        else:
            C, D = origin.W.shape
            opt = make_optimizer(config.optimizer, [(C, D), (C,)], dtype=origin.W.dtype).state()
        return State(0, origin.W.copy(), origin.b.copy(), opt, origin.rng.copy(), config, True)

    def _rebuild(self) -> None:
        """Make B from A's step 0, then replay A's edits and go to A's step."""
        from explorer.session.session import Session

        a = self.a
        origin = a.history.nearest(0)
        state = self._origin_state(origin, self.config_b(origin.config))
        saved = SavedTimeline(
            metrics=np.zeros((4, 1)),
            has_test=a.history.has_test,
            stride=DEFAULT_STRIDE,
            checkpoints=[state],
            live=state,
        )
        b = Session(state.config, a.data, a.dtype, feature_map=a.feature_map, resume=saved)
        try:
            b.set_params(origin.W, origin.b)  # step 0's metrics, under B's loss
        except ValueError as exc:
            raise CompareError(f"run B cannot start: {exc}") from None
        self._attach(b, origin, edits=[])
        self._pending |= Change.SESSION
        self._follow()

    def _adopt(self, b) -> None:
        """Take a run B read back from a file, after checking it is A's comparison."""
        a, origin = self.a, self.a.history.nearest(0)
        b0 = b.history.nearest(0)
        same = (
            b.dtype == a.dtype
            and b.n_classes == a.n_classes
            and b.dim == a.dim
            and all(np.array_equal(getattr(b.data, k), getattr(a.data, k)) for k in ("X", "y"))
            and np.array_equal(b.data.is_test, a.data.is_test)
            and np.array_equal(b0.W, origin.W)
            and np.array_equal(b0.b, origin.b)
            and b0.config == self.config_b(origin.config)
        )
        if not same:
            raise CompareError("run B is not run A's comparison (data, step 0 or settings differ)")
        edits = a.history.forced_after(0)
        self._attach(b, origin, edits)

    def _attach(self, b, origin: State, edits: list[State]) -> None:
        if self.b is not None:
            self.b.changed.disconnect(self._note)
        self.b = b
        b.changed.connect(self._note)
        self._made_from = (self.a.data, self.a.feature_map, self.a.dtype, origin)
        self._edits = edits

    def _note(self, changes: Change) -> None:
        self._pending |= changes

    # ----------------------------------------------------------------- following A
    def _stale(self) -> bool:
        """Whether B was made from another step 0, data or feature map than A's now, or
        an edit it followed is no longer in A's history (an undo)."""
        a = self.a
        data, fmap, dtype, origin = self._made_from
        if a.data is not data or a.feature_map is not fmap or a.dtype != dtype:
            return True
        if a.history.get(0) is not origin:
            return True
        return bool(self._edits) and a.history.get(self._edits[-1].step) is not self._edits[-1]

    def _goto(self, k: int) -> bool:
        """Show step ``k`` in B (training on if needed); whether B got there."""
        b = self.b
        if k <= b.head:
            if b.step_index != k:
                b.seek(k)
        elif b.step_index < k:
            b.step(k - b.step_index)
        return b.step_index == k

    def _observe(self) -> None:
        """Tell whether an edit A made at the shown step since the last sync set its
        parameters: its ``W``, ``b`` against those A showed then (a configuration change
        keeps them). An edit that replaced another at that step inherits its answer."""
        a, seen = self.a, self._seen
        edit = a.history.get(a.step_index)
        if edit is None or not edit.forced or id(edit) in self._param_edits:
            return
        if seen is None or seen[0] != edit.step:
            return  # not seen before it: _param_edit guesses
        _, W, b, replaced = seen
        moved = not (np.array_equal(W, edit.W) and np.array_equal(b, edit.b))
        if replaced is not None and id(replaced) in self._param_edits:
            moved = moved or self._param_edits[id(replaced)][1]
        self._param_edits[id(edit)] = (edit, moved)

    def _remember(self) -> None:
        a = self.a
        self._seen = (a.step_index, a.W.copy(), a.b.copy(), a.history.get(a.step_index))

    def _param_edit(self, edit: State, before: Config) -> bool:
        """Whether A's ``edit`` set the parameters (unseen: when it changed no setting)."""
        known = self._param_edits.get(id(edit))
        return known[1] if known is not None else edit.config == before

    def _mirror(self, edit: State) -> None:
        """Do A's edit at step ``edit.step`` to B (B already shows that step)."""
        b = self.b
        before = self.a.history.nearest(edit.step - 1).config
        changed = before.changed_fields(edit.config) - set(self.overrides)
        if changed:
            # B may refuse it (label smoothing with its SVM loss): then it keeps its own
            with contextlib.suppress(ConfigError):
                b.configure(b.config.replace(**{f: getattr(edit.config, f) for f in changed}))
        if self._param_edit(edit, before):
            with contextlib.suppress(ValueError):  # B's loss overflows on them: B keeps its own
                b.set_params(edit.W, edit.b)

    def _follow(self) -> None:
        a = self.a
        last = self._edits[-1].step if self._edits else 0
        for edit in a.history.forced_after(last):
            self._edits.append(edit)
            if self._goto(edit.step):
                self._mirror(edit)
        self._goto(a.step_index)
        b = self.b
        if b.selected != a.selected:
            b.select(a.selected)
        if b.temperature != a.temperature:
            b.set_temperature(a.temperature)

    def sync(self, _changes: Change | None = None) -> Change:
        """Make B follow A (see the module docstring); returns what changed in B
        (``Change.SESSION`` when B is a new session object)."""
        self._pending = Change(0)
        self._observe()
        if self._stale():
            self._rebuild()
        else:
            self._follow()
        self._remember()
        changes, self._pending = self._pending, Change(0)
        return changes

    # ----------------------------------------------------------------- commands
    def step(self, n: int = 1) -> int:
        """Step A ``n`` times and B with it; returns A's steps."""
        done = self.a.step(n)
        self.sync()
        return done

    def step_back(self, n: int = 1) -> int:
        """Step A and B back ``n`` steps; returns A's steps moved."""
        moved = self.a.step_back(n)
        self.sync()
        return moved

    def seek(self, k: int) -> None:
        """Show step ``k`` in A and B."""
        self.a.seek(k)
        self.sync()

    def close(self) -> None:
        """Stop following A (B keeps its state; nothing is emitted)."""
        if self.b is not None:
            self.b.changed.disconnect(self._note)
