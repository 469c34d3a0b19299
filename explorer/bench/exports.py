"""``softmax-explorer bench --exports``: what each export format costs, in time and bytes.

A 200-step recording at W1 (the classroom workload: 300 blobs, 3 classes), a frame every
5 steps (41 frames at 10 fps), in each animation format on its own, replayed from history
through the same path as File → Record Animation (:func:`explorer.app.recording.record`
on :func:`explorer.app.export_dialog.figure_for`), of the regions view and of the whole
window at the export command's 1400×900. *Record* is the whole recording, drawing the
frames included; *finish* is the encoding left once the last frame is in. Then the
still exports of the regions view: PNG at 1× (the target: at most 100 ms) and 2×, SVG
and PDF. Each figure is the median of ``repeats`` runs; sizes do not vary.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

#: Steps recorded, steps per frame, frames per second (the README's table).
STEPS, EVERY, FPS = 200, 5, 10.0
#: What is recorded: the regions view and the whole window.
TARGETS = ("regions", "window")
WINDOW_SIZE = (1400, 900)
#: The PNG export target of ``docs/performance.md``.
PNG_TARGET_MS = 100.0


def _window(workload, steps: int):
    """A trained W1 window at the export command's size, shown offscreen."""
    from PyQt6.QtCore import QSettings

    from explorer.app.application import get_application
    from explorer.app.main_window import MainWindow

    app = get_application()
    scratch = tempfile.TemporaryDirectory(prefix="softmax-bench-exports-")
    settings = QSettings(str(Path(scratch.name) / "s.ini"), QSettings.Format.IniFormat)
    session = workload.session()
    session.step(steps)
    window = MainWindow(session, settings=settings)
    window.resize(*WINDOW_SIZE)
    window.show()
    for _ in range(5):
        app.processEvents()
    return app, window, scratch


def _record_once(window, key: str, fmt: str, folder: Path, steps: int) -> tuple[float, float, int]:
    """``(record_s, finish_s, bytes)`` of one recording of steps 0 to ``steps`` of ``key``
    in ``fmt``, replayed from history."""
    from explorer.app.export_dialog import figure_for, showing
    from explorer.app.recording import record
    from explorer.export.formats import file_name, make_writer

    path = folder / file_name(fmt, f"{key}-{fmt}")
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    writer = make_writer(fmt, path, fps=FPS)
    with showing(window, key), figure_for(window, key) as widget:
        if not record(window.session, widget, writer, 0, steps, EVERY):
            raise RuntimeError(f"the {fmt} recording of {key} stopped early")
    drawn = time.perf_counter()
    writer.finish()
    done = time.perf_counter()
    return done - started, done - drawn, path.stat().st_size


def _stills(window, folder: Path, repeats: int) -> dict[str, float]:
    """Median milliseconds of the regions view's PNG (1×, 2×), SVG and PDF exports."""
    from explorer.app.export_dialog import figure_for
    from explorer.export.image import save_image

    out: dict[str, list[float]] = {"png_1x": [], "png_2x": [], "svg": [], "pdf": []}
    with figure_for(window, "regions") as widget:
        for _ in range(repeats):
            for name, fmt, options in (
                ("png_1x", "png", {"scale": 1.0}),
                ("png_2x", "png", {"scale": 2.0}),
                ("svg", "svg", {}),
                ("pdf", "pdf", {}),
            ):
                t = time.perf_counter()
                save_image(widget, folder / f"still.{fmt}", fmt, **options)
                out[name].append((time.perf_counter() - t) * 1e3)
    return {name: statistics.median(times) for name, times in out.items()}


def run_exports(repeats: int = 3, quick: bool = False, say=None) -> dict[str, object]:
    """Time every animation format and the still exports; returns a JSON-able dict.

    ``quick`` records 10 steps of the tiny W1 (a smoke test: no figure means anything).
    """
    from explorer.bench.workloads import select
    from explorer.export.formats import ANIMATION_FORMATS, missing_requirement

    workload = select("W1", quick=quick)[0]
    steps = 10 if quick else STEPS
    app, window, scratch = _window(workload, steps)
    rows: dict[str, dict[str, object]] = {}
    try:
        folder = Path(scratch.name)
        sizes = {}
        for key in TARGETS:
            widget_size = window.size() if key == "window" else window.views[key].size()
            sizes[key] = (widget_size.width(), widget_size.height())
        for fmt in ANIMATION_FORMATS:
            problem = missing_requirement(fmt)
            row: dict[str, object] = {"missing": problem}
            for key in TARGETS if problem is None else ():
                if say is not None:
                    say(f"exports: {fmt} of {key}, {repeats}×")
                runs = [_record_once(window, key, fmt, folder, steps) for _ in range(repeats)]
                row[key] = {
                    "record_s": statistics.median(r[0] for r in runs),
                    "finish_s": statistics.median(r[1] for r in runs),
                    "bytes": runs[-1][2],
                }
            rows[fmt] = row
        if say is not None:
            say("exports: still images of the regions view")
        stills = _stills(window, folder, max(repeats, 3))
    finally:
        window.file_actions.modified = False
        window.close()
        window.deleteLater()
        app.processEvents()
        scratch.cleanup()
    return {
        "workload": workload.key,
        "steps": steps,
        "every": EVERY,
        "fps": FPS,
        "frames": 1 + steps // EVERY,
        "sizes": sizes,
        "repeats": repeats,
        "animations": rows,
        "stills_ms": stills,
        "png_target_ms": PNG_TARGET_MS,
    }


def format_exports(result: dict) -> str:
    """The table of :func:`run_exports`' result."""
    sizes = result["sizes"]
    head = [f"{key} {w}×{h}" for key, (w, h) in sizes.items()]
    lines = [
        f"Exports: a {result['steps']}-step recording at {result['workload']}, a frame every "
        f"{result['every']} steps ({result['frames']} frames at {result['fps']:g} fps), "
        f"median of {result['repeats']}; record (finish) and size",
        f"{'format':<8}" + "".join(f"{h:>32}" for h in head),
    ]
    for fmt, row in result["animations"].items():
        if row.get("missing"):
            lines.append(f"{fmt:<8}  not measured: {row['missing']}")
            continue
        cells = []
        for key in sizes:
            r = row[key]
            cells.append(
                f"{r['record_s']:6.1f} s ({r['finish_s']:4.1f} s) {r['bytes'] / 1e6:7.2f} MB"
            )
        lines.append(f"{fmt:<8}" + "".join(f"{c:>32}" for c in cells))
    s = result["stills_ms"]
    ok = "✓" if s["png_1x"] <= result["png_target_ms"] else "✗"
    lines.append(
        f"regions view stills: PNG 1× {s['png_1x']:.1f} ms {ok} (target ≤ "
        f"{result['png_target_ms']:g} ms), 2× {s['png_2x']:.1f} ms, SVG {s['svg']:.1f} ms, "
        f"PDF {s['pdf']:.1f} ms"
    )
    return "\n".join(lines)
