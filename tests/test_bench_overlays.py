"""``softmax-explorer bench --overlays``: the regions overlays on in every workload's window,
so the frame cost of the boundaries (or the arrows, the pull) can be measured."""

import json

import pytest

from explorer.bench.command import format_table, run_bench


@pytest.mark.parametrize("text", ["bogus", "boundaries,arrows", ","])
def test_a_bad_overlay_exits_2_with_one_line(text, capsys):
    with pytest.raises(SystemExit) as exc:
        run_bench(["--overlays", text])
    assert exc.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("softmax-explorer bench: error: unknown overlay")


@pytest.mark.slow
def test_the_harness_switches_the_overlays_on():
    """The real window (2 s to build)."""
    from explorer.bench.frames import WindowHarness
    from explorer.bench.workloads import select

    harness = WindowHarness(select("W1", quick=True)[0], overlays=("boundaries",))
    try:
        regions = harness.window.regions
        assert regions.overlays["boundaries"] and not regions.overlays["weights"]
        lines = regions.layer.tie_lines
        assert lines.isVisible() and lines.segments.shape[0] > 0
        harness.run(2, 0)  # frames redraw them
        assert lines.segments.shape[0] > 0
    finally:
        harness.close()


@pytest.mark.slow
def test_quick_bench_with_the_boundaries_reports_them(capsys):
    argv = ["--quick", "--workloads", "W1", "--frames", "2", "--overlays", "boundaries"]
    argv += ["--no-reference", "--no-memory", "--no-startup", "--json", "--quiet"]
    assert run_bench(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["settings"]["overlays"] == ["boundaries"]
    assert result["workloads"]["W1"]["frame_ms"]["median"] > 0
    assert "overlays: boundaries" in format_table(result)
