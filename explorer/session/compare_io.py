"""Comparison files: run A's session file with run B inside it.

A comparison is saved as an ordinary session file of run A (format version
:data:`~explorer.session.persist.VERSION`, every entry of :mod:`.state_io`) with two
kinds of extra entries:

``compare/overrides``  str, JSON table of B's settings (``{"loss": "squared_error"}``)
``compare/b/<entry>``  every entry of run B's own session state, under that prefix

So :func:`~explorer.session.persist.load_session` reads a comparison file as run A
alone (what an older reader of version 2 files could not: it refuses the extra
entries), and :func:`load_comparison` reads both runs, bit for bit. Each run's entries
are checked as a session file's are (declared arrays before any is read, then content
and consistency), and B against A: the same points and step 0, and B's settings those
of A's step 0 with the overrides.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from explorer.session import file_layout
from explorer.session.compare import CompareError, Comparison
from explorer.session.config import TRAINING_FIELDS, Config, ConfigError
from explorer.session.file_members import SessionFileError

PREFIX = "compare/"
B_PREFIX = "compare/b/"
OVERRIDES = "compare/overrides"


def is_comparison(entries: dict) -> bool:
    """Whether a file's values (or state) hold a comparison."""
    return OVERRIDES in entries


def split(entries: dict) -> tuple[dict, dict]:
    """Run A's entries and run B's (prefix removed) of a flat state or declaration table;
    ``compare/overrides`` is in neither."""
    a = {k: v for k, v in entries.items() if not k.startswith(PREFIX)}
    b = {k.removeprefix(B_PREFIX): v for k, v in entries.items() if k.startswith(B_PREFIX)}
    return a, b


def check_declared(values: dict, shapes: dict) -> None:
    """A session file's declarations, each run's against its own header values."""
    values_a, values_b = split(values)
    shapes_a, shapes_b = split(shapes)
    unknown = [k for k in (*values, *shapes) if k.startswith(PREFIX)]
    unknown = [k for k in unknown if k != OVERRIDES and not k.startswith(B_PREFIX)]
    if unknown:
        raise ValueError(f"unexpected entry {unknown[0]!r}")
    file_layout.check_declared(values_a, shapes_a)
    if is_comparison(values):
        file_layout.check_declared(values_b, shapes_b)
    elif values_b or shapes_b:
        raise ValueError(f"{next(iter({**values_b, **shapes_b}))!r} of run B without overrides")


def pair_state(comparison: Comparison) -> dict:
    """The flat state of a comparison file (see the module docstring)."""
    state = comparison.a.export_state()
    state[OVERRIDES] = json.dumps(comparison.overrides, sort_keys=True)
    for key, value in comparison.b.export_state().items():
        state[B_PREFIX + key] = value
    return state


def save_comparison(comparison: Comparison, path: str | os.PathLike) -> Path:
    """Write both runs to ``path`` (atomically, as every session file)."""
    from explorer.session.persist import write_state

    try:
        return write_state(path, pair_state(comparison))
    except OSError as exc:
        raise SessionFileError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _overrides(text: object, name: str) -> dict:
    try:
        table = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        table = None
    if not isinstance(table, dict) or not table or not set(table) <= TRAINING_FIELDS:
        raise SessionFileError(f"{name}: compare/overrides must be a table of training settings")
    try:
        Config().replace(**table)
    except ConfigError as exc:
        if "label_smoothing must be 0" not in str(exc):
            raise SessionFileError(f"{name}: compare/overrides: {exc}") from None
    return table


def _runs(state: dict, name: str) -> list:
    """The sessions of a state's runs (one, or A and B), each checked as a file's is."""
    from explorer.session import file_checks, file_consistency
    from explorer.session.session import Session

    runs = []
    for run_state in split(state) if is_comparison(state) else (state,):
        file_checks.check_state(run_state)
        session = Session.from_state(run_state)
        file_consistency.check_session(session, run_state)
        runs.append(session)
    return runs


def load_any(path: str | os.PathLike):
    """A session file's run A and, for a comparison file, its :class:`Comparison`.

    Returns
    -------
    session : Session
    comparison : Comparison or None

    Raises
    ------
    SessionFileError
        An unreadable or inconsistent file.
    """
    from explorer.session.persist import read_state

    name = Path(path).name
    state = read_state(path, layout=check_declared)
    try:
        if not is_comparison(state):
            return _runs(state, name)[0], None
        overrides = _overrides(state[OVERRIDES], name)
        a, b = _runs(state, name)
        return a, Comparison(a, overrides, b=b)
    except SessionFileError:
        raise
    except KeyError as exc:
        raise SessionFileError(f"{name}: entry {exc.args[0]!r} is missing") from exc
    except CompareError as exc:
        raise SessionFileError(f"{name}: {exc}") from exc
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        message = str(exc)
        message = message if len(message) <= 300 else message[:297] + "..."
        raise SessionFileError(f"{name}: {message}") from exc


def load_comparison(path: str | os.PathLike) -> Comparison:
    """Both runs of a comparison file, bit for bit.

    Raises
    ------
    SessionFileError
        An unreadable or inconsistent file, or one that holds a single run.
    """
    _, comparison = load_any(path)
    if comparison is None:
        raise SessionFileError(f"{Path(path).name} holds one run, not a comparison")
    return comparison
