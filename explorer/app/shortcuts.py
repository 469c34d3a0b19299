"""The training keys act whenever the window is active, unless a text field is being edited.

The training keys are the shortcuts of Step (Space), Play (P), Step Back (Backspace), Go to
First/Last Step (Home/End), Edit Points (E) and Clear Selection (Esc). Qt gives a key to a
focused text field before any shortcut (a spin box takes Space, Backspace, Home, End and
every letter), so after typing a learning rate and pressing Enter, E typed an "e" into the
field instead of entering edit mode.

Here a text field (a line edit, a spin box, an editable combo box) is *being edited* from a
click into its text, or from the first key that types into it (a digit, a letter other
than the training keys, Delete, the left and right arrows), until Enter, Esc or the focus
leaves it. While it is edited every key is the field's and it shows so (its background
takes a tint of the highlight colour, and the status bar says how to leave); Enter commits
the text as always, and Esc commits it too (the field keeps its value), so both give the
keys back. A focused field that is not being edited never takes a training key. A cell
editor of a table is being edited for as long as it is open.

Everything else (the plane, buttons, check boxes, combo boxes, the timeline, the tables,
the inspector's page) lets the shortcuts through already, so the filter watches text
fields alone: it moves with the focus and costs nothing on the frame path.

Another part of the window can hand its own actions to the same rule with :meth:`add`
(presentation mode's keys, for instance).
"""

from __future__ import annotations

from contextlib import suppress

from PyQt6.QtCore import QEvent, QObject, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QKeyEvent, QKeySequence, QPalette
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

#: The actions (ids of ``explorer.app.actions.ACTIONS``) whose keys are training keys.
TRAINING_ACTIONS = ("step", "play", "step_back", "to_start", "to_end", "edit_mode", "deselect")

#: Keys that never start an edit: they commit, move the focus or step a spin box.
_NOT_TYPING = {
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}
#: Keys without text that do start an edit (they move the text cursor or delete).
_EDITING_KEYS = {Qt.Key.Key_Delete, Qt.Key.Key_Left, Qt.Key.Key_Right}
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)

#: How much of the highlight colour tints the background of a field being edited.
EDIT_TINT = 0.35

#: The status-bar line while a field is being edited.
EDITING_TEXT = "Editing a field: Enter or Esc ends the edit and gives the keys back to training"


def text_field(widget: QWidget | None) -> QLineEdit | None:
    """The editable line of a text field ``widget`` (a line edit, a spin box, an editable
    combo box), or None."""
    if isinstance(widget, QAbstractSpinBox | QComboBox):
        widget = widget.lineEdit()
    if isinstance(widget, QLineEdit) and not widget.isReadOnly():
        return widget
    return None


def is_cell_editor(widget: QWidget) -> bool:
    """Whether ``widget`` is a cell editor (inside a table or list view)."""
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def _in_window(widget: QWidget, window: QWidget) -> bool:
    """Whether ``widget`` lies in ``window``, floating docks included."""
    while widget is not None:
        if widget is window:
            return True
        widget = widget.parentWidget()
    return False


def edit_tint(palette: QPalette) -> QColor:
    """The background of a field being edited: its base colour tinted by the highlight."""
    base = palette.color(QPalette.ColorRole.Base)
    hi = palette.color(QPalette.ColorRole.Highlight)
    pairs = zip(base.getRgb()[:3], hi.getRgb()[:3], strict=True)
    return QColor(*(round((1 - EDIT_TINT) * a + EDIT_TINT * b) for a, b in pairs))


class TrainingKeys(QObject):
    """Gives the training keys to their actions whatever has the focus, but an edited field.

    Parameters
    ----------
    window : MainWindow
        Has ``actions`` (with the ids of :data:`TRAINING_ACTIONS`) and ``show_message``.

    Signals
    -------
    editingChanged(object)
        The text field now being edited (the focused widget), or None.
    """

    editingChanged = pyqtSignal(object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._actions = [window.actions[key] for key in TRAINING_ACTIONS]
        self._field: QWidget | None = None  # the focused text field, watched
        self._editing = False
        self._palette: QPalette | None = None  # the field's own palette before the tint
        app = QApplication.instance()
        app.focusChanged.connect(self._focus_changed)
        window.destroyed.connect(lambda *_: self._disconnect(app))
        self._focus_changed(None, app.focusWidget())

    # ------------------------------------------------------------------ public
    def add(self, action) -> None:
        """Let ``action``'s keys act from any focus but an edited field, as the training
        keys do."""
        if action not in self._actions:
            self._actions.append(action)

    @property
    def editing(self) -> QWidget | None:
        """The text field being edited, or None."""
        return self._field if self._editing else None

    def is_training_key(self, event: QKeyEvent) -> bool:
        """Whether ``event``'s key (with its modifiers) is the shortcut of an enabled or
        disabled training action."""
        keys = QKeySequence(event.keyCombination())
        return any(keys in action.shortcuts() for action in self._actions)

    # ------------------------------------------------------------------ focus
    def _disconnect(self, app) -> None:
        with suppress(TypeError, RuntimeError):
            app.focusChanged.disconnect(self._focus_changed)

    def _focus_changed(self, _old, new) -> None:
        if self._field is not None:
            self._set_editing(False)
            with suppress(RuntimeError):  # the field (a closed cell editor) is gone
                self._field.removeEventFilter(self)
                line = text_field(self._field)
                if line is not None and line is not self._field:
                    line.removeEventFilter(self)
            self._field = None
        line = text_field(new)
        if line is None or not _in_window(new, self.window):
            return
        self._field = new
        new.installEventFilter(self)
        if line is not new:
            line.installEventFilter(self)  # a click into a spin box's text reaches its line
        if is_cell_editor(new):
            self._set_editing(True)  # an open cell editor is being edited

    def _set_editing(self, editing: bool) -> None:
        if editing == self._editing:
            return
        self._editing = editing
        field = self._field
        with suppress(RuntimeError):
            if editing:
                had_own = field.testAttribute(Qt.WidgetAttribute.WA_SetPalette)
                self._palette = QPalette(field.palette()) if had_own else None
                tinted = QPalette(field.palette())
                tinted.setColor(QPalette.ColorRole.Base, edit_tint(tinted))
                field.setPalette(tinted)
                field.setProperty("editing", True)
                self.window.show_message(EDITING_TEXT)
            else:
                field.setPalette(self._palette if self._palette is not None else QPalette())
                self._palette = None
                field.setProperty("editing", False)
                bar = self.window.statusBar()
                if bar.currentMessage() == EDITING_TEXT:
                    bar.clearMessage()  # the edit is over: the hint would mislead
        self.editingChanged.emit(field if editing else None)

    # ------------------------------------------------------------------ events
    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride:
            return self._shortcut_override(event)
        if kind == QEvent.Type.KeyPress and obj is self._field:
            return self._key_press(event)
        if kind == QEvent.Type.MouseButtonRelease and obj is text_field(self._field):
            self._set_editing(True)  # a click into the text (not on a spin box's arrows)
        return False

    def _shortcut_override(self, event: QKeyEvent) -> bool:
        if self._editing:
            if event.key() == Qt.Key.Key_Escape:
                event.accept()  # Esc ends the edit (below), it does not clear the selection
                return True
            return False  # the field takes what it types
        if self.is_training_key(event):
            event.ignore()  # not the field's: the window's shortcut runs
            return True
        return False

    def _key_press(self, event: QKeyEvent) -> bool:
        key = event.key()
        if self._editing:
            if key == Qt.Key.Key_Escape:
                self._commit()
                self._set_editing(False)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._set_editing(False)  # and the field commits, as always
            return False
        if self.is_training_key(event):
            return True  # a training key whose action is disabled: typed into nothing
        if self._starts_edit(event):
            self._set_editing(True)
        return False

    @staticmethod
    def _starts_edit(event: QKeyEvent) -> bool:
        key = event.key()
        if key in _NOT_TYPING or event.modifiers() & _COMMAND_MODIFIERS:
            return False
        return key in _EDITING_KEYS or (bool(event.text()) and event.text().isprintable())

    def _commit(self) -> None:
        """Commit the field's text as Enter does (a spin box's value, a cell's edit)."""
        field = self._field
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            enter = QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
            QApplication.sendEvent(field, enter)
