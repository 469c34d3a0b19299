"""The command line: --version, --help, bad options, and main() in a subprocess."""

import os
import subprocess
import sys

import pytest

from explorer import __version__

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYQTGRAPH_QT_LIB": "PyQt6"}


def run(*args, timeout=60, env=None):
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or ENV,
    )


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"softmax-explorer {__version__}"


def test_help_lists_options():
    result = run("--help")
    assert result.returncode == 0
    for option in (
        "--dataset",
        "--classes",
        "--samples",
        "--noise",
        "--seed",
        "--features",
        "--optimizer",
        "--lr",
        "--batch-size",
        "--l2",
        "--label-smoothing",
        "--csv",
    ):
        assert option in result.stdout


def test_help_lists_every_option_of_the_field_table():
    from explorer.session.config_table import CONFIG_TABLE

    for prog in ([], ["export"]):
        result = run(*prog, "--help")
        assert result.returncode == 0
        text = " ".join(result.stdout.split())  # argparse wraps long lines
        for row in CONFIG_TABLE:
            if row.flag is None:
                assert f"--{row.name.replace('_', '-')} " not in text, row.name
                continue
            value = row.flag.metavar
            if value is None:  # a choice: argparse lists the values it offers
                offered = sorted(row.choices) if row.flag.sort_choices else row.choices
                value = "{" + ",".join(offered) + "}"
            shown = f"{row.option} {value}"
            assert f"{shown} {row.flag.help}" in text, row.name


@pytest.mark.parametrize("command", ["export", "bench"])
def test_the_dispatcher_hands_each_command_its_own_options(command):
    helped = run(command, "--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith(f"usage: softmax-explorer {command}")
    refused = run(command, "--bogus")
    assert refused.returncode == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"softmax-explorer {command}: error:")


@pytest.mark.parametrize(
    "args",
    [
        ["--lr", "-1"],
        ["--dataset", "nope"],
        ["--classes", "0"],
        ["--features", "poly99"],
        ["--batch-size", "-3"],
        ["--noise", "nan"],
        ["--csv", "/nonexistent/points.csv"],
        ["--bogus"],
    ],
)
def test_bad_option_is_one_line_and_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0]


def test_main_opens_window_and_quits(tmp_path):
    """main() in a subprocess: the window opens, paints, and the event loop quits cleanly."""
    script = """
import sys
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QMessageBox
from explorer.app import application

original = application.get_application
asked = []


def discard(*args, **kwargs):
    # The trained session is unsaved: the window asks before closing; answer "Discard".
    asked.append(args[1])
    return QMessageBox.StandardButton.Discard


def quit_once_trained(app, tries=300):
    # Quit after the first trained step (on a loaded machine 1.5 s may not hold one), so
    # that the window has an unsaved session to ask about.
    trained = [w for w in app.topLevelWidgets() if getattr(w, "session", None) is not None]
    if tries and not any(w.session.step_index > 0 for w in trained):
        QTimer.singleShot(100, lambda: quit_once_trained(app, tries - 1))
        return
    app.quit()


def quitting_application():
    app = original()
    QTimer.singleShot(500, lambda: quit_once_trained(app))
    return app


QMessageBox.question = discard
application.get_application = quitting_application
from explorer.cli import main

code = main(["--samples", "90", "--play"])
print("asked:", asked)
sys.exit(code)
"""
    env = {
        **ENV,
        "SOFTMAX_EXPLORER_SETTINGS": str(tmp_path / "s.ini"),
        "SOFTMAX_EXPLORER_DATA": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "Unsaved session" in result.stdout
    assert (tmp_path / "s.ini").exists()
    # Closed after Discard: no autosave is left to offer at the next start.
    assert list((tmp_path / "data" / "autosave").iterdir()) == []


def test_csv_option_tells_the_config_panel_the_points_are_user_data(tmp_path, qapp, monkeypatch):
    from PyQt6.QtWidgets import QApplication

    from explorer.app.main_window import MainWindow
    from explorer.cli import main

    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,label\n0,0,a\n1,1,b\n0,1,a\n1,0,b\n2,2,b\n-1,0,a\n")
    seen = {}

    def fake_exec():
        (window,) = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        seen["label"] = window.views["config"]._user_data
        seen["names"] = list(window.session.data.class_names)
        window.file_actions.modified = False
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert main(["--csv", str(csv)]) == 0
    assert seen == {"label": "user data (points.csv)", "names": ["a", "b"]}
