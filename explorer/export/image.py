"""PNG and SVG export of any widget (a view, or the whole window).

The widget is painted through a scaled ``QPainter``, so a 2× PNG has twice the pixels
with text, lines and markers drawn at 2× — sharp, not an up-sampled bitmap. SVG goes
through ``QSvgGenerator`` (pyqtgraph 0.14's own SVG exporter fails on Qt 6.11; DESIGN §5):
lines, markers and text stay vectors, images (the decision regions) are embedded PNGs.
Nothing here knows about the session.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PyQt6.QtCore import QRect, QSize
from PyQt6.QtGui import QColor, QImage, QPainter
from PyQt6.QtWidgets import QWidget

#: Largest side of an exported image, in pixels (a 4× export of a 4K window still fits).
MAX_SIDE = 16_384
IMAGE_FORMATS = ("png", "svg")


class ExportError(ValueError):
    """An export that cannot be done; the message says why."""


def export_scale(widget: QWidget, scale: float | None = None, width: int | None = None) -> float:
    """The scale factor for ``scale`` (1, 2, 4...) or a target ``width`` in pixels."""
    if width is not None:
        if width < 16 or width > MAX_SIDE:
            raise ExportError(f"width must be between 16 and {MAX_SIDE} pixels (got {width})")
        return width / max(1, widget.width())
    scale = 1.0 if scale is None else float(scale)
    if not 0.1 <= scale <= 8:
        raise ExportError(f"scale must be between 0.1 and 8 (got {scale})")
    return scale


def _ensure_laid_out(widget: QWidget) -> None:
    widget.ensurePolished()
    if widget.layout() is not None:
        widget.layout().activate()


def render_image(widget: QWidget, scale: float | None = None, width: int | None = None) -> QImage:
    """Paint ``widget`` into a new image.

    Returns
    -------
    QImage
        ``round(w·s) × round(h·s)`` pixels, ``Format_ARGB32``, for the widget's size
        ``w × h`` and the scale ``s``.
    """
    _ensure_laid_out(widget)
    s = export_scale(widget, scale, width)
    size = QSize(max(1, round(widget.width() * s)), max(1, round(widget.height() * s)))
    if max(size.width(), size.height()) > MAX_SIDE:
        raise ExportError(f"image of {size.width()}×{size.height()} pixels is too large")
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.scale(size.width() / max(1, widget.width()), size.height() / max(1, widget.height()))
    widget.render(painter)
    painter.end()
    return image


def _atomic_target(path: Path):
    """A temporary file beside ``path`` (same folder, so the final rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def save_png(widget: QWidget, path, scale: float | None = None, width: int | None = None) -> Path:
    """Write ``widget`` as a PNG file (atomically). Returns the path written."""
    path = Path(path)
    image = render_image(widget, scale, width)
    tmp = _atomic_target(path)
    try:
        if not image.save(str(tmp), "PNG"):
            raise ExportError(f"could not write {path}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save_svg(widget: QWidget, path, title: str = "Softmax Explorer") -> Path:
    """Write ``widget`` as an SVG file whose view box is the widget's size in pixels."""
    from PyQt6.QtSvg import QSvgGenerator

    path = Path(path)
    _ensure_laid_out(widget)
    tmp = _atomic_target(path)
    try:
        generator = QSvgGenerator()
        generator.setFileName(str(tmp))
        generator.setSize(widget.size())
        generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
        generator.setTitle(title)
        generator.setDescription("Exported from Softmax Explorer")
        painter = QPainter(generator)
        painter.fillRect(QRect(0, 0, widget.width(), widget.height()), widget.palette().window())
        widget.render(painter)
        painter.end()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save_image(widget: QWidget, path, fmt: str | None = None, **kwargs) -> Path:
    """Write ``widget`` as PNG or SVG, chosen by ``fmt`` or the file's suffix."""
    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    if fmt == "png":
        return save_png(widget, path, **kwargs)
    if fmt == "svg":
        return save_svg(widget, path)
    raise ExportError(f"unknown image format {fmt!r} (choose png or svg)")


def copy_to_clipboard(widget: QWidget, scale: float = 1.0) -> QImage:
    """Put an image of ``widget`` on the clipboard; returns the image."""
    from PyQt6.QtWidgets import QApplication

    image = render_image(widget, scale)
    QApplication.clipboard().setImage(image)
    return image


def background(widget: QWidget) -> QColor:
    """The colour exports are filled with before painting (the widget's window colour)."""
    return widget.palette().window().color()
