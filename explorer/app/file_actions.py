"""File menu behaviour: open, save, recent files, the unsaved-changes question, exports.

Kept out of ``main_window.py`` so the window only wires. Dialogs are created here; the
work is done by :mod:`explorer.session.persist`, :mod:`explorer.export` and
:mod:`explorer.app.recording`.
"""

from __future__ import annotations

import json
from pathlib import Path

from PyQt6.QtWidgets import QFileDialog, QMessageBox

from explorer.app import settings as app_settings
from explorer.app.messages import UNDO_HINT
from explorer.session.changes import Change
from explorer.session.compare_io import load_any, save_comparison
from explorer.session.persist import SUFFIX, SessionFileError, save_session

SESSION_FILTER = f"Softmax Explorer sessions (*{SUFFIX});;All files (*)"
MAX_RECENT = 8
#: Session changes that do not alter what a file would hold.
VOLATILE_CHANGES = Change.SELECTION | Change.DISPLAY


class FileActions:
    """Session files and exports for one :class:`~explorer.app.main_window.MainWindow`."""

    def __init__(self, window):
        self.window = window
        self.path: Path | None = None
        self.modified = False
        #: Counts the changes a file would hold (the autosave writes when it moved).
        self.generation = 0
        a = window.actions
        a["open"].triggered.connect(lambda: self.open())
        a["save"].triggered.connect(lambda: self.save())
        a["save_as"].triggered.connect(lambda: self.save_as())
        a["export"].triggered.connect(lambda: self.export_dialog())
        a["record_gif"].triggered.connect(self.record_dialog)
        a["copy_image"].triggered.connect(self.copy_window)
        self.recent_menu = window.menus["File"].addMenu("Open &Recent")
        window.menus["File"].insertMenu(a["save"], self.recent_menu)
        self._fill_recent()
        self.watch(window.session)
        from explorer.app.number_actions import NumberActions

        self.numbers = NumberActions(window)
        self.view_menus = self.install_view_menus()

    # ------------------------------------------------------------- modified flag
    def watch(self, session) -> None:
        session.changed.connect(self._on_changed)

    def _on_changed(self, changes: Change) -> None:
        if changes & ~VOLATILE_CHANGES:
            self.generation += 1
            if not self.modified:
                self.mark_modified()

    def mark_modified(self) -> None:
        """The session holds changes no file has (a restored autosave, a change)."""
        self.modified = True
        self._update_title()

    def _update_title(self) -> None:
        name = self.path.name if self.path else "Untitled"
        self.window.setWindowTitle(f"{name}{' *' if self.modified else ''} — Softmax Explorer")

    def replaced(self, session, path: Path | None) -> None:
        """The window now shows ``session`` (new or loaded from ``path``)."""
        self.path = path
        self.modified = False
        self.watch(session)
        self._update_title()

    def set_file(self, path: Path | None, modified: bool) -> None:
        """The session's file is ``path`` and has unsaved changes or not (after an undo
        of New or Open)."""
        self.path, self.modified = path, modified
        self._update_title()

    def confirm_discard(self) -> bool:
        """Ask what to do with unsaved changes; ``False`` means the user cancelled."""
        if not self.modified:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window,
            "Unsaved session",
            "The session has changes that are not saved. Save them first?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    # -------------------------------------------------------------- open / save
    def open(self, path: str | None = None) -> bool:
        # No question about unsaved changes: Ctrl+Z brings the session back.
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "", SESSION_FILTER)
            if not path:
                return False
        try:
            session, comparison = load_any(path)  # a comparison file: both runs
        except SessionFileError as exc:
            self.window.show_error(f"Could not open the session:\n{exc}")
            return False
        with self.window.undo.replacing("open"):
            self.window.set_session(session)
            self.replaced(session, Path(path))
        if comparison is not None:
            self.window.compare.start(comparison)
        self._remember(Path(path))
        self.window.show_message(f"Opened {path}. {UNDO_HINT}")
        return True

    def save(self) -> bool:
        return self.save_as(self.path) if self.path else self.save_as()

    def save_as(self, path: Path | str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self.window, "Save session", f"session{SUFFIX}", SESSION_FILTER
            )
            if not path:
                return False
            if not Path(path).suffix:
                path += SUFFIX
        try:
            comparison = self.window.compare.comparison
            if comparison is not None:
                save_comparison(comparison, path)  # both runs, in run A's session file
            else:
                save_session(self.window.session, path)
        except SessionFileError as exc:
            self.window.show_error(f"Could not save the session:\n{exc}")
            return False
        self.path = Path(path)
        self.modified = False
        self._update_title()
        self._remember(self.path)
        self.window.show_message(f"Saved {path}")
        return True

    # ------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        raw = app_settings.read(self.window.settings, "session/recent_files")
        try:
            items = json.loads(raw) if raw else []
        except json.JSONDecodeError:
            items = []
        return [p for p in items if isinstance(p, str)][:MAX_RECENT]

    def _remember(self, path: Path) -> None:
        items = [str(path.resolve())] + [p for p in self.recent_files() if p != str(path.resolve())]
        app_settings.write(
            self.window.settings, "session/recent_files", json.dumps(items[:MAX_RECENT])
        )
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        items = self.recent_files()
        for path in items:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open(p))
        self.recent_menu.setEnabled(bool(items))

    # ----------------------------------------------------------------- exports
    def install_view_menus(self):
        """Give every view a right-click menu: Export this view…, Copy this view (and the
        inspector's and the Parameters view's Copy as LaTeX)."""
        from explorer.app.view_menus import ViewMenus

        return ViewMenus(
            self.window, self.export_view, self.copy_view, self.numbers.context_entries
        )

    def export_dialog(self, target=None) -> None:
        """File → Export: the export dialog, preselected on ``target`` if given.

        ``target`` is ``"window"`` or a view id.
        """
        from explorer.app.export_dialog import ExportDialog

        self.window.player.pause()
        dialog = ExportDialog(self.window, target)
        dialog.exec()
        dialog.deleteLater()

    def export_view(self, view) -> None:
        """The export dialog preselected on ``view`` (its context menu)."""
        self.export_dialog(view.view_id)

    def copy_view(self, view) -> None:
        """Put an image of ``view`` on the clipboard (its context menu)."""
        from explorer.export.image import copy_to_clipboard

        with view.figure() as widget:
            copy_to_clipboard(widget)
        self.window.show_message(f"Copied an image of {view.title} to the clipboard")

    def record_dialog(self) -> None:
        from explorer.app.export_dialog import RecordDialog

        self.window.player.pause()
        RecordDialog(self.window).exec()

    def copy_window(self) -> None:
        from explorer.export.image import copy_to_clipboard

        copy_to_clipboard(self.window)
        self.window.show_message("Copied an image of the window to the clipboard")
