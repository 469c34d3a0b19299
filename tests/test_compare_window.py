"""Compare mode in the window (app/compare.py, app/compare_dialog.py), on the command line
(``--compare``) and in ``softmax-explorer export``: both runs move together, each view
shows its own run, and what is refused says why."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtWidgets import QApplication, QMessageBox

from explorer.app.compare import dz_text
from explorer.app.compare_dialog import LESSON_TEXT, CompareDialog
from explorer.app.main_window import MainWindow
from explorer.session.compare import Comparison
from explorer.session.compare_io import load_comparison
from explorer.session.config import Config
from explorer.session.lesson import wrong_start
from explorer.session.session import Session

ENV = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
ENV["PYQTGRAPH_QT_LIB"] = "PyQt6"


@pytest.fixture
def window(qtbot):
    w = MainWindow(Session(Config(samples=120)))
    w.resize(1300, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.file_actions.modified = False
    w.close()
    w.deleteLater()
    qtbot.wait(1)


def _compare(w, overrides):
    comparison = Comparison(w.session, overrides)
    w.compare.start(comparison)
    QApplication.processEvents()
    return comparison


def _shows_its_run(view, session) -> None:
    """The regions view's last picture is its own session's decision image."""
    expected = session.decision_image(view.grid_features)
    assert np.array_equal(view.last_indices, expected)


def test_step_play_step_back_and_scrub_move_both_runs(window):
    c = _compare(window, {"loss": "squared_error"})
    ref = Session(window.session.config.replace(loss="squared_error"))
    window.player.set_steps_per_frame(5)
    window.step()
    window._play_step(7)  # one frame of Play
    ref.step(12)
    assert window.session.step_index == c.b.step_index == 12
    assert np.array_equal(c.b.W, ref.W)
    window.step_back()
    assert c.b.step_index == 7
    window.timeline.setValue(3)  # the toolbar's timeline
    assert window.session.step_index == c.b.step_index == 3
    ref.seek(3)
    assert np.array_equal(c.b.W, ref.W)
    window.regions.flush()
    window.compare.regions_b.flush()
    _shows_its_run(window.regions, window.session)
    _shows_its_run(window.compare.regions_b, c.b)
    assert not np.array_equal(window.regions.last_indices, window.compare.regions_b.last_indices)


def test_curves_hold_both_runs_with_their_legend(window):
    c = _compare(window, {"optimizer": "adam", "lr": 0.01})
    window.step()
    window.step()
    curves = window.views["curves"]
    companion = curves.companion
    assert companion is not None and companion.session is c.b
    x, y = companion.curves["train_loss"].xData, companion.curves["train_loss"].yData
    assert np.array_equal(y, c.b.metrics.train_loss) and np.array_equal(x, np.arange(len(y)))
    assert np.array_equal(curves.curves["train_loss"].yData, window.session.metrics.train_loss)
    labels = [label.text for _, label in curves.legend.items]
    assert "A: optimizer sgd, lr 0.1" in labels and "B: optimizer adam, lr 0.01" in labels
    styles = {companion.curves[n].opts["pen"].style() for n in companion.curves}
    assert styles.isdisjoint({curves.curves[n].opts["pen"].style() for n in curves.curves})


def test_the_selected_sample_s_dl_dz_of_both_runs_in_the_status_bar(window):
    c = _compare(window, {"loss": "squared_error"})
    window.step()
    assert "select" in window.compare.dz_label.text()
    i = int(window.session.train_index[4])
    c.b.select(i)  # a click on run B's plane selects it in both
    assert window.session.selected == i
    text = window.compare.dz_label.text()
    assert dz_text(window.session.sample_detail(i).dz) in text
    assert dz_text(c.b.sample_detail(i).dz) in text
    assert dz_text(np.array([-0.981, 0.5, 0.01])) == "[−0.98, +0.50, +0.01]"


def test_leaving_compare_mode_and_file_new_put_the_window_back(window):
    c = _compare(window, {"l2": 0.1})
    regions = window.regions
    window.actions["leave_compare"].trigger()
    assert window.centralWidget() is regions and window.compare.comparison is None
    assert window.views["curves"].companion is None and not window.compare.dz_label.isVisible()
    head = c.b.head
    window.step()
    assert c.b.head == head  # run B no longer follows
    _compare(window, {"l2": 0.1})
    window.new_session()
    assert not window.compare.active and window.centralWidget() is regions
    window.step()  # the new session steps alone, nothing raises


def test_save_and_open_keep_both_runs(window, tmp_path):
    c = _compare(window, {"loss": "svm_ww"})
    window.step()
    window.step()
    path = tmp_path / "pair.smx"
    assert window.file_actions.save_as(path)
    saved = load_comparison(path)
    assert np.array_equal(saved.b.W, c.b.W) and saved.overrides == {"loss": "svm_ww"}
    window.actions["leave_compare"].trigger()
    assert window.file_actions.open(str(path))
    assert window.compare.active and np.array_equal(window.compare.comparison.b.W, c.b.W)
    assert window.compare.comparison.a is window.session


def test_the_dialog_starts_a_comparison_and_refuses_bad_settings(window, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: warnings.append(a[2])))
    dialog = CompareDialog(window, window.compare)
    dialog.spec.setEditText("dataset=moons")
    dialog.accept()
    assert not window.compare.active and "dataset is a data setting" in warnings[-1]
    dialog.spec.setEditText("loss=svm_ww")
    dialog.field.setCurrentText("lr")
    dialog.value.setText("0.5")
    dialog._add_field()
    assert dialog.spec_text() == "loss=svm_ww,lr=0.5"
    dialog.wrong.setChecked(True)
    dialog.accept()
    c = window.compare.comparison
    assert c is not None and c.overrides == {"loss": "svm_ww", "lr": 0.5}
    a = window.session
    assert a.step_index == 0 and np.array_equal(c.b.W, a.W)  # both from the wrong start
    assert np.array_equal(a.W, wrong_start(a)[0].astype(np.float32))
    dialog = CompareDialog(window, window.compare)
    dialog.spec.setEditText(LESSON_TEXT)
    dialog.accept()
    c = window.compare.comparison
    assert window.session.config.dataset == "blobs" and c.b.config.loss == "squared_error"
    assert window.session.step_index == 0 and window.session.metrics.train_acc[0] == 0.0
    window.undo.undo()  # the lesson's start is one undoable change
    assert window.session.config.dataset == "rings"


def _run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=ENV,
        cwd=cwd,
    )


@pytest.mark.slow
def test_export_writes_both_regions_views_and_the_window(tmp_path):
    """Slow (a subprocess export, ~2 s): the only test of the export's compare mode end
    to end (regions-a, regions-b, the window, both runs in the saved file)."""
    out = tmp_path / "out"
    result = _run(
        "export",
        *("--compare", "lesson", "--steps", "60", "--out", str(out)),
        *("--views", "regions,window", "--save-session", str(tmp_path / "pair.smx")),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["regions-a.png", "regions-b.png", "window.png"]
    a, b = (np.asarray(Image.open(out / n).convert("RGB")) for n in names[:2])
    assert a.shape == b.shape and (a != b).any()
    pair = load_comparison(tmp_path / "pair.smx")
    assert pair.a.step_index == pair.b.step_index == 60  # the lesson, as its test has it
    assert pair.a.metrics.train_acc[60] == 1.0 and pair.b.metrics.train_acc[60] == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--compare", "dataset=moons"], "dataset is a data setting"),
        (["--compare", "lr=fast"], "lr must be a number"),
        (["--compare", ""], "needs FIELD=VALUE"),
        (["--compare", "lesson", "--features", "poly3"], "--compare lesson and --features"),
        (["--label-smoothing", "0.1", "--compare", "loss=svm-ww"], "run B cannot use"),
    ],
)
@pytest.mark.parametrize("command", [[], ["export"]])
def test_bad_compare_options_are_one_line_and_exit_2(tmp_path, command, args, message):
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command else []
    result = _run(*command, *args, *extra, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not out.exists()


def test_run_b_diverging_is_said_and_run_a_trains_on(window):
    c = _compare(window, {"lr": 1e6})
    for _ in range(8):
        window.step()
    assert c.b.diverged is not None and window.session.diverged is None
    assert window.session.step_index == 8 > c.b.step_index
    assert "Run B diverged" in window.statusBar().currentMessage()
    label_b = window.compare._labels[1].text()
    assert label_b.startswith("B: lr 1e+06") and f"stopped at step {c.b.step_index}" in label_b


def test_autosave_keeps_both_runs_and_recovery_brings_compare_mode_back(
    window, data_folder, monkeypatch, qtbot
):
    from explorer.app import autosave as autosave_module
    from explorer.session.compare_io import split
    from explorer.session.persist import read_state

    folder = data_folder / "autosave"
    folder.mkdir(parents=True)
    c = _compare(window, {"loss": "squared_error"})
    window.step()
    window.file_actions.mark_modified()
    saver = autosave_module.Autosave(window, folder, interval_s=0)
    assert saver.tick()
    saver.wait()
    state_a, state_b = split(read_state(saver.path))
    assert np.array_equal(state_b["live/W"], c.b.W) and np.array_equal(state_a["live/W"], c.a.W)
    # A later start finds it left over (as a process that is gone left it) and restores both.
    import json
    import shutil

    shutil.copy(saver.path, folder / "autosave-999999.smx")
    info = {"source": None, "step": 1, "head": 1}
    (folder / "autosave-999999.json").write_text(json.dumps(info))
    other = MainWindow(Session(Config(samples=60)))
    other.show()
    qtbot.waitExposed(other)
    try:
        monkeypatch.setattr(autosave_module, "ask_restore", lambda *_: autosave_module.RESTORE)
        assert autosave_module.offer_recovery(other, autosave_module.Autosave(other, folder, 0))
        assert other.compare.active
        assert np.array_equal(other.compare.comparison.b.W, c.b.W)
    finally:
        other.file_actions.modified = False
        other.close()
        other.deleteLater()


def test_the_two_planes_pan_and_zoom_together(window):
    _compare(window, {"loss": "squared_error"})
    a, b = window.regions.view_box, window.compare.regions_b.view_box
    a.translateBy(x=1.0, y=0.5)
    QApplication.processEvents()
    assert np.allclose(a.viewRange(), b.viewRange())
    b.scaleBy((0.5, 0.5))
    QApplication.processEvents()
    assert np.allclose(a.viewRange(), b.viewRange())
    window.actions["leave_compare"].trigger()
    a.translateBy(x=1.0, y=0.0)  # no longer linked, nothing raises
    QApplication.processEvents()


def test_presenting_in_compare_mode_scales_both_planes_and_hides_both_rows(window):
    from explorer.app.presentation import plane_controls

    c = _compare(window, {"loss": "squared_error"})
    b_controls = window.compare.regions_b.findChildren(type(plane_controls(window)[0]))
    assert len(plane_controls(window)) > len(b_controls) > 0
    window.presentation.enter()
    try:
        QApplication.processEvents()
        scale = window.presentation.scale()
        assert window.regions.scale == window.compare.regions_b.scale == scale != 1.0
        assert not any(w.isVisible() for w in plane_controls(window))
        window.step()
        assert c.b.step_index == 1
    finally:
        window.presentation.leave()
    QApplication.processEvents()
    assert window.compare.regions_b.scale == 1.0
    assert all(w.isVisible() for w in plane_controls(window))


def test_run_b_s_regions_export_from_the_dialog_and_its_menu(window, tmp_path):
    from explorer.app.export_dialog import _targets, figure_for
    from explorer.export.image import save_image

    assert "regions-b" not in dict(_targets(window))
    _compare(window, {"loss": "squared_error"})
    targets = dict(_targets(window))
    assert targets["regions-b"] == "Decision regions, run B"
    with figure_for(window, "regions-b") as widget:  # the plot alone, as for run A's
        assert widget is window.compare.regions_b.plot_widget
        path = save_image(widget, tmp_path / "b.png", "png")
    assert path.exists()


def test_load_of_a_comparison_file_opens_both_runs_and_compare_takes_a_loaded_run(tmp_path):
    from explorer.app.compare_cli import build_run
    from explorer.app.options import window_parser
    from explorer.session.compare_io import save_comparison

    a = Session(Config(samples=60))
    c = Comparison(a, {"loss": "squared_error"})
    c.step(6)
    pair = tmp_path / "pair.smx"
    save_comparison(c, pair)
    args = window_parser().parse_args(["--load", str(pair)])
    session, loaded = build_run(args, "softmax-explorer")
    assert loaded is not None and loaded.a is session and np.array_equal(loaded.b.W, c.b.W)
    args = window_parser().parse_args(["--load", str(pair), "--lr", "0.5"])
    session, loaded = build_run(args, "softmax-explorer")  # at its last step: allowed
    assert (
        session.config.lr == loaded.b.config.lr == 0.5 and loaded.b.config.loss == "squared_error"
    )
    args = window_parser().parse_args(["--load", str(pair), "--compare", "optimizer=adam"])
    session, other = build_run(args, "softmax-explorer")  # a new run B for the loaded run A
    ref = Session(Config(samples=60, optimizer="adam"))
    ref.step(6)
    assert other.overrides == {"optimizer": "adam"} and np.array_equal(other.b.W, ref.W)
