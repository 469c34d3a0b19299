"""Every test runs headless, and never touches the user's settings."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PyQt6"

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Point the app's settings at a temporary file for every test."""
    monkeypatch.setenv("SOFTMAX_EXPLORER_SETTINGS", str(tmp_path / "settings.ini"))
    yield
