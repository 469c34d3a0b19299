"""``softmax-explorer export``'s text outputs: LaTeX, the points, the parameters and metrics.

- ``--format tex``: ``inspector.tex`` and ``parameters.tex``, whole LaTeX documents of the
  inspector's derivation (the selected sample and the batch) and of ``W``, ``b`` with their
  gradients (:mod:`explorer.export.latex`). Only those two views have a LaTeX form: with
  ``--format tex`` alone and no ``--views`` they are the views written, and a view named in
  ``--views`` that gets no format at all is refused.
- ``--points csv``: ``points.csv``, the points as ``x1,x2,label`` (File → Export Data as
  CSV). Not ``--data``: argparse takes that today as short for ``--dataset``.
- ``--numbers csv,json``: ``parameters.csv`` / ``.json`` and ``metrics.csv`` / ``.json``
  (:mod:`explorer.export.tables`; File → Export Parameters…, Export Metrics…).
- ``--full-precision``: the inspector, its picture and its LaTeX, shows every digit.

Kept apart from :mod:`explorer.app.export_command`, which calls :func:`add_options`,
:func:`check`, :func:`image_formats` and :func:`write`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

TEX = "tex"
#: The views that have a LaTeX form.
TEX_VIEWS = ("inspector", "parameters")
POINTS_FORMATS = ("csv",)
NUMBER_FORMATS = ("csv", "json")
POINTS_STEM = "points"
NUMBER_STEMS = ("parameters", "metrics")


def add_options(group, csv_list) -> None:
    """Add ``--points``, ``--numbers`` and ``--full-precision`` to the export's ``group``.

    ``csv_list(allowed, what)`` is the export's parser of comma lists.
    """
    group.add_argument(
        "--points",
        type=csv_list(POINTS_FORMATS, "points format"),
        default=(),
        metavar="LIST",
        help="also write the points: csv (points.csv: x1,x2,label)",
    )
    group.add_argument(
        "--numbers",
        type=csv_list(NUMBER_FORMATS, "numbers format"),
        default=(),
        metavar="LIST",
        help="also write the parameters (W, b and their gradients) and every step's loss and "
        "accuracy as a comma list of csv,json (parameters.csv, metrics.csv, parameters.json, "
        "metrics.json; every float exact)",
    )
    group.add_argument(
        "--full-precision",
        action="store_true",
        help="the inspector (its picture and its LaTeX) shows every digit instead of 4 "
        "significant digits",
    )


def check(args: argparse.Namespace, default_views: tuple[str, ...], fail) -> None:
    """Settle ``args.views`` (None when not given) and refuse a view with nothing to write.

    ``fail(message)`` prints the one-line error and exits 2.
    """
    if args.views is None:
        only_tex = set(args.format) == {TEX}
        args.views = TEX_VIEWS if only_tex else default_views
        return
    bare = [v for v in args.views if not formats_for(args, v)]
    if bare:
        fail(
            f"--format {TEX} is written for the {' and '.join(TEX_VIEWS)} views only: "
            f"{', '.join(bare)} would get no file (add png, svg or pdf to --format)"
        )


def formats_for(args: argparse.Namespace, view_id: str) -> tuple[str, ...]:
    """The ``--format`` entries that ``view_id`` is written in."""
    return tuple(f for f in args.format if f != TEX or view_id in TEX_VIEWS)


def image_formats(args: argparse.Namespace) -> tuple[str, ...]:
    """The picture formats of every view (``--format`` without ``tex``)."""
    return tuple(f for f in args.format if f != TEX)


def planned_files(args: argparse.Namespace, out: Path) -> list[Path]:
    """Every file :func:`write` will write into ``out``."""
    files = [out / f"{view}.{TEX}" for view in args.views if TEX in formats_for(args, view)]
    files += [out / f"{POINTS_STEM}.{fmt}" for fmt in args.points]
    files += [out / f"{stem}.{fmt}" for stem in NUMBER_STEMS for fmt in args.numbers]
    return files


def prepare(window, args: argparse.Namespace) -> None:
    """Set the inspector's precision before anything is drawn (``--full-precision``)."""
    if args.full_precision:
        window.views["inspector"].set_precision(0)


def write(window, session, args: argparse.Namespace, out: Path, say) -> list[Path]:
    """Write the LaTeX, points and number files that ``args`` ask for; return their paths.

    Raises
    ------
    OSError
        A file cannot be written.
    ValueError
        The points cannot be written as CSV (a class name with a comma, say).
    """
    from explorer.app import numbers
    from explorer.core.csvdata import LabelledPoints, save_csv
    from explorer.export.latex import save_tex

    written: list[Path] = []
    texts = {
        "inspector": lambda: numbers.inspector_latex(
            session, window.views["inspector"].precision(), document=True
        ),
        "parameters": lambda: numbers.parameters_latex(session, document=True),
    }
    for view_id in args.views:
        if TEX in formats_for(args, view_id):
            path = out / f"{view_id}.{TEX}"
            say(f"writing {path}")
            written.append(save_tex(path, texts[view_id]()))
    for fmt in args.points:
        path = out / f"{POINTS_STEM}.{fmt}"
        say(f"writing {path}")
        d = session.data
        save_csv(path, LabelledPoints(d.X, d.y, tuple(d.class_names)))
        written.append(path)
    savers = {"parameters": numbers.save_parameters, "metrics": numbers.save_metrics}
    for stem in NUMBER_STEMS:
        for fmt in args.numbers:
            path = out / f"{stem}.{fmt}"
            say(f"writing {path}")
            written.append(savers[stem](session, path))
    return written
