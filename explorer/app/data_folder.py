"""The user's data folder: where the crash log and the autosaved sessions are kept.

``QStandardPaths.AppDataLocation`` (``~/.local/share/softmax-explorer/Softmax Explorer``
on Linux; those two folders under ``%APPDATA%`` on Windows and under ``~/Library/Application
Support`` on macOS), or the folder ``$SOFTMAX_EXPLORER_DATA`` names: tests and scripted
runs point it elsewhere, as ``$SOFTMAX_EXPLORER_SETTINGS`` does for the settings.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "SOFTMAX_EXPLORER_DATA"


def data_folder() -> Path:
    """The data folder (created if missing; the application's name must be set first)."""
    named = os.environ.get(ENV_VAR)
    if named:
        folder = Path(named)
    else:
        from PyQt6.QtCore import QStandardPaths

        location = QStandardPaths.StandardLocation.AppDataLocation
        folder = Path(QStandardPaths.writableLocation(location))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
