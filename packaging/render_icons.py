"""Render the application icon PNGs from ``assets/icon.svg``.

Run from anywhere, no display needed::

    python packaging/render_icons.py

It writes ``explorer/resources/icons/softmax-explorer-<size>.png`` for every size in
:data:`SIZES` and copies the SVG next to them, so the packaged resources always match
the source drawing. The PNGs are committed; run this again after editing the SVG.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "assets" / "icon.svg"
TARGET = ROOT / "explorer" / "resources" / "icons"
STEM = "softmax-explorer"


def render(source: Path = SOURCE, target: Path = TARGET, sizes=SIZES) -> list[Path]:
    """Render ``source`` to one square PNG per size in ``target``; return the written paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QColor, QGuiApplication, QImage, QPainter
    from PyQt6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise ValueError(f"{source} is not a valid SVG")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor(0, 0, 0, 0))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        path = target / f"{STEM}-{size}.png"
        # Straight (non-premultiplied) ARGB gives a plain RGBA PNG every desktop reads.
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        written.append(path)
    svg_copy = target / f"{STEM}.svg"
    shutil.copyfile(source, svg_copy)
    written.append(svg_copy)
    return written


if __name__ == "__main__":
    for written_path in render():
        print(written_path.relative_to(ROOT))
