"""The benchmark's compare-mode row: a W2 frame with run B beside run A, against W2 alone.

One window times both, in alternating blocks (alone, compare, alone, compare...), so the
two medians share the machine's state of the moment: a same-run A/B. A compare frame is
one step of each run, B following A, and a refresh and paint of every view, B's regions
view and B's curves included. The target is at most twice the single-run frame: two
models trained and drawn, nothing else on top.
"""

from __future__ import annotations

import statistics

#: Where compare mode is timed, what run B changes, and the frame ratio it must stay under.
COMPARE_WORKLOAD = "W2"
COMPARE_SPEC = "loss=squared_error"
RATIO_TARGET = 2.0
#: Alternating blocks of each kind.
BLOCKS = 3


def run_compare(workload, options, say=None) -> dict[str, object]:
    """Median frames (ms) of ``workload`` alone and in compare mode, and their ratio."""
    from explorer.bench.frames import WindowHarness
    from explorer.session.compare import Comparison, parse_spec

    frames = options.frames or workload.frames
    blocks = 1 if options.quick else BLOCKS
    per_block = max(1, frames // blocks)
    if say is not None:
        say(f"{workload.key}: compare mode ({COMPARE_SPEC}), {blocks} × {per_block} frames each")
    harness = WindowHarness(workload, full_repaint=options.full_repaint, overlays=options.overlays)
    single: list[float] = []
    both: list[float] = []
    parts: list[dict] = []
    try:
        window = harness.window
        overrides = parse_spec(COMPARE_SPEC)
        for _ in range(blocks):
            window.compare.stop()
            harness.settle(0.05)
            single += harness.run(per_block, workload.warmup).total
            window.compare.start(Comparison(harness.session, overrides))
            harness.settle(0.2)
            times = harness.run(per_block, workload.warmup)
            both += times.total
            parts.append(times.summary_ms()["parts_ms"])
    finally:
        harness.close()
    single_ms = statistics.median(single) * 1e3
    both_ms = statistics.median(both) * 1e3
    return {
        "workload": workload.key,
        "spec": COMPARE_SPEC,
        "frames": len(both),
        "single_ms": single_ms,
        "compare_ms": both_ms,
        "ratio": both_ms / single_ms,
        "ratio_target": RATIO_TARGET,
        "compare_parts_ms": {k: statistics.median(p[k] for p in parts) for k in parts[0]},
    }


def table_lines(row: dict | None, quick: bool) -> list[str]:
    """The report's lines for the compare row (none when it was not run)."""
    if not row:
        return []
    ratio = row["ratio"]
    mark = "" if quick else (" ✓" if ratio <= row["ratio_target"] else " ✗")
    p = row["compare_parts_ms"]
    return [
        f"{'compare mode at ' + row['workload']:<34}alone {row['single_ms']:.1f} ms, "
        f"A and B ({row['spec']}) {row['compare_ms']:.1f} ms: {ratio:.2f}×{mark}   "
        f"(target ≤ {row['ratio_target']:g}×; medians of {row['frames']} frames each, "
        "alternating blocks in one window)",
        f"{'':<34}compare frame parts: step {p['step']:.1f} (A's step, then B's step and "
        f"B's regions view), image {p['image']:.1f} (A's), push {p['push']:.1f} (every other "
        f"view, B's curves among them), paint {p['paint']:.1f} ms",
    ]
