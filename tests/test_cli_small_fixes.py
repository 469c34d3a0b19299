"""Small command-line and menu fixes: ``--dataset cs231n`` alone gets identity features (as
the panel gives them), integer options take ASCII digits only, File → Export Data as CSV
shows a refused file in a dialog, and the export dialog writes .tex where the CLI does."""

from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtWidgets import QFileDialog, QMessageBox

from explorer.app import options
from explorer.cli import main
from tests.test_cli_refusals import refused, shown  # noqa: F401 - the fixture


# ------------------------------------------------------------- cs231n features
def test_the_cs231n_set_alone_gets_identity_features_and_the_demos_weights(shown):  # noqa: F811
    from explorer.core.datasets import make_dataset  # noqa: F401 - the set exists
    from explorer.session.config import Config
    from explorer.session.session import Session

    assert main(["--dataset", "cs231n"]) == 0
    (session,) = shown
    assert session.config.features == "identity"
    panel = Session(Config(dataset="cs231n", features="identity"))  # what the panel makes
    assert np.array_equal(session.W, panel.W) and np.array_equal(session.b, panel.b)


@pytest.mark.parametrize(
    ("argv", "features", "degree"),
    [
        (["--features", "poly3"], "poly", 3),
        (["--features", "rff"], "rff", 2),
        (["--degree", "3"], "poly", 3),
    ],
)
def test_a_feature_option_given_with_cs231n_is_kept(shown, argv, features, degree):  # noqa: F811
    assert main(["--dataset", "cs231n", *argv]) == 0
    (session,) = shown
    assert (session.config.features, session.config.degree) == (features, degree)


def test_another_data_set_keeps_the_default_features(shown):  # noqa: F811
    from explorer.session.config import Config

    assert main(["--dataset", "spiral"]) == 0
    assert shown[0].config.features == Config().features


def test_the_export_command_gives_cs231n_identity_features_too(tmp_path):
    out = tmp_path / "out"
    argv = ["export", "--dataset", "cs231n", "--steps", "0", "--numbers", "json", "--views"]
    assert main([*argv, "parameters", "--format", "tex", "--out", str(out), "--quiet"]) == 0
    tex = (out / "parameters.tex").read_text()
    assert "x_1" in tex or "x1" in tex
    assert "x1²" not in tex and "x_1^2" not in tex and "x_1^{2}" not in tex


# ------------------------------------------------------------- integer options
@pytest.mark.parametrize("text", ["٣", "1_0", "١٠", "３", "²", "1e3", "2.0", "", " ", "0x10"])
def test_integer_refuses_all_but_ascii_digits(text):
    with pytest.raises(ValueError, match="digits 0-9"):
        options.integer(text)


@pytest.mark.parametrize(("text", "value"), [("3", 3), (" 12 ", 12), ("+7", 7), ("-2", -2)])
def test_integer_reads_ascii_digits(text, value):
    assert options.integer(text) == value


@pytest.mark.parametrize(
    "argv",
    [
        ["--classes", "٣"],
        ["--classes", "1_0"],
        ["--samples", "３00"],
        ["--seed", "1_000"],
        ["--degree", "٢"],
        ["export", "--steps", "1_0"],
        ["export", "--every", "٥"],
        ["export", "--select", "٣"],
        ["bench", "--frames", "1_0"],
    ],
)
def test_integer_options_refuse_non_ascii_digits_and_underscores(argv, capsys, shown):  # noqa: F811
    line = refused(argv, capsys)
    assert "digits 0-9" in line
    assert not shown


def test_the_polynomial_degree_in_features_takes_ascii_digits_only(capsys, shown):  # noqa: F811
    for text in ("poly٣", "poly1_0", "poly３"):
        assert "unknown feature map" in refused(["--features", text], capsys)
    assert not shown


def test_every_integer_field_option_uses_the_strict_parser():
    from explorer.session.config_table import CONFIG_TABLE

    parser = options.window_parser()
    actions = {a.dest: a for a in parser._actions}
    for row in CONFIG_TABLE:
        if row.kind == "int" and row.flag is not None and row.flag.parse is None:
            assert actions[row.name].type is options.integer, row.name


# ------------------------------------------------------------- the window's exports
@pytest.fixture
def window(qtbot):
    from explorer.app.main_window import MainWindow
    from explorer.session.config import Config
    from explorer.session.session import Session

    window = MainWindow(Session(Config(samples=30)))
    yield window
    window.file_actions.modified = False  # close without the unsaved-changes question
    window.close()
    window.deleteLater()
    qtbot.wait(1)


def test_export_data_as_csv_shows_a_refusal_in_a_dialog(window, tmp_path, monkeypatch):
    from explorer.session.data import Data

    s = window.session
    d = s.data
    names = (" padded ", *d.class_names[1:])  # a session may hold it; CSV cannot read it back
    s.set_data(Data(d.X, d.y, d.is_test, names))
    path = tmp_path / "points.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    shown_errors = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown_errors.append(a[2]))
    window.actions["export_csv"].trigger()  # no exception escapes
    assert len(shown_errors) == 1 and str(path) in shown_errors[0]
    assert not path.exists()


def test_the_export_dialog_writes_latex_for_the_views_the_cli_does(window, tmp_path):
    from explorer.app.export_dialog import ExportDialog
    from explorer.app.export_numbers import TEX_VIEWS

    dialog = ExportDialog(window)
    formats = [dialog.format.itemText(i) for i in range(dialog.format.count())]
    assert "LaTeX" in formats
    tex = dialog.format.findText("LaTeX")
    for key in [dialog.target.itemData(i) for i in range(dialog.target.count())]:
        dialog.target.setCurrentIndex(dialog.target.findData(key))
        enabled = dialog.format.model().item(tex).isEnabled()
        assert enabled == (key in TEX_VIEWS), key
    for key in TEX_VIEWS:
        dialog.target.setCurrentIndex(dialog.target.findData(key))
        dialog.format.setCurrentIndex(tex)
        assert dialog.path.path().suffix == ".tex"
        dialog.path.edit.setText(str(tmp_path / f"{key}.tex"))
        dialog.export()
        text = Path(tmp_path / f"{key}.tex").read_text()
        assert text.startswith("\\documentclass") and "\\end{document}" in text
    dialog.target.setCurrentIndex(dialog.target.findData("regions"))
    assert dialog.format.currentText() != "LaTeX"  # a view without LaTeX falls back to PNG
