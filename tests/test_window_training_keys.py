"""The training keys (Space, P, Backspace, Home, End, E, Esc) act whatever has the focus in
the active window, unless a text field is being edited: then the keys are the field's,
the field shows it is in edit mode, and Enter or Esc ends the edit (the field keeps its
value) and gives the keys back."""

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QPalette
from PyQt6.QtWidgets import QApplication, QLineEdit

from explorer.app.main_window import MainWindow
from explorer.session.config import Config
from explorer.session.session import Session


@pytest.fixture
def window(qtbot):
    window = MainWindow(Session(Config(samples=90, batch_size=16)))
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # keyboard shortcuts go to the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window
    window.player.pause()
    window.file_actions.modified = False
    window.close()
    window.deleteLater()
    qtbot.wait(1)


KEYS = {
    "Space": Qt.Key.Key_Space,
    "P": Qt.Key.Key_P,
    "Backspace": Qt.Key.Key_Backspace,
    "Home": Qt.Key.Key_Home,
    "End": Qt.Key.Key_End,
    "E": Qt.Key.Key_E,
    "Esc": Qt.Key.Key_Escape,
}


def places(window):
    """One control of each kind in the window, by name."""
    panel = window.views["config"].controls()
    line = QLineEdit("a line edit", window.toolbar)  # a plain one, as a view may have
    window.toolbar.addWidget(line)
    params = window.views["parameters"]
    return {
        "plane": window.regions.plot_widget,
        "timeline": window.timeline,
        "combo box": panel["optimizer"],
        "view's combo box": window.views["jacobian"].source_combo,
        "button": panel["regenerate"],
        "check box": next(iter(window.regions.overlay_boxes.values())),
        "inspector's check box": window.views["inspector"].full_precision,
        "tool bar spin box": window.steps_spin,
        "configuration field": panel["lr"],
        "configuration field's text": panel["lr"].lineEdit(),
        "line edit": line,
        "parameters table": params.params_table,
        "gradients table": params.grads_table,
        "inspector page": window.views["inspector"].browser,
    }


def prepare(window):
    """Ten steps of history shown at step 5, sample 2 selected, not playing, not editing
    points; the data and configuration to compare with afterwards."""
    s = window.session
    window.player.pause()
    window.actions["edit_mode"].setChecked(False)
    s.seek(s.head)
    s.step(10 - s.head)
    s.seek(5)
    s.select(2)
    return s.data.X.copy(), s.config


def key_acted(window, name) -> bool:
    s = window.session
    return {
        "Space": s.step_index > 5,
        "Backspace": s.step_index < 5,
        "Home": s.step_index == 0,
        "End": s.step_index == s.head,
        "P": window.player.playing,
        "E": window.actions["edit_mode"].isChecked(),
        "Esc": s.selected is None,
    }[name]


def focus(qtbot, widget):
    dock = widget.parentWidget()
    while dock is not None and not hasattr(dock, "toggleViewAction"):
        dock = dock.parentWidget()
    if dock is not None:
        dock.raise_()  # a tabbed dock's widgets take the focus only when shown
    widget.setFocus()
    qtbot.waitUntil(lambda: widget.hasFocus() or widget.focusProxy() is not None)


@pytest.mark.parametrize("name", list(KEYS))
def test_each_training_key_acts_with_the_focus_in_each_kind_of_control(window, qtbot, name):
    window.views["parameters"].flush()
    failures = []
    for place, widget in places(window).items():
        X, config = prepare(window)
        focus(qtbot, widget)
        text = widget.text() if isinstance(widget, QLineEdit) else None
        qtbot.keyClick(widget, KEYS[name])
        s = window.session
        if not key_acted(window, name):
            failures.append(place)
        assert s.config == config and (s.data.X == X).all(), place  # nothing else changed
        if text is not None:
            assert widget.text() == text, place  # nothing typed into the line
    assert not failures, f"{name} did nothing with the focus on: {', '.join(failures)}"


def base_color(widget):
    return widget.palette().color(QPalette.ColorRole.Base)


def test_a_field_being_edited_takes_every_key_and_enter_gives_them_back(window, qtbot):
    prepare(window)
    session = window.session
    box = window.views["config"].controls()["lr"]
    line = box.lineEdit()
    normal = base_color(box)
    focus(qtbot, box)
    qtbot.keyClick(box, Qt.Key.Key_Space)  # focused, not edited: the key trains
    assert session.step_index == 6
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)  # a click into the text: editing
    assert window.training_keys.editing is box
    assert base_color(box) != normal  # the field shows it is being edited
    assert "Enter or Esc ends the edit" in window.statusBar().currentMessage()
    line.selectAll()
    qtbot.keyClicks(box, "1e-3")  # the "e" is the field's, not Edit Points
    for key in (Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Space, Qt.Key.Key_P):
        qtbot.keyClick(box, key)
    assert line.text().lower() == "1e-3 p"  # Home and End moved the cursor
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    assert line.text() == "1e-3"
    assert not window.actions["edit_mode"].isChecked()
    assert not window.player.playing
    assert session.step_index == 6
    assert session.config.lr == Config().lr  # not committed yet
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert session.config.lr == 0.001
    assert window.training_keys.editing is None
    assert base_color(box) == normal
    assert "Enter or Esc ends the edit" not in window.statusBar().currentMessage()
    assert box.hasFocus()
    qtbot.keyClick(box, Qt.Key.Key_E)  # the keys are back
    assert window.actions["edit_mode"].isChecked()
    assert line.text() == "0.001"


def test_typing_into_a_focused_field_edits_it_and_esc_keeps_the_value(window, qtbot):
    prepare(window)
    session = window.session
    box = window.views["config"].controls()["lr"]
    focus(qtbot, box)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "0.25")  # the first digit starts the edit
    assert window.training_keys.editing is box
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert window.training_keys.editing is None
    assert session.config.lr == 0.25  # the field kept its value
    assert box.lineEdit().text() == "0.25"
    assert session.selected == 2  # that Esc only ended the edit
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert session.selected is None
    step = session.step_index
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert session.step_index == step + 1


def test_leaving_a_field_ends_its_edit(window, qtbot):
    box = window.views["config"].controls()["lr"]
    normal = base_color(box)
    focus(qtbot, box)
    qtbot.keyClicks(box, "5")
    assert window.training_keys.editing is box
    focus(qtbot, window.timeline)
    assert window.training_keys.editing is None
    assert base_color(box) == normal


def test_the_arrow_keys_step_a_field_without_editing_it(window, qtbot):
    prepare(window)
    box = window.views["config"].controls()["lr"]
    focus(qtbot, box)
    qtbot.keyClick(box, Qt.Key.Key_Up)  # committed at once: no edit
    assert window.session.config.lr > Config().lr
    assert window.training_keys.editing is None
    step = window.session.step_index
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert window.session.step_index == step + 1


def test_a_training_key_whose_action_is_off_types_nothing_into_a_field(window, qtbot):
    box = window.views["config"].controls()["lr"]
    focus(qtbot, box)
    assert window.session.step_index == 0  # Step Back is disabled
    shown = box.lineEdit().text()
    box.lineEdit().end(False)
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    assert box.lineEdit().text() == shown
    assert window.training_keys.editing is None


def test_an_open_cell_editor_is_edited_until_enter_or_esc(window, qtbot):
    prepare(window)
    session = window.session
    view = window.views["parameters"]
    window.docks["parameters"].raise_()
    view.flush()
    table = view.params_table
    for end_key, typed in ((Qt.Key.Key_Return, "1.5"), (Qt.Key.Key_Escape, "2.5")):
        index = view.params_model.index(0, 0)
        table.setCurrentIndex(index)
        table.edit(index)
        editor = table.findChild(QLineEdit)
        qtbot.waitUntil(editor.hasFocus)
        assert window.training_keys.editing is editor
        editor.selectAll()
        qtbot.keyClicks(editor, typed)
        qtbot.keyClick(editor, Qt.Key.Key_Space)  # the editor's
        qtbot.keyClick(editor, Qt.Key.Key_Backspace)
        assert editor.text() == typed
        qtbot.keyClick(editor, end_key)
        qtbot.waitUntil(table.hasFocus)  # the delegate closes its editor a moment later
        assert session.W[0, 0] == pytest.approx(float(typed))  # committed, Esc too
        assert window.training_keys.editing is None
        step = session.step_index
        qtbot.keyClick(table, Qt.Key.Key_Space)
        assert session.step_index == step + 1
