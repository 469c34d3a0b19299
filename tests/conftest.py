"""Every test runs headless, never touches the user's settings or data folder and never waits
on a dialog."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PyQt6"
# Two cores, shared: BLAS threads only add contention for our small matrices.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest


def pytest_collection_modifyitems(config, items):
    """Leave the ``fuzz`` tests (the large fuzz budgets) out unless ``-m`` names them."""
    if "fuzz" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker("fuzz") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Point the app's settings at a temporary file for every test."""
    monkeypatch.setenv("SOFTMAX_EXPLORER_SETTINGS", str(tmp_path / "settings.ini"))
    yield


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    """Point the user's data folder (crash log, autosaves) at a temporary folder."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("SOFTMAX_EXPLORER_DATA", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _restored_exception_hooks():
    """Give ``sys.excepthook`` and ``threading.excepthook`` back after every test (a
    window started by the window command installs the crash guard's)."""
    import sys
    import threading

    hooks = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = hooks


class UnexpectedDialog(AssertionError):
    """A test reached a modal dialog it did not answer; offscreen, it would wait forever."""


def _refuse(name):
    def refuse(*args, **kwargs):
        raise UnexpectedDialog(f"unanswered modal dialog: {name}")

    return refuse


@pytest.fixture(autouse=True)
def _no_modal_dialogs(monkeypatch):
    """Make every modal dialog a test failure unless the test answers it itself.

    A test that expects a dialog monkeypatches the call (``QMessageBox.question``,
    ``QFileDialog.getSaveFileName``, ``SomeDialog.exec``...) after this fixture ran.
    """
    try:
        from PyQt6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMenu, QMessageBox
    except ImportError:  # the core tests run without Qt too
        yield
        return
    for name in ("question", "warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(_refuse(f"QMessageBox.{name}")))
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(_refuse(f"QFileDialog.{name}")))
    for name in ("getText", "getInt", "getDouble", "getItem"):
        monkeypatch.setattr(QInputDialog, name, staticmethod(_refuse(f"QInputDialog.{name}")))
    monkeypatch.setattr(QDialog, "exec", _refuse("QDialog.exec"))
    monkeypatch.setattr(QMessageBox, "exec", _refuse("QMessageBox.exec"))
    monkeypatch.setattr(QMenu, "exec", _refuse("QMenu.exec"))
    yield


@pytest.fixture(autouse=True)
def _hold_added_widgets(request):
    """Keep every widget given to ``qtbot.addWidget`` alive until pytest-qt closes it.

    pytest-qt holds those widgets weakly and processes events after the test function
    returns. A view that a test made in a local variable is then reachable only through
    its own reference cycles (view ↔ session), and a garbage collection during that
    event processing would delete it in the middle of a paint (a segfault).
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    qtbot = request.getfixturevalue("qtbot")
    held = []
    add_widget = qtbot.addWidget

    def add_and_hold(widget, *args, **kwargs):
        held.append(widget)
        return add_widget(widget, *args, **kwargs)

    qtbot.addWidget = add_and_hold
    yield
    held.clear()


@pytest.fixture
def show_view(qtbot):
    """``show_view(widget, width, height)``: hand ``widget`` to qtbot, size it, show it and
    wait until it is on screen; returns it."""

    def show(widget, width: int, height: int):
        qtbot.addWidget(widget)
        widget.resize(width, height)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return show
