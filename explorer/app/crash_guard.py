"""The crash guard: an exception that escapes a slot, a timer or a thread is reported, and
the program keeps running.

PyQt6 aborts the process on an exception that escapes a slot (the unsaved session is
gone) unless ``sys.excepthook`` is replaced; importing pyqtgraph replaces it with a hook
that only prints, so the error went to a stderr nobody sees while a failing frame failed
again at every tick. :func:`install` replaces the hook, and ``threading.excepthook``,
for the window's lifetime. An exception then

1. pauses playback (a failing frame would fail again sixty times a second),
2. is appended to ``crash.log`` in the user's data folder
   (:func:`explorer.app.data_folder.data_folder`) with the versions and the traceback,
3. is shown in a dialog: what happened in a sentence, "save the session first", the
   log's path, and the traceback in the copyable details area, with a button that saves
   the session under a new name,
4. and the views are drawn again from the session, which holds the state of the last
   command that went through.

The same error again (same type, same line) is logged a few times and counted, not shown
again while its dialog was seen in the last :data:`REPEAT_QUIET_S` seconds.
"""

from __future__ import annotations

import platform
import sys
import threading
import time
import traceback
from datetime import datetime
from pathlib import Path

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QMessageBox

from explorer import APP_NAME, __version__
from explorer.app.data_folder import data_folder

LOG_NAME = "crash.log"
#: The log is started afresh (the old one kept as ``crash.log.1``) past this size.
MAX_LOG_BYTES = 1 << 20
#: Full tracebacks logged per distinct error; later repeats are only counted.
MAX_LOGGED_REPEATS = 3
#: Seconds after its dialog during which the same error is not shown again.
REPEAT_QUIET_S = 30.0


def log_path() -> Path:
    """``crash.log`` in the user's data folder."""
    return data_folder() / LOG_NAME


def append_to_log(text: str) -> Path:
    """Append one report (a header line of versions and ``text``) to the crash log."""
    from PyQt6.QtCore import PYQT_VERSION_STR, QT_VERSION_STR

    path = log_path()
    if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
        path.replace(path.with_name(LOG_NAME + ".1"))
    stamp = datetime.now().isoformat(sep=" ", timespec="seconds")
    header = (
        f"==== {stamp} · {APP_NAME} {__version__} · Python {platform.python_version()} · "
        f"Qt {QT_VERSION_STR} · PyQt {PYQT_VERSION_STR} · {platform.platform()}"
    )
    with path.open("a", encoding="utf-8", errors="backslashreplace") as log:
        log.write(f"{header}\n{text.rstrip()}\n\n")
    return path


def _signature(exc_type, tb) -> tuple:
    """(type, file, line) of the innermost frame: what makes two errors 'the same'."""
    frames = traceback.extract_tb(tb)
    last = frames[-1] if frames else None
    return (exc_type.__name__, last.filename if last else "", last.lineno if last else 0)


def summary(exc_type, exc) -> str:
    """One sentence for the dialog: ``ZeroDivisionError: division by zero``."""
    text = " ".join(str(exc).split())
    if len(text) > 200:
        text = text[:200] + "…"
    return f"{exc_type.__name__}: {text}" if text else exc_type.__name__


class CrashGuard(QObject):
    """Reports exceptions for one :class:`~explorer.app.main_window.MainWindow`."""

    #: (summary, traceback text, signature): a report from any thread, shown in the GUI's.
    reported = pyqtSignal(str, str, object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.counts: dict[tuple, int] = {}
        self._shown_at: dict[tuple, float] = {}
        self._showing = False
        self._previous = None
        # Queued, also from the GUI thread: the hook returns and the failed slot unwinds
        # before the dialog's event loop runs; from another thread, widgets are the GUI's.
        self.reported.connect(self._report, Qt.ConnectionType.QueuedConnection)

    # --------------------------------------------------------------- hooks
    def install(self) -> CrashGuard:
        """Take over ``sys.excepthook`` and ``threading.excepthook``; returns ``self``."""
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        return self

    def uninstall(self) -> None:
        """Give the hooks back (if they are still ours)."""
        if self._previous is None:
            return
        if sys.excepthook == self.handle:
            sys.excepthook = self._previous[0]
        if threading.excepthook == self._handle_thread:
            threading.excepthook = self._previous[1]
        self._previous = None

    def _handle_thread(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def handle(self, exc_type, exc, tb) -> None:
        """The hook: log the exception and report it (never raises)."""
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            text = "".join(traceback.format_exception(exc_type, exc, tb))
            signature = _signature(exc_type, tb)
            count = self.counts.get(signature, 0) + 1
            self.counts[signature] = count
            if count <= MAX_LOGGED_REPEATS:
                self._log(text)
            if threading.current_thread() is threading.main_thread():
                self.window.player.pause()  # now: the next frame would fail again
            self.reported.emit(summary(exc_type, exc), text, signature)
        except Exception:  # the guard must not fail: fall back to stderr
            sys.__excepthook__(exc_type, exc, tb)

    def _log(self, text: str) -> None:
        try:
            append_to_log(text)
        except OSError as exc:  # no log: the dialog still shows the traceback
            print(f"{APP_NAME}: cannot write the crash log: {exc}", file=sys.stderr)
        print(text, file=sys.stderr, end="")

    # -------------------------------------------------------------- report
    def _report(self, what: str, text: str, signature) -> None:
        window = self.window
        window.player.pause()
        count = self.counts.get(signature, 1)
        recent = time.monotonic() - self._shown_at.get(signature, -REPEAT_QUIET_S)
        if self._showing or recent < REPEAT_QUIET_S:
            window.show_message(f"The same error again ({count} times): {what}", 0)
            return
        self._showing = True
        try:
            if ask_to_save(window, what, text):
                window.file_actions.save_as()
        finally:
            self._showing = False
            self._shown_at[signature] = time.monotonic()
        # Later, not now: a view that failed to draw may fail again, as a new report.
        QTimer.singleShot(0, self._redraw)

    def _redraw(self) -> None:
        # Showing the same session again draws every view from it (and the tool bar).
        self.window.set_session(self.window.session)


def ask_to_save(window, what: str, details: str) -> bool:
    """The crash dialog; ``True`` when the user asks to save the session under a new name."""
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(f"{APP_NAME}: something went wrong")
    box.setText(f"Something went wrong and was stopped: {what}.")
    box.setInformativeText(
        "Save the session first (under a new name, to keep the last saved file as it is). "
        f"{APP_NAME} keeps running with the session as the last command that worked left "
        f"it. The details are in {_shown_log_path()}; please include them in a bug report."
    )
    box.setDetailedText(details)
    save = box.addButton("Save Session As…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Continue", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    box.exec()
    return box.clickedButton() is save


def _shown_log_path() -> str:
    try:
        return str(log_path())
    except OSError:
        return LOG_NAME


def install(window) -> CrashGuard:
    """Guard ``window``: report every uncaught exception instead of aborting."""
    return CrashGuard(window).install()
