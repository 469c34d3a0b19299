"""The one-way stairs: core and session load no Qt and no pyqtgraph."""

import subprocess
import sys

CHECK = """
import sys
import explorer.core
import explorer.session
import explorer.session.session
import explorer.session.persist
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("PyQt6", "pyqtgraph"))
print(",".join(bad))
"""


def test_core_and_session_import_no_qt_and_no_pyqtgraph():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "", f"GUI modules loaded: {result.stdout.strip()}"
