"""``softmax-explorer export``: train, then write images, animations and a session file, headless.

It selects Qt's offscreen platform itself, so it runs with no display. Everything is
checked before anything is trained or written, every output path among it (its folder
can be made and written in, no folder stands where a file goes); on a bad option, file
or value it prints one line on stderr and exits with code 2. Should writing fail all
the same (a full disk), what this run wrote is removed before it exits 2. Progress
goes to stderr (:mod:`explorer.app.progress`), nothing of it with ``--quiet``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import suppress
from pathlib import Path

from explorer.app import export_landscape, export_numbers, export_window
from explorer.app.compare_cli import add_compare_option, build_run, compare_views
from explorer.app.messages import divergence_text
from explorer.app.options import (
    OneLineParser,
    add_config_options,
    fail,
    integer,
)
from explorer.app.progress import Progress, train
from explorer.export.formats import ANIMATION_FORMATS, file_name, missing_requirement

#: The regions view's overlays (kept in step with ``explorer.views.items.plane_texts.OVERLAYS``,
#: which this module does not import before Qt is set up).
OVERLAYS = ("boundaries", "weights", "zero-lines", "pull")

PROG = "softmax-explorer export"
IMAGE_FORMATS = ("png", "svg", "pdf")
#: ``tex``: the LaTeX of the inspector and the parameters (:mod:`explorer.app.export_numbers`).
FORMATS = (*IMAGE_FORMATS, export_numbers.TEX)
EXPORT_VIEWS = (
    "regions", "jacobian", "bars", "curves", "inspector", "parameters", "landscape", "window"
)  # fmt: skip
DEFAULT_VIEWS = ("regions", "jacobian", "bars", "curves", "inspector", "window")
WINDOW_SIZE = (1400, 900)


def _csv_list(allowed: tuple[str, ...], what: str):
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(dict.fromkeys(t.strip().lower() for t in text.split(",") if t.strip()))
        bad = [t for t in items if t not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {', '.join(bad) or repr(text)} (choose from {','.join(allowed)})"
            )
        return items

    return parse


def export_parser() -> OneLineParser:
    parser = OneLineParser(
        prog=PROG,
        description="Train a classifier and export its views as images, without a display.",
    )
    add_config_options(parser)
    add_compare_option(parser)  # then regions-a and regions-b instead of regions
    out = parser.add_argument_group("export")
    out.add_argument("--steps", type=integer, default=200, metavar="K", help="steps to train first")
    out.add_argument("--out", default="export", metavar="DIR", help="output folder (created)")
    out.add_argument(
        "--views",
        type=_csv_list(EXPORT_VIEWS, "view"),
        default=None,
        metavar="LIST",
        help=f"comma list of {','.join(EXPORT_VIEWS)} (default all but parameters and "
        "landscape; "
        "with --format tex alone, inspector,parameters)",
    )
    out.add_argument(
        "--format",
        type=_csv_list(FORMATS, "format"),
        default=("png",),
        metavar="LIST",
        help="comma list of png,svg,pdf,tex (default png; svg and pdf are vector figures; "
        "tex is a LaTeX document of the inspector's or the parameters' numbers)",
    )
    out.add_argument("--scale", type=float, default=1.0, metavar="S", help="PNG scale, e.g. 2")
    out.add_argument(
        "--animation",
        type=_csv_list(ANIMATION_FORMATS, "animation format"),
        default=(),
        metavar="LIST",
        help=f"also record training as a comma list of {','.join(ANIMATION_FORMATS)} "
        "(training.gif, training.mp4, ...; mp4 and webm need the video extra; "
        "pdf is a page per frame for LaTeX's animate)",
    )
    out.add_argument("--gif", action="store_true", help="the same as --animation gif")
    out.add_argument(
        "--every", type=integer, default=5, metavar="M", help="steps per frame (default 5)"
    )
    out.add_argument(
        "--fps",
        type=float,
        default=10.0,
        metavar="F",
        help="frames per second, 1 to 50 (default 10)",
    )
    out.add_argument(
        "--animation-view",
        "--gif-view",
        dest="gif_view",
        default="window",
        choices=EXPORT_VIEWS,
        metavar="V",
        help=f"view to record: one of {','.join(EXPORT_VIEWS)} (default window)",
    )
    out.add_argument("--save-session", metavar="FILE", help="also write the session file")
    out.add_argument(
        "--select",
        metavar="I",
        help="select data point I (or 'worst': the training point with the largest loss) "
        "after training: the Jacobian, bars and inspector show it",
    )
    out.add_argument(
        "--overlays",
        type=_csv_list(OVERLAYS, "overlay"),
        default=(),
        metavar="LIST",
        help=f"comma list of regions overlays to show: {','.join(OVERLAYS)}",
    )
    export_landscape.add_option(out)
    out.add_argument(
        "--quiet", action="store_true", help="print no progress on stderr (errors still)"
    )
    export_numbers.add_options(out, _csv_list)
    return parser


def _check(args: argparse.Namespace) -> None:
    export_numbers.check(args, DEFAULT_VIEWS, lambda message: fail(PROG, message))
    if not 0 <= args.steps <= 1_000_000:
        fail(PROG, f"--steps must be between 0 and 1000000 (got {args.steps})")
    if not 0.1 <= args.scale <= 8:
        fail(PROG, f"--scale must be between 0.1 and 8 (got {args.scale})")
    args.animation = tuple(dict.fromkeys(args.animation + (("gif",) if args.gif else ())))
    if args.animation:
        if args.every < 1:
            fail(PROG, f"--every must be at least 1 (got {args.every})")
        if not 1 <= args.fps <= 50:
            fail(PROG, f"--fps must be between 1 and 50 (got {args.fps})")
        if args.steps < args.every:
            fail(PROG, "--animation needs --steps to be at least --every")
        for fmt in args.animation:
            problem = missing_requirement(fmt)
            if problem is not None:
                fail(PROG, problem)
    if args.select not in (None, "worst"):
        try:
            args.select = integer(args.select)
        except ValueError:
            fail(
                PROG,
                f"--select takes a point index (digits 0-9) or 'worst' (got {args.select!r})",
            )


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _probe(folder: Path, option: str, shown: str) -> None:
    """Refuse ``option`` unless a file can be made in the existing ``folder`` (none is left)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".softmax-explorer-probe-", dir=folder)
    except OSError as exc:
        fail(PROG, f"{option} {shown}: cannot write in {folder} ({exc.strerror or exc})")
    os.close(fd)
    os.unlink(probe)


def _existing_folder(path: Path, option: str, shown: str) -> tuple[Path, list[Path]]:
    """The nearest existing folder at or above ``path`` and the folders missing below it.

    Refuses ``option`` when that nearest existing path is a file.
    """
    missing = []
    while not path.exists() and path.parent != path:
        missing.append(path)
        path = path.parent
    if not path.is_dir():
        fail(PROG, f"{option} {shown}: {path} is not a folder")
    return path, missing[::-1]


def _plan_outputs(args: argparse.Namespace) -> tuple[list[Path], list[Path]]:
    """Check every path the export will write; return (files, folders to create), absolute.

    Nothing is written (a probe file is made and removed in each folder written in).
    """
    if not args.out:
        fail(PROG, "--out needs a folder name (got an empty string)")
    if args.save_session is not None and not args.save_session.strip():
        fail(PROG, "--save-session needs a file name (got an empty string)")
    out = _absolute(Path(args.out))
    try:
        str(out).encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, from the command line
        fail(PROG, f"--out {args.out!r}: the image writers need a folder name in UTF-8")
    if out.exists() and not out.is_dir():
        fail(PROG, f"--out {args.out} exists and is not a folder")
    base, to_create = _existing_folder(out, "--out", args.out)
    _probe(base, "--out", args.out)
    images = export_numbers.image_formats(args)
    files = [out / f"{view}.{fmt}" for view in args.views for fmt in images]
    files += [out / file_name(fmt) for fmt in args.animation]
    files += export_numbers.planned_files(args, out)  # LaTeX, points, parameters, metrics
    for path in files:
        if path.exists() and not path.is_file():  # a folder, a device, a pipe
            what = "a folder" if path.is_dir() else "not a regular file"
            fail(PROG, f"--out {args.out}: {path.name} there is {what}; the export writes a file")
    if args.save_session is not None:
        session = _absolute(Path(args.save_session))
        shown = args.save_session
        if session.is_dir():
            fail(PROG, f"--save-session {shown} is a folder")
        if session.exists() and not session.is_file():  # saving replaces it: not /dev/null
            fail(PROG, f"--save-session {shown} is not a regular file")
        if session in files:
            fail(PROG, f"--save-session {shown} is also a file the export writes an image to")
        if session.parent not in (out, *to_create):  # else the export makes its folder
            if not session.parent.exists():
                fail(PROG, f"--save-session {shown}: the folder {session.parent} does not exist")
            if not session.parent.is_dir():
                fail(PROG, f"--save-session {shown}: {session.parent} is not a folder")
            _probe(session.parent, "--save-session", shown)
        files.append(session)
    return files, to_create


def _write_error(exc: Exception) -> str:
    """``cannot write out/regions.png: No space left on device`` for an ``OSError``."""
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename2 or exc.filename
        return f"cannot write {where}: {exc.strerror}" if where else exc.strerror
    return str(exc)


def _remove_partial(files: list[Path], existed: set[Path], made: list[Path]) -> None:
    """Remove what a failed run wrote: the ``files`` that did not exist, the folders ``made``."""
    for path in files:
        if path not in existed:
            path.unlink(missing_ok=True)
    for folder in reversed(made):
        with suppress(OSError):  # not empty: something else was put there meanwhile
            folder.rmdir()


def run_export(argv: list[str]) -> int:
    """Run the export command; return the exit code."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    args = export_parser().parse_args(argv)
    _check(args)
    if args.compare is not None:
        args.views = compare_views(args.views)
    files, to_create = _plan_outputs(args)
    session, comparison = build_run(args, PROG)
    if comparison is not None and args.compare is None:  # a comparison file: both runs
        args.views = compare_views(args.views)
        files, to_create = _plan_outputs(args)
    args.plane = export_landscape.plane_choice(args, session, lambda m: fail(PROG, m))
    n = session.data.n_points
    if isinstance(args.select, int) and not 0 <= args.select < n:
        fail(PROG, f"--select {args.select}: the data has points 0 to {n - 1}")
    progress = Progress(quiet=args.quiet)
    if args.steps and not args.animation:
        # Before the window exists: no view redraws between the chunks.
        train(session, args.steps, progress.task("training", args.steps))
        if session.diverged:
            progress.say(divergence_text(session.diverged, cli=True))
        if comparison is not None:
            progress.say(f"training run B ({comparison.label(1)}) in lock step")
            comparison.sync()
            if comparison.b.diverged:
                progress.say("run B: " + divergence_text(comparison.b.diverged, cli=True))

    from explorer.app.application import get_application

    export_window.quiet_offscreen_notices()
    app = get_application()  # held: a discarded QApplication is destroyed at once
    from explorer.app.main_window import MainWindow
    from explorer.app.settings import open_settings

    existed = {path for path in files if path.exists()}
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["SOFTMAX_EXPLORER_SETTINGS"] = str(Path(scratch) / "settings.ini")
        window = MainWindow(session, settings=open_settings())
        window.resize(*WINDOW_SIZE)
        if comparison is not None:
            window.compare.start(comparison)
        window.show()
        export_window.wait_exposed(app, window)
        written = []
        try:
            for folder in to_create:
                folder.mkdir()
                made.append(folder)
            written += export_window.export_all(
                window, session, args, Path(args.out), progress, PROG
            )
        except (OSError, ValueError) as exc:
            _remove_partial(files, existed, made)
            fail(PROG, _write_error(exc))
        finally:
            window.player.pause()
            window.hide()
            window.deleteLater()
            app.processEvents()
    for path in written:
        print(path)
    return 0
