"""Run the whole benchmark and gather the results into one dictionary (the ``--json``)."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass

#: The issue's targets (medians, this 2-core machine), for the table's ✓ / ✗ marks.
TARGETS = {
    "W1": {"frame_ms": 8.0},
    "W2": {"frame_ms": 10.0, "event_loop_fps": 60.0, "reference_ratio": 4.0},
    "W3": {"frame_ms": 25.0, "reference_ratio": 20.0},
    "first_frame_s": 1.5,
    "png_export_1x_ms": 100.0,
    "peak_rss_mib": 200.0,
    "rss_growth_mib": 5.0,
}
#: Steps for the memory-growth measurement (the issue's figure) and its workload.
GROWTH_STEPS = 2000
GROWTH_WORKLOAD = "W2"
PEAK_WORKLOAD = "W3"
PNG_WORKLOAD = "W2"


@dataclass
class Options:
    """What to run (the command-line options of ``softmax-explorer bench``)."""

    workloads: str | None = None
    loss: str | None = None
    #: Regions overlays switched on in every workload's window (``boundaries``, ...).
    overlays: tuple[str, ...] = ()
    frames: int | None = None
    quick: bool = False
    reference: bool = True
    memory: bool = True
    landscape: bool = True
    startup: bool = True
    full_repaint: bool = False
    loop_seconds: float = 2.0


def _log(say, text: str) -> None:
    if say is not None:
        say(text)


def run_workload(workload, options: Options, say=None) -> dict[str, object]:
    """Frames of ours alone, then interleaved with the reference's; the event-loop fps.

    The frame medians (``frame_ms``) are of our frames run back to back, as the app runs
    them while playing; ``every_view`` has the same frames with every view brought up to
    date in each (the inspector renders every frame even where its exact float64 batch
    gradient is costly enough for the app to space its renders out); ``paused`` has them
    made by Step presses while paused (the read-outs then change every frame). The
    ratio to the reference comes from a second run in which each of our frames is
    followed by one of the reference's: both then pay the same cache and allocator
    disturbance from the other, so the ratio compares like with like (running the
    reference in between slows our frames by a few ms; ``interleaved_frame_ms`` says
    how much).
    """
    from explorer.bench.frames import WindowHarness

    frames = options.frames or workload.frames
    _log(say, f"{workload.describe()}: building the window")
    harness = WindowHarness(workload, full_repaint=options.full_repaint, overlays=options.overlays)
    reference = None
    ref_times: list[float] = []
    result: dict[str, object] = {}
    try:
        if options.reference:
            from explorer.bench.reference import MatplotlibReference, unavailable

            problem = unavailable()
            if problem is None:
                reference = MatplotlibReference(workload)
                for _ in range(workload.warmup):
                    reference.frame()
            else:
                result["reference_note"] = problem
        _log(say, f"{workload.key}: {frames} frames" + (" (+ reference)" if reference else ""))
        gc.collect()

        def reference_frame():
            ref_times.append(reference.frame())

        times = harness.run(frames, workload.warmup)
        result.update(times.summary_ms())
        result["paints_per_frame"] = harness.paints_per_frame
        _log(say, f"{workload.key}: {frames} frames with every view up to date each frame")
        every = harness.run(frames, 0, every_view=True).summary_ms()
        result["every_view"] = {**every, "paints_per_frame": harness.paints_per_frame}
        _log(say, f"{workload.key}: {frames} frames while paused (Step presses)")
        result["paused"] = harness.run(frames, 0, playing=False).summary_ms()
        paired = harness.run(frames, 0, reference_frame) if reference is not None else None
        seconds = 0.3 if options.quick else options.loop_seconds
        _log(say, f"{workload.key}: play timer for {2 * seconds:g} s")
        loop = harness.event_loop_fps(seconds, fps=240)
        at60 = harness.event_loop_fps(seconds, fps=60)
        result["event_loop_fps"] = loop["fps"]
        result["event_loop"] = {"uncapped": loop, "target_60": at60}
        _log(say, f"{workload.key}: {frames} frames with a sample selected")
        harness.select_sample(True)
        selected = harness.run(frames, workload.warmup).summary_ms()
        result["selected"] = {**selected, "paints_per_frame": harness.paints_per_frame}
        if reference is not None:
            ref_ms = statistics.median(ref_times) * 1e3
            ours_ms = statistics.median(paired.total) * 1e3
            result["reference_ms"] = ref_ms
            result["interleaved_frame_ms"] = ours_ms
            result["reference_ratio"] = ref_ms / ours_ms
            result["reference_frame_ms"] = {
                "min": min(ref_times) * 1e3,
                "max": max(ref_times) * 1e3,
            }
            result["reference_full_redraws"] = reference.full_redraws
        else:
            result["reference_ms"] = None
            result["reference_ratio"] = None
        if workload.key == PNG_WORKLOAD:
            _log(say, f"{workload.key}: PNG export of the regions view")
            repeats = 2 if options.quick else 5
            result["png_export_ms"] = {
                "1x": harness.png_export_ms(1, repeats),
                "2x": harness.png_export_ms(2, repeats),
            }
    finally:
        harness.close()
        if reference is not None:
            reference.close()
    result.update(
        name=workload.name,
        samples=workload.samples,
        train_samples=len(harness.session.data.train_index),
        classes=workload.classes,
        grid=workload.grid,
        frames=frames,
    )
    return result


def run(options: Options, say=None) -> dict[str, object]:
    """Run the benchmark; returns the issue's JSON shape plus details.

    ``say`` (a ``str -> None`` callable) receives progress messages.
    """
    from explorer.bench import memory, startup
    from explorer.bench.compare_row import COMPARE_WORKLOAD, run_compare
    from explorer.bench.machine import describe, machine_info
    from explorer.bench.workloads import WORKLOADS, select

    started = time.perf_counter()
    chosen = select(options.workloads, options.quick, options.loss)
    loss = chosen[0].loss
    info = machine_info()
    out: dict[str, object] = {"workloads": {}}
    png = None
    for workload in chosen:
        res = run_workload(workload, options, say)
        png = res.pop("png_export_ms", png)
        out["workloads"][workload.key] = res
    if png is None:
        from explorer.bench.frames import WindowHarness

        _log(say, "PNG export of the regions view")
        base = WORKLOADS[PNG_WORKLOAD]
        harness = WindowHarness(base.tiny() if options.quick else base)
        try:
            repeats = 2 if options.quick else 5
            png = {"1x": harness.png_export_ms(1, repeats), "2x": harness.png_export_ms(2, repeats)}
        finally:
            harness.close()
    out["png_export_ms"] = png
    out["compare"] = None
    compared = [w for w in chosen if w.key == COMPARE_WORKLOAD]
    if compared:
        out["compare"] = run_compare(compared[0], options, say)
    out["landscape"] = None
    if options.landscape:
        from explorer.bench.landscape_row import run_landscape

        out["landscape"] = run_landscape(chosen, options, say)
    out["first_frame_s"] = None
    if options.startup:
        _log(say, "launch to first frame")
        launches = startup.first_frame(1 if options.quick else 3)
        out["first_frame_s"] = launches["median_s"]
        out["first_frame_runs_s"] = launches["all_s"]
    out["peak_rss_mib"] = out["rss_growth_mib"] = None
    if options.memory:
        frames = 2 if options.quick else (options.frames or WORKLOADS[PEAK_WORKLOAD].frames)
        _log(say, f"peak memory at {PEAK_WORKLOAD} (fresh interpreter)")
        peak = memory.run_child("peak", PEAK_WORKLOAD, frames, options.quick, loss=loss)
        out["peak_rss_mib"] = peak["peak_rss_mib"]
        steps = 20 if options.quick else GROWTH_STEPS
        _log(say, f"memory growth over {steps} steps at {GROWTH_WORKLOAD} (fresh interpreter)")
        growth = memory.run_child("growth", GROWTH_WORKLOAD, steps, options.quick, loss=loss)
        out["rss_growth_mib"] = growth["rss_growth_mib"]
        out["rss_growth"] = {**growth, "workload": GROWTH_WORKLOAD}
    out["machine"] = describe(info)
    out["machine_info"] = info
    out["settings"] = {
        "window": "1200x800 offscreen",
        "paint": "window.repaint() + processEvents()"
        if options.full_repaint
        else "processEvents() (the event loop's deferred paint)",
        "quick": options.quick,
        "loss": loss,
        "overlays": list(options.overlays),
        "targets": TARGETS,
    }
    out["duration_s"] = time.perf_counter() - started
    return out
