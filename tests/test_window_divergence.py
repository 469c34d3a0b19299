"""The divergence notice in the window: it says how to get back (step back to before the
divergence, or Reset), stays until the report is cleared, and clears after Reset or an
edit at an earlier step; following its advice trains on with a finite, falling loss."""

import numpy as np
import pytest
from PyQt6.QtWidgets import QApplication

from explorer.app.main_window import MainWindow
from explorer.app.messages import divergence_text
from explorer.session.config import Config
from explorer.session.session import Session


@pytest.fixture
def window(qtbot):
    window = MainWindow(Session(Config(samples=90, dataset="xor")))
    window.resize(1366, 740)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.file_actions.modified = False
    window.close()
    window.deleteLater()
    qtbot.wait(1)


def diverge(window):
    """Ten steps at the default rate, then 1e6 and Step until training diverges."""
    s = window.session
    s.step(10)
    s.configure(s.config.replace(lr=1e6))
    for _ in range(50):
        window.actions["step"].trigger()
        if s.diverged:
            return s.diverged
    raise AssertionError("training at a learning rate of 1e6 did not diverge")


def notice(window) -> str:
    return window.statusBar().currentMessage()


def test_the_notice_says_how_to_get_back(window):
    diverge(window)
    d = window.session.diverged
    text = notice(window)
    assert text == divergence_text(d)
    assert "step back to before the loss blew up" in text
    assert "lower the learning rate 1e+06 there" in text
    assert "Reset (Ctrl+Shift+R)" in text
    assert window.actions["reset"].shortcut().toString() == "Ctrl+Shift+R"  # the key it names


def test_the_notice_stays_while_the_divergence_stands(window, qtbot):
    diverge(window)
    text = notice(window)
    window.actions["step"].trigger()  # diverges again at once: still the same notice
    qtbot.wait(50)
    assert notice(window) == text
    window.actions["step_back"].trigger()  # looking back does not clear it
    assert notice(window) == text


def test_reset_clears_the_notice(window):
    diverge(window)
    text = notice(window)
    window.actions["reset"].trigger()
    assert window.session.diverged is None
    assert notice(window) != text
    assert "diverged" not in notice(window)


def test_following_the_advice_trains_on(window):
    diverge(window)
    s = window.session
    blown = float(s.metrics.train_loss[s.head])
    window.timeline.setValue(10)  # step back to before the loss blew up
    assert s.metrics.train_loss[10] < s.metrics.train_loss[0] < blown / 10
    assert s.config.lr == 1e6  # the rate that blew it up starts here
    window.views["config"].controls()["lr"].commit_text("0.1")  # and lower the rate there
    assert s.diverged is None
    assert "diverged" not in notice(window)
    for _ in range(30):
        window.actions["step"].trigger()
    assert s.diverged is None
    loss = s.metrics.train_loss[: s.head + 1]
    assert np.isfinite(loss).all()
    assert loss[-1] < blown


def test_a_new_session_clears_the_notice(window):
    diverge(window)
    window.actions["new"].trigger()
    QApplication.processEvents()
    assert "diverged" not in notice(window)
