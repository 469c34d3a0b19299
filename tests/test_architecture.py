"""The one-way stairs: the import-linter contracts in ``pyproject.toml`` hold, they see
imports inside functions too, and core and session load no Qt and no pyqtgraph."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"

CHECK = """
import sys
import explorer.core
import explorer.session
import explorer.session.session
import explorer.session.persist
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("PyQt6", "pyqtgraph"))
print(",".join(bad))
"""

LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """Run ``lint-imports`` with the project's contracts on the ``explorer`` package in ``tree``.

    ``tree`` goes first on the path (``lint-imports`` also adds its working directory), so
    the package analysed is the one in ``tree``, not an installed copy.
    """
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache", "--no-logo", str(PYPROJECT)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 broken" in result.stdout  # the summary line: the contracts were read and run


def test_every_view_is_on_the_list_of_views_that_never_import_each_other():
    """A new view module (a :class:`SessionView` subclass in ``explorer/views/``) must join
    the independence contract, or another view could import it unnoticed."""
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    (independent,) = [c for c in contracts["contracts"] if c["id"] == "views-independent"]
    views = {
        f"explorer.views.{path.stem}"
        for path in (ROOT / "explorer" / "views").glob("*.py")
        if re.search(r"^class \w+\(.*\bSessionView\)", path.read_text(encoding="utf-8"), re.M)
    }
    assert len(views) >= 8
    assert views == set(independent["modules"])


@pytest.mark.parametrize(
    ("module", "sneaked", "report"),
    [
        (
            "explorer/core/softmax.py",
            "import explorer.app.main_window",
            "explorer.core.softmax -> explorer.app.main_window",
        ),
        (
            "explorer/app/main_window.py",
            "from explorer.bench import runner",
            "explorer.app.main_window -> explorer.bench.runner",
        ),
        (
            "explorer/session/config.py",
            "from PyQt6.QtWidgets import QWidget",
            "explorer.session.config -> PyQt6",
        ),
        (
            "explorer/export/image.py",
            "from explorer.session.config import Config",
            "explorer.export.image -> explorer.session.config",
        ),
        (
            "explorer/views/parameters.py",
            "import explorer.views.inspector",
            "explorer.views.parameters -> explorer.views.inspector",
        ),
    ],
    ids=["core-app", "app-bench", "session-qt", "export-session", "view-view"],
)
def test_an_import_inside_a_function_breaks_a_contract(tmp_path, module, sneaked, report):
    """A copy of the package with one function-level import added fails the contracts and
    the report names that import: the linter reads function bodies, not only the top."""
    shutil.copytree(
        ROOT / "explorer", tmp_path / "explorer", ignore=shutil.ignore_patterns("__pycache__")
    )
    assert lint_imports(tmp_path).returncode == 0  # the copy itself is clean
    target = tmp_path / module
    target.write_text(
        target.read_text() + f"\n\ndef _sneaked_in():\n    {sneaked}\n\n    return None\n"
    )
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert report in result.stdout, result.stdout


def test_core_and_session_import_no_qt_and_no_pyqtgraph():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "", f"GUI modules loaded: {result.stdout.strip()}"
