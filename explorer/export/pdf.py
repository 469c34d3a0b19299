"""PDF through Qt's own writer (``QPdfWriter``): a vector figure, or a page per frame.

A page is the widget's size at 1× in points (one pixel of the view is one point, so a
708×568 view is a 708×568 pt page, 25×20 cm; LaTeX scales it with ``\\includegraphics``).
Lines, markers, bars and text are vectors (text is searchable and copyable); the
decision regions are an embedded image, stored losslessly (Qt's default is JPEG).

The painter works at the screen's resolution, scaled onto the page: fonts are sized in
points, and at any other resolution their glyphs would be larger or smaller than the
space the widget laid out for them. While painting, :func:`explorer.export.image.
export_mode` is on, so pyqtgraph draws each marker as a path rather than stamping it
from its pixmap cache (which a PDF would hold as a small image per marker).

:class:`PdfAnimationWriter` writes one page per frame: what LaTeX's ``animate`` package
takes (``\\animategraphics[controls,loop]{10}{training}{}{}`` plays ``training.pdf`` at 10
frames per second in a Beamer slide).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt6.QtCore import QMarginsF, QRectF, QSizeF
from PyQt6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PyQt6.QtWidgets import QWidget

from explorer.export.animation import AnimationWriter
from explorer.export.image import (
    ExportError,
    ensure_laid_out,
    publish,
    record_widget,
    temporary_beside,
)

CREATOR = "Softmax Explorer"


def _page_layout(width: int, height: int) -> QPageLayout:
    """A page of exactly ``width × height`` points with no margins."""
    size = QPageSize(
        QSizeF(width, height), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch
    )
    return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))


class _PdfPages:
    """A ``QPdfWriter`` on a temporary file beside ``path``, and a painter on it."""

    def __init__(self, path: Path, width: int, height: int, dpi: int, title: str):
        self.path, self.size = path, (width, height)
        self.tmp = temporary_beside(path)
        self.writer = QPdfWriter(str(self.tmp))
        self.writer.setCreator(CREATOR)
        self.writer.setTitle(title)
        self.writer.setResolution(dpi)
        if not self.writer.setPageLayout(_page_layout(width, height)):
            raise ExportError(f"a page of {width}×{height} points cannot be made")
        self.painter = QPainter()
        self.pages = 0

    def page(self) -> QPainter:
        """A painter on a new page, mapping the view's pixels onto it."""
        if self.pages == 0:
            if not self.painter.begin(self.writer):
                raise ExportError(f"could not write {self.path}")
        elif not self.writer.newPage():
            raise ExportError(f"could not add a page to {self.path}")
        self.pages += 1
        self.painter.resetTransform()
        self.painter.scale(self.writer.width() / self.size[0], self.writer.height() / self.size[1])
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
        return self.painter

    def close(self) -> Path:
        if self.painter.isActive():
            self.painter.end()
        publish(self.tmp, self.path)
        return self.path

    def discard(self) -> None:
        if self.painter.isActive():
            self.painter.end()
        self.tmp.unlink(missing_ok=True)


def draw_widget(painter: QPainter, widget: QWidget) -> None:
    """Paint ``widget`` at 1× through ``painter`` (its pixels as the painter's units).

    Through a ``QPicture``: Qt's PDF writer keeps one copy of an image per image cache
    key, and a view that refills the same image (the decision regions, at every step)
    keeps its key, so painted directly every page of an animation would show the first
    page's regions. Played back from a picture, each page's images are new ones.
    """
    w, h = max(1, widget.width()), max(1, widget.height())
    record_widget(widget, QRectF(0, 0, w, h)).play(painter)


def save_pdf(widget: QWidget, path, title: str = "Softmax Explorer") -> Path:
    """Write ``widget`` as a one-page vector PDF of its size in points (atomically)."""
    path = Path(path)
    ensure_laid_out(widget)
    w, h = max(1, widget.width()), max(1, widget.height())
    pages = _PdfPages(path, w, h, widget.logicalDpiY(), title)
    try:
        draw_widget(pages.page(), widget)
        return pages.close()
    except BaseException:
        pages.discard()
        raise


class PdfAnimationWriter(AnimationWriter):
    """A PDF with one vector page per frame (LaTeX ``animate``'s ``\\animategraphics``).

    :meth:`capture` draws the widget on a new page as vectors; :meth:`add_frame` (a
    frame given as pixels) fills a page with the image. The frame rate is not stored in a
    PDF: it is the first argument of ``\\animategraphics``.
    """

    format = "pdf"
    suffix = ".pdf"
    title = "PDF, a page per frame (LaTeX animate)"
    draws_widgets = True

    def __init__(self, path, fps: float = 10.0):
        super().__init__(path, fps)
        self._pages: _PdfPages | None = None

    def _pages_for(self, width: int, height: int, dpi: int) -> _PdfPages:
        self._check_size(width, height)
        if self._pages is None:
            self._pages = _PdfPages(self.path, width, height, dpi, "Softmax Explorer training")
        return self._pages

    def capture(self, widget, scale: float = 1.0) -> None:
        """Draw ``widget`` on the next page (as vectors; ``scale`` is for pixels only)."""
        self._check_open()
        ensure_laid_out(widget)
        pages = self._pages_for(widget.width(), widget.height(), widget.logicalDpiY())
        draw_widget(pages.page(), widget)
        self.frames_written += 1

    def _write(self, rgb: np.ndarray) -> None:
        h, w = rgb.shape[:2]
        image = QImage(np.ascontiguousarray(rgb).data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self._pages_for(w, h, 96).page().drawImage(QRectF(0, 0, w, h), image)

    def _finish(self) -> None:
        self._pages.close()
        self._pages = None

    def _discard(self) -> None:
        if self._pages is not None:
            self._pages.discard()
            self._pages = None
