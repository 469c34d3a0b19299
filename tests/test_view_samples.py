"""The per-sample table: the session's float64 numbers under every loss against a float64
recomputation by the closed forms, a virtual model at N = 100 000, sorting, selecting by
click, and CSV by Ctrl+C and the context menu."""

import csv
import io

import numpy as np
import pytest
from loss_forms import closed_form_dz, closed_form_loss
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtWidgets import QApplication

from explorer.core import LOSSES
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.samples import SamplesView
from tests.view_tools import show_view

DELTA = 0.7


@pytest.fixture
def make_view(qtbot):
    made = []  # held until teardown (tests/view_tools.show_view says why)

    def make(**config):
        session = Session(Config(**{"samples": 90, "margin": DELTA, **config}))
        return show_view(qtbot, SamplesView, session, (900, 400), made), session

    yield make


def table_array(view) -> np.ndarray:
    """Every cell's value as the model shows it, ``(rows, columns)`` float64."""
    m = view.model
    return np.array(
        [[float(m.value(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]
    )


def recomputed(session, temperature=1.0) -> np.ndarray:
    """The table's rows in data order, from the data and parameters in float64."""
    idx = session.train_index
    F = session.feature_map.transform(session.data.X[:, idx], dtype=np.float64)
    Z = (session.W.astype(np.float64) @ F + session.b.astype(np.float64)[:, None]) / temperature
    y = session.data.y[idx]
    loss, rows = session.config.loss, []
    for n in range(idx.size):
        z = Z[:, n]
        p = np.exp(z - z.max())
        p /= p.sum()
        rows.append(
            [
                idx[n],
                y[n],
                *session.data.X[:, idx[n]],
                *z,
                *p,
                closed_form_loss(z, y[n], loss, DELTA),
                *closed_form_dz(z, y[n], loss, DELTA),
            ]
        )
    return np.array(rows)


@pytest.mark.parametrize("loss", LOSSES)
def test_every_cell_is_the_float64_recomputation(make_view, loss):
    view, session = make_view(loss=loss)
    session.step(6)
    view.flush()
    C = session.n_classes
    shown = table_array(view)
    headers = [c.header for c in view.model.columns]
    assert headers[:4] == ["#", "class", "x₁", "x₂"] and headers[4 + 2 * C] == "loss"
    assert shown.shape == (session.train_index.size, 5 + 3 * C)
    np.testing.assert_array_equal(view.model.order, np.arange(shown.shape[0]))  # data order
    np.testing.assert_allclose(shown, recomputed(session), rtol=1e-12, atol=1e-12)
    # The display temperature divides the scores, as everywhere else.
    session.set_temperature(2.0)
    view.flush()
    np.testing.assert_allclose(table_array(view), recomputed(session, 2.0), rtol=1e-12, atol=1e-12)


def test_a_virtual_model_sorts_and_selects_100k_rows(make_view, qtbot):
    view, session = make_view(samples=100_000, dataset="blobs")
    n = session.train_index.size
    assert view.model.rowCount() == n > 50_000
    assert view.table.indexWidget(view.model.index(n - 1, 0)) is None
    loss_col = [c.header for c in view.model.columns].index("loss")
    view.table.sortByColumn(loss_col, Qt.SortOrder.DescendingOrder)
    losses = session.train_table().loss
    np.testing.assert_array_equal(view.model.order, stable_order(losses, True))
    worst = int(view.model.value(0, 0))
    assert worst == session.train_index[np.argmax(losses)]
    session.select(worst)
    assert view.table.currentIndex().row() == 0
    session.step(1)  # a step re-sorts with the new numbers and keeps the selection
    view.flush()
    np.testing.assert_array_equal(view.model.order, stable_order(session.train_table().loss, True))
    assert int(view.model.value(view.table.currentIndex().row(), 0)) == worst


def click_header(qtbot, view, col):
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def stable_order(values, descending):
    return np.argsort(-values if descending else values, kind="stable")


def test_clicking_headings_sorts_and_clicking_a_row_selects(make_view, qtbot):
    view, session = make_view(loss="svm_ww")
    session.step(3)
    view.flush()
    col = [c.header for c in view.model.columns].index("x₁")
    x1 = session.train_table().X[0]
    directions = []
    for _ in range(2):
        click_header(qtbot, view, col)
        assert view.model.sort_key[0] == col
        descending = view.model.sort_key[1] == Qt.SortOrder.DescendingOrder
        np.testing.assert_array_equal(view.model.order, stable_order(x1, descending))
        directions.append(descending)
    assert directions in ([False, True], [True, False])
    rect = view.table.visualRect(view.model.index(2, 3))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert session.selected == int(view.model.value(2, 0))
    # A test sample is not in the table: selecting it clears the table's selection.
    test_point = int(np.flatnonzero(session.data.is_test)[0])
    session.select(test_point)
    assert not view.table.selectionModel().selectedRows()
    session.select(int(session.train_index[5]))
    assert int(view.model.value(view.table.currentIndex().row(), 0)) == session.train_index[5]


def parse_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def test_ctrl_c_copies_the_selected_rows_with_every_digit(make_view, qtbot):
    view, session = make_view(loss="squared_error", classes=4, dataset="blobs")
    session.step(2)
    view.flush()
    view.table.selectRow(1)
    view.table.selectionModel().select(
        view.model.index(4, 0),
        view.table.selectionModel().SelectionFlag.Select
        | view.table.selectionModel().SelectionFlag.Rows,
    )
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    header, rows = parse_csv(QApplication.clipboard().text())
    names = session.data.class_names
    assert header[:4] == ["index", "class", "x1", "x2"] and header[-1] == f"dL/dz_{names[-1]}"
    assert len(rows) == 2
    expected = recomputed(session)
    for row, r in zip(rows, (1, 4), strict=True):
        position = view.model.order[r]
        assert int(row[0]) == session.train_index[position]
        assert row[1] == names[session.data.y[session.train_index[position]]]
        numbers = np.array([float(v) for v in row[2:]])
        table = session.train_table()
        exact = np.concatenate(
            [table.X[:, position], table.Z[:, position], table.P[:, position],
             [table.loss[position]], table.dz[:, position]]
        )  # fmt: skip
        np.testing.assert_array_equal(numbers, exact)  # repr reads back bit for bit
        np.testing.assert_allclose(numbers, expected[position, 2:], rtol=1e-12, atol=1e-12)


def test_the_menu_copies_every_row_in_the_order_shown(make_view):
    view, session = make_view()
    view.flush()
    view.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    texts = [text for text, _, _ in view.menu_entries()]
    assert texts == ["Copy Selected Rows as CSV", "Copy All Rows as CSV"]
    view.menu_entries()[1][2]()
    _, rows = parse_csv(QApplication.clipboard().text())
    assert len(rows) == session.train_index.size
    assert [int(r[0]) for r in rows] == list(session.train_index[view.model.order])
    x1 = [float(r[2]) for r in rows]
    assert x1 == sorted(x1)


def test_hidden_it_computes_nothing_and_catches_up_when_shown(make_view, qtbot, monkeypatch):
    view, session = make_view()
    view.flush()
    calls = []
    real = type(session).train_table
    monkeypatch.setattr(type(session), "train_table", lambda s: calls.append(1) or real(s))
    view.hide()
    session.step(2)
    assert calls == [] and view._dirty
    view.show()
    qtbot.waitUntil(lambda: not view._dirty)
    assert calls
    np.testing.assert_allclose(table_array(view), recomputed(session), rtol=1e-12, atol=1e-12)


def test_the_window_has_it_as_a_tab_beside_the_parameters_with_its_menu(qtbot):
    from explorer.app.main_window import MainWindow

    session = Session(Config(samples=120))
    session.step(3)
    win = MainWindow(session)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    try:
        view = win.views["samples"]
        assert isinstance(view, SamplesView)
        assert win.docks["samples"] in win.tabifiedDockWidgets(win.docks["parameters"])
        win.docks["samples"].raise_()
        qtbot.waitUntil(lambda: not view._dirty)
        session.select(int(session.train_index[3]))
        assert int(view.model.value(view.table.currentIndex().row(), 0)) == session.selected
        menu = win.file_actions.view_menus.actions_for(view, win)
        by_text = {a.text(): a for a in menu}
        by_text["Copy All Rows as CSV"].trigger()
        _, rows = parse_csv(QApplication.clipboard().text())
        assert len(rows) == session.train_index.size
    finally:
        win.file_actions.modified = False
        win.close()
        win.deleteLater()
        qtbot.wait(1)


def test_while_playing_the_table_takes_at_most_its_share_of_the_time(make_view, monkeypatch):
    """An update that took t seconds holds the next training step's back for t / BUSY_SHARE
    (a clock that says the update took 1 s); other changes and flush() show at once."""
    from explorer.views import samples

    view, session = make_view()
    ticks = iter([0.0, 1.0])
    monkeypatch.setattr(samples, "perf_counter", lambda: next(ticks, 1.0))
    session.step(1)
    view.flush()
    assert view._throttle.interval_s == pytest.approx(1.0 / samples.BUSY_SHARE)
    before = table_array(view)
    session.step(1)
    assert view._throttle.pending  # held back: the numbers are the step before's
    np.testing.assert_array_equal(table_array(view), before)
    view.flush()
    assert not view._throttle.pending
    np.testing.assert_allclose(table_array(view), recomputed(session), rtol=1e-12, atol=1e-12)
