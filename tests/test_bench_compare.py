"""The benchmark's compare-mode row (bench/compare_row.py): it times frames in which both
runs step and both regions views draw, and reports them (timings never asserted)."""

import math

import pytest

from explorer.bench.compare_row import COMPARE_WORKLOAD, run_compare, table_lines
from explorer.bench.runner import Options
from explorer.bench.workloads import WORKLOADS


@pytest.mark.slow
def test_the_compare_row_times_both_runs_and_reports_them(qapp, monkeypatch):
    """Slow (~3 s: a window, three blocks of frames): the only test of the compare row."""
    from explorer.bench import frames

    seen = {}
    close = frames.WindowHarness.close

    def close_and_look(harness):  # what the compare frames did, before the window goes
        c = harness.window.compare.comparison
        seen.update(a=harness.session.step_index, b=c.b.step_index, head_b=c.b.head)
        seen["regions_b"] = harness.window.compare.regions_b.last_indices is not None
        close(harness)

    monkeypatch.setattr(frames.WindowHarness, "close", close_and_look)
    workload = WORKLOADS[COMPARE_WORKLOAD].tiny()
    row = run_compare(workload, Options(quick=True, frames=4))
    assert seen["a"] == seen["b"] == seen["head_b"] > 0  # B stepped with A, frame by frame
    assert seen["regions_b"]
    assert row["frames"] == 4 and row["spec"] == "loss=squared_error"
    for key in ("single_ms", "compare_ms", "ratio"):
        assert math.isfinite(row[key]) and row[key] > 0
    assert row["ratio"] == row["compare_ms"] / row["single_ms"]
    lines = table_lines(row, quick=True)
    assert lines[0].startswith("compare mode at W2") and "✓" not in lines[0]
    assert table_lines(None, quick=False) == []
