"""The parameters table: W and b shown exactly, edits reach the session, bad input refused."""

import re

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QAbstractItemView, QLineEdit

from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.inspector import InspectorView
from explorer.views.palette import DARK
from explorer.views.parameters import DIGITS, ParametersView, parse_value
from explorer.views.qt_helpers import format_number

NO_NAN = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)


def cell_text(view, row, col, gradients=False):
    """The text shown in a cell of the parameter (or gradient) table, brought up to date."""
    view.flush()
    model = view.grads_model if gradients else view.params_model
    return model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole)


@pytest.fixture
def make_view(qtbot):
    def make(config=None, steps=10):
        session = Session(config or Config(samples=120))
        session.step(steps)
        view = ParametersView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        view.resize(700, 360)
        view.show()
        qtbot.waitExposed(view)
        return session, view

    return make


def assert_shows_session(session, view):
    W, b = session.W, session.b
    _loss, dW, db = session.batch_grads()
    C, D = W.shape
    assert view.params_model.rowCount() == C
    assert view.params_model.columnCount() == D + 1
    for r in range(C):
        for c in range(D):
            assert cell_text(view, r, c) == format_number(W[r, c], DIGITS)
            assert cell_text(view, r, c, gradients=True) == format_number(dW[r, c], DIGITS)
        assert cell_text(view, r, D) == format_number(b[r], DIGITS)
        assert cell_text(view, r, D, gradients=True) == format_number(db[r], DIGITS)
    np.testing.assert_array_equal(view.params_model.values[:, :D], W.astype(np.float64))
    np.testing.assert_array_equal(view.grads_model.values[:, :D], dW)


def all_text(view):
    texts = [view.params_label.text(), view.grads_label.text()]
    for model in (view.params_model, view.grads_model):
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                texts.append(model.data(model.index(r, c)))
    return " ".join(texts)


def edit(view, row, col, text):
    model = view.params_model
    return model.setData(model.index(row, col), text, Qt.ItemDataRole.EditRole)


def test_parse_value():
    assert parse_value(" −1.5 ") == (-1.5, "")
    assert parse_value("2e3")[0] == 2000.0
    for bad in ("abc", "", "nan", "inf", "-inf", "1e7", "1e400"):
        value, reason = parse_value(bad)
        assert value is None and reason


def test_table_shows_W_b_and_gradients(make_view):
    session, view = make_view()
    assert_shows_session(session, view)
    names = [*session.feature_map.names, "b"]
    headers = [
        view.params_model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(names))
    ]
    assert headers == names
    rows = [view.params_model.headerData(r, Qt.Orientation.Vertical) for r in range(3)]
    assert rows == list(session.data.class_names)


def test_model_to_view(make_view):
    session, view = make_view()
    session.step(5)
    assert_shows_session(session, view)
    W = np.asarray(session.W) * 0.5
    session.set_params(W, np.asarray(session.b) + 1)
    assert_shows_session(session, view)
    session.seek(2)
    assert_shows_session(session, view)


def test_view_to_model_edit_changes_that_entry_and_other_views_follow(make_view, qtbot):
    session, view = make_view()
    other = InspectorView(session)
    qtbot.addWidget(other)
    session.changed.connect(other.refresh)
    changes = []
    session.changed.connect(changes.append)
    W0, b0 = np.array(session.W), np.array(session.b)
    with qtbot.waitSignal(view.message):
        assert edit(view, 1, 0, "1.25")
    W1 = np.array(session.W)
    assert W1[1, 0] == np.float32(1.25)
    mask = np.ones_like(W0, dtype=bool)
    mask[1, 0] = False
    np.testing.assert_array_equal(W1[mask], W0[mask])
    np.testing.assert_array_equal(session.b, b0)
    assert any(Change.PARAMS in c for c in changes)
    assert_shows_session(session, view)
    assert cell_text(view, 1, 0) == "1.25"
    other.text()  # hidden: renders on demand
    assert other.shown_batch[0] == session.batch_grads()[0]
    # the bias column
    D = W0.shape[1]
    assert edit(view, 2, D, "−0.5")
    assert session.b[2] == np.float32(-0.5)
    assert_shows_session(session, view)


def test_typing_into_the_cell_editor(make_view, qtbot):
    session, view = make_view()
    table = view.params_table
    index = view.params_model.index(0, 1)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.findChild(QLineEdit)
    assert editor is not None
    assert float(editor.text().replace("−", "-")) == float(session.W[0, 1])
    editor.selectAll()
    qtbot.keyClicks(editor, "-2.5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Qt commits on the next event-loop turn
    qtbot.waitUntil(lambda: session.W[0, 1] == np.float32(-2.5))
    assert table.state() != QAbstractItemView.State.EditingState
    assert cell_text(view, 0, 1) == "−2.5"


@pytest.mark.parametrize("bad", ["abc", "", "nan", "NaN", "inf", "-inf", "1e7", "-2e6", "1e999"])
def test_bad_input_is_refused_and_session_unchanged(make_view, qtbot, bad):
    session, view = make_view()
    W0, b0, head, step = np.array(session.W), np.array(session.b), session.head, session.step_index
    before = cell_text(view, 0, 0)
    with qtbot.waitSignal(view.message) as blocker:
        assert not edit(view, 0, 0, bad)
    assert "Refused" in blocker.args[0]
    np.testing.assert_array_equal(session.W, W0)
    np.testing.assert_array_equal(session.b, b0)
    assert (session.head, session.step_index) == (head, step)
    assert cell_text(view, 0, 0) == before
    assert not NO_NAN.search(all_text(view))


def test_update_keeps_an_open_editor(make_view, qtbot):
    session, view = make_view()
    table = view.params_table
    index = view.params_model.index(2, 0)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "0.7")
    session.step(3)  # training continues while the user types
    assert table.state() == QAbstractItemView.State.EditingState
    assert editor.text() == "0.7"
    assert_shows_session(session, view)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: session.W[2, 0] == np.float32(0.7))


def test_large_feature_count(make_view):
    session, view = make_view(Config(samples=90, features="rff", rff_dim=100), steps=2)
    assert view.params_model.columnCount() == 101
    assert_shows_session(session, view)
    assert edit(view, 0, 99, "0.125")
    assert session.W[0, 99] == np.float32(0.125)
    assert view.params_table.horizontalScrollBar().maximum() > 0


def test_data_change_rebuilds_and_no_nan_text(make_view, tmp_path):
    session, view = make_view()
    session.configure(session.config.replace(classes=4))
    assert view.params_model.rowCount() == 4
    assert_shows_session(session, view)
    view.set_theme(DARK)
    assert_shows_session(session, view)
    assert not NO_NAN.search(all_text(view))
    path = tmp_path / "parameters.png"
    assert view.export_widget().grab().save(str(path))


def test_a_dock_tab_behind_another_waits_until_shown(qtbot):
    from PyQt6.QtWidgets import QDockWidget, QLabel, QMainWindow

    session = Session(Config(samples=90, features="identity"))
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("centre"))
    view = ParametersView(session)
    session.changed.connect(view.refresh)
    docks = []
    for widget in (QLabel("other"), view):
        dock = QDockWidget("d", window)
        dock.setWidget(widget)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        docks.append(dock)
    window.tabifyDockWidget(docks[0], docks[1])
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    docks[0].raise_()
    qtbot.wait(20)
    session.step(3)
    W = np.asarray(session.W, dtype=np.float64)
    assert not np.array_equal(view.params_model.values[:, :2], W)  # not computed while hidden
    docks[1].raise_()
    qtbot.waitUntil(lambda: np.array_equal(view.params_model.values[:, :2], W), timeout=2000)
    assert_shows_session(session, view)
