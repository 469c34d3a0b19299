"""Command-line options shared by the window, ``export`` and ``bench``.

Every configuration option maps to one field of :class:`explorer.session.config.Config`,
under the same name everywhere (``--dataset``, ``--lr``, ``--batch-size`` ...), and is made
from the field's row of ``explorer.session.config_table.CONFIG_TABLE`` (its ``flag``: help
line, metavar, parser). Parsing needs no Qt.
"""

from __future__ import annotations

import argparse
import re
import sys

from explorer import __version__

#: The most characters of a quoted value (and of any other word: a path) an error
#: message repeats: a 10 MB argument is not echoed.
MAX_QUOTED, MAX_WORD = 80, 240
_LONG_QUOTE = re.compile(rf"'([^']{{{MAX_QUOTED}}})[^']+'")
_LONG_WORD = re.compile(rf"(\S{{{MAX_WORD}}})\S+")


def one_line(message: object) -> str:
    """``message`` on one line (every run of white space, line breaks among it, a single
    space), each quoted value cut to :data:`MAX_QUOTED` characters, other words to
    :data:`MAX_WORD`."""
    text = _LONG_QUOTE.sub(r"'\1…'", " ".join(str(message).split()))
    return _LONG_WORD.sub(r"\1…", text)


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit code 2."""

    def error(self, message: str):
        fail(self.prog, message)


def fail(prog: str, message: object) -> None:
    """Print ``prog: error: message`` as one line (:func:`one_line`) and exit with code 2."""
    sys.stderr.write(f"{prog}: error: {one_line(message)}\n")
    sys.exit(2)


#: An integer option's text: ASCII digits with an optional sign (``int()`` also takes
#: ``"٣"``, ``"３"`` and ``"1_0"``, which no one means as a count).
_INTEGER = re.compile(r"[+-]?[0-9]+")
#: The longest integer text read (Python refuses more than 4300 digits anyway).
_MAX_DIGITS = 30


class OptionValueError(argparse.ArgumentTypeError, ValueError):
    """A refused option value: argparse prints its message as the error line."""


def integer(text: str) -> int:
    """The value of an integer option; :class:`OptionValueError` for anything but ASCII
    digits with an optional sign and surrounding spaces."""
    clean = text.strip()
    if not _INTEGER.fullmatch(clean):
        raise OptionValueError(f"{text!r} is not a whole number (digits 0-9 only)")
    if len(clean.lstrip("+-")) > _MAX_DIGITS:
        raise OptionValueError(f"{text!r} is far too large")
    return int(clean)


def _option_type(parse):
    """``parse`` as an argparse type: its ``ValueError`` message becomes the error line."""

    def convert(text: str):
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


def _in_help_order(rows: list) -> list:
    """``rows`` with every ``flag.help_before`` row moved before the row it names."""
    ordered = [row for row in rows if row.flag.help_before is None]
    for row in rows:
        if row.flag.help_before is not None:
            names = [r.name for r in ordered]
            ordered.insert(names.index(row.flag.help_before), row)
    return ordered


def _add_field_options(group, rows) -> None:
    """One option per row of the configuration table (see ``config_table.Flag``)."""
    for row in rows:
        flag = row.flag
        kwargs: dict[str, object] = {"dest": row.name, "help": flag.help}
        if flag.parse is not None:
            kwargs.update(type=_option_type(flag.parse), metavar=flag.metavar)
        elif row.kind == "choice":
            kwargs["choices"] = sorted(row.choices) if flag.sort_choices else row.choices
        else:
            kwargs.update(type=integer if row.kind == "int" else float, metavar=flag.metavar)
        group.add_argument(row.option, **kwargs)


def _flag_rows(*groups: str) -> list:
    """The rows of the configuration table that have an option, in ``--help`` order."""
    from explorer.session.config_table import CONFIG_TABLE

    return _in_help_order([r for r in CONFIG_TABLE if r.flag is not None and r.group in groups])


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that set a :class:`Config` (and ``--csv`` / ``--load``).

    Each is made from its row of ``explorer.session.config_table.CONFIG_TABLE``.
    """
    g = parser.add_argument_group("data")
    _add_field_options(g, _flag_rows("data"))
    g.add_argument("--csv", metavar="FILE", help="load x1,x2,label points from a CSV file")
    g.add_argument("--load", metavar="SESSION", help="open a saved session file")
    m = parser.add_argument_group("model and training")
    _add_field_options(m, _flag_rows("features", "training"))


def config_changes(args: argparse.Namespace) -> dict:
    """The :class:`Config` fields the user set on the command line.

    An option with its own parser (``--features poly4``) may set more than its field; an
    option given for that other field (``--degree 2``) wins. ``--dataset cs231n`` with no
    feature option means identity features, as choosing it in the panel does: the demo's
    ``W`` and ``b`` are weights of ``x1, x2``.
    """
    changes: dict[str, object] = {}
    implied: dict[str, object] = {}
    for row in _flag_rows("data", "features", "training"):
        value = getattr(args, row.name, None)
        if value is None:
            continue
        if row.flag.parse is None:
            changes[row.name] = value
        else:
            implied.update(value)  # the parsed changes, this row's field among them
    changes = {**implied, **changes}
    if changes.get("dataset") == "cs231n" and not given_options(args, ("features",)):
        changes["features"] = "identity"
    return changes


#: Data options that only shape a generated data set: the points of a CSV file make them
#: meaningless (``--seed`` and ``--test-fraction`` still split the points).
GENERATOR_FIELDS = ("dataset", "classes", "samples", "noise")


def given_options(args: argparse.Namespace, groups: tuple[str, ...], names=None) -> list[str]:
    """The options (``--dataset``...) of ``groups`` given on the command line, in help order.

    ``names`` limits them to those fields.
    """
    return [
        row.option
        for row in _flag_rows(*groups)
        if getattr(args, row.name, None) is not None and (names is None or row.name in names)
    ]


def check_inputs(args: argparse.Namespace, prog: str) -> None:
    """Refuse (exit 2, one line) an empty file name and options that contradict each other.

    ``--load`` brings its own data, features and history: ``--csv`` and the data and
    feature options would replace them (and discard the history), so they are refused
    with it. ``--csv`` brings its own points: the options that only shape a generated
    data set (``--dataset``, ``--classes``, ``--samples``, ``--noise``) are refused with it.
    """
    csv, load = getattr(args, "csv", None), getattr(args, "load", None)
    for option, value in (("--csv", csv), ("--load", load)):
        if value is not None and not value.strip():
            fail(prog, f"{option} needs a file name (got an empty string)")
    if load is not None:
        clashing = (["--csv"] if csv is not None else []) + given_options(
            args, ("data", "features")
        )
        if clashing:
            fail(
                prog,
                f"--load and {clashing[0]} contradict: the session file holds its own data, "
                f"features and history, which {clashing[0]} would replace; leave one out",
            )
    elif csv is not None:
        clashing = given_options(args, ("data",), GENERATOR_FIELDS)
        if clashing:
            fail(
                prog,
                f"--csv and {clashing[0]} contradict: the points come from the CSV file "
                f"and {clashing[0]} would be ignored; leave it out",
            )


def build_session(args: argparse.Namespace, prog: str):
    """Make the :class:`Session` the options describe; exit 2 with one line if they are bad.

    The inputs are checked first (:func:`check_inputs`). Training options given with
    ``--load`` change the loaded run from the step the file shows; when that is not its
    last step they would discard the history after it, and are refused.

    Returns
    -------
    explorer.session.session.Session
    """
    from explorer.core.csvdata import CsvError, load_csv
    from explorer.session.config import Config, ConfigError
    from explorer.session.data import data_from_points
    from explorer.session.session import Session

    check_inputs(args, prog)
    changes = config_changes(args)
    try:
        if getattr(args, "load", None) is not None:
            from explorer.session.persist import SessionFileError, load_session

            try:
                session = load_session(args.load)
            except SessionFileError as exc:
                fail(prog, exc)
            if changes and session.step_index < session.head:
                options = " ".join(given_options(args, ("training",)))
                fail(
                    prog,
                    f"{options} would discard the loaded history after step "
                    f"{session.step_index} (the file shows step {session.step_index} of "
                    f"{session.head}); leave {'it' if ' ' not in options else 'them'} out",
                )
            if changes:
                session.configure(session.config.replace(**changes))
            return session
        config = Config().replace(**changes)
        if getattr(args, "csv", None) is not None:
            try:
                points = load_csv(args.csv)
            except CsvError as exc:
                fail(prog, exc)
            data = data_from_points(points, config.test_fraction, config.seed)
            return Session(config, data=data)
        return Session(config)
    except (ConfigError, ValueError) as exc:
        fail(prog, exc)


def window_parser() -> OneLineParser:
    """The parser for ``softmax-explorer [options]`` (the window)."""
    parser = OneLineParser(
        prog="softmax-explorer",
        description="Watch a linear softmax classifier learn on 2-D data. "
        "Sub-commands: 'softmax-explorer export --help', 'softmax-explorer bench --help'.",
    )
    parser.add_argument("--version", action="version", version=f"softmax-explorer {__version__}")
    add_config_options(parser)
    from explorer.app.compare_cli import add_compare_option

    add_compare_option(parser)
    parser.add_argument("--play", action="store_true", help="start training at once")
    parser.add_argument(
        "--present",
        action="store_true",
        help="start in presentation mode: full screen, large text (F5 or Esc leaves)",
    )
    return parser
