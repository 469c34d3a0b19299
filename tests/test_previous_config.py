"""The configuration kept in the settings when the window closes comes back on request."""

from explorer.app.main_window import MainWindow
from explorer.session.config import Config
from explorer.session.session import Session


def open_window(qtbot, windows):
    window = MainWindow(Session(Config(samples=90)))
    windows.append(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close(window):
    window.file_actions.modified = False
    window.close()


def test_previous_configuration_is_applied_on_request(qtbot):
    windows = []
    first = open_window(qtbot, windows)
    assert not first.actions["last_config"].isEnabled()  # nothing kept yet
    wanted = first.session.config.replace(dataset="moons", lr=0.3, optimizer="adam", l2=0.01)
    first.session.configure(wanted)
    close(first)

    second = open_window(qtbot, windows)
    assert second.session.config == Config(samples=90)  # a start without options: the default
    assert second.actions["last_config"].isEnabled()
    second.actions["last_config"].trigger()
    assert second.session.config == wanted
    assert second.session.data.X.shape[1] == 90
    close(second)


def test_a_corrupt_kept_configuration_is_refused_with_a_message(qtbot, monkeypatch):
    windows = []
    first = open_window(qtbot, windows)
    close(first)
    first.settings.setValue("session/last_config", '{"lr": -5}')
    first.settings.sync()
    second = open_window(qtbot, windows)
    before = second.session.config
    errors = []
    monkeypatch.setattr(second, "show_error", errors.append)
    second.actions["last_config"].trigger()
    assert second.session.config == before
    assert len(errors) == 1 and "lr" in errors[0]
    close(second)
