"""Undo and redo in the window: Edit → Undo / Redo, Ctrl+Z and Ctrl+Shift+Z (Ctrl+Y).

What is undoable: every action the session records (``Session.actions``: point edits, a
drag being one move, parameter edits, each committed configuration field, a data-set
choice, Regenerate, Reset, the temperature, a CSV import) and File → New and File → Open,
which replace the session. Training steps are not actions (Step back is their undo);
seeking and selecting are not either. An undo puts back the whole session as it was
before the action (data, configuration, parameters, optimiser, history, shown step,
selection, temperature) and pauses playback; Redo puts back what the undo took away.

Training after an undo clears the redo entries (new work, as editors do); seeking,
stepping along the recorded history and selecting keep them. The entries and their
limits (the last 50 actions, 256 MiB of snapshots) are :mod:`explorer.app.undo_stack`'s.

Ctrl+Z in a text field that has typing to undo (a configuration field, a parameter's
cell editor) is the field's own (Qt's); anywhere else, including a field with nothing
typed, it undoes the last action.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QEvent, QObject
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import (
    QApplication,
    QWidget,
)

from explorer.app.messages import (
    action_name,
    discarded_text,
    redo_text,
    redone_text,
    undo_text,
    undone_text,
)
from explorer.app.shortcuts import is_cell_editor, text_field
from explorer.app.undo_stack import Entry, UndoStack
from explorer.session.changes import Change

#: Kinds of entry that replace the session: their undo also puts back the file name.
REPLACING = ("new", "open")
#: Session changes that mean new training (they clear the redo entries).
TRAINING_CHANGES = Change.HISTORY | Change.DIVERGED


@dataclass(frozen=True)
class WindowContext:
    """What the window keeps beside the session and an undo puts back with it.

    Attributes
    ----------
    path : Path or None
        The session's file (put back by the undo of New and Open).
    modified : bool
        Whether it had unsaved changes (likewise).
    user_data : str or None
        The configuration panel's name of user points ("user data (points.csv)").
    """

    path: Path | None
    modified: bool
    user_data: str | None


def _sequences(standard: QKeySequence.StandardKey, first: str) -> list[QKeySequence]:
    """``first`` and then the platform's key bindings of ``standard``, each once."""
    keys = [QKeySequence(first)]
    keys += [k for k in QKeySequence.keyBindings(standard) if k not in keys]
    return keys


class UndoController(QObject):
    """The window's undo history (an :class:`UndoStack`), its menu entries and keys.

    Parameters
    ----------
    window : MainWindow
        Has ``session``, ``actions`` (with ``"undo"`` and ``"redo"``), ``player``,
        ``file_actions``, ``views["config"]`` and ``show_message``.
    """

    def __init__(self, window, stack: UndoStack | None = None):
        super().__init__(window)
        self.window = window
        self.stack = stack if stack is not None else UndoStack()
        self.undo_action = window.actions["undo"]
        self.redo_action = window.actions["redo"]
        self.undo_action.setShortcuts(_sequences(QKeySequence.StandardKey.Undo, "Ctrl+Z"))
        self.redo_action.setShortcuts(_sequences(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"))
        self.undo_action.triggered.connect(self.undo)
        self.redo_action.triggered.connect(self.redo)
        self._session = None
        self._restoring = False
        self.follow(window.session)
        self.text_fields = TextFieldUndo(window, self.undo_action, self.redo_action)
        self._update_actions()

    # ------------------------------------------------------------------ recording
    def follow(self, session) -> None:
        """Record the actions of ``session`` (the window shows it now)."""
        old = self._session
        if old is session:
            return
        if old is not None:
            old.actions.recorded.disconnect(self._recorded)
            old.changed.disconnect(self._changed)
            old.actions.context = None
        session.actions.recorded.connect(self._recorded)
        session.actions.context = self.context
        session.changed.connect(self._changed)
        self._session = session

    def context(self) -> WindowContext:
        """The window's state beside the session now."""
        files = self.window.file_actions
        return WindowContext(files.path, files.modified, self.window.views["config"].user_data)

    def _recorded(self, action) -> None:
        name = action_name(action.kind, action.fields)
        self.stack.push(Entry(name, action.kind, action.before, action.context))
        self._update_actions()
        before, session = action.before, self.window.session
        if session.head < before.head:
            kept = session.head
            text = discarded_text(action.kind, name, kept, before.head - kept)
            self.window.show_message(text)

    def _changed(self, changes: Change) -> None:
        if self._restoring or not changes & TRAINING_CHANGES or not self.stack.can_redo:
            return
        if not self.window.session.actions.busy:  # an action's own change is no training
            self.stack.clear_redo()
            self._update_actions()

    @contextmanager
    def replacing(self, kind: str) -> Iterator[None]:
        """Around File → New or Open (``kind``): undoable if the session was replaced."""
        old = self.window.session
        before, context = old.snapshot(), self.context()
        yield
        if self.window.session is not old:
            self.stack.push(Entry(action_name(kind), kind, before, context))
            self._update_actions()

    # ------------------------------------------------------------------ undo / redo
    def undo(self) -> bool:
        """Undo the last action; False if there is none (or one is under way)."""
        if not self.stack.can_undo or self.window.session.actions.busy:
            return False
        entry = self.stack.undo(self.window.session.snapshot(), self.context())
        self._put_back(entry)
        self.window.show_message(undone_text(entry.name))
        return True

    def redo(self) -> bool:
        """Redo the last undone action; False if there is none (or one is under way)."""
        if not self.stack.can_redo or self.window.session.actions.busy:
            return False
        entry = self.stack.redo(self.window.session.snapshot(), self.context())
        self._put_back(entry)
        self.window.show_message(redone_text(entry.name))
        return True

    def _put_back(self, entry: Entry) -> None:
        w = self.window
        w.player.pause()
        self._restoring = True
        try:
            w.session.restore(entry.snapshot)
        finally:
            self._restoring = False
        context: WindowContext = entry.context
        if context is not None:
            w.views["config"].set_user_data(context.user_data)
            if entry.kind in REPLACING:
                w.file_actions.set_file(context.path, context.modified)
        self._update_actions()

    def _update_actions(self) -> None:
        s = self.stack
        for action, name, text in (
            (self.undo_action, s.undo_name, undo_text),
            (self.redo_action, s.redo_name, redo_text),
        ):
            action.setText(text(name))
            action.setEnabled(name is not None)


class TextFieldUndo(QObject):
    """Ctrl+Z (Redo likewise) in a text field goes to the field while it has typing to
    undo, and to the window's Undo action otherwise.

    Qt gives the keys of a focused text field to the field always, even with nothing to
    undo in it: after typing a value and pressing Enter, Ctrl+Z did nothing. A filter
    on the focused field alone (moved as the focus moves, so no other widget pays for
    it) lets the shortcut through when the field has nothing of its own to undo. A cell
    editor keeps its keys while it is open (its value is not committed yet).
    """

    def __init__(self, window, undo_action, redo_action):
        super().__init__(window)
        self.window = window
        self._undo, self._redo = undo_action, redo_action
        self._watched: QWidget | None = None
        app = QApplication.instance()
        app.focusChanged.connect(self._focus_changed)
        window.destroyed.connect(lambda *_: self._disconnect(app))
        self._focus_changed(None, app.focusWidget())

    def _disconnect(self, app) -> None:
        with suppress(TypeError, RuntimeError):
            app.focusChanged.disconnect(self._focus_changed)

    def _focus_changed(self, _old, new) -> None:
        if self._watched is not None:
            with suppress(RuntimeError):  # the field (a closed cell editor) is gone
                self._watched.removeEventFilter(self)
            self._watched = None
        if new is not None and text_field(new) is not None and new.window() is self.window:
            new.installEventFilter(self)
            self._watched = new

    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        keys = QKeySequence(event.keyCombination())
        if keys in self._undo.shortcuts():
            wants = "isUndoAvailable"
        elif keys in self._redo.shortcuts():
            wants = "isRedoAvailable"
        else:
            return False
        field = text_field(obj)
        if field is None or is_cell_editor(obj) or getattr(field, wants)():
            return False  # the field's own undo
        event.ignore()  # not taken by the field: the window's shortcut runs
        return True
