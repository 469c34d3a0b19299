"""Autosave and recovery: unsaved work is written as Save writes it, offered back after a
crash, and removed when the window closes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import numpy as np
import pytest
from PyQt6.QtCore import QLockFile
from PyQt6.QtWidgets import QMessageBox

from explorer.app import autosave as autosave_module
from explorer.app.autosave import DISCARD, LATER, RESTORE, Autosave, offer_recovery, orphans
from explorer.app.main_window import MainWindow
from explorer.session.config import Config
from explorer.session.persist import read_state, write_state
from explorer.session.session import Session


def assert_same_state(a: dict, b: dict) -> None:
    """Bit for bit: the same keys, every array of the same dtype, shape and bytes."""
    assert a.keys() == b.keys()
    for key, value in a.items():
        other = b[key]
        if isinstance(value, np.ndarray):
            assert isinstance(other, np.ndarray), key
            assert value.dtype == other.dtype and value.shape == other.shape, key
            assert value.tobytes() == other.tobytes(), key
        else:
            assert value == other, key


@pytest.fixture
def make_window(qtbot):
    windows = []

    def make(session=None):
        window = MainWindow(session or Session(Config(samples=60)))
        windows.append(window)  # held until teardown, never deleted mid-paint
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        window.file_actions.modified = False  # leave without the unsaved-changes question
        window.close()
        window.deleteLater()
    qtbot.wait(1)


@pytest.fixture
def folder(data_folder):
    path = data_folder / "autosave"
    path.mkdir(parents=True)
    return path


def manual(window, folder) -> Autosave:
    """An autosave that only writes when the test ticks it."""
    return Autosave(window, folder, interval_s=0)


def written(autosave: Autosave) -> dict:
    autosave.wait()
    return read_state(autosave.path)


# ------------------------------------------------------------------ writing
def test_nothing_is_written_while_nothing_is_unsaved(make_window, folder):
    window = make_window()
    autosave = manual(window, folder)
    window.session.select(3)  # a selection is not a change a file holds
    assert not autosave.tick()
    assert list(folder.iterdir()) == []


def test_unsaved_changes_are_written_as_save_writes_them_once_per_change(make_window, folder):
    window = make_window()
    autosave = manual(window, folder)
    window.session.step(7)
    assert autosave.tick()
    assert_same_state(written(autosave), window.session.export_state())
    info = json.loads(autosave.info_path.read_text())
    assert (info["step"], info["head"], info["source"]) == (7, 7, None)
    assert not autosave.tick(), "nothing changed since"
    window.session.select(2)
    assert not autosave.tick(), "a selection is no change to save"
    window.session.step(3)
    assert autosave.tick()
    assert written(autosave)["step_index"] == 10
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [autosave.path.name, autosave.info_path.name, f"autosave-{os.getpid()}.lock"]
    )


def test_saving_removes_the_autosave(make_window, folder, tmp_path):
    window = make_window()
    autosave = manual(window, folder)
    window.session.step(4)
    assert autosave.tick()
    assert window.file_actions.save_as(tmp_path / "saved.smx")
    assert not autosave.tick()
    assert list(folder.iterdir()) == []
    window.session.step(1)
    assert autosave.tick()
    autosave.wait()
    assert json.loads(autosave.info_path.read_text())["source"] == str(tmp_path / "saved.smx")


def test_closing_removes_it_and_quitting_without_closing_keeps_the_last_changes(
    make_window, folder
):
    window = make_window()
    autosave = manual(window, folder)
    window.session.step(4)
    assert autosave.tick()
    autosave.finish(closed=True)
    assert list(folder.iterdir()) == []

    other = make_window()
    autosave = manual(other, folder)
    other.session.step(4)
    assert autosave.tick()
    other.session.step(5)  # after the last tick: written when the app quits
    autosave.finish(closed=False)
    assert written(autosave)["step_index"] == 9
    assert orphans(folder) == [autosave.path], "the next start finds it"


def test_the_timer_writes_on_its_interval(make_window, folder, qtbot):
    window = make_window()
    autosave = Autosave(window, folder, interval_s=0.05)
    autosave.start()
    window.session.step(3)
    qtbot.waitUntil(autosave.info_path.exists)
    assert written(autosave)["step_index"] == 3
    autosave.timer.stop()


def test_the_interval_is_a_setting(make_window, folder):
    window = make_window()
    assert Autosave(window, folder).interval_s == 60.0
    window.settings.setValue("autosave/interval_s", 2.5)
    assert Autosave(window, folder).interval_s == 2.5


def test_a_failed_write_is_said_once_and_tried_again(make_window, folder, monkeypatch, qtbot):
    window = make_window()
    autosave = manual(window, folder)

    def full_disk(path, state):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(autosave_module, "write_state", full_disk)
    window.session.step(2)
    assert autosave.tick()
    autosave.wait()
    qtbot.waitUntil(lambda: "Autosave failed" in window.statusBar().currentMessage())
    assert "No space left on device" in window.statusBar().currentMessage()
    monkeypatch.setattr(autosave_module, "write_state", write_state)
    assert autosave.tick(), "the same changes are tried again"
    assert written(autosave)["step_index"] == 2


# ------------------------------------------------------------------ recovery
def leftover(folder, session, name="autosave-999999", source=None) -> dict:
    """An autosave as a process that is gone left it (no lock held)."""
    state = session.export_state()
    write_state(folder / f"{name}.smx", state)
    info = {"source": source, "step": session.step_index, "head": session.head}
    (folder / f"{name}.json").write_text(json.dumps(info))
    return state


@pytest.fixture
def answers(monkeypatch):
    """Answer the recovery dialog with the next of ``answers.queue``; what it showed."""

    answers = SimpleNamespace(queue=[], shown=[])

    def ask(window, description):
        answers.shown.append(description)
        return answers.queue.pop(0)

    monkeypatch.setattr(autosave_module, "ask_restore", ask)
    return answers


def test_restore_shows_the_leftover_as_an_unsaved_session(make_window, folder, answers):
    lost = Session(Config(samples=60, dataset="spiral"))
    lost.step(12)
    state = leftover(folder, lost, source="/somewhere/lecture.smx")
    window = make_window()
    autosave = manual(window, folder)
    answers.queue = [RESTORE]
    assert offer_recovery(window, autosave)
    (description,) = answers.shown
    assert description.startswith("lecture.smx at step 12 of 12, autosaved ")
    assert_same_state(window.session.export_state(), state)
    assert window.file_actions.modified and window.windowTitle().startswith("lecture.smx *")
    # Adopted: the file is this run's autosave now, as it was, and no longer a leftover.
    assert [p.name for p in folder.glob("*.smx")] == [autosave.path.name]
    assert_same_state(read_state(autosave.path), state)
    assert orphans(folder) == []
    assert not autosave.tick(), "already on disk"
    window.session.step(1)
    assert autosave.tick()


def test_discard_deletes_it_and_not_now_keeps_it(make_window, folder, answers):
    lost = Session(Config(samples=60))
    lost.step(3)
    leftover(folder, lost)
    window = make_window()
    W = window.session.W.copy()
    answers.queue = [LATER]
    assert not offer_recovery(window, manual(window, folder))
    assert len(orphans(folder)) == 1 and np.array_equal(window.session.W, W)
    answers.queue = [DISCARD]
    assert not offer_recovery(window, manual(window, folder))
    assert list(folder.iterdir()) == [] and not window.file_actions.modified


def test_a_live_instance_autosave_is_not_offered(make_window, folder, answers):
    lost = Session(Config(samples=60))
    leftover(folder, lost, name="autosave-12345")
    held = QLockFile(str(folder / "autosave-12345.lock"))
    assert held.tryLock(0)  # held by a running process (this one)
    window = make_window()
    assert orphans(folder) == []
    assert not offer_recovery(window, manual(window, folder))
    assert answers.shown == []
    held.unlock()
    assert len(orphans(folder)) == 1


def test_an_unreadable_leftover_is_kept_aside_and_said(make_window, folder, answers, monkeypatch):
    (folder / "autosave-999999.smx").write_bytes(b"PK\x03\x04 not a zip")
    errors = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: errors.append(a[2])))
    window = make_window()
    answers.queue = [RESTORE]
    assert not offer_recovery(window, manual(window, folder))
    assert "could not be restored" in errors[0]
    assert [p.name for p in folder.iterdir()] == ["autosave-999999.smx.unreadable"]
    assert orphans(folder) == []


def test_the_window_command_offers_recovery_at_start(folder, answers, monkeypatch):
    from PyQt6.QtWidgets import QApplication

    from explorer.cli import main

    lost = Session(Config(samples=60, dataset="moons"))
    lost.step(6)
    state = leftover(folder, lost)
    seen = {}

    def fake_exec():
        (window,) = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        seen["state"] = window.session.export_state()
        window.file_actions.modified = False
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    answers.queue = [RESTORE]
    assert main(["--samples", "60"]) == 0
    assert_same_state(seen["state"], state)


# ------------------------------------------------------------------ a real crash
CHILD_SETTINGS = "[autosave]\ninterval_s=0.2\n"


def test_a_killed_run_is_restored_bit_for_bit(tmp_path, make_window, answers, qtbot):
    """``python -m explorer --play`` autosaves; SIGKILL; the next start restores it."""
    data = tmp_path / "child-data"
    settings = tmp_path / "child.ini"
    settings.write_text(CHILD_SETTINGS)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SOFTMAX_EXPLORER_SETTINGS": str(settings),
        "SOFTMAX_EXPLORER_DATA": str(data),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "explorer", "--samples", "90", "--optimizer", "adam", "--play"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    autosaves = data / "autosave"
    try:
        deadline = time.monotonic() + 90
        # Two writes seen: the second replaced the first while training went on.
        first = None
        while time.monotonic() < deadline:
            found = sorted(autosaves.glob("*.json")) if autosaves.exists() else []
            if found:
                stamp = found[0].stat().st_mtime_ns
                first = stamp if first is None else first
                if stamp != first:
                    break
            assert child.poll() is None, child.stderr.read().decode()
            time.sleep(0.05)
        else:
            pytest.fail("the child never autosaved twice")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    (smx,) = autosaves.glob("*.smx")
    kept = tmp_path / "as-autosaved.smx"
    shutil.copy(smx, kept)
    # The next start, here: the leftover is found (the dead child's lock is stale).
    folder = data / "autosave"
    assert orphans(folder) == [smx]
    window = make_window()
    autosave = manual(window, folder)
    answers.queue = [RESTORE]
    assert offer_recovery(window, autosave)
    expected = read_state(kept)
    assert expected["step_index"] > 0
    assert_same_state(window.session.export_state(), expected)
    assert window.session.step(5) == 5


CLOSING_CHILD = """
import sys
from pathlib import Path
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QMessageBox
from explorer.app import application

original = application.get_application
folder = Path(sys.argv[1])
seen = []


def close_once_autosaved():
    # Wait for a finished write: with a 0.2 s interval the next one may be under way (.tmp).
    if not list(folder.glob("*.json")) or list(folder.glob("*.tmp")):
        QTimer.singleShot(50, close_once_autosaved)
        return
    seen.append(sorted(p.suffix for p in folder.iterdir()))
    for window in QApplication.topLevelWidgets():
        window.close()  # asks: the session is unsaved; "Discard"


def starting():
    app = original()
    QTimer.singleShot(200, close_once_autosaved)
    return app


QMessageBox.question = lambda *a, **k: QMessageBox.StandardButton.Discard
application.get_application = starting
from explorer.cli import main

code = main(["--samples", "60", "--play"])
print("seen:", seen, "left:", sorted(p.name for p in folder.iterdir()))
sys.exit(code)
"""


def test_a_clean_exit_removes_the_autosave(tmp_path):
    data = tmp_path / "child-data"
    settings = tmp_path / "child.ini"
    settings.write_text(CHILD_SETTINGS)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SOFTMAX_EXPLORER_SETTINGS": str(settings),
        "SOFTMAX_EXPLORER_DATA": str(data),
    }
    result = subprocess.run(
        [sys.executable, "-c", CLOSING_CHILD, str(data / "autosave")],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "seen: [['.json', '.lock', '.smx']] left: []" in result.stdout, result.stdout
