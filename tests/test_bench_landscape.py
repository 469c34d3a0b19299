"""The benchmark's landscape rows (bench/landscape_row.py): what they time and how they
report it (timings never asserted)."""

import math

import pytest

from explorer.bench.landscape_row import PLANES, frames_row, surface_row, table_lines
from explorer.bench.runner import Options
from explorer.bench.workloads import WORKLOADS


def test_the_surface_row_times_a_finished_surface_per_plane():
    row = surface_row(WORKLOADS["W2"].tiny(), quick=True)
    assert row["workload"] == "W2" and row["target_ms"] == 60.0
    assert set(row["planes"]) == set(PLANES)
    for p in row["planes"].values():
        assert math.isfinite(p["median_ms"]) and p["median_ms"] > 0
        assert p["longest_tick_ms"] > 0 and p["ticks"] >= 1


@pytest.mark.slow
def test_the_frames_row_times_the_view_shown_and_hidden(qapp, monkeypatch):
    """Slow (~3 s: a window, blocks of frames): the only test of the frames row."""
    from explorer.bench import frames

    seen = {}
    close = frames.WindowHarness.close

    def close_and_look(harness):
        view = harness.window.views["landscape"]
        seen["path"] = view.path_items.line.getData()[0].size
        seen["step"] = harness.session.step_index
        close(harness)

    monkeypatch.setattr(frames.WindowHarness, "close", close_and_look)
    row = frames_row(WORKLOADS["W1"].tiny(), Options(quick=True, frames=4))
    assert seen["path"] == seen["step"] + 1  # the view drew every step's point
    for key in ("hidden_ms", "shown_ms", "path_marker_ms", "path_marker_max_ms"):
        assert math.isfinite(row[key]) and row[key] > 0
    result = {"surfaces": [surface_row(WORKLOADS["W3"].tiny(), True)], "frames": [row],
              "path_target_ms": 0.5, "tick_limit_ms": 100.0}  # fmt: skip
    lines = table_lines(result, {}, quick=True)
    assert any(line.startswith("  W3 (target ≤ 1000)") for line in lines)
    assert any(line.startswith("  W1: hidden") for line in lines)
    assert "✓" not in "".join(lines) and "✗" not in "".join(lines)
    assert table_lines(None, {}, quick=False) == []
