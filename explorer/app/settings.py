"""The one place that reads and writes the user's settings (``QSettings``).

Tests and scripted runs point ``SOFTMAX_EXPLORER_SETTINGS`` at a file of their own, so
the user's configuration is never touched. Every key has a default and a type here.
"""

from __future__ import annotations

import os

from PyQt6.QtCore import QByteArray, QSettings

ENV_VAR = "SOFTMAX_EXPLORER_SETTINGS"

#: key -> (default, type). Reads convert to the type and fall back to the default.
DEFAULTS: dict[str, tuple[object, type]] = {
    "window/geometry": (QByteArray(), QByteArray),
    "window/state": (QByteArray(), QByteArray),
    "session/last_config": ("", str),
    "session/recent_files": ("", str),
    "play/steps_per_frame": (1, int),
    "play/fps": (30, int),
    "view/theme": ("light", str),
    "present/scale": (1.75, float),
    "export/last_dir": ("", str),
    "autosave/interval_s": (60.0, float),
}


def open_settings() -> QSettings:
    """The settings store: the file named by ``$SOFTMAX_EXPLORER_SETTINGS`` if set."""
    path = os.environ.get(ENV_VAR)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("softmax-explorer", "Softmax Explorer")


def read(settings: QSettings, key: str):
    """Read ``key`` with its declared type, or its default when missing or malformed."""
    default, kind = DEFAULTS[key]
    value = settings.value(key, default)
    if kind is QByteArray:
        return value if isinstance(value, QByteArray) else default
    try:
        return kind(value)
    except (TypeError, ValueError):
        return default


def write(settings: QSettings, key: str, value) -> None:
    """Write ``key`` (it must be declared in :data:`DEFAULTS`)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    settings.setValue(key, value)
