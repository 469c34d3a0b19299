"""``softmax-explorer bench`` runs and reports every figure of issue 5 (timings never asserted)."""

import json
import math

import numpy as np
import pytest

from explorer.bench.command import format_table, run_bench
from explorer.bench.machine import describe, simd_level
from explorer.bench.workloads import WORKLOADS, select

PARTS = ("step", "image", "push", "paint")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_workload(w: dict, reference: bool) -> None:
    assert set(w["frame_ms"]) >= {"median", "min", "max"}
    assert all(_is_number(w["frame_ms"][k]) for k in ("median", "min", "max"))
    assert w["frame_ms"]["min"] <= w["frame_ms"]["median"] <= w["frame_ms"]["max"]
    assert set(w["parts_ms"]) == set(PARTS)
    assert all(_is_number(v) and v >= 0 for v in w["parts_ms"].values())
    assert _is_number(w["event_loop_fps"]) and w["event_loop_fps"] > 0
    assert _is_number(w["selected"]["frame_ms"]["median"])  # the same with a sample selected
    assert _is_number(w["paused"]["frame_ms"]["median"])  # the same made by Step presses
    # the same with every view brought up to date in every frame: all five painted each time
    every = w["every_view"]
    assert _is_number(every["frame_ms"]["median"])
    assert set(every["parts_ms"]) == set(PARTS)
    for view in ("regions", "jacobian", "bars", "curves", "inspector"):
        assert every["paints_per_frame"][view] >= 1.0, view
    if reference:
        assert _is_number(w["reference_ms"]) and w["reference_ms"] > 0
        assert _is_number(w["reference_ratio"]) and w["reference_ratio"] > 0
        # the ratio is of one run's medians: ours and the reference's, interleaved
        assert _is_number(w["interleaved_frame_ms"]) and w["interleaved_frame_ms"] > 0
        assert w["reference_ratio"] == w["reference_ms"] / w["interleaved_frame_ms"]
    else:
        assert w["reference_ms"] is None
        assert w["reference_ratio"] is None
    # The frame really paints every view of the issue, not just the one that changed.
    for view in ("regions", "jacobian", "bars", "curves"):
        assert w["paints_per_frame"][view] > 0, view


def _run_json(capsys, argv: list[str]) -> dict:
    assert run_bench([*argv, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_quick_bench_json_has_every_field_of_the_issue(capsys):
    pytest.importorskip("matplotlib")
    result = _run_json(capsys, ["--quick"])
    assert set(result["workloads"]) == {"W1", "W2", "W3"}
    for w in result["workloads"].values():
        _check_workload(w, reference=True)
    assert _is_number(result["first_frame_s"]) and result["first_frame_s"] > 0
    assert set(result["png_export_ms"]) == {"1x", "2x"}
    assert all(_is_number(v) and v > 0 for v in result["png_export_ms"].values())
    assert _is_number(result["peak_rss_mib"]) and result["peak_rss_mib"] > 0
    assert _is_number(result["rss_growth_mib"])
    assert isinstance(result["machine"], str) and "cores" in result["machine"]
    assert "✓" not in format_table(result)  # tiny workloads are not judged against targets


@pytest.mark.slow
def test_bench_without_reference_memory_or_startup(capsys):
    result = _run_json(
        capsys,
        ["--quick", "--workloads", "w2", "--no-reference", "--no-memory", "--no-startup"],
    )
    assert list(result["workloads"]) == ["W2"]
    _check_workload(result["workloads"]["W2"], reference=False)
    assert result["first_frame_s"] is None
    assert result["peak_rss_mib"] is None and result["rss_growth_mib"] is None
    assert set(result["png_export_ms"]) == {"1x", "2x"}
    table = format_table(result)
    assert "W2 standard" in table and "median" in table and "PNG export" in table


@pytest.mark.slow
def test_table_is_printed_without_json(capsys):
    argv = ["--quick", "--workloads", "W1", "--frames", "2", "--no-reference"]
    assert run_bench([*argv, "--no-memory", "--no-startup", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "W1 classroom" in out and "launch to first frame" in out


@pytest.mark.parametrize(
    "argv",
    [["--workloads", "W9"], ["--frames", "0"], ["--loop-seconds", "-1"], ["--bogus"]],
)
def test_bad_options_exit_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        run_bench(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error" in err[0]


def test_workloads_are_the_issues():
    sizes = {k: (w.samples, w.classes, w.grid) for k, w in WORKLOADS.items()}
    assert sizes == {"W1": (300, 3, 200), "W2": (1000, 4, 200), "W3": (100_000, 10, 400)}
    tiny = select("W3", quick=True)[0]
    assert tiny.key == "W3" and tiny.classes == 10 and tiny.samples < 1000


@pytest.mark.parametrize(
    ("flags", "label"),
    [
        ("fpu sse4_2 avx avx2 fma avx512f avx512bw", "AVX-512"),
        ("fpu sse4_2 avx avx2 fma", "AVX2"),
        ("fpu sse4_2", "SSE4.2"),
        ("fpu mmx", None),
        (None, None),
        ("avx512vl avx2", "AVX2"),  # a sub-feature alone is not AVX-512 Foundation
    ],
)
def test_simd_level_is_the_widest_extension_in_the_flags(flags, label):
    assert simd_level(flags) == label


def test_machine_line_names_the_vector_extension_only_when_known():
    info = {
        "cpu": "AMD EPYC",
        "cores": 2,
        "memory_gib": 23.5,
        "os": "Linux 6",
        "python": "3.11.7",
        "numpy": "2",
        "qt": "6",
        "pyqt": "6",
        "pyqtgraph": "0.14",
    }
    assert describe({**info, "simd": "AVX-512"}).startswith(
        "AMD EPYC (AVX-512), 2 cores, 24 GiB · "
    )
    assert describe({**info, "simd": None}).startswith("AMD EPYC, 2 cores, 24 GiB · ")


def test_reference_draws_the_regions_from_the_sessions_numbers():
    pytest.importorskip("matplotlib")
    from explorer.bench.reference import MatplotlibReference

    ref = MatplotlibReference(WORKLOADS["W1"].tiny())
    try:
        ref.frame()
        ref.frame()
        indices = ref.session.decision_image(ref._grid_features).reshape(ref.G, ref.G)
        assert np.array_equal(np.asarray(ref.image.get_array()), ref._lut[indices])
        pixels = np.asarray(ref.canvas.buffer_rgba())
        assert len(np.unique(pixels.reshape(-1, 4), axis=0)) > 10
        assert ref.session.step_index == 2
    finally:
        ref.close()


def test_harness_frames_run_in_the_playing_state_and_paused_on_request(qapp):
    """The timed frames are the play timer's (the window playing, its timer never firing on
    its own); ``playing=False`` gives Step presses while paused. Paused after each run."""
    from explorer.bench.frames import WindowHarness

    harness = WindowHarness(WORKLOADS["W1"].tiny())
    try:
        player = harness.window.player
        for playing in (True, False):
            seen: list[bool] = []
            head = harness.session.head
            harness.run(
                4, 1, between=lambda seen=seen: seen.append(player.playing), playing=playing
            )
            assert seen == [playing] * 4
            assert harness.session.head == head + 5  # one step a frame, none from the timer
            assert not player.playing
            assert player._timer.interval() == round(1000 / player.fps) - 1
    finally:
        harness.close()


def test_every_view_frames_bring_a_costly_inspector_up_to_date(qapp, monkeypatch):
    """A costly inspector spaces its renders out in the app's frames; ``every_view``
    frames flush it, so that it paints the newest step in each."""
    import explorer.views.inspector as inspector
    from explorer.bench.frames import WindowHarness

    harness = WindowHarness(WORKLOADS["W1"].tiny())
    try:
        view = harness.window.views["inspector"]
        render = view._render

        def costly_render():
            render()
            view._page_write_s = -1.0  # as if every render took a second

        monkeypatch.setattr(view, "_render", costly_render)
        assert inspector.RENDER_BUDGET_FACTOR > 0
        harness.run(4, 1)
        assert harness.paints_per_frame["inspector"] < 1.0
        assert view.shown_batch[0] != harness.session.batch_grads()[0]  # behind
        harness.run(4, 1, every_view=True)
        assert harness.paints_per_frame["inspector"] == 1.0
        assert view.shown_batch[0] == harness.session.batch_grads()[0]
        assert f"step {harness.session.step_index}" in view.caption.text()
    finally:
        harness.close()
