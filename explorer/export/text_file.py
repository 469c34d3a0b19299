"""Writing a text file atomically, without Qt: the LaTeX, CSV and JSON exports.

The text goes to a temporary file beside the target, which is renamed onto the target
only when complete: a failed write never leaves half a file under the target's name, and
an existing file stays as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically; return the path.

    Raises
    ------
    OSError
        The folder does not exist or cannot be written; ``path`` is then untouched.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        # mkstemp makes the file private (0600); a written file gets the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
