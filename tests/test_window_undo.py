"""Edit → Undo and Redo in the window: every kind of action done through the views and
menus is undone to the exact session before it and redone to the one after it, the
views redraw, the menu names the action, the status bar says Ctrl+Z undoes a restart,
the history's limits hold, and Ctrl+Z in a field with typing undoes the typing."""

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QFileDialog, QLineEdit

from explorer.app import settings as app_settings
from explorer.app.main_window import MainWindow
from explorer.session.config import Config
from explorer.session.persist import save_session
from explorer.session.session import Session
from explorer.views.config_fields import ValueSpinBox, field_text


@pytest.fixture
def make_window(qtbot):
    windows = []  # held until teardown, so the GC never deletes a window mid-paint

    def make(session=None):
        window = MainWindow(session or Session(Config(samples=90, batch_size=16)))
        windows.append(window)
        window.resize(1200, 800)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # keyboard shortcuts go to the active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        return window

    yield make
    for window in windows:
        window.file_actions.modified = False  # leave without the unsaved-changes question
        window.close()
        window.deleteLater()
    qtbot.wait(1)


def assert_same_state(a: dict, b: dict) -> None:
    """Two ``export_state`` dicts hold the same bits (data ``X``, ``y``, ``is_test``,
    config, ``W``, ``b``, optimiser, generator, history metrics and checkpoints,
    ``step_index``, selection, temperature)."""
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray), key
            assert (x.dtype, x.shape) == (y.dtype, y.shape), key
            assert np.array_equal(x.view(np.uint8), y.view(np.uint8)), key
        else:
            assert type(x) is type(y) and x == y, key


def user_sets(window, name, value):
    """What a user does to put ``value`` into the configuration control ``name``."""
    control = window.views["config"].controls()[name]
    if isinstance(control, ValueSpinBox):
        control.commit_text(field_text(value, control.spec))
    else:
        control.setCurrentIndex(control.findData(value))


def prepare(window):
    """A history with a configuration change, shown in its middle, a sample selected."""
    s = window.session
    s.step(30)
    s.configure(s.config.replace(lr=0.2))
    s.step(30)
    window.timeline.setValue(40)
    s.select(4)
    s.set_temperature(1.5)
    window.undo.stack.clear()
    assert s.step_index == 40


def edit_point_spot(window):
    x0, x1, y0, y1 = window.regions.fitted_range
    return np.array([x0 + 0.03 * (x1 - x0), y1 - 0.03 * (y1 - y0)])


def add_point(window):
    window.actions["edit_mode"].setChecked(True)
    assert window.regions.click_at(edit_point_spot(window))


def drag_point(window):
    window.actions["edit_mode"].setChecked(True)
    view, X = window.regions, window.session.data.X
    start = X[:, 7].copy()
    assert view.begin_drag(start)
    for t in (0.2, 0.5, 0.8):
        view.drag_to(start + t)
    view.end_drag(start + 1.0)


def delete_point(window):
    window.actions["edit_mode"].setChecked(True)
    assert window.regions.click_at(window.session.data.X[:, 9], Qt.MouseButton.RightButton)


def show_parameters(window):
    window.docks["parameters"].raise_()
    window.views["parameters"].flush()
    return window.views["parameters"]


def edit_parameter(window):
    model = show_parameters(window).params_model
    assert model.setData(model.index(1, 0), "1.25", Qt.ItemDataRole.EditRole)


def csv_import(window, path, monkeypatch):
    rng = np.random.default_rng(2)
    rows = ["x1,x2,label"] + [
        f"{x:.5f},{y:.5f},{name}"
        for name in ("a", "b")
        for x, y in rng.normal(3 if name == "b" else 0, 0.5, size=(20, 2))
    ]
    path.write_text("\n".join(rows) + "\n")
    answer = staticmethod(lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    window.actions["import_csv"].trigger()


#: Each kind of action through the window: how it is done and the Edit menu's name.
ACTIONS = {
    "add point": (add_point, "Add Point"),
    "drag point": (drag_point, "Move Point"),
    "delete point": (delete_point, "Delete Point"),
    "parameter": (edit_parameter, "Edit W"),
    "learning rate": (lambda w: user_sets(w, "lr", 0.05), "Change Learning Rate"),
    "optimiser": (lambda w: user_sets(w, "optimizer", "adam"), "Change Optimiser"),
    "samples": (lambda w: user_sets(w, "samples", 60), "Change Samples"),
    "features": (lambda w: user_sets(w, "features", "rff"), "Change Features"),
    "data set": (lambda w: user_sets(w, "dataset", "spiral"), "Change Dataset"),
    "temperature": (lambda w: user_sets(w, "temperature", 3.0), "Change Temperature"),
    "regenerate button": (
        lambda w: w.views["config"].controls()["regenerate"].click(),
        "Regenerate Data",
    ),
    "regenerate key": (lambda w: w.actions["regenerate"].trigger(), "Regenerate Data"),
    "reset": (lambda w: w.actions["reset"].trigger(), "Reset"),
    "previous configuration": (
        lambda w: w.actions["last_config"].trigger(),
        "Use Previous Configuration",
    ),
    "new": (lambda w: w.actions["new"].trigger(), "New Session"),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_undoes_to_before_and_redoes_to_after(make_window, name):
    act, menu_name = ACTIONS[name]
    # what Train → Use Previous Configuration applies (kept when a window last closed)
    kept = app_settings.open_settings()
    app_settings.write(kept, "session/last_config", Config(samples=90, lr=0.3).to_json())
    kept.sync()
    window = make_window()
    prepare(window)
    before = window.session.export_state()
    act(window)
    after = window.session.export_state()
    with pytest.raises(AssertionError):
        assert_same_state(before, after)
    undo, redo = window.actions["undo"], window.actions["redo"]
    assert undo.isEnabled() and undo.text() == f"&Undo {menu_name}"
    assert not redo.isEnabled() and redo.text() == "&Redo"

    undo.trigger()
    assert_same_state(before, window.session.export_state())
    assert not undo.isEnabled() and redo.text() == f"&Redo {menu_name}"
    assert window.statusBar().currentMessage().startswith(f"Undid {menu_name}.")
    assert_views_show(window)

    redo.trigger()
    assert_same_state(after, window.session.export_state())
    assert undo.text() == f"&Undo {menu_name}" and not redo.isEnabled()
    assert_views_show(window)


def assert_views_show(window):
    """The views redrew: the Parameters table holds ``W`` and ``b``, the configuration
    panel the configuration, the timeline the shown step."""
    s = window.session
    view = window.views["parameters"]
    view.flush()
    D = s.W.shape[1]
    np.testing.assert_array_equal(view.params_model.values[:, :D], s.W.astype(np.float64))
    np.testing.assert_array_equal(view.params_model.values[:, D], s.b.astype(np.float64))
    panel = window.views["config"]
    assert panel.shown_value("lr") == s.config.lr
    assert panel.shown_value("optimizer") == s.config.optimizer
    assert panel.shown_value("temperature") == s.temperature
    assert (window.timeline.value(), window.timeline.maximum()) == (s.step_index, s.head)
    assert window.regions.session is s
    np.testing.assert_array_equal(
        window.regions.last_indices, s.decision_image(window.regions.grid_features)
    )


def test_csv_import_is_undone_with_the_panels_name_for_the_points(
    make_window, tmp_path, monkeypatch
):
    window = make_window()
    prepare(window)
    before = window.session.export_state()
    combo = window.views["config"].controls()["dataset"]
    shown = combo.currentText()
    csv_import(window, tmp_path / "two.csv", monkeypatch)
    after = window.session.export_state()
    assert combo.currentText() == "user data (two.csv)"
    assert window.statusBar().currentMessage().endswith(": training restarted. Ctrl+Z undoes it.")
    assert window.actions["undo"].text() == "&Undo Import CSV"
    window.actions["undo"].trigger()
    assert_same_state(before, window.session.export_state())
    assert combo.currentText() == shown and window.views["config"].user_data is None
    window.actions["redo"].trigger()
    assert_same_state(after, window.session.export_state())
    assert combo.currentText() == "user data (two.csv)"


def test_one_drag_is_one_undo(make_window):
    window = make_window()
    prepare(window)
    before = window.session.export_state()
    drag_point(window)
    drag_point(window)
    assert window.undo.stack.undo_names() == ["Move Point", "Move Point"]
    window.actions["undo"].trigger()
    window.actions["undo"].trigger()
    assert_same_state(before, window.session.export_state())


def test_a_restart_says_ctrl_z_undoes_it(make_window):
    window = make_window()
    prepare(window)
    drag_point(window)
    assert window.statusBar().currentMessage() == (
        "Point moved: training restarted. Ctrl+Z undoes it."
    )
    window.session.step(10)
    user_sets(window, "dataset", "moons")
    assert window.statusBar().currentMessage() == (
        "Data changed: training restarted. Ctrl+Z undoes it."
    )
    window.session.step(10)
    window.timeline.setValue(4)
    user_sets(window, "lr", 0.3)
    assert window.statusBar().currentMessage() == (
        "Change Learning Rate: the 6 steps after step 4 were discarded. Ctrl+Z undoes it."
    )


def test_undo_after_scrubbing_back_and_editing_brings_the_history_back(make_window):
    window = make_window()
    s = window.session
    s.step(120)
    W_head, metrics = s.W.copy(), np.array(s.metrics.train_loss)
    window.timeline.setValue(50)
    edit_parameter(window)
    assert s.head == 50
    window.actions["undo"].trigger()
    assert (s.head, s.step_index, window.timeline.maximum()) == (120, 50, 120)
    np.testing.assert_array_equal(s.metrics.train_loss, metrics)
    window.actions["to_end"].trigger()
    assert s.step_index == 120
    assert np.array_equal(s.W, W_head)


def test_training_after_an_undo_clears_redo_but_seeking_keeps_it(make_window):
    window = make_window()
    prepare(window)
    user_sets(window, "l2", 0.01)
    user_sets(window, "lr", 0.05)
    window.actions["undo"].trigger()
    window.timeline.setValue(10)  # scrubbing
    window.actions["step"].trigger()  # walking along recorded history
    window.session.select(2)
    assert window.actions["redo"].isEnabled()
    window.actions["to_end"].trigger()
    window.actions["step"].trigger()  # new training
    assert not window.actions["redo"].isEnabled()
    assert window.actions["undo"].text() == "&Undo Change L2 (λ)"  # the undo side stays


def test_undo_pauses_playback(make_window, qtbot):
    window = make_window()
    user_sets(window, "lr", 0.05)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.session.head > 3)
    window.actions["undo"].trigger()
    assert not window.player.playing
    assert window.actions["redo"].isEnabled()


def test_the_last_50_actions_are_kept(make_window):
    window = make_window()
    states = [window.session.export_state()]
    for k in range(55):
        window.session.set_temperature(1.0 + (k + 1) / 10)
        states.append(window.session.export_state())
    assert len(window.undo.stack) == 50
    for _ in range(50):
        assert window.undo.undo()
    assert not window.undo.undo() and not window.actions["undo"].isEnabled()
    assert_same_state(states[5], window.session.export_state())


def test_the_byte_budget_drops_the_oldest(make_window):
    window = make_window()
    window.undo.stack.budget = 1  # every snapshot is over: only the newest is kept
    user_sets(window, "lr", 0.05)
    before = window.session.export_state()
    user_sets(window, "lr", 0.07)
    assert window.undo.stack.undo_names() == ["Change Learning Rate"]
    window.actions["undo"].trigger()
    assert_same_state(before, window.session.export_state())
    assert not window.actions["undo"].isEnabled()


def test_undo_across_a_loaded_session(make_window, tmp_path, monkeypatch):
    window = make_window()
    prepare(window)
    mine = window.session.export_state()
    other = Session(Config(dataset="spiral", samples=60, features="poly", degree=2))
    other.step(25)
    path = save_session(other, tmp_path / "other.smx")
    answer = staticmethod(lambda *a, **k: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    window.actions["open"].trigger()  # no question: it can be undone
    loaded = window.session.export_state()
    delete_point(window)
    window.actions["undo"].trigger()
    assert_same_state(loaded, window.session.export_state())
    assert window.file_actions.path == path
    window.actions["undo"].trigger()
    assert_same_state(mine, window.session.export_state())
    assert window.file_actions.path is None
    window.actions["step"].trigger()  # the window still works on the session put back
    assert window.session.step_index == 41


# ------------------------------------------------------------------------ keys
def ctrl(qtbot, widget, key, shift=False):
    mods = Qt.KeyboardModifier.ControlModifier
    if shift:
        mods |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(widget, key, mods)


def test_ctrl_z_and_ctrl_shift_z_undo_and_redo(make_window, qtbot):
    window = make_window()
    before = window.session.export_state()
    user_sets(window, "lr", 0.05)
    after = window.session.export_state()
    window.regions.setFocus()
    ctrl(qtbot, window.regions, Qt.Key.Key_Z)
    assert_same_state(before, window.session.export_state())
    ctrl(qtbot, window.regions, Qt.Key.Key_Z, shift=True)
    assert_same_state(after, window.session.export_state())
    ctrl(qtbot, window.regions, Qt.Key.Key_Z)
    ctrl(qtbot, window.regions, Qt.Key.Key_Y)  # the platform's other Redo
    assert_same_state(after, window.session.export_state())


def test_ctrl_z_in_a_field_undoes_the_typing_and_after_enter_the_session(make_window, qtbot):
    window = make_window()
    session = window.session
    user_sets(window, "l2", 0.001)
    box = window.views["config"].controls()["lr"]
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    line = box.lineEdit()
    shown = line.text()
    line.selectAll()
    qtbot.keyClicks(box, "0.5")
    ctrl(qtbot, box, Qt.Key.Key_Z)  # the field's own undo
    assert line.text() == shown
    assert session.config.l2 == 0.001  # the session's last action is not undone
    assert window.actions["undo"].text() == "&Undo Change L2 (λ)"
    line.selectAll()
    qtbot.keyClicks(box, "0.5")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert session.config.lr == 0.5
    assert box.hasFocus()
    ctrl(qtbot, box, Qt.Key.Key_Z)  # nothing typed to undo: the session's undo
    assert session.config.lr == Config().lr
    assert line.text() == field_text(Config().lr, box.spec)
    ctrl(qtbot, box, Qt.Key.Key_Z)
    assert session.config.l2 == Config().l2


def test_ctrl_z_in_an_open_cell_editor_is_the_editors(make_window, qtbot):
    window = make_window()
    session = window.session
    user_sets(window, "lr", 0.05)
    view = show_parameters(window)
    table = view.params_table
    index = view.params_model.index(0, 0)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.findChild(QLineEdit)
    qtbot.waitUntil(editor.hasFocus)
    shown = editor.text()
    editor.selectAll()
    qtbot.keyClicks(editor, "3")
    ctrl(qtbot, editor, Qt.Key.Key_Z)
    assert editor.text() == shown
    ctrl(qtbot, editor, Qt.Key.Key_Z)  # still the editor's while it is open
    assert session.config.lr == 0.05


def test_ctrl_z_undoes_wherever_the_focus_is_outside_a_field_with_typing(make_window, qtbot):
    window = make_window()
    panel = window.views["config"].controls()
    window.docks["inspector"].raise_()
    places = {
        "plane": window.regions.plot_widget.viewport(),
        "combo box": panel["optimizer"],
        "button": panel["regenerate"],
        "timeline": window.timeline,
        "inspector page": window.views["inspector"].browser,
        "field, nothing typed": panel["l2"],
    }
    for name, widget in places.items():
        user_sets(window, "lr", 0.05)
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
        ctrl(qtbot, widget, Qt.Key.Key_Z)
        assert window.session.config.lr == Config().lr, name
        ctrl(qtbot, widget, Qt.Key.Key_Z, shift=True)
        assert window.session.config.lr == 0.05, name
        window.actions["undo"].trigger()
