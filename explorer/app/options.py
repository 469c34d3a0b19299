"""Command-line options shared by the window, ``export`` and ``bench``.

Every option maps to one field of :class:`explorer.session.config.Config`, under the
same name everywhere (``--dataset``, ``--lr``, ``--batch-size`` ...). Parsing needs no Qt.
"""

from __future__ import annotations

import argparse
import sys

from explorer import __version__


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit code 2."""

    def error(self, message: str):
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def fail(prog: str, message: str) -> None:
    """Print ``prog: error: message`` as one line and exit with code 2."""
    sys.stderr.write(f"{prog}: error: {' '.join(str(message).split())}\n")
    sys.exit(2)


def _features(text: str) -> tuple[str, int | None]:
    """Parse ``identity``, ``rff``, ``poly`` or ``polyK`` (K = degree)."""
    text = text.strip().lower()
    if text.startswith("poly") and text[4:].isdigit():
        return "poly", int(text[4:])
    if text in ("identity", "poly", "rff"):
        return text, None
    raise argparse.ArgumentTypeError(
        f"unknown feature map {text!r} (choose identity, poly, polyK with K = 1..6, or rff)"
    )


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that set a :class:`Config` (and ``--csv`` / ``--load``)."""
    from explorer.core.datasets import DATASETS
    from explorer.core.optimizers import OPTIMIZERS
    from explorer.core.schedules import SCHEDULES

    g = parser.add_argument_group("data")
    g.add_argument("--dataset", choices=sorted(DATASETS), help="built-in data set (default blobs)")
    g.add_argument("--classes", type=int, metavar="C", help="number of classes")
    g.add_argument("--samples", type=int, metavar="N", help="number of points")
    g.add_argument("--noise", type=float, metavar="S", help="noise scale of the data set")
    g.add_argument("--seed", type=int, metavar="K", help="random seed (data, init, batches)")
    g.add_argument("--test-fraction", type=float, metavar="F", help="share held out for testing")
    g.add_argument("--csv", metavar="FILE", help="load x1,x2,label points from a CSV file")
    g.add_argument("--load", metavar="SESSION", help="open a saved session file")
    m = parser.add_argument_group("model and training")
    m.add_argument(
        "--features",
        type=_features,
        metavar="MAP",
        help="feature map: identity, poly, polyK (degree K) or rff",
    )
    m.add_argument("--degree", type=int, metavar="K", help="polynomial degree 1..6")
    m.add_argument("--optimizer", choices=OPTIMIZERS, help="optimiser (default sgd)")
    m.add_argument("--lr", type=float, metavar="RATE", help="learning rate")
    m.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule")
    m.add_argument("--momentum", type=float, metavar="MU", help="momentum coefficient")
    m.add_argument("--batch-size", type=int, metavar="B", help="mini-batch size (0 = full batch)")
    m.add_argument("--l2", type=float, metavar="LAMBDA", help="L2 penalty on W")
    m.add_argument("--label-smoothing", type=float, metavar="EPS", help="label smoothing in [0, 1)")


_DIRECT_FIELDS = (
    "dataset",
    "classes",
    "samples",
    "noise",
    "seed",
    "test_fraction",
    "degree",
    "optimizer",
    "lr",
    "schedule",
    "momentum",
    "batch_size",
    "l2",
    "label_smoothing",
)


def config_changes(args: argparse.Namespace) -> dict:
    """The :class:`Config` fields the user set on the command line."""
    changes = {f: getattr(args, f) for f in _DIRECT_FIELDS if getattr(args, f, None) is not None}
    if getattr(args, "features", None) is not None:
        kind, degree = args.features
        changes["features"] = kind
        if degree is not None and "degree" not in changes:
            changes["degree"] = degree
    return changes


def build_session(args: argparse.Namespace, prog: str):
    """Make the :class:`Session` the options describe; exit 2 with one line if they are bad.

    Returns
    -------
    explorer.session.session.Session
    """
    from explorer.core.csvdata import CsvError, load_csv
    from explorer.session.config import Config, ConfigError
    from explorer.session.data import data_from_points
    from explorer.session.session import Session

    changes = config_changes(args)
    try:
        if getattr(args, "load", None):
            from explorer.session.persist import SessionFileError, load_session

            try:
                session = load_session(args.load)
            except SessionFileError as exc:
                fail(prog, exc)
            if changes:
                session.configure(session.config.replace(**changes))
            return session
        config = Config().replace(**changes)
        if getattr(args, "csv", None):
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
    parser.add_argument("--play", action="store_true", help="start training at once")
    return parser
