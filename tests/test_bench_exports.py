"""``softmax-explorer bench --exports``: every animation format timed and sized, the still
exports timed against the PNG target (timings are printed, never asserted)."""

import json

import pytest

from explorer.bench.command import run_bench
from explorer.bench.exports import format_exports
from explorer.export.formats import ANIMATION_FORMATS


def test_a_bad_repeat_count_exits_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        run_bench(["--exports", "--export-repeats", "0"])
    assert exc.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "--export-repeats must be between 1 and 100" in line


def _result(png_1x):
    row = {"record_s": 1.25, "finish_s": 0.5, "bytes": 1_130_000}
    animations = {
        fmt: {"missing": None, "regions": row, "window": row} for fmt in ANIMATION_FORMATS
    }
    animations["webm"] = {
        "missing": 'video export needs PyAV: pip install "softmax-explorer[video]"'
    }
    return {
        "workload": "W1", "steps": 200, "every": 5, "fps": 10.0, "frames": 41,
        "sizes": {"regions": (708, 568), "window": (1400, 900)}, "repeats": 3,
        "animations": animations, "png_target_ms": 100.0,
        "stills_ms": {"png_1x": png_1x, "png_2x": 150.0, "svg": 80.0, "pdf": 60.0},
    }  # fmt: skip


def test_the_table_has_a_row_per_format_with_time_finish_and_size():
    table = format_exports(_result(35.0)).splitlines()
    assert "a 200-step recording at W1" in table[0] and "41 frames at 10 fps" in table[0]
    assert "regions 708×568" in table[1] and "window 1400×900" in table[1]
    rows = {line.split()[0]: line for line in table[2:-1]}
    assert list(rows) == list(ANIMATION_FORMATS)
    assert rows["gif"].count("1.2 s ( 0.5 s)    1.13 MB") == 2
    assert "not measured: video export needs PyAV" in rows["webm"]
    assert "PNG 1× 35.0 ms ✓ (target ≤ 100 ms)" in table[-1]
    assert "PNG 1× 135.0 ms ✗" in format_exports(_result(135.0))


@pytest.mark.slow
def test_quick_export_bench_records_every_format(capsys):
    """The real window records 10 steps in each format (about 20 s)."""
    assert run_bench(["--exports", "--quick", "--export-repeats", "1", "--json", "-q"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result["animations"]) == list(ANIMATION_FORMATS)
    assert result["frames"] == 3
    for fmt, row in result["animations"].items():
        if row["missing"] is not None:
            continue
        for key in ("regions", "window"):
            assert row[key]["bytes"] > 0, (fmt, key)
            assert 0 <= row[key]["finish_s"] <= row[key]["record_s"]
    assert all(v > 0 for v in result["stills_ms"].values())
    assert format_exports(result).count("\n") == len(ANIMATION_FORMATS) + 2
