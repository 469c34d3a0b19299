"""``softmax-explorer bench``: parse its options, run the benchmark, print a table or JSON.

The measuring is in the other modules of :mod:`explorer.bench` (:func:`.runner.run`);
this module is what :mod:`explorer.cli` calls for ``bench``. What the table's columns
mean and how to compare two commits: ``docs/performance.md``.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from pathlib import Path

from explorer.app.options import OneLineParser, integer
from explorer.bench import landscape_row
from explorer.bench.compare_row import table_lines

PROG = "softmax-explorer bench"
#: The regions view's overlays (``explorer.views.items.plane_texts.OVERLAYS``, not
#: imported before Qt).
OVERLAYS = ("boundaries", "weights", "zero-lines", "pull")


def bench_parser() -> OneLineParser:
    parser = OneLineParser(
        prog=PROG,
        description=(
            "Time the real main window (1200×800, offscreen) on three workloads: W1 classroom "
            "(N=300, C=3, grid 200), W2 standard (N=1000, C=4, grid 200), W3 large "
            "(N=100 000, C=10, grid 400). A frame is one training step plus a refresh and "
            "paint of every view. Also: a matplotlib reference drawing the same panels, "
            "interleaved frame by frame with a second run of ours; the play timer's frame "
            "rate; launch to first frame; "
            "PNG export; peak memory and memory growth."
        ),
    )
    parser.add_argument(
        "--frames", type=integer, metavar="N", help="timed frames per workload (default 60, W3 30)"
    )
    parser.add_argument(
        "--workloads", metavar="LIST", help="comma-separated workloads to run (default W1,W2,W3)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny workloads and few frames (a smoke test)"
    )
    parser.add_argument(
        "--loss",
        metavar="NAME",
        help="train every workload with this loss: cross-entropy (default), squared-error, "
        "svm-ww, svm-ova or svm-structured",
    )
    parser.add_argument(
        "--overlays",
        metavar="LIST",
        help="regions overlays on in every workload: a comma list of "
        f"{','.join(OVERLAYS)} (default none)",
    )
    parser.add_argument(
        "--exports",
        action="store_true",
        help="instead of the frames: time a 200-step recording at W1 in every animation "
        "format (gif, mp4, webm, apng, webp, pdf) and the still exports, with file sizes",
    )
    parser.add_argument(
        "--export-repeats",
        type=int,
        default=3,
        metavar="N",
        help="runs of each export, the median is shown (default 3)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--no-reference", action="store_true", help="skip the matplotlib reference")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurements")
    parser.add_argument("--no-startup", action="store_true", help="skip launch to first frame")
    parser.add_argument(
        "--no-landscape", action="store_true", help="skip the loss landscape's rows"
    )
    parser.add_argument(
        "--full-repaint",
        action="store_true",
        help="force window.repaint() of the whole window each frame (static widgets too)",
    )
    parser.add_argument(
        "--loop-seconds",
        type=float,
        default=2.0,
        metavar="S",
        help="seconds the play timer runs for the event-loop fps (default 2)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser


def _overlays(text: str | None) -> tuple[str, ...]:
    """The overlays named in ``--overlays`` (a bad name exits 2 with one line)."""
    if text is None:
        return ()
    names = tuple(dict.fromkeys(t.strip().lower() for t in text.split(",") if t.strip()))
    bad = [name for name in names if name not in OVERLAYS]
    if bad or not names:
        bench_parser().error(
            f"unknown overlay {', '.join(bad) or repr(text)} (choose from {','.join(OVERLAYS)})"
        )
    return names


def _run_exports(args, say) -> int:
    """``bench --exports``: the export table (:mod:`explorer.bench.exports`) or its JSON."""
    from explorer.bench.exports import format_exports, run_exports

    with tempfile.TemporaryDirectory(prefix="softmax-bench-") as scratch:
        os.environ.setdefault("SOFTMAX_EXPLORER_SETTINGS", str(Path(scratch) / "settings.ini"))
        try:
            result = run_exports(args.export_repeats, args.quick, say)
        except (RuntimeError, OSError, ValueError) as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 1
    print(json.dumps(result, indent=2) if args.json else format_exports(result))
    return 0


def run_bench(argv: list[str]) -> int:
    """Run ``softmax-explorer bench`` with ``argv``; return the exit code."""
    args = bench_parser().parse_args(argv)
    if args.frames is not None and not 1 <= args.frames <= 100_000:
        bench_parser().error(f"--frames must be between 1 and 100000 (got {args.frames})")
    if not 0.1 <= args.loop_seconds <= 600:
        bench_parser().error(
            f"--loop-seconds must be between 0.1 and 600 (got {args.loop_seconds})"
        )
    from explorer.bench.workloads import select

    try:
        select(args.workloads, loss=args.loss)
    except ValueError as exc:
        bench_parser().error(str(exc))
    overlays = _overlays(args.overlays)
    if not 1 <= args.export_repeats <= 100:
        bench_parser().error(
            f"--export-repeats must be between 1 and 100 (got {args.export_repeats})"
        )
    # Before Qt is imported: headless, and never the user's settings.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["PYQTGRAPH_QT_LIB"] = "PyQt6"
    from explorer.bench.runner import Options, run

    options = Options(
        workloads=args.workloads,
        loss=args.loss,
        overlays=overlays,
        frames=args.frames,
        quick=args.quick,
        reference=not args.no_reference,
        memory=not args.no_memory,
        startup=not args.no_startup,
        landscape=not args.no_landscape,
        full_repaint=args.full_repaint,
        loop_seconds=args.loop_seconds,
    )

    def say(text: str) -> None:
        if not args.quiet:
            print(f"[bench] {text}", file=sys.stderr, flush=True)

    if args.exports:
        return _run_exports(args, say)
    with tempfile.TemporaryDirectory(prefix="softmax-bench-") as scratch:
        os.environ.setdefault("SOFTMAX_EXPLORER_SETTINGS", str(Path(scratch) / "settings.ini"))
        try:
            result = run(options, say)
        except RuntimeError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 1
    for res in result["workloads"].values():
        note = res.get("reference_note")
        if note:
            say(note)
            break
    if args.json:
        print(json.dumps(result, indent=2, default=_plain))
    else:
        print(format_table(result))
    return 0


def _plain(value):
    """JSON fallback for numpy scalars."""
    try:
        return value.item()
    except AttributeError:
        return str(value)


# ---------------------------------------------------------------------- table
def _num(value, digits: int = 1, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}{suffix}"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


def _check(value, limit, below: bool = True) -> bool | None:
    if value is None or limit is None:
        return None
    return value <= limit if below else value >= limit


def format_table(result: dict) -> str:
    """The human-readable report of a :func:`explorer.bench.runner.run` result."""
    # Tiny workloads say nothing about the targets: no ✓ / ✗ for them.
    targets = {} if result["settings"]["quick"] else result["settings"]["targets"]
    lines = [
        "Softmax Explorer benchmark — real main window, 1200×800, offscreen",
        f"frame = step + refresh of every view + paint; paint = {result['settings']['paint']}",
        f"machine: {result['machine']}",
        f"loss: {result['settings'].get('loss', 'cross_entropy')} (every workload); overlays: "
        f"{','.join(result['settings'].get('overlays', ())) or 'none'}",
        "",
    ]
    header = (
        f"{'workload':<13}{'N':>8}{'C':>4}{'grid':>6}{'frames':>7}"
        f"{'median':>9}{'min':>7}{'max':>7}"
        f"{'step':>7}{'image':>7}{'push':>7}{'paint':>7}"
        f"{'sel.':>7}{'all':>9}{'paused':>8}"
        f"{'loop fps':>10}{'@60':>6}{'paired':>8}{'mpl ms':>8}{'mpl/ours':>10}"
    )
    lines += [header, "-" * len(header)]
    for key, w in result["workloads"].items():
        t = targets.get(key, {})
        f, p = w["frame_ms"], w["parts_ms"]
        at60 = w.get("event_loop", {}).get("target_60", {}).get("fps")
        sel = (w.get("selected") or {}).get("frame_ms", {}).get("median")
        paused = (w.get("paused") or {}).get("frame_ms", {}).get("median")
        every = (w.get("every_view") or {}).get("frame_ms", {}).get("median")
        ratio = w.get("reference_ratio")
        median = _num(f["median"]) + _mark(_check(f["median"], t.get("frame_ms")))
        every_text = _num(every) + _mark(_check(every, t.get("frame_ms")))
        fps = _num(w["event_loop_fps"], 0) + _mark(
            _check(w["event_loop_fps"], t.get("event_loop_fps"), below=False)
        )
        ratio_text = (_num(ratio, 1, "×") if ratio else "–") + _mark(
            _check(ratio, t.get("reference_ratio"), below=False)
        )
        lines.append(
            f"{key + ' ' + w['name']:<13}{w['samples']:>8,}{w['classes']:>4}{w['grid']:>6}"
            f"{w['frames']:>7}{median:>9}{_num(f['min']):>7}{_num(f['max']):>7}"
            f"{_num(p['step']):>7}{_num(p['image']):>7}{_num(p['push']):>7}{_num(p['paint']):>7}"
            f"{_num(sel):>7}{every_text:>9}{_num(paused):>8}{fps:>10}{_num(at60, 0):>6}"
            f"{_num(w.get('interleaved_frame_ms')):>8}"
            f"{_num(w.get('reference_ms'), 0):>8}{ratio_text:>10}"
        )
    lines += [
        "",
        "times in ms: median, min, max frame and the median of each part, nothing selected "
        "(the app as it opens), playing (read-outs at most every 0.1 s, as the play timer runs);",
        "sel. = median frame with a training sample selected; all = median frame with every "
        "view brought up to date in every frame (the inspector's text too);",
        "paused = median frame of Step presses while paused (read-outs every frame);",
        "inspector renders per frame, playing: "
        + " · ".join(
            f"{key} {_num((w.get('paints_per_frame') or {}).get('inspector'), 2)}"
            for key, w in result["workloads"].items()
        )
        + " (at most 15 a second while training streams, and at most 1/8 of the time);",
        "loop fps = frames/s the play timer reaches (uncapped, and asking for 60);",
        "paired, mpl = medians of ours and of the matplotlib reference in a second run, "
        "interleaved frame by frame (each pays for the other's cache disturbance); "
        "mpl/ours = their ratio",
        "targets: W1 ≤ 8 ms · W2 ≤ 10 ms and ≥ 60 fps · W3 ≤ 25 ms · matplotlib/ours ≥ 4× (W2), "
        "≥ 20× (W3)",
        "",
    ]
    png = result.get("png_export_ms") or {}
    first = result.get("first_frame_s")
    peak = result.get("peak_rss_mib")
    growth = result.get("rss_growth_mib")
    growth_steps = (result.get("rss_growth") or {}).get("steps", 2000)
    lines += [
        f"{'launch to first frame':<34}{_num(first, 2, ' s')}"
        f"{_mark(_check(first, targets.get('first_frame_s')))}   (target ≤ 1.5 s)",
        f"{'PNG export, regions view':<34}1×: {_num(png.get('1x'), 1, ' ms')}"
        f"{_mark(_check(png.get('1x'), targets.get('png_export_1x_ms')))}   "
        f"2×: {_num(png.get('2x'), 1, ' ms')}   (target 1× ≤ 100 ms)",
        f"{'peak memory at W3':<34}{_num(peak, 0, ' MiB')}"
        f"{_mark(_check(peak, targets.get('peak_rss_mib')))}   (target ≤ 200 MiB)",
        f"{f'memory growth, {growth_steps} steps at W2':<34}{_num(growth, 2, ' MiB')}"
        f"{_mark(_check(growth, targets.get('rss_growth_mib')))}   (target < 5 MiB)",
        *table_lines(result.get("compare"), result["settings"]["quick"]),
        *landscape_row.table_lines(result.get("landscape"), targets, result["settings"]["quick"]),
        "",
        f"reproduce: softmax-explorer bench{' --quick' if result['settings']['quick'] else ''}"
        f"   ({result['duration_s']:.0f} s)",
    ]
    return "\n".join(lines)
