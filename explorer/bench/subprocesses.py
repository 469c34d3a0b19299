"""The environment of the benchmark's child interpreters."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import explorer


@contextlib.contextmanager
def child_env() -> Iterator[dict[str, str]]:
    """Environment for a child: offscreen Qt, throw-away settings and data folder, this
    ``explorer``.

    The package's parent folder goes first on ``PYTHONPATH`` so a source checkout runs
    the same code as the parent even when not installed.
    """
    with tempfile.TemporaryDirectory(prefix="softmax-bench-child-") as scratch:
        env = dict(os.environ)
        env["QT_QPA_PLATFORM"] = "offscreen"
        env["PYQTGRAPH_QT_LIB"] = "PyQt6"
        env["SOFTMAX_EXPLORER_SETTINGS"] = str(Path(scratch) / "settings.ini")
        env["SOFTMAX_EXPLORER_DATA"] = str(Path(scratch) / "data")  # no crash log, no autosave
        root = str(Path(explorer.__file__).resolve().parent.parent)
        old = env.get("PYTHONPATH")
        env["PYTHONPATH"] = root if not old else os.pathsep.join([root, old])
        yield env
