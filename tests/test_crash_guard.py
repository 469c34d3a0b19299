"""The crash guard: an exception in a slot, a timer or a thread is logged and shown, and the
window and its session carry on."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QFileDialog, QMessageBox

from explorer.app.main_window import MainWindow
from explorer.session.config import Config
from explorer.session.persist import load_session
from explorer.session.session import Session


@pytest.fixture
def window(qtbot):
    w = MainWindow(Session(Config(samples=60)))
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.file_actions.modified = False  # leave without the unsaved-changes question
    w.close()
    w.deleteLater()
    qtbot.wait(1)


@pytest.fixture
def dialogs(monkeypatch):
    """Answer every crash dialog with Continue; what each showed, and from which thread."""
    shown = []

    def answer(box):
        shown.append(
            {
                "text": box.text(),
                "info": box.informativeText(),
                "details": box.detailedText(),
                "thread": threading.current_thread(),
                "box": box,
            }
        )
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    return shown


@pytest.fixture
def guard(window):
    from explorer.app.crash_guard import install

    installed = install(window)
    yield installed
    installed.uninstall()


def raise_once(obj, name, exc):
    """Make ``obj.name`` raise ``exc`` on its next call, then work as before."""
    original = getattr(obj, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise exc
        return original(*args, **kwargs)

    setattr(obj, name, failing)
    return calls


def test_an_exception_in_a_slot_is_logged_shown_and_the_window_goes_on(
    window, guard, dialogs, qtbot, data_folder, tmp_path
):
    from explorer import __version__

    raise_once(window.views["jacobian"], "refresh", RuntimeError("the view failed to draw"))
    window.actions["step"].trigger()  # the slot: session.step, then every view refreshes
    qtbot.waitUntil(lambda: len(dialogs) == 1)
    (shown,) = dialogs
    what = "RuntimeError: the view failed to draw"
    assert shown["text"] == f"Something went wrong and was stopped: {what}."
    assert "Save the session first" in shown["info"] and "crash.log" in shown["info"]
    assert shown["details"].startswith("Traceback (most recent call last):")
    assert "the view failed to draw" in shown["details"]
    log = (data_folder / "crash.log").read_text()
    assert f"Softmax Explorer {__version__}" in log and "the view failed to draw" in log
    # The command went through, and is marked unsaved; the views are drawn again.
    assert window.session.step_index == 1 and window.file_actions.modified
    qtbot.waitUntil(lambda: "step 1 / 1" in window.step_label.text())
    window.actions["step"].trigger()
    assert window.session.step_index == 2 and len(dialogs) == 1
    assert window.file_actions.save_as(tmp_path / "after.smx")
    again = load_session(tmp_path / "after.smx")
    assert np.array_equal(again.W, window.session.W) and again.step_index == 2


def test_an_exception_in_a_timer_callback_is_reported(window, guard, dialogs, qtbot, data_folder):
    W = window.session.W.copy()

    def tick():
        raise ZeroDivisionError("division by zero in a timer")

    QTimer.singleShot(0, tick)
    qtbot.waitUntil(lambda: len(dialogs) == 1)
    assert "ZeroDivisionError: division by zero in a timer" in dialogs[0]["text"]
    assert "division by zero in a timer" in (data_folder / "crash.log").read_text()
    assert np.array_equal(window.session.W, W) and window.isVisible()


def test_a_failing_play_frame_pauses_and_is_shown_once(window, guard, dialogs, qtbot):
    """Each frame would fail again: playback pauses at the first, one dialog."""
    session = window.session

    def failing_step(n=1):
        raise FloatingPointError("overflow in a frame")

    session.step = failing_step
    window.player.play()
    qtbot.waitUntil(lambda: len(dialogs) == 1)
    assert not window.player.playing
    qtbot.wait(200)
    assert len(dialogs) == 1
    del session.step
    window.player.play()
    qtbot.waitUntil(lambda: session.step_index > 0)
    window.player.pause()


def test_an_exception_in_a_thread_is_shown_in_the_gui_thread(window, guard, dialogs, qtbot):
    def work():
        raise ValueError("a worker failed")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(dialogs) == 1)
    assert "ValueError: a worker failed" in dialogs[0]["text"]
    assert dialogs[0]["thread"] is threading.main_thread()


def test_the_same_error_again_is_counted_not_shown_again(window, guard, dialogs, qtbot):
    def tick():
        raise KeyError("again")

    for _ in range(3):
        QTimer.singleShot(0, tick)
    qtbot.waitUntil(lambda: max(guard.counts.values(), default=0) == 3)
    qtbot.wait(50)
    assert len(dialogs) == 1
    assert "The same error again (3 times)" in window.statusBar().currentMessage()


def test_save_session_as_in_the_dialog_saves(window, guard, qtbot, monkeypatch, tmp_path):
    target = tmp_path / "rescued.smx"

    def click_save(box):
        (save,) = [b for b in box.buttons() if b.text() == "Save Session As…"]
        save.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click_save)
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    window.session.step(5)
    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.waitUntil(target.exists)
    assert load_session(target).step_index == 5


def test_uninstall_gives_the_hooks_back(window):
    from explorer.app.crash_guard import install

    before = (sys.excepthook, threading.excepthook)
    guard = install(window)
    assert sys.excepthook == guard.handle
    guard.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


CHILD = """
import sys
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QMessageBox
from explorer.app import application

original = application.get_application
shown = []
QMessageBox.exec = lambda box: shown.append(box.text()) or 0


def failing_then_quitting():
    app = original()

    def fail():
        QTimer.singleShot(1000, app.quit)  # after the report (however slow the start)
        1 / 0

    QTimer.singleShot(300, fail)
    return app


application.get_application = failing_then_quitting
from explorer.cli import main

code = main(["--samples", "60"])
print("shown:", shown)
sys.exit(code)
"""


def test_the_window_command_installs_the_guard_and_survives(tmp_path):
    """A real run. Without a hook PyQt6 aborts at the 1/0; pyqtgraph's import installs one
    that only prints, so without the guard the error reached stderr alone."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SOFTMAX_EXPLORER_SETTINGS": str(tmp_path / "s.ini"),
        "SOFTMAX_EXPLORER_DATA": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "ZeroDivisionError: division by zero" in result.stdout
    assert "ZeroDivisionError" in (tmp_path / "data" / "crash.log").read_text()
