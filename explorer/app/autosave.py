"""Autosave and recovery: unsaved work survives a crash, a kill or a power cut.

While the window's session has unsaved changes (``FileActions.modified``, the flag the
title's ``*`` and the close question use), it is written every ``autosave/interval_s``
seconds (a setting, default 60) to ``autosave/autosave-<pid>.smx`` in the user's data
folder (:func:`explorer.app.data_folder.data_folder`), by the writer File → Save uses
(:func:`explorer.session.persist.write_state`: a temporary file, then an atomic
replace), beside a small ``.json`` saying what it is (the file it came from, the step,
when). Nothing is written when nothing changed since the last autosave; once the
changes are saved (or discarded) the autosave is removed, and so it is when the window
is closed. The session's state is copied in the GUI thread and written in a worker
thread: a 100 000-step history takes ~0.3 s to compress and write, a pause the player
would otherwise show every minute.

An autosave whose process is gone (its ``QLockFile`` ``.lock`` is stale: the process
that holds it no longer runs) is what a crash left. At the next start
:func:`offer_recovery` asks: **Restore** opens it as an unsaved session (and adopts the
file, so it is safe until this run's first autosave), **Discard** deletes it, **Not
Now** keeps it for the next start. Several instances may run at once: each writes and
locks its own file.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from datetime import datetime
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QLockFile, QObject, QTimer, pyqtSignal
from PyQt6.QtWidgets import QMessageBox

from explorer import APP_NAME
from explorer.app import settings as app_settings
from explorer.app.data_folder import data_folder
from explorer.session.compare_io import load_any, pair_state
from explorer.session.persist import SUFFIX, SessionFileError, write_state

FOLDER_NAME = "autosave"
PREFIX = "autosave-"
#: The shortest interval honoured (seconds): a typo in the settings must not write
#: the session all the time.
MIN_INTERVAL_S = 0.05


def autosave_folder() -> Path:
    """``autosave`` in the user's data folder (created if missing)."""
    folder = data_folder() / FOLDER_NAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _companions(path: Path) -> tuple[Path, Path]:
    """The ``.json`` description and the ``.lock`` of the autosave ``path``."""
    return path.with_suffix(".json"), path.with_suffix(".lock")


def _write_json_atomically(path: Path, value: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(value, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copied(state: dict) -> dict:
    """``state`` with every array copied: the worker writes while the session moves on."""
    return {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v for k, v in state.items()}


class Autosave(QObject):
    """Autosaves one :class:`~explorer.app.main_window.MainWindow`'s session.

    Parameters
    ----------
    window : MainWindow
    folder : Path, optional
        Where to write (default :func:`autosave_folder`).
    interval_s : float, optional
        Seconds between looks at the session (default: the setting; <= 0: never).
    """

    #: A write failed: the message (from the worker thread, shown in the GUI thread).
    failed = pyqtSignal(str)

    def __init__(self, window, folder: Path | None = None, interval_s: float | None = None):
        super().__init__(window)
        self.window = window
        self.folder = Path(folder) if folder is not None else autosave_folder()
        self.path = self.folder / f"{PREFIX}{os.getpid()}{SUFFIX}"
        self.info_path, lock_path = _companions(self.path)
        self._lock = QLockFile(str(lock_path))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone
        self._written: tuple | None = None  # (session id, change count) on disk
        self._worker: threading.Thread | None = None
        self._last_failure = ""
        if interval_s is None:
            interval_s = app_settings.read(window.settings, "autosave/interval_s")
        self.interval_s = float(interval_s)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.failed.connect(self._show_failure)

    def start(self) -> None:
        """Look at the session every ``interval_s`` from now on (if it is positive)."""
        if self.interval_s > 0:
            self.timer.start(round(1000 * max(self.interval_s, MIN_INTERVAL_S)))

    # -------------------------------------------------------------- writing
    def _key(self) -> tuple:
        fa = self.window.file_actions
        return (id(self.window.session), fa.generation)

    def tick(self) -> bool:
        """Write the session if it has unsaved changes not yet autosaved; ``True`` if so.

        With no unsaved changes, removes the autosave. A write still running is left to
        finish (the next tick catches up).
        """
        if not self.window.isVisible():  # closed: the user saved or discarded
            return False
        if not self.window.file_actions.modified:
            self.remove()
            return False
        key = self._key()
        if key == self._written or self.busy:
            return False
        if not self._lock.isLocked() and not self._lock.tryLock(0):
            self.failed.emit(f"cannot lock {self._lock.fileName()} ({self._lock.error().name})")
            return False
        session = self.window.session
        comparison = self.window.compare.comparison  # compare mode: both runs
        state = _copied(pair_state(comparison) if comparison else session.export_state())
        fa = self.window.file_actions
        info = {
            "source": str(fa.path) if fa.path else None,
            "step": int(session.step_index),
            "head": int(session.head),
            "saved_at": datetime.now().isoformat(timespec="seconds"),
        }
        self._written = key
        self._worker = threading.Thread(
            target=self._write, args=(state, info), name="autosave", daemon=True
        )
        self._worker.start()
        return True

    @property
    def busy(self) -> bool:
        """A write is running in the worker thread."""
        return self._worker is not None and self._worker.is_alive()

    def wait(self) -> None:
        """Wait for a running write to finish."""
        if self._worker is not None:
            self._worker.join()
            self._worker = None

    def _write(self, state: dict, info: dict) -> None:
        try:
            write_state(self.path, state)
            _write_json_atomically(self.info_path, info)
        except (OSError, SessionFileError) as exc:
            self._written = None  # try again at the next tick
            self.failed.emit(f"{getattr(exc, 'strerror', None) or exc}")

    def _show_failure(self, message: str) -> None:
        if message != self._last_failure:  # said once, not every minute
            self._last_failure = message
            self.window.show_message(f"Autosave failed: {message}", 0)

    def remove(self) -> None:
        """Delete this run's autosave (its file, description and lock)."""
        self.wait()
        for path in (self.path, self.info_path):
            path.unlink(missing_ok=True)
        if self._lock.isLocked():
            self._lock.unlock()
        self._written = None

    def finish(self, closed: bool) -> None:
        """The event loop is over. ``closed``: the window was closed (the user answered
        the unsaved-changes question), so the autosave goes; otherwise the last changes
        are written and kept for the next start."""
        self.timer.stop()
        self.wait()
        if closed:
            self.remove()
            return
        if self.tick():
            self.wait()
        if self._lock.isLocked():
            self._lock.unlock()  # the files stay: the next start offers them

    def quitting(self) -> None:
        """The application quits: :meth:`finish`, closed if the window is."""
        self.finish(closed=not self.window.isVisible())

    # -------------------------------------------------------------- recovery
    def adopt(self, orphan: Path) -> None:
        """Make the restored ``orphan`` this run's autosave (it stays until replaced)."""
        self.wait()
        if not self._lock.isLocked():
            self._lock.tryLock(0)
        orphan.replace(self.path)
        info, lock = _companions(orphan)
        if info.exists():
            info.replace(self.info_path)
        lock.unlink(missing_ok=True)
        self._written = self._key()


def orphans(folder: Path) -> list[Path]:
    """The autosaves in ``folder`` whose process is gone, newest first."""
    found = []
    for path in folder.glob(f"{PREFIX}*{SUFFIX}"):
        lock = QLockFile(str(_companions(path)[1]))
        lock.setStaleLockTime(0)
        if lock.tryLock(0):  # no owner, or a dead one: a leftover
            lock.unlock()
            found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def describe(orphan: Path) -> str:
    """What the dialog says about ``orphan``: where it came from, its step, its time."""
    try:
        info = json.loads(_companions(orphan)[0].read_text(encoding="utf-8"))
        if not isinstance(info, dict):
            info = {}
    except (OSError, ValueError):
        info = {}
    source = info.get("source")
    name = Path(source).name if isinstance(source, str) else "an untitled session"
    step, head = info.get("step"), info.get("head")
    counted = isinstance(step, int) and isinstance(head, int)
    where = f" at step {step:,} of {head:,}" if counted else ""
    when = datetime.fromtimestamp(orphan.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"{name}{where}, autosaved {when}"


RESTORE, DISCARD, LATER = "restore", "discard", "later"


def ask_restore(window, description: str) -> str:
    """The recovery dialog: :data:`RESTORE`, :data:`DISCARD` or :data:`LATER`."""
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(f"{APP_NAME}: restore unsaved work?")
    box.setText(f"{APP_NAME} did not close properly last time. Its unsaved session was kept.")
    box.setInformativeText(
        f"{description}. Restore opens it as an unsaved session; Discard deletes it."
    )
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    later = box.addButton("Not Now", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.setEscapeButton(later)
    box.exec()
    clicked = box.clickedButton()
    return RESTORE if clicked is restore else DISCARD if clicked is discard else LATER


def delete(orphan: Path) -> None:
    """Remove an autosave and its companions."""
    for path in (orphan, *_companions(orphan)):
        path.unlink(missing_ok=True)


def offer_recovery(window, autosave: Autosave) -> bool:
    """Offer the newest leftover autosave (if any); ``True`` if it was restored.

    The others stay for the next start. A leftover that cannot be read is renamed
    ``*.unreadable`` (kept, never offered again) and the error shown.
    """
    found = [p for p in orphans(autosave.folder) if p != autosave.path]
    if not found:
        return False
    orphan = found[0]
    answer = ask_restore(window, describe(orphan))
    if answer == DISCARD:
        delete(orphan)
        return False
    if answer == LATER:
        return False
    try:
        session, comparison = load_any(orphan)
    except SessionFileError as exc:
        orphan.replace(orphan.with_name(orphan.name + ".unreadable"))
        window.show_error(f"The autosaved session could not be restored:\n{exc}")
        return False
    source = _source_of(orphan)
    window.set_session(session)
    if comparison is not None:
        window.compare.start(comparison)
    fa = window.file_actions
    fa.replaced(session, source)
    fa.mark_modified()
    autosave.adopt(orphan)
    window.show_message(f"Restored the autosaved session ({describe(autosave.path)})", 0)
    return True


def _source_of(orphan: Path) -> Path | None:
    try:
        source = json.loads(_companions(orphan)[0].read_text(encoding="utf-8")).get("source")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(source) if isinstance(source, str) else None


def start(window) -> Autosave | None:
    """Offer to restore what a crash left, then autosave ``window`` until the app quits.

    Returns ``None`` (autosave off, and the status bar says why) when the data folder
    cannot be made.
    """
    from PyQt6.QtWidgets import QApplication

    try:
        autosave = Autosave(window, autosave_folder())
    except OSError as exc:
        window.show_message(f"Autosave is off: {exc.strerror or exc}", 0)
        return None
    offer_recovery(window, autosave)
    autosave.start()
    QApplication.instance().aboutToQuit.connect(autosave.quitting)
    return autosave
