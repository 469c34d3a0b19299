"""The benchmark's landscape rows: the surface, the path per step, frames with the view shown.

``docs/landscape.md`` sets the targets:

* **surface**: a 100 × 100 landscape at W2 within :data:`SURFACE_TARGETS_MS` ``["W2"]``
  (60 ms) and at W3 within 1 s, off the frame path. Timed from the choice of a plane to
  the finished surface (the plane, the objective, the job's setup and every unit), on the
  workload's session after :data:`TRAIN_STEPS` steps, ranges fitted to the path, for
  :data:`PLANES`. The same surface is also computed the way the view does it, a
  :data:`~explorer.views.landscape.SLICE_S` slice per timer tick: its longest tick is
  how long the window can wait (at most :data:`TICK_LIMIT_MS`).
* **path and marker per step**: what the view does for each step while it is seen (the
  new rows projected, the marker, the line and distance plot set), at most
  :data:`PATH_TARGET_MS`.
* **frames with the view shown**: W1–W3 frames in one window whose bottom row holds the
  curves, the inspector and the landscape, in alternating blocks with the landscape's dock
  hidden and shown (a same-run A/B), against the workloads' frame targets.
"""

from __future__ import annotations

import statistics
import time

SURFACE_TARGETS_MS = {"W2": 60.0, "W3": 1000.0}
PATH_TARGET_MS = 0.5
TICK_LIMIT_MS = 100.0
PLANES = ("W[0,0],b[1]", "pca", "gradient")
TRAIN_STEPS = 60
GRID = 100
BLOCKS = 3


def _frame_targets():
    from explorer.bench.runner import TARGETS

    return TARGETS


def surface_row(workload, quick: bool, say=None) -> dict[str, object]:
    """Median ms to a finished surface per plane, and the longest sliced tick."""
    from explorer.session.landscape_choice import parse_plane
    from explorer.session.landscape_model import Landscape
    from explorer.views.landscape import SLICE_S

    session = workload.session()
    session.step(5 if quick else TRAIN_STEPS)
    session.train_features64()  # the setup's own cache, made once per data set
    repeats = 1 if quick else 3
    planes = {}
    for text in PLANES:
        if say is not None:
            say(f"{workload.key}: landscape {GRID}×{GRID} on the plane {text}")
        choice = parse_plane(text, session.W.shape)
        times, cpu = [], []
        for _ in range(repeats):
            land = Landscape(session, choice, grid=GRID)
            t, c = time.perf_counter(), time.process_time()
            land.finish()
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        land = Landscape(session, choice, grid=GRID)
        ticks, tick_cpu = [], []
        while True:
            t, c = time.perf_counter(), time.process_time()
            ready = land.tick(playing=False, seconds=SLICE_S)
            ticks.append(time.perf_counter() - t)
            tick_cpu.append(time.process_time() - c)
            if ready or not land.waiting:
                break
        planes[text] = {
            "median_ms": statistics.median(times) * 1e3,
            "median_cpu_ms": statistics.median(cpu) * 1e3,
            "longest_tick_ms": max(ticks) * 1e3,
            "longest_tick_cpu_ms": max(tick_cpu) * 1e3,
            "ticks": len(ticks),
        }
    return {"workload": workload.key, "grid": GRID, "planes": planes,
            "target_ms": SURFACE_TARGETS_MS.get(workload.key)}  # fmt: skip


def frames_row(workload, options, say=None) -> dict[str, object]:
    """Frames with the landscape hidden and shown (alternating blocks, one window), and
    the view's own time per step while shown."""
    from explorer.bench.frames import WindowHarness

    frames = options.frames or workload.frames
    blocks = 1 if options.quick else BLOCKS
    per_block = max(1, frames // blocks)
    if say is not None:
        say(f"{workload.key}: frames with the landscape hidden and shown, {blocks} × {per_block}")
    harness = WindowHarness(workload, full_repaint=options.full_repaint, landscape=True)
    hidden: list[float] = []
    shown: list[float] = []
    per_step: list[float] = []
    counting = [False]  # the view's own time, in the shown blocks' timed frames only
    try:
        window = harness.window
        dock, view = window.docks["landscape"], window.views["landscape"]
        update = view.update_view

        def timed_update(changes):
            t = time.perf_counter()
            try:
                update(changes)
            finally:
                if counting[0]:
                    per_step.append(time.perf_counter() - t)

        view.update_view = timed_update
        view.flush()  # the first surface
        for _ in range(blocks):
            dock.hide()
            harness.settle(0.05)
            hidden += harness.run(per_block, workload.warmup).total
            dock.show()
            harness.settle(0.2)
            view.flush()
            harness.run(0, workload.warmup)
            counting[0] = True
            shown += harness.run(per_block).total
            counting[0] = False
    finally:
        harness.close()
    return {
        "workload": workload.key,
        "frames": len(shown),
        "hidden_ms": statistics.median(hidden) * 1e3,
        "shown_ms": statistics.median(shown) * 1e3,
        "path_marker_ms": statistics.median(per_step) * 1e3 if per_step else None,
        "path_marker_max_ms": max(per_step) * 1e3 if per_step else None,
    }


def run_landscape(workloads, options, say=None) -> dict[str, object]:
    """Every landscape row for the chosen workloads."""
    surfaces = [surface_row(w, options.quick, say) for w in workloads if w.key != "W1"]
    frames = [frames_row(w, options, say) for w in workloads]
    return {"surfaces": surfaces, "frames": frames, "path_target_ms": PATH_TARGET_MS,
            "tick_limit_ms": TICK_LIMIT_MS}  # fmt: skip


def table_lines(result: dict | None, targets: dict, quick: bool) -> list[str]:
    """The report's lines for the landscape rows (none when they were not run)."""
    if not result:
        return []

    def mark(value, limit):
        return "" if quick or limit is None or value is None else (" ✓" if value <= limit else " ✗")

    lines = [
        "",
        f"loss landscape, {GRID}×{GRID} after {TRAIN_STEPS} steps: ms to a finished surface "
        "(median; /CPU ms of the process, both threads), and the longest tick of the sliced",
        f"job (/its CPU ms; target ≤ {TICK_LIMIT_MS:g}):",
    ]
    for row in result["surfaces"]:
        target = row["target_ms"]
        cells = []
        for plane, p in row["planes"].items():
            tick = p["longest_tick_ms"]
            cells.append(f"{plane} {p['median_ms']:.0f}{mark(p['median_ms'], target)}"
                         f"/{p.get('median_cpu_ms', 0):.0f} (tick {tick:.0f}"
                         f"{mark(tick, result['tick_limit_ms'])}/"
                         f"{p.get('longest_tick_cpu_ms', 0):.0f})")  # fmt: skip
        lines.append(f"  {row['workload']} (target ≤ {target or 0:g}): " + ", ".join(cells))
    lines.append(f"frames with the landscape shown (a third of the bottom row), same window, "
                 f"alternating blocks; path + marker per step (target ≤ "
                 f"{result['path_target_ms']:g} ms):")  # fmt: skip
    for row in result["frames"]:
        limit = _frame_targets()[row["workload"]]["frame_ms"]
        pm = row["path_marker_ms"]
        lines.append(
            f"  {row['workload']}: hidden {row['hidden_ms']:.1f}, shown {row['shown_ms']:.1f}"
            f"{mark(row['shown_ms'], limit if targets else None)} ms (target ≤ {limit:g}); "
            "path + marker "
            f"{pm:.2f}{mark(pm, result['path_target_ms'])} ms (max "
            f"{row['path_marker_max_ms']:.2f}), {row['frames']} frames"
        )
    return lines
