"""What ``softmax-explorer export`` does once its window is shown: each view drawn at a
figure's size, the recordings, and every file written (:func:`export_all`).

:mod:`explorer.app.export_command` parses and checks the options, plans the outputs and
trains before any of this; nothing here parses or refuses an option.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path

from explorer.app import export_landscape, export_numbers
from explorer.app.compare_cli import REGIONS_IDS
from explorer.app.messages import divergence_text
from explorer.app.options import build_session
from explorer.app.progress import Progress, train
from explorer.export.formats import file_name

#: Size (width, height) a docked view is given when exported on its own: a figure's size,
#: not the strip (or the hidden tab) it may occupy in the window.
FIGURE_SIZES = {
    "jacobian": (640, 560),
    "bars": (760, 560),
    "curves": (900, 480),
    "inspector": (860, 900),
    "parameters": (640, 420),
    export_landscape.VIEW: export_landscape.FIGURE_SIZE,
}


def quiet_offscreen_notices() -> None:
    """Drop the offscreen platform's "This plugin does not support ..." notices.

    They say that a headless window cannot be raised or resized by a window manager,
    which is expected here; stderr keeps the progress lines and every other message.
    """
    from PyQt6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message: str) -> None:
        if not message.startswith("This plugin does not support"):
            print(message, file=sys.stderr, flush=True)

    qInstallMessageHandler(handler)


def wait_exposed(app, window, timeout_s: float = 5.0) -> None:
    """Process events until the window is exposed: before that, docks do not lay out."""
    deadline = time.perf_counter() + timeout_s
    handle = window.windowHandle()
    while handle is not None and not handle.isExposed() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.002)
    app.processEvents()


@contextmanager
def _figure(window, view_id: str):
    """Yield the widget to render for ``view_id`` (the whole window for ``window``).

    A docked view is held at a figure's size while it is rendered, then given back to its
    dock: in a narrow strip or a hidden tab it would have no room to draw. Its controls
    are hidden meanwhile (:func:`explorer.app.export_dialog.figure_for`).
    """
    from PyQt6.QtWidgets import QApplication

    from explorer.app.export_dialog import WINDOW, figure_for

    if view_id in REGIONS_IDS:  # compare mode's two regions views, without their controls
        with figure_for(window, view_id) as widget:
            yield widget
        return
    size = None if view_id == WINDOW else FIGURE_SIZES.get(view_id)
    if size is None:
        with figure_for(window, view_id) as widget:
            yield widget
        return
    view = window.views[view_id]
    old_size, old_min, old_max = view.size(), view.minimumSize(), view.maximumSize()
    window_size, layout = window.size(), window.saveState()
    # The controls come back only once the view has its own size again: shown while it
    # is held at the figure's size, they would keep the window grown.
    with figure_for(window, view_id) as widget:
        # Fixed, not just resized: a relayout of the dock (a posted layout request, a
        # lazy view drawing itself) must not shrink it back mid-export.
        view.setFixedSize(*size)
        try:
            yield widget
        finally:
            view.setMinimumSize(old_min)
            view.setMaximumSize(old_max)
            view.resize(old_size)
            QApplication.processEvents()  # the window's minimum size shrinks again
            # The fixed-size dock may have grown the window and its dock area: put both
            # back.
            window.resize(window_size)
            window.restoreState(layout)
            QApplication.processEvents()


def _select(session, args) -> None:
    """Select the point ``--select`` names (``worst``: in the session's current step)."""
    if args.select == "worst":
        worst = int(session.train_sample_loss().argmax())
        session.select(int(session.train_index[worst]))
    elif args.select is not None:
        session.select(args.select)


def _record(window, session, args, out: Path, progress: Progress, prog: str) -> list[Path]:
    """Record the ``--steps`` from the current step in every ``--animation`` format.

    The overlays are on and the point is selected before the first frame, as in the
    stills. ``--select worst`` names the worst point at the end of training: a second,
    identical session is trained first to find it (training is deterministic), so the
    recording itself trains as it goes and the curves grow frame by frame. The landscape
    is recorded by replay instead (:func:`explorer.app.export_landscape.replaying`).
    """
    if args.gif_view == export_landscape.VIEW:
        with export_landscape.replaying(
            window, session, args.steps, lambda k: train(session, k, progress.task("training", k))
        ):
            return _record_frames(window, session, args, out, progress, prog)
    return _record_frames(window, session, args, out, progress, prog)


def _record_frames(window, session, args, out: Path, progress: Progress, prog: str) -> list[Path]:
    from explorer.app.export_dialog import showing
    from explorer.app.recording import frame_count, record
    from explorer.export.animation import AnimationSet
    from explorer.export.formats import make_writer

    if args.select == "worst":
        scout = build_session(args, prog)
        intro = f"training a copy {args.steps:,} steps to find the worst point"
        train(scout, args.steps, progress.task("training the copy", args.steps, intro=intro))
        worst = int(scout.train_sample_loss().argmax())
        session.select(int(scout.train_index[worst]))
    start = session.step_index
    writers = AnimationSet(
        [make_writer(fmt, out / file_name(fmt), fps=args.fps) for fmt in args.animation]
    )
    stop = start + args.steps
    intro = f"recording {args.steps:,} steps, a frame every {args.every}: "
    task = progress.task(
        "recording",
        frame_count(start, stop, args.every),
        "frames",
        intro=intro + ",".join(args.animation),
    )

    def report(done: int, _total: int) -> bool:
        task.update(done)
        return True

    with showing(window, args.gif_view), _figure(window, args.gif_view) as target:
        if not record(session, target, writers, start, stop, args.every, progress=report):
            why = divergence_text(session.diverged, cli=True) if session.diverged else "cancelled"
            raise ValueError(f"training stopped early: {why}")
    task.finish()
    progress.say(f"finishing {', '.join(file_name(fmt) for fmt in args.animation)}")
    return writers.finish()


def export_all(window, session, args, out: Path, progress: Progress, prog: str) -> list[Path]:
    """Write every file the arguments ask for from the shown ``window``; their paths."""
    from PyQt6.QtWidgets import QApplication

    from explorer.export.image import save_image

    written: list[Path] = []
    for name in args.overlays:
        window.regions.set_overlay(name, True)
        if window.compare.active:
            window.compare.regions_b.set_overlay(name, True)
    export_numbers.prepare(window, args)
    export_landscape.prepare(window, args.plane)
    if args.select != "worst":
        _select(session, args)
    if args.animation:
        written += _record(window, session, args, out, progress, prog)
        if session.diverged:
            progress.say(divergence_text(session.diverged, cli=True))
    if args.select == "worst":
        _select(session, args)
    # Let labels and docks lay themselves out for the final numbers before rendering.
    QApplication.processEvents()
    # The window first, as laid out on screen; single views are then drawn at figure size.
    images = export_numbers.image_formats(args)
    for view_id in sorted(args.views, key=lambda v: v != "window") if images else ():
        with _figure(window, view_id) as widget:
            for fmt in images:
                path = out / f"{view_id}.{fmt}"
                progress.say(f"writing {path}")
                options = {"scale": args.scale} if fmt == "png" else {}
                written.append(save_image(widget, path, fmt, **options))
    written += export_numbers.write(window, session, args, out, progress.say)
    if args.save_session:
        from explorer.session.compare_io import save_comparison
        from explorer.session.persist import save_session

        progress.say(f"saving session {args.save_session}")
        comparison = window.compare.comparison
        if comparison is not None:  # both runs, in run A's session file
            written.append(save_comparison(comparison, args.save_session))
        else:
            written.append(save_session(session, args.save_session))
    return written
