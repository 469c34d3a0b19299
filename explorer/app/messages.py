"""The words for what the session reports (it reports reasons; the app says them).

- :func:`divergence_text`: the status-bar line after training diverged;
- :func:`history_full_text`: training stopped at the maximum history length;
- :func:`configured_text`: what applying a configuration did ("" when nothing needs
  saying);
- :func:`action_name`: an undoable action's name in the Edit menu ("Move Point",
  "Change Learning Rate"), :func:`undo_text` / :func:`redo_text` the menu entries, and
  :func:`restarted_text` the status-bar line after a change that restarted training.

Qt-free, so the CLI uses the same words.
"""

from __future__ import annotations

from explorer.session.config_table import ROWS
from explorer.session.reports import Configured, Divergence, HistoryFull

#: Said after every change that discarded training, which the user may regret.
UNDO_HINT = "Ctrl+Z undoes it."

#: How each implicated setting is named in the advice after a divergence.
_SETTING_NAMES = {"lr": "learning rate", "l2": "L2"}

_CONFIGURED_TEXTS = {
    Configured.NOTHING: "",
    Configured.TRAINING: "",
    Configured.FEATURES: f"Features changed: training restarted. {UNDO_HINT}",
    Configured.DATA: f"Data changed: training restarted. {UNDO_HINT}",
}

#: The Edit menu's name of each kind of undoable action (``Action.kind``).
_ACTION_NAMES = {
    "add_point": "Add Point",
    "move_point": "Move Point",
    "delete_point": "Delete Point",
    "set_params": "Edit Parameters",
    "reset": "Reset",
    "regenerate": "Regenerate Data",
    "set_data": "Change Data",
    "set_temperature": "Change Temperature",
    "import_csv": "Import CSV",
    "new": "New Session",
    "open": "Open Session",
    "previous_config": "Use Previous Configuration",
}


def divergence_text(d: Divergence, cli: bool = False) -> str:
    """What happened and the way back, e.g. ``"Training diverged at step 7 (loss became
    inf); the last finite state is kept. To go on, step back to before the loss blew up
    (Backspace or the timeline) and lower the learning rate 1e+06 there, or lower it and
    press Reset (Ctrl+Shift+R)."``

    Lowering the rate at the last finite state alone does not help: its parameters are
    already huge, and the loss stays there. With ``cli`` the advice names the options.
    """
    values = {"lr": d.lr, "l2": d.l2}
    what = f"Training diverged at step {d.step} ({d.problem}); the last finite state is kept."
    if cli:
        options = " or ".join(f"--{name} {values[name]:g}" for name in d.implicated)
        return f"{what} Lower {options} and run again."
    causes = " or the ".join(f"{_SETTING_NAMES[name]} {values[name]:g}" for name in d.implicated)
    it = "it" if len(d.implicated) == 1 else "one"
    return (
        f"{what} To go on, step back to before the loss blew up (Backspace or the timeline) "
        f"and lower the {causes} there, or lower {it} and press Reset (Ctrl+Shift+R)."
    )


def history_full_text(notice: HistoryFull) -> str:
    """Why training stopped at the end of history, and how to go on."""
    return (
        f"History is full ({notice.steps:,} steps): training stopped. "
        "Reset, or change a setting at an earlier step, to continue."
    )


def configured_text(outcome: Configured) -> str:
    """The status-bar note after :meth:`Session.configure` ("" when nothing needs saying)."""
    return _CONFIGURED_TEXTS[outcome]


def restarted_text(what: str) -> str:
    """The status-bar line after ``what`` (e.g. ``"Point moved"``) restarted training."""
    return f"{what}: training restarted. {UNDO_HINT}"


def action_name(kind: str, fields=frozenset()) -> str:
    """The name of an undoable action (:class:`~explorer.session.snapshots.Action`):
    ``"Move Point"``, ``"Change Learning Rate"``, ``"Edit W"``..."""
    if kind == "configure":
        if len(fields) == 1:
            (name,) = fields
            row = ROWS.get(name)
            label = row.widget.label if row is not None else name
            return "Change " + " ".join(word[:1].upper() + word[1:] for word in label.split())
        return "Change Configuration"
    if kind == "set_params" and len(fields) == 1:
        return f"Edit {next(iter(fields))}"
    return _ACTION_NAMES.get(kind, kind.replace("_", " ").title())


def undo_text(name: str | None) -> str:
    """The Edit menu's Undo entry: ``"&Undo Move Point"`` (``"&Undo"`` with nothing to undo)."""
    return f"&Undo {name}" if name else "&Undo"


def redo_text(name: str | None) -> str:
    """The Edit menu's Redo entry: ``"&Redo Move Point"`` (``"&Redo"`` with nothing to redo)."""
    return f"&Redo {name}" if name else "&Redo"


def undone_text(name: str) -> str:
    """The status-bar line after an undo."""
    return f"Undid {name}. Ctrl+Shift+Z redoes it."


def redone_text(name: str) -> str:
    """The status-bar line after a redo."""
    return f"Redid {name}. {UNDO_HINT}"


#: How the status bar names an action that discarded training (else its menu name).
_DONE_TEXTS = {
    "add_point": "Point added",
    "move_point": "Point moved",
    "delete_point": "Point deleted",
    "regenerate": "Data regenerated",
    "set_data": "Data changed",
}


def discarded_text(kind: str, name: str, kept: int, lost: int) -> str:
    """The status-bar line after action ``kind`` (named ``name``) discarded ``lost``
    steps of training and kept steps ``0..kept``."""
    what = _DONE_TEXTS.get(kind, name)
    if kept == 0:
        return restarted_text(what)
    if lost == 1:
        steps = f"step {kept + 1:,} was"
    else:
        steps = f"the {lost:,} steps after step {kept:,} were"
    return f"{what}: {steps} discarded. {UNDO_HINT}"
