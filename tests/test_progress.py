"""Progress of a long export on stderr: throttled lines, the rate and time left, --quiet."""

import io

import numpy as np
import pytest

from explorer.app import progress as progress_module
from explorer.app.progress import Progress, duration, train
from explorer.session.config import Config
from explorer.session.session import Session


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_duration():
    assert duration(0.4) == "0 s"
    assert duration(59.4) == "59 s"
    assert duration(65) == "1 min 05 s"
    assert duration(3600 + 7 * 60 + 20) == "1 h 07 min"


def test_plain_lines_are_throttled_and_give_rate_and_time_left():
    clock, stream = Clock(), io.StringIO()
    p = Progress(stream, clock=clock)
    task = p.task("training", 1000)
    for t, done in ((0.5, 100), (1.9, 300), (2.0, 400), (2.5, 450), (4.0, 800), (4.1, 820)):
        clock.now = 100.0 + t
        task.update(done)
    task.finish()
    lines = stream.getvalue().splitlines()
    # The intro, then a line at 2.0 s and one at 4.0 s (PLAIN_INTERVAL_S apart).
    assert progress_module.PLAIN_INTERVAL_S == 2.0
    assert lines == [
        "[ 0.00s] training 1,000 steps",
        "[ 2.00s] training 400/1,000 steps (40%), 200 steps/s, 3 s left",
        "[ 4.00s] training 800/1,000 steps (80%), 200 steps/s, 1 s left",
    ]


def test_a_terminal_gets_one_line_rewritten_in_place():
    clock, stream = Clock(), Terminal()
    p = Progress(stream, clock=clock)
    task = p.task("training", 10_000)
    for k in range(1, 9):
        clock.now = 100.0 + 0.25 * k
        task.update(1000 * k)
    task.finish()
    p.say("writing out/regions.png")
    text = stream.getvalue()
    intro, rest = text.split("\n", 1)
    assert intro == "[ 0.00s] training 10,000 steps"
    shown, after = rest.split("\n", 1)
    updates = shown.split("\r")[1:]
    # Every 0.5 s (4 updates of 8), and the last count again when the task is done.
    assert len(updates) == 5
    assert updates[0].startswith("[ 0.50s] training 2,000/10,000 steps (20%), 4,000 steps/s")
    assert (
        updates[-1].strip() == "[ 2.00s] training 8,000/10,000 steps (80%), 4,000 steps/s, 0 s left"
    )
    assert after == "[ 2.00s] writing out/regions.png\n"


def test_quiet_prints_nothing():
    clock, stream = Clock(), Terminal()
    p = Progress(stream, clock=clock, quiet=True)
    task = p.task("training", 10)
    clock.now += 10
    task.update(5)
    task.finish()
    p.say("hello")
    assert stream.getvalue() == ""


@pytest.mark.parametrize("lr", [0.1, 1e6])
def test_chunked_training_is_one_step_call(lr):
    """Every array of the state is the same, and a divergence stops at the same step."""
    one, chunked = (Session(Config(samples=90, lr=lr, batch_size=16)) for _ in range(2))
    taken = one.step(700)
    assert train(chunked, 700) == taken
    a, b = one.export_state(), chunked.export_state()
    assert a.keys() == b.keys()
    for key, value in a.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, b[key]), key
        else:
            assert value == b[key], key
    assert one.diverged == chunked.diverged


def test_a_long_export_reports_progress_and_quiet_silences_it(tmp_path, capsys, monkeypatch):
    from explorer.cli import main

    monkeypatch.setattr(progress_module, "PLAIN_INTERVAL_S", 0.0)
    common = ["export", "--samples", "60", "--views", "curves", "--steps", "3000"]
    assert main([*common, "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err.splitlines()
    counts = [line for line in err if "/3,000 steps (" in line]
    assert counts and counts[-1].split("] ")[1].startswith("training 3,000/3,000 steps (100%)")
    assert all(" steps/s, " in line and line.endswith(" left") for line in counts)
    assert main([*common, "--out", str(tmp_path / "b"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.split() == [str(tmp_path / "b" / "curves.png")]


def test_a_recording_reports_its_frames(tmp_path, capsys, monkeypatch):
    from explorer.cli import main

    monkeypatch.setattr(progress_module, "PLAIN_INTERVAL_S", 0.0)
    argv = ["export", "--samples", "60", "--views", "curves", "--steps", "8", "--every", "2"]
    assert main([*argv, "--gif", "--animation-view", "curves", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "recording 5/5 frames (100%)" in err and "finishing training.gif" in err
