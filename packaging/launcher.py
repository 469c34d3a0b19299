"""Entry script of the PyInstaller build: the same ``main`` as ``softmax-explorer``.

Absolute imports only: PyInstaller runs this file as ``__main__``, outside any package.
"""

import os
import sys

# pyqtgraph must not probe for other Qt bindings in the frozen app (only PyQt6 is bundled).
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PyQt6")

from explorer.cli import main  # after the binding is pinned

if __name__ == "__main__":
    sys.exit(main())
