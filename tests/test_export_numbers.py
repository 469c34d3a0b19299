"""The text exports from the command line and the window: LaTeX of the inspector and the
parameters, the points, the parameters and metrics as CSV and JSON, each compared with the
session they came from (saved beside them and loaded back)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PyQt6.QtWidgets import QApplication, QFileDialog

from explorer.app import numbers
from explorer.core.csvdata import load_csv
from explorer.session.config import Config
from explorer.session.persist import load_session
from explorer.session.session import Session
from tests.tex_tools import check_structure, compile_tex, engines, matrices, tex_value

ENV = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
ENV["PYQTGRAPH_QT_LIB"] = "PyQt6"
ENV.pop("QT_QPA_PLATFORM", None)


def export(*args):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "explorer",
            "export",
            "--samples",
            "120",
            "--features",
            "identity",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=ENV,
    )


def bits(a):
    return np.asarray(a, dtype=np.float64).view(np.int64)


def inspector_numbers(session, i):
    """The arrays the inspector's LaTeX writes, in order, from the session itself."""
    d = session.sample_detail(i)
    _loss, dW, db = session.batch_grads()
    columns = [d.z, d.p, d.y, d.dL_dp]
    return [
        d.x[None, :],
        *(v[:, None] for v in columns),
        d.J,
        d.jt_dl_dp[:, None],
        d.dz[:, None],
        d.dW,
        d.db[:, None],
        dW,
        db[:, None],
    ]


def assert_reads_back(text, arrays, digits):
    found = matrices(text)
    assert len(found) == len(arrays)
    for cells, values in zip(found, arrays, strict=True):
        got = np.array([[tex_value(c) for c in row] for row in cells])
        want = np.array([[float(f"{v:.{digits}g}") if digits else v for v in r] for r in values])
        np.testing.assert_array_equal(got, want)


def test_tex_data_and_numbers_from_the_command_line(tmp_path):
    out, saved = tmp_path / "out", tmp_path / "s.smx"
    result = export(
        "--steps", "20", "--format", "tex", "--select", "3", "--points", "csv",
        "--numbers", "csv,json", "--out", str(out), "--save-session", str(saved),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    expected = {
        "inspector.tex", "parameters.tex", "points.csv", "parameters.csv",
        "parameters.json", "metrics.csv", "metrics.json",
    }  # fmt: skip
    assert {p.name for p in out.iterdir()} == expected  # tex alone: no pictures
    assert {os.path.basename(p) for p in result.stdout.split()} == expected | {"s.smx"}
    session = load_session(saved)
    session.select(3)

    inspector = (out / "inspector.tex").read_text()
    check_structure(inspector)
    assert "Sample 3 (" in inspector and "step 20" in inspector
    assert_reads_back(inspector, inspector_numbers(session, 3), 4)
    assert inspector == numbers.inspector_latex(session, 4, document=True)
    parameters = (out / "parameters.tex").read_text()
    check_structure(parameters)
    _loss, dW, db = session.batch_grads()
    arrays = [session.W, session.b[:, None], dW, db[:, None]]
    assert_reads_back(parameters, arrays, 4)
    if engines():
        compile_tex(inspector, tmp_path / "inspector")
        compile_tex(parameters, tmp_path / "parameters")

    points = load_csv(out / "points.csv")
    np.testing.assert_array_equal(bits(points.X), bits(session.data.X))
    np.testing.assert_array_equal(points.y, session.data.y)

    with open(out / "parameters.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["quantity", "class", "x1", "x2", "b"]
    C = session.n_classes
    values = np.array([[float(v) for v in r[2:]] for r in rows[1:]])
    np.testing.assert_array_equal(bits(values[:C, :-1]), bits(session.W))
    np.testing.assert_array_equal(bits(values[:C, -1]), bits(session.b))
    np.testing.assert_array_equal(bits(values[C:, :-1]), bits(dW))
    np.testing.assert_array_equal(bits(values[C:, -1]), bits(db))
    data = json.loads((out / "parameters.json").read_text())
    assert data["step"] == 20 and data["dtype"] == "float32"
    np.testing.assert_array_equal(bits(data["W"]), bits(session.W))
    np.testing.assert_array_equal(bits(data["db"]), bits(db))

    m = session.metrics
    with open(out / "metrics.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 22  # header, steps 0..20
    for j, name in enumerate(("train_loss", "train_acc", "test_loss", "test_acc"), start=1):
        np.testing.assert_array_equal(bits([float(r[j]) for r in rows[1:]]), bits(getattr(m, name)))
    data = json.loads((out / "metrics.json").read_text())
    assert data["step"] == list(range(21)) and data["has_test"] is True
    np.testing.assert_array_equal(bits(data["test_acc"]), bits(m.test_acc))


def test_tex_beside_pictures_and_full_precision(tmp_path):
    out, saved = tmp_path / "out", tmp_path / "s.smx"
    result = export(
        "--steps", "5", "--views", "regions,inspector", "--format", "png,tex",
        "--full-precision", "--select", "0", "--out", str(out), "--save-session", str(saved),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == {"regions.png", "inspector.png", "inspector.tex"}
    session = load_session(saved)
    session.select(0)
    text = (out / "inspector.tex").read_text()
    assert_reads_back(text, inspector_numbers(session, 0), 0)  # every digit, exactly


def test_no_test_split_leaves_the_test_columns_empty(tmp_path):
    out = tmp_path / "out"
    result = export("--steps", "3", "--test-fraction", "0", "--numbers", "csv,json",
                    "--format", "tex", "--views", "parameters", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = (out / "metrics.csv").read_text().splitlines()
    assert lines[0] == "step,train_loss,train_acc,test_loss,test_acc"
    assert all(line.endswith(",,") for line in lines[1:]) and len(lines) == 5
    assert json.loads((out / "metrics.json").read_text())["test_loss"] == [None] * 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--views", "regions,inspector", "--format", "tex"], "regions would get no file"),
        (["--numbers", "xml"], "unknown numbers format xml"),
        (["--points", "json"], "unknown points format json"),
        (["--format", "tex,doc"], "unknown format doc"),
    ],
)
def test_bad_text_options_exit_2_before_writing(tmp_path, args, message):
    out = tmp_path / "out"
    result = export("--steps", "1", "--out", str(out), *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not out.exists()


def test_help_lists_the_text_options():
    result = export("--help")
    assert result.returncode == 0
    for text in ("--points", "--numbers", "--full-precision", "png,svg,pdf,tex", "csv,json"):
        assert text in result.stdout


# ---------------------------------------------------------------- the window
@pytest.fixture
def window(qtbot):
    from explorer.app.main_window import MainWindow

    session = Session(Config(samples=120))
    session.step(10)
    session.select(5)
    win = MainWindow(session)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.file_actions.modified = False
    win.close()
    win.deleteLater()
    qtbot.wait(1)


def entries(win, view_id):
    view = win.views[view_id]
    return {a.text(): a for a in win.file_actions.view_menus.actions_for(view, win)}


def test_copy_as_latex_from_the_menus_and_the_context_menus(window):
    clipboard = QApplication.clipboard()
    session = window.session
    window.actions["copy_latex"].trigger()
    assert clipboard.text() == numbers.inspector_latex(session, 4)
    assert "Sample 5 (" in clipboard.text() and "\\documentclass" not in clipboard.text()
    check_structure(clipboard.text())
    window.views["inspector"].set_precision(0)  # Full precision: the copy follows
    clipboard.clear()
    entries(window, "inspector")["Copy as LaTeX"].trigger()
    assert clipboard.text() == numbers.inspector_latex(session, 0)
    clipboard.clear()
    entries(window, "parameters")["Copy as LaTeX"].trigger()
    assert clipboard.text() == numbers.parameters_latex(session)
    assert "% W, b and their batch gradients" in clipboard.text()
    window.actions["copy_parameters_latex"].trigger()
    assert clipboard.text() == numbers.parameters_latex(session)
    assert "Copy as LaTeX" not in entries(window, "regions")
    edit = [a.objectName() for a in window.menus["Edit"].actions()]
    assert {"action_copy_latex", "action_copy_parameters_latex"} <= set(edit)


def test_export_parameters_and_metrics_from_the_file_menu(window, tmp_path, monkeypatch):
    answers = iter([(str(tmp_path / "p"), "JSON (*.json)"), (str(tmp_path / "m.csv"), "")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: next(answers))
    window.actions["export_parameters"].trigger()
    window.actions["export_metrics"].trigger()
    data = json.loads((tmp_path / "p.json").read_text())
    np.testing.assert_array_equal(bits(data["W"]), bits(window.session.W))
    lines = (tmp_path / "m.csv").read_text().splitlines()
    assert lines[0].startswith("step,train_loss") and len(lines) == 12
    file_menu = [a.objectName() for a in window.menus["File"].actions()]
    assert {"action_export_parameters", "action_export_metrics"} <= set(file_menu)


def test_a_table_file_of_another_kind_is_refused_with_a_message(window, tmp_path, monkeypatch):
    errors = []
    monkeypatch.setattr(window, "show_error", errors.append)
    assert window.file_actions.numbers.export_table("metrics", str(tmp_path / "m.txt")) is None
    assert len(errors) == 1 and ".csv or .json" in errors[0]
    assert list(tmp_path.iterdir()) == []


def right_click(widget, monkeypatch, choose: str) -> list[str]:
    """Right-click ``widget``, trigger the entry ``choose``; return the menu's entries."""
    from PyQt6.QtCore import QPoint
    from PyQt6.QtGui import QContextMenuEvent
    from PyQt6.QtWidgets import QMenu

    shown = []

    def exec_(menu, *args):
        shown.extend(a.text() for a in menu.actions())
        for action in menu.actions():
            if action.text() == choose:
                action.trigger()
        return None

    monkeypatch.setattr(QMenu, "exec", exec_)
    pos = QPoint(10, 10)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, event)
    return shown


def test_right_click_copy_as_latex_on_the_inspector_and_the_parameters(window, monkeypatch):
    from PyQt6.QtWidgets import QTableView

    clipboard = QApplication.clipboard()
    for view_id, expected in (
        ("inspector", lambda: numbers.inspector_latex(window.session, 4)),
        ("parameters", lambda: numbers.parameters_latex(window.session)),
    ):
        view = window.views[view_id]
        window.docks[view_id].raise_()
        QApplication.processEvents()
        pane = view.browser if view_id == "inspector" else view.findChildren(QTableView)[0]
        clipboard.clear()
        shown = right_click(pane.viewport(), monkeypatch, "Copy as LaTeX")
        assert "Copy as LaTeX" in shown, shown
        assert shown[-2:] == ["Export this view…", "Copy this view"]
        assert clipboard.text() == expected()


def test_a_folder_where_a_number_file_goes_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    (out / "metrics.csv").mkdir(parents=True)
    result = export("--steps", "1", "--format", "png,tex", "--numbers", "csv", "--out", str(out))
    assert result.returncode == 2 and "metrics.csv" in result.stderr, result.stderr
    assert [p.name for p in out.iterdir()] == ["metrics.csv"]
