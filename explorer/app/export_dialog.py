"""Dialogs for File → Export Image and File → Record Animation."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QWidget,
)

from explorer.app import settings as app_settings
from explorer.app.export_numbers import TEX, TEX_VIEWS
from explorer.app.messages import divergence_text
from explorer.export.image import ExportError, save_image
from explorer.export.latex import save_tex
from explorer.views.qt_helpers import choice_combo

SCALES = (("1×", 1.0), ("2×", 2.0), ("4×", 4.0), ("width in pixels", None))
#: (text, format) of the Export Image dialog; LaTeX only for the views that have it.
IMAGE_FORMATS = (("PNG", "png"), ("SVG", "svg"), ("PDF", "pdf"), ("LaTeX", TEX))


WINDOW = "window"


def _targets(window) -> list[tuple[str, str]]:
    """(key, title) of what can be exported: the window, then each view by its id (in
    compare mode, run B's regions too, as ``regions-b``)."""
    views = {**window.views, **window.compare.extra_view_ids()}
    return [(WINDOW, "Whole window")] + [(key, v.title) for key, v in views.items()]


def widget_for(window, key: str) -> QWidget:
    """The widget exported for ``key`` (``"window"`` or a view id), up to date."""
    return window if key == WINDOW else window.compare.view(key).export_widget()


@contextmanager
def figure_for(window, key: str):
    """Yield the widget every export path renders for ``key``, for as long as it renders.

    A view is its figure (:meth:`explorer.views.base.SessionView.figure`): plots, titles,
    legends and colour bars, its check boxes and menus hidden meanwhile. The window is
    the window as it is, controls and all.
    """
    if key == WINDOW:
        yield window
        return
    with window.compare.view(key).figure() as widget:
        yield widget


@contextmanager
def showing(window, key: str):
    """Bring the dock tab holding view ``key`` to the front while it is exported.

    A view on a dock tab behind another is kept out of sight at a stale size by Qt;
    exported like that it would come out tiny. The tab in front before is restored.
    """
    from explorer.views.qt_helpers import on_screen

    dock = getattr(window, "docks", {}).get(key)
    if dock is None or dock.isHidden() or on_screen(dock.widget()):
        yield
        return
    front = next((d for d in window.tabifiedDockWidgets(dock) if on_screen(d.widget())), None)
    dock.raise_()
    try:
        yield
    finally:
        if front is not None:
            front.raise_()


class _PathRow(QWidget):
    """A line edit with a Browse… button."""

    def __init__(self, caption: str, filters: str, default: str, parent=None):
        super().__init__(parent)
        self.edit = QLineEdit(default, self)
        browse = QPushButton("Browse…", self)
        browse.setToolTip("Choose where the file goes")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(browse)
        browse.clicked.connect(lambda: self._browse(caption, filters))

    def _browse(self, caption: str, filters: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, caption, self.edit.text(), filters)
        if path:
            self.edit.setText(path)

    def path(self) -> Path:
        return Path(self.edit.text().strip()).expanduser()


def _add_save_cancel(dialog: QDialog, form, save) -> None:
    """End ``form`` with Save (calls ``save``) and Cancel buttons."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    form.addRow(buttons)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)


class ExportDialog(QDialog):
    """Export one view or the whole window as PNG, SVG or PDF, and the inspector or the
    parameters as LaTeX too (where ``softmax-explorer export --format tex`` writes it)."""

    def __init__(self, window, target: str | None = None):
        """``target``: the key (``"window"`` or a view id) preselected, if any."""
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Export image")
        folder = app_settings.read(window.settings, "export/last_dir") or str(Path.cwd())
        form = QFormLayout(self)
        self.target = choice_combo(self, _targets(window), "What to export")
        if target is not None:
            self.target.setCurrentIndex(max(0, self.target.findData(target)))
        self.format = QComboBox(self)
        for text, fmt in IMAGE_FORMATS:
            self.format.addItem(text, fmt)
        self.format.setToolTip(
            "PNG: pixels at the chosen scale. SVG and PDF: vector lines, markers and text "
            "(PDF for LaTeX's \\includegraphics). LaTeX: the inspector's derivation or the "
            "parameters as a document, with the numbers shown"
        )
        self.scale = QComboBox(self)
        for text, value in SCALES:
            self.scale.addItem(text, value)
        self.scale.setToolTip("2× and 4× draw text and markers at higher resolution")
        self.width_px = QSpinBox(self)
        self.width_px.setRange(16, 16_384)
        self.width_px.setValue(1600)
        self.width_px.setSuffix(" px")
        self.width_px.setToolTip("Width of the PNG in pixels (height follows)")
        self.width_px.setEnabled(False)
        self.path = _PathRow(
            "Export image",
            "PNG (*.png);;SVG (*.svg);;PDF (*.pdf);;LaTeX (*.tex)",
            str(Path(folder) / "regions.png"),
        )
        form.addRow("View", self.target)
        form.addRow("Format", self.format)
        form.addRow("Scale", self.scale)
        form.addRow("Width", self.width_px)
        form.addRow("File", self.path)
        _add_save_cancel(self, form, self.export)
        self.scale.currentIndexChanged.connect(self._sync)
        self.format.currentIndexChanged.connect(self._sync)
        self.target.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        stem = self.target.currentData()
        has_tex = stem in TEX_VIEWS
        tex = self.format.findData(TEX)
        self.format.model().item(tex).setEnabled(has_tex)  # as the CLI's --format tex
        if not has_tex and self.format.currentIndex() == tex:
            self.format.setCurrentIndex(0)  # calls _sync again
            return
        png = self.format.currentData() == "png"
        self.scale.setEnabled(png)
        self.width_px.setEnabled(png and self.scale.currentData() is None)
        path = self.path.path()
        self.path.edit.setText(str(path.with_name(f"{stem}.{self.format.currentData()}")))

    def export(self) -> None:
        path = self.path.path()
        fmt = self.format.currentData()
        kwargs = {}
        if fmt == "png":
            scale = self.scale.currentData()
            kwargs = {"scale": scale} if scale is not None else {"width": self.width_px.value()}
        key = self.target.currentData()
        try:
            if fmt == TEX:
                save_tex(path, self._latex(key))
            else:
                with showing(self.window_, key), figure_for(self.window_, key) as widget:
                    save_image(widget, path, fmt, **kwargs)
        except (ExportError, OSError, ValueError) as exc:
            self.window_.show_error(f"Could not export {path}:\n{exc}")
            return
        app_settings.write(self.window_.settings, "export/last_dir", str(path.parent))
        self.window_.show_message(f"Exported {path}")
        self.accept()

    def _latex(self, key: str) -> str:
        """The LaTeX document of view ``key`` (the inspector at its precision), as
        ``softmax-explorer export --format tex`` writes it."""
        from explorer.app import numbers

        session = self.window_.session
        if key == "inspector":
            digits = self.window_.views["inspector"].precision()
            return numbers.inspector_latex(session, digits, document=True)
        return numbers.parameters_latex(session, document=True)


def _add_animation_formats(combo: QComboBox) -> None:
    """One entry per animation format; one that cannot be written here says what to install."""
    from explorer.export.formats import ANIMATION_FORMATS, missing_requirement, writer_class

    model = combo.model()
    for fmt in ANIMATION_FORMATS:
        problem = missing_requirement(fmt)
        title = writer_class(fmt).title if problem is None else f"{fmt.upper()}: {problem}"
        combo.addItem(title, fmt)
        if problem is not None:
            item = model.item(combo.count() - 1)
            item.setEnabled(False)
            item.setToolTip(problem)


class RecordDialog(QDialog):
    """Record training (or a stretch of history) as an animation: GIF, video, APNG, WebP
    or a PDF of pages."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        session = window.session
        self.setWindowTitle("Record animation")
        folder = app_settings.read(window.settings, "export/last_dir") or str(Path.cwd())
        form = QFormLayout(self)
        self.target = choice_combo(self, _targets(window), "What to record")
        self.start = QSpinBox(self)
        self.start.setRange(0, 10_000_000)
        self.start.setValue(session.step_index)
        self.start.setToolTip("First step recorded (an earlier step replays history)")
        self.steps = QSpinBox(self)
        self.steps.setRange(1, 1_000_000)
        self.steps.setValue(200)
        self.steps.setToolTip("How many steps the animation covers (trained if beyond history)")
        self.every = QSpinBox(self)
        self.every.setRange(1, 100_000)
        self.every.setValue(5)
        self.every.setToolTip("Steps between two frames")
        self.fps = QSpinBox(self)
        self.fps.setRange(1, 50)
        self.fps.setValue(10)
        self.fps.setSuffix(" fps")
        self.fps.setToolTip("Frames per second of the animation")
        self.format = QComboBox(self)
        _add_animation_formats(self.format)
        self.format.setToolTip(
            "GIF plays everywhere (256 colours); MP4 in slides and browsers; WebM, APNG and "
            "WebP in browsers (APNG and WebP lossless); PDF: a vector page per frame for "
            "LaTeX's animate package"
        )
        self.path = _PathRow(
            "Record animation",
            "Animations (*.gif *.mp4 *.webm *.apng *.webp *.pdf)",
            str(Path(folder) / "training.gif"),
        )
        form.addRow("View", self.target)
        form.addRow("Format", self.format)
        form.addRow("From step", self.start)
        form.addRow("Steps", self.steps)
        form.addRow("Steps per frame", self.every)
        form.addRow("Frame rate", self.fps)
        form.addRow("File", self.path)
        _add_save_cancel(self, form, self.record)
        self.format.currentIndexChanged.connect(self._sync_suffix)

    def _sync_suffix(self) -> None:
        """The file's suffix follows the chosen format."""
        from explorer.export.formats import SUFFIXES

        path = self.path.path()
        self.path.edit.setText(str(path.with_suffix(SUFFIXES[self.format.currentData()])))

    def record(self) -> bool:
        from explorer.app.recording import frame_count, record, validate_range
        from explorer.export.animation import AnimationError
        from explorer.export.formats import make_writer

        start = self.start.value()
        stop = start + self.steps.value()
        every = self.every.value()
        path = self.path.path()
        try:
            validate_range(start, stop, every)
            if start > self.window_.session.head:
                raise ValueError(
                    f"step {start} is beyond the newest step {self.window_.session.head}"
                )
            writer = make_writer(self.format.currentData(), path, fps=self.fps.value())
        except (ValueError, AnimationError) as exc:
            self.window_.show_error(str(exc))
            return False
        total = frame_count(start, stop, every)
        dialog = QProgressDialog("Recording…", "Cancel", 0, total, self)
        dialog.setWindowTitle("Recording animation")
        dialog.setMinimumDuration(0)

        def progress(done: int, total: int) -> bool:
            dialog.setValue(done)
            return not dialog.wasCanceled()

        self.progress_dialog = dialog
        key = self.target.currentData()
        try:
            with showing(self.window_, key), figure_for(self.window_, key) as widget:
                complete = record(
                    self.window_.session,
                    widget,
                    writer,
                    start,
                    stop,
                    every,
                    progress=progress,
                )
            if complete:
                writer.finish()
        except (ValueError, OSError) as exc:
            writer.cancel()
            self.window_.show_error(f"Could not record {path}:\n{exc}")
            return False
        finally:
            dialog.close()
        if not complete:
            diverged = self.window_.session.diverged
            self.window_.show_message(
                divergence_text(diverged)
                if diverged
                else "Recording cancelled; no file was written"
            )
            return False
        app_settings.write(self.window_.settings, "export/last_dir", str(path.parent))
        self.window_.show_message(f"Recorded {total} frames to {path}")
        self.accept()
        return True
