"""PNG and SVG export of any widget (a view, a pyqtgraph graphics view, or the whole window).

A 2× PNG has twice the pixels with text, lines and markers drawn at 2× — sharp, not an
up-sampled bitmap:

* a ``QGraphicsView`` (pyqtgraph's ``PlotWidget`` / ``GraphicsLayoutWidget``) is drawn with
  ``QGraphicsView.render(painter, target, source)``, which maps its viewport onto the
  whole target. ``QWidget.render`` through a scaled painter shows only the top-left
  quarter of such a view at 2×;
* any other widget (a view with labels around its plot, the main window with its docks)
  is drawn with ``QWidget.render`` through a scaled painter; the graphics views inside it
  then paint through that same painter, at the same scale;
* while exporting, item caches (``DeviceCoordinateCache`` pixmaps, the views' cached
  backgrounds) are switched off and pyqtgraph's export mode is on, so scatter markers
  are drawn one by one at the export resolution (not blitted from a 1× atlas) and SVG
  keeps lines, markers and text as vectors.

SVG goes through ``QSvgGenerator`` (pyqtgraph 0.14's own SVG exporter fails on Qt 6.11),
replayed from a ``QPicture`` and rewritten as plain SVG (:mod:`.plain_svg`); images (the
decision regions) are embedded as PNG. PDF is :mod:`.pdf`. Nothing here knows about the
session: it takes a widget.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager, nullcontext
from pathlib import Path

from PyQt6.QtCore import QPoint, QRect, QRectF, QSize
from PyQt6.QtGui import QColor, QImage, QPainter, QPicture, QRegion
from PyQt6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

#: Largest side of an exported image, in pixels (a 4× export of a 4K window still fits).
MAX_SIDE = 16_384


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


def export_size(widget: QWidget, scale: float | None = None, width: int | None = None) -> QSize:
    """Pixel size of the PNG :func:`render_image` makes (``width`` wins over ``scale``)."""
    ensure_laid_out(widget)
    s = export_scale(widget, scale, width)
    w = width if width is not None else max(1, round(widget.width() * s))
    size = QSize(w, max(1, round(widget.height() * s)))
    if max(size.width(), size.height()) > MAX_SIDE:
        raise ExportError(f"image of {size.width()}×{size.height()} pixels is too large")
    return size


def ensure_laid_out(widget: QWidget) -> None:
    """Polish and lay out ``widget`` and draw what it defers, before it is exported."""
    widget.ensurePolished()
    if widget.layout() is not None:
        widget.layout().activate()
    flush_pending(widget)


def flush_pending(widget: QWidget) -> None:
    """Bring ``widget`` and the widgets seen inside it up to date before they are drawn.

    Some views defer their drawing (the inspector draws at most 15 times a second while
    training streams, hidden tabs not at all); every view declares ``flush()`` to draw
    now (``explorer.views.base.SessionView.flush``; export knows widgets, not views, so
    it asks each widget for one). A GIF frame or an export taken without it could show
    an older step. Widgets that would not appear in the picture (on a dock tab behind
    another) are left alone.
    """
    inside = widget.rect()
    for w in (widget, *widget.findChildren(QWidget)):
        flush = getattr(w, "flush", None)  # 3x faster than isinstance with a Protocol
        if not callable(flush):
            continue
        if w is widget or (
            w.isVisible() and QRect(w.mapTo(widget, QPoint(0, 0)), w.size()).intersects(inside)
        ):
            flush()


def graphics_views(widget: QWidget) -> list[QGraphicsView]:
    """``widget`` itself if it is a ``QGraphicsView``, and every graphics view inside it."""
    views = [widget] if isinstance(widget, QGraphicsView) else []
    views += widget.findChildren(QGraphicsView)
    return [v for v in views if v.scene() is not None]


@contextmanager
def export_mode(widget: QWidget, scale: float = 1.0):
    """Prepare every graphics scene inside ``widget`` for an export at ``scale``.

    Item caches, graphics effects (which draw an item and its children from a pixmap)
    and the views' background caches are switched off (a cached pixmap would be
    up-sampled at 2× and embedded as a bitmap in SVG), and pyqtgraph items get their
    export options (``antialias``, ``resolutionScale``). Everything is restored on exit.
    """
    # pyqtgraph draws pixel-sized markers after resetting the painter's world transform.
    # QGraphicsView.render puts the export scale in that transform (so markers must be
    # scaled by hand); inside QWidget.render the scale survives the reset.
    resolution = float(scale) if _drawn_directly(widget) else 1.0
    options = {"antialias": True, "resolutionScale": resolution}
    item_caches: list[tuple[QGraphicsItem, QGraphicsItem.CacheMode]] = []
    view_caches: list[tuple[QGraphicsView, QGraphicsView.CacheModeFlag]] = []
    view_hints: list[tuple[QGraphicsView, QPainter.RenderHint]] = []
    effects = []  # the enabled graphics effects, switched off
    exporting: list[QGraphicsItem] = []
    seen_scenes: set[int] = set()
    try:
        for view in graphics_views(widget):
            view_caches.append((view, view.cacheMode()))
            view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
            # A PDF stores images as JPEG unless the painter asks for lossless ones.
            view_hints.append((view, view.renderHints()))
            view.setRenderHint(QPainter.RenderHint.LosslessImageRendering, True)
            view.resetCachedContent()
            scene = view.scene()
            if id(scene) in seen_scenes:
                continue
            seen_scenes.add(id(scene))
            prepare = getattr(scene, "prepareForPaint", None)
            if prepare is not None:
                prepare()  # pyqtgraph lays out axes and view boxes just before painting
            for item in scene.items():
                mode = item.cacheMode()
                if mode != QGraphicsItem.CacheMode.NoCache:
                    item_caches.append((item, mode))
                    item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
                effect = item.graphicsEffect()
                if effect is not None and effect.isEnabled():
                    effects.append(effect)
                    effect.setEnabled(False)
                if hasattr(item, "setExportMode"):
                    item.setExportMode(True, dict(options))
                    exporting.append(item)
        yield
    finally:
        for item in exporting:
            item.setExportMode(False)
        for item, mode in item_caches:
            item.setCacheMode(mode)
        for effect in effects:
            effect.setEnabled(True)
        for view, mode in view_caches:
            view.setCacheMode(mode)
        for view, hints in view_hints:
            view.setRenderHints(hints)


def _drawn_directly(widget: QWidget) -> bool:
    """True for a graphics view with no parent widget: drawn with ``QGraphicsView.render``."""
    return isinstance(widget, QGraphicsView) and widget.parentWidget() is None


def paint_widget(widget: QWidget, painter: QPainter, target: QRectF) -> None:
    """Draw ``widget`` into ``target`` of an active painter (any device, any scale).

    Call inside :func:`export_mode`. Widgets are rendered with ``QWidget.render``
    through the painter scaled to ``target``; the graphics views inside then paint
    through that painter at that scale. A graphics view is rendered *as the region it
    covers in its parent* (rendered as the root, it shows only the top-left quarter of
    itself at 2×); a graphics view without a parent maps its viewport onto ``target``
    with ``QGraphicsView.render``.
    """
    w, h = max(1, widget.width()), max(1, widget.height())
    if _drawn_directly(widget):
        painter.fillRect(target, widget.backgroundBrush())
        widget.render(painter, target, widget.viewport().rect())
        return
    painter.save()
    painter.translate(target.topLeft())
    painter.scale(target.width() / w, target.height() / h)
    if isinstance(widget, QGraphicsView):
        widget.parentWidget().render(painter, QPoint(0, 0), QRegion(widget.geometry()))
    else:
        widget.render(painter)
    painter.restore()


def render_image(widget: QWidget, scale: float | None = None, width: int | None = None) -> QImage:
    """Paint ``widget`` into a new image at ``scale`` (or ``width`` pixels wide).

    Returns
    -------
    QImage
        ``round(w·s) × round(h·s)`` pixels, ``Format_ARGB32``, for the widget's size
        ``w × h`` and the scale ``s`` (exactly ``width`` wide when a width is given).
    """
    size = export_size(widget, scale, width)
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(background(widget))
    s = size.width() / max(1, widget.width())
    # At 1x the caches hold exactly the screen's pixels, and drawing every marker one by
    # one costs ~15x more for large data (GIF frames are 1x renders).
    exact = abs(s - 1.0) < 1e-9 and size.height() == widget.height()
    with nullcontext() if exact else export_mode(widget, s):
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            paint_widget(widget, painter, QRectF(0, 0, size.width(), size.height()))
        finally:
            painter.end()
    return image


def temporary_beside(path: Path) -> Path:
    """A temporary file beside ``path`` (same folder, so the final rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """Give ``tmp`` ordinary file permissions and move it onto ``path`` atomically.

    ``mkstemp`` makes owner-only files; an exported picture should be readable like any
    file the user writes (``0666`` less the umask).
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def save_png(widget: QWidget, path, scale: float | None = None, width: int | None = None) -> Path:
    """Write ``widget`` as a PNG file (atomically). Returns the path written."""
    path = Path(path)
    image = render_image(widget, scale, width)
    tmp = temporary_beside(path)
    try:
        if not image.save(str(tmp), "PNG"):
            raise ExportError(f"could not write {path}")
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def record_widget(widget: QWidget, target: QRectF) -> QPicture:
    """The painting of ``widget`` into ``target`` (export mode on), as a ``QPicture``.

    Qt's vector writers get the clip of a child widget wrong when it is painted straight
    onto them (in the child's own coordinates, not the window's: in SVG 1.1 the toolbar
    then hides the menus and each plot is cut to a corner). Played back from a picture,
    every clip reaches the writer in the coordinates it draws in.
    """
    picture = QPicture()
    with export_mode(widget, 1.0):
        painter = QPainter(picture)
        try:
            painter.fillRect(target, background(widget))
            paint_widget(widget, painter, target)
        finally:
            painter.end()
    return picture


def save_svg(widget: QWidget, path, title: str = "Softmax Explorer") -> Path:
    """Write ``widget`` as an SVG file whose view box is the widget's size in pixels.

    Lines, markers and text are vectors; images (the decision regions) are embedded. The
    file is plain SVG (:mod:`.plain_svg`): no shape relies on a non-scaling stroke, so
    ``rsvg-convert``, ImageMagick and Inkscape draw what Qt and browsers draw.
    """
    from PyQt6.QtCore import QBuffer, QByteArray, QIODevice
    from PyQt6.QtSvg import QSvgGenerator

    from explorer.export.plain_svg import plain_svg

    path = Path(path)
    ensure_laid_out(widget)
    w, h = max(1, widget.width()), max(1, widget.height())
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # SVG 1.1, not Qt's default SVG Tiny 1.2: only 1.1 writes the painter's clip (each
    # widget of a window clips its own background; without it a toolbar hides the menus).
    generator = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(w, h))
    generator.setViewBox(QRect(0, 0, w, h))
    # Fonts are sized in points; at the screen's resolution their pixel size in the file
    # is the one the widget was laid out for (Qt's default of 72 dpi writes them at 3/4).
    generator.setResolution(widget.logicalDpiY())
    generator.setTitle(title)
    generator.setDescription("Exported from Softmax Explorer")
    painter = QPainter(generator)
    try:
        record_widget(widget, QRectF(0, 0, w, h)).play(painter)
    finally:
        painter.end()
    buffer.close()
    if data.isEmpty():
        raise ExportError(f"could not write {path}")
    write_bytes(path, plain_svg(bytes(data), (w, h)))
    return path


def write_bytes(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` atomically (a temporary file renamed onto it)."""
    return write_with(path, lambda tmp: Path(tmp).write_bytes(content))


def write_with(path, write) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it onto ``path``.

    The target appears complete or not at all; the temporary file never stays.
    """
    path = Path(path)
    tmp = temporary_beside(path)
    try:
        write(str(tmp))
        if tmp.stat().st_size == 0:
            raise ExportError(f"could not write {path}")
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save_image(widget: QWidget, path, fmt: str | None = None, **kwargs) -> Path:
    """Write ``widget`` as PNG, SVG or PDF, chosen by ``fmt`` or the file's suffix.

    ``scale`` or ``width`` (PNG only) are passed on to :func:`save_png`.
    """
    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    if fmt == "png":
        return save_png(widget, path, **kwargs)
    if fmt == "svg":
        return save_svg(widget, path)
    if fmt == "pdf":
        from explorer.export.pdf import save_pdf

        return save_pdf(widget, path)
    raise ExportError(f"unknown image format {fmt!r} (choose png, svg or pdf)")


def copy_to_clipboard(widget: QWidget, scale: float = 1.0) -> QImage:
    """Put an image of ``widget`` on the clipboard; returns the image."""
    from PyQt6.QtWidgets import QApplication

    image = render_image(widget, scale)
    QApplication.clipboard().setImage(image)
    return image


def background(widget: QWidget) -> QColor:
    """The colour exports are filled with before painting.

    A graphics view's background brush (a pyqtgraph plot's background), otherwise the
    widget's window colour.
    """
    if isinstance(widget, QGraphicsView):
        brush = widget.backgroundBrush()
        if brush.style().value != 0:
            return brush.color()
    return widget.palette().window().color()
