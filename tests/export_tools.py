"""Helpers of the export tests: the outside programs that read our files, and picture maths.

The tests that need ``rsvg-convert`` (Debian's ``librsvg2-bin``) or ``pdfinfo``,
``pdftotext`` and ``pdftoppm`` (``poppler-utils``) fail, not skip, when the program is
missing: ``.ci/run`` installs them, and a figure nobody has rendered outside Qt is the
bug these tests are for.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

PACKAGES = {
    "rsvg-convert": "librsvg2-bin",
    "pdfinfo": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
}


def tool(name: str) -> str:
    """The path of the program ``name``; the test fails if it is not installed."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: apt-get install {PACKAGES[name]} (.ci/run does)")
    return path


def run_tool(name: str, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [tool(name), *map(str, args)], capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{name} failed: {result.stderr}"
    return result


def rsvg_render(svg: Path, png: Path) -> np.ndarray:
    """``svg`` drawn by ``rsvg-convert`` at its own size; RGB floats, shape (H, W, 3)."""
    run_tool("rsvg-convert", "--background-color", "white", svg, "-o", png)
    with Image.open(png) as image:
        return np.asarray(image.convert("RGB"), dtype=float)


def block_difference(a: np.ndarray, b: np.ndarray, block: int = 8) -> tuple[float, float]:
    """How two pictures of one size differ once averaged over ``block``-pixel squares.

    Returns
    -------
    mean : float
        Mean over the blocks of the largest channel difference (0..255).
    share : float
        Fraction of blocks whose largest channel difference exceeds 32 (an eighth of the
        range: a missing line, point or word, not anti-aliasing or a glyph's hinting).
    """
    assert a.shape == b.shape, (a.shape, b.shape)
    h, w = a.shape[:2]
    size = (max(1, w // block), max(1, h // block))

    def shrink(x: np.ndarray) -> np.ndarray:
        return np.asarray(Image.fromarray(x.astype(np.uint8)).resize(size, Image.BOX), float)

    d = np.abs(shrink(a) - shrink(b)).max(axis=2)
    return float(d.mean()), float((d > 32).mean())
