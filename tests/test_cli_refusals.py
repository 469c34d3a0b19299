"""What the command line refuses, and that a refusal writes nothing.

In-process through :func:`explorer.cli.main`: the window command with the event loop
replaced (the session it would show is kept), the export command for real.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from explorer.cli import main


@pytest.fixture
def shown(monkeypatch):
    """Run the window command without a window: the sessions it would show."""
    from explorer.app import application

    sessions = []

    def fake_run_window(session, **_kwargs):
        sessions.append(session)
        return 0

    monkeypatch.setattr(application, "run_window", fake_run_window)
    return sessions


def refused(argv, capsys) -> str:
    """Run ``argv``; it must exit 2 with one line on stderr, which is returned."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def tree(folder: Path) -> set[str]:
    """Every path under ``folder`` (relative), folders included."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def points_csv(tmp_path) -> Path:
    path = tmp_path / "in" / "points.csv"
    path.parent.mkdir(exist_ok=True)
    rng = np.random.default_rng(1)
    rows = [f"{x:.3f},{y:.3f},{'ab'[k % 2]}" for k, (x, y) in enumerate(rng.normal(size=(40, 2)))]
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture
def saved_session(tmp_path) -> Path:
    from explorer.session.config import Config
    from explorer.session.persist import save_session
    from explorer.session.session import Session

    session = Session(Config(samples=60))
    session.step(12)
    path = tmp_path / "in" / "saved.smx"
    path.parent.mkdir(exist_ok=True)
    save_session(session, path)
    return path


# ------------------------------------------------------------------ empty strings
@pytest.mark.parametrize("option", ["--csv", "--load"])
def test_an_empty_input_path_is_refused_by_the_window(option, shown, capsys):
    line = refused([option, ""], capsys)
    assert line.startswith("softmax-explorer: error:") and f"{option} " in line
    assert "empty" in line
    assert shown == []


@pytest.mark.parametrize("option", ["--csv", "--load", "--out", "--save-session"])
def test_an_empty_path_is_refused_by_the_export(option, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["export", "--steps", "1", "--views", "regions", option, ""]
    if option != "--out":
        argv += ["--out", str(tmp_path / "out")]
    line = refused(argv, capsys)
    assert line.startswith("softmax-explorer export: error:") and f"{option} " in line
    assert "empty" in line
    assert tree(tmp_path) == set()


# ------------------------------------------------------------------ contradictions
@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--csv", "POINTS"], "--csv"),
        (["--dataset", "spiral"], "--dataset"),
        (["--samples", "90"], "--samples"),
        (["--seed", "3"], "--seed"),
        (["--test-fraction", "0.5"], "--test-fraction"),
        (["--features", "poly2"], "--features"),
        (["--degree", "2"], "--degree"),
    ],
)
def test_load_with_an_option_that_would_discard_it_is_refused(
    extra, named, saved_session, points_csv, shown, capsys
):
    extra = [str(points_csv) if a == "POINTS" else a for a in extra]
    line = refused(["--load", str(saved_session), *extra], capsys)
    assert f"--load and {named}" in line or f"{named} and --load" in line, line
    assert shown == []


@pytest.mark.parametrize(
    "extra", [["--dataset", "spiral"], ["--classes", "4"], ["--samples", "90"], ["--noise", "1"]]
)
def test_csv_with_an_option_it_would_ignore_is_refused(extra, points_csv, shown, capsys):
    line = refused(["--csv", str(points_csv), *extra], capsys)
    assert f"--csv and {extra[0]}" in line, line
    assert shown == []


def test_load_with_training_options_continues_the_loaded_run(saved_session, shown):
    from explorer.session.persist import load_session

    assert main(["--load", str(saved_session), "--lr", "0.02", "--optimizer", "adam"]) == 0
    (session,) = shown
    loaded = load_session(saved_session)
    assert session.config.lr == 0.02 and session.config.optimizer == "adam"
    assert session.head == loaded.head == 12
    assert np.array_equal(session.data.X, loaded.data.X)


def test_load_with_training_options_at_an_earlier_step_is_refused(tmp_path, shown, capsys):
    """Changing the training there would drop the history after the shown step."""
    from explorer.session.config import Config
    from explorer.session.persist import save_session
    from explorer.session.session import Session

    session = Session(Config(samples=60))
    session.step(20)
    session.seek(5)
    path = tmp_path / "scrubbed.smx"
    save_session(session, path)
    line = refused(["--load", str(path), "--lr", "0.02"], capsys)
    assert "step 5" in line and "20" in line, line
    assert shown == []


def test_csv_with_seed_and_test_fraction_is_fine(points_csv, shown):
    assert main(["--csv", str(points_csv), "--seed", "4", "--test-fraction", "0.25"]) == 0
    (session,) = shown
    assert session.data.class_names == ("a", "b") and session.config.seed == 4


# ------------------------------------------------------------------ export output paths
def _export_refusal(tmp_path, capsys, *args) -> str:
    before = tree(tmp_path)
    line = refused(["export", "--steps", "1", "--samples", "60", *args], capsys)
    assert line.startswith("softmax-explorer export: error:")
    assert tree(tmp_path) == before, "a refusal writes nothing"
    return line


def test_a_session_path_in_a_missing_folder_is_refused_before_any_image(tmp_path, capsys):
    line = _export_refusal(
        tmp_path, capsys, "--out", str(tmp_path / "out"), "--save-session", "/nonexistent/d/x.smx"
    )
    assert "--save-session" in line and "/nonexistent/d" in line


@pytest.mark.parametrize(
    ("where", "named"),
    [
        ("session in unwritable folder", "--save-session"),
        ("out in unwritable folder", "--out"),
        ("out under a file", "--out"),
        ("session under a file", "--save-session"),
        ("image path is a folder", "regions.png"),
        ("session is an image", "--save-session"),
    ],
)
def test_every_output_path_is_checked_before_training(tmp_path, capsys, where, named):
    out = tmp_path / "out"
    a_file = tmp_path / "note.txt"
    a_file.write_text("keep me\n")
    # /proc takes no new files, even from root (the tests may run as root).
    args = {
        "session in unwritable folder": ["--out", str(out), "--save-session", "/proc/x.smx"],
        "out in unwritable folder": ["--out", "/proc/softmax-explorer-out"],
        "out under a file": ["--out", str(a_file / "out")],
        "session under a file": ["--out", str(out), "--save-session", str(a_file / "x.smx")],
        "image path is a folder": ["--out", str(out), "--views", "regions"],
        "session is an image": [
            "--out", str(out), "--views", "regions", "--save-session", str(out / "regions.png")
        ],
    }[where]  # fmt: skip
    if where == "image path is a folder":
        (out / "regions.png").mkdir(parents=True)
    line = _export_refusal(tmp_path, capsys, *args)
    assert named in line, line
    assert a_file.read_text() == "keep me\n"


def test_an_out_folder_that_is_not_utf8_is_refused_before_training(tmp_path, capsys, monkeypatch):
    """``--out $'\\x80'`` reaches Python as a surrogate, which Qt's image writers refuse."""
    monkeypatch.chdir(tmp_path)
    line = _export_refusal(tmp_path, capsys, "--out", b"\x80out".decode("utf-8", "surrogateescape"))
    assert "UTF-8" in line, line


@pytest.mark.parametrize("which", ["session", "image"])
def test_a_device_or_pipe_is_not_replaced(tmp_path, capsys, which):
    """Saving replaces the target file: a pipe (or /dev/null) must stay what it is."""
    out = tmp_path / "out"
    out.mkdir()
    pipe = tmp_path / "pipe" if which == "session" else out / "regions.png"
    os.mkfifo(pipe)
    args = ["--out", str(out), "--views", "regions"]
    if which == "session":
        args += ["--save-session", str(pipe)]
    line = _export_refusal(tmp_path, capsys, *args)
    assert "not a regular file" in line, line
    assert pipe.is_fifo()


def test_a_writable_new_folder_two_levels_down_is_fine(tmp_path, capsys):
    out = tmp_path / "a" / "b"
    code = main(
        ["export", "--steps", "1", "--samples", "60", "--views", "curves", "--out", str(out)]
    )
    assert code == 0
    assert tree(tmp_path) == {"a", "a/b", "a/b/curves.png"}
    assert capsys.readouterr().out.split() == [str(out / "curves.png")]


def test_no_probe_file_is_left_behind(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _export_refusal(tmp_path, capsys, "--out", "out", "--save-session", "missing/x.smx")
    assert os.listdir(tmp_path) == []


def test_a_write_that_fails_midway_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    """A full disk at the second image: the first image and the new folder are removed."""
    import errno

    from explorer.export import image

    real_save = image.save_image
    calls = []

    def save_or_fill_the_disk(widget, path, fmt=None, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_save(widget, path, fmt, **kwargs)

    monkeypatch.setattr(image, "save_image", save_or_fill_the_disk)
    out = tmp_path / "new" / "out"
    kept = tmp_path / "kept.png"
    kept.write_bytes(b"an older file")
    line = _export_refusal(
        tmp_path, capsys, "--out", str(out), "--views", "regions,curves",
        "--save-session", str(tmp_path / "s.smx"), "--quiet",
    )  # fmt: skip
    assert line.endswith(f"cannot write {out / 'curves.png'}: No space left on device"), line
    assert len(calls) == 2 and kept.read_bytes() == b"an older file"


@pytest.mark.parametrize(
    "value", ["1\n2", "\x850", "a\u2028b", "x" * 10_000], ids=["LF", "NEL", "LS", "10k"]
)
def test_an_error_quoting_a_value_is_one_short_line(value, shown, capsys):
    for argv in (["--classes", value], ["--dataset", value], [value]):
        line = refused(argv, capsys)
        assert len(line) < 400, line
        assert "x" * 241 not in line
    assert "x" * 81 not in refused(["--classes", value], capsys)
