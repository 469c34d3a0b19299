"""``--compare`` for the window and ``softmax-explorer export`` (no Qt).

``--compare FIELD=VALUE[,FIELD=VALUE]`` trains a run B beside the run the other options
describe (:mod:`explorer.session.compare`); ``--compare lesson`` is the lesson's scene
(:mod:`explorer.session.lesson`: three blobs with identity features from large wrong
logits, cross-entropy against squared error) under the other training options. A
session file holding a comparison opens as one with ``--load`` alone. Every refusal is
one line and exit code 2, before any window opens.
"""

from __future__ import annotations

import argparse

from explorer.app.options import build_session, config_changes, fail, given_options
from explorer.session.compare import CompareError, Comparison, parse_spec
from explorer.session.lesson import LESSON, LESSON_SPEC

#: The export names of the regions views in compare mode, replacing ``regions``.
REGIONS_IDS = ("regions-a", "regions-b")


def compare_views(views):
    """Export views in compare mode: ``regions`` becomes ``regions-a`` and ``regions-b``."""
    if views is None:
        return None
    out: list[str] = []
    for view in views:
        out.extend(REGIONS_IDS if view == "regions" else (view,))
    return tuple(dict.fromkeys(out))


def add_compare_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--compare SPEC``."""
    parser.add_argument(
        "--compare",
        metavar="SPEC",
        help="train a second run B beside this one, on the same points from the same start, "
        "differing in FIELD=VALUE[,FIELD=VALUE] (e.g. loss=squared_error or "
        f"optimizer=adam,lr=0.01); '{LESSON}': cross-entropy against squared error from "
        "large wrong logits on three blobs",
    )


def _loaded_comparison(path: str, prog: str):
    """The comparison a session file holds, or None for a single run."""
    from explorer.session.compare_io import load_any
    from explorer.session.persist import SessionFileError

    try:
        return load_any(path)[1]
    except SessionFileError as exc:
        fail(prog, exc)


def build_run(args: argparse.Namespace, prog: str):
    """The session the options describe and its comparison (None without ``--compare``
    and without a comparison file); exit 2 with one line when they are bad.

    Returns
    -------
    session : Session
    comparison : Comparison or None
        Whose run A is ``session``.
    """
    spec = getattr(args, "compare", None)
    if spec is not None and spec.strip().lower() == LESSON:
        clashing = [o for o in ("--load", "--csv") if getattr(args, o[2:], None) is not None]
        clashing += given_options(args, ("data", "features"))
        if clashing:
            fail(
                prog,
                f"--compare {LESSON} and {clashing[0]} contradict: the lesson brings its own "
                "points, features and start; leave one out",
            )
        from explorer.session.lesson import lesson_comparison

        try:
            comparison = lesson_comparison(config_changes(args))
        except ValueError as exc:
            fail(prog, exc)
        return comparison.a, comparison
    overrides = None
    if spec is not None:
        try:
            overrides = parse_spec(spec)
        except CompareError as exc:
            fail(prog, f"--compare {spec}: {exc}")
    session = build_session(args, prog)
    if overrides is None:
        load = getattr(args, "load", None)
        loaded = _loaded_comparison(load, prog) if load is not None else None
        if loaded is None:
            return session, None
        if session.config != loaded.a.config:  # training options given with --load
            loaded.a.configure(session.config)
            loaded.sync()
        return loaded.a, loaded
    try:
        return session, Comparison(session, overrides)
    except CompareError as exc:
        fail(prog, f"--compare {spec}: {exc}")


__all__ = ["LESSON_SPEC", "REGIONS_IDS", "add_compare_option", "build_run", "compare_views"]
