"""An exported view is a figure: its plots, titles, legends and colour bars, never its
controls (the Jacobian's source box, the bars' Order box and check box, the inspector's
Full precision, the curves' log-loss box), in every export path: the export dialog (PNG,
SVG, PDF), the clipboard, the record dialog and ``softmax-explorer export``.

The controls are painted magenta (a colour no view uses) before exporting; no exported
picture may hold a magenta pixel, while a plain render of the same view does (so the test
can fail)."""

import numpy as np
import pytest
from export_tools import rsvg_render, run_tool
from PIL import Image
from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication, QCheckBox, QComboBox, QLabel

from explorer.app.export_dialog import ExportDialog, RecordDialog, figure_for, showing
from explorer.app.main_window import MainWindow
from explorer.export.gif import qimage_to_rgb
from explorer.export.image import render_image
from explorer.session.config import Config
from explorer.session.session import Session

#: Each view with controls, and the controls it has (the caption or title stays).
CONTROLS = {
    "jacobian": ("source_combo",),
    "bars": ("sort_combo", "wrong_check"),
    "inspector": ("full_precision",),
    "curves": ("log_box",),
}
MAGENTA = "QWidget { background-color: #ff00ff; color: #ff00ff; }"


def magenta_share(rgb: np.ndarray) -> float:
    """Share of the pixels that are (nearly) pure magenta, of an ``(H, W, 3)`` array."""
    r, g, b = (rgb[..., k].astype(int) for k in range(3))
    return float(((r > 200) & (g < 70) & (b > 200)).mean())


def paint_controls(window) -> None:
    for key in CONTROLS:
        for widget in window.views[key].figure_controls():
            widget.setStyleSheet(MAGENTA)


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    settings = QSettings(str(tmp_path_factory.mktemp("s") / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(Session(Config(samples=150)), settings=settings)
    win.resize(1400, 900)
    win.show()
    QApplication.processEvents()
    win.session.step(15)
    win.session.select(3)
    paint_controls(win)
    QApplication.processEvents()
    yield win
    win.file_actions.modified = False
    win.close()
    win.deleteLater()
    QApplication.processEvents()


def test_the_controls_of_each_view_are_known_and_the_titles_are_not_among_them(window):
    for key, names in CONTROLS.items():
        view = window.views[key]
        controls = view.figure_controls()
        for name in names:
            assert getattr(view, name) in controls, (key, name)
        assert all(isinstance(w, QCheckBox | QComboBox | QLabel) for w in controls)
    bars = window.views["bars"]
    assert [w.text() for w in bars.figure_controls() if isinstance(w, QLabel)] == ["Order:"]
    assert window.views["jacobian"].title_label not in window.views["jacobian"].figure_controls()
    assert window.views["inspector"].caption not in window.views["inspector"].figure_controls()
    assert window.views["config"].figure_controls() == []  # its controls are its content
    assert window.views["parameters"].figure_controls() == []  # the tables' own buttons stay
    assert window.views["regions"].figure_controls() == []  # its figure is its plot alone


@pytest.mark.parametrize("key", CONTROLS)
def test_the_figure_hides_the_controls_and_gives_them_back(window, key):
    view = window.views[key]
    with showing(window, key):
        plain = qimage_to_rgb(render_image(view, 1))
        assert magenta_share(plain) > 1e-4  # the sentinel shows where the controls are
        before = {id(w): w.isHidden() for w in view.figure_controls()}
        with figure_for(window, key) as widget:
            assert all(w.isHidden() for w in view.figure_controls())
            figure = qimage_to_rgb(render_image(widget, 2))
        assert {id(w): w.isHidden() for w in view.figure_controls()} == before
    assert magenta_share(figure) == 0.0


def exported_pixels(path, tmp_path) -> list[np.ndarray]:
    """Every picture of an exported file as RGB arrays (SVG by rsvg, PDF by poppler)."""
    suffix = path.suffix
    if suffix == ".svg":
        return [rsvg_render(path, tmp_path / f"{path.stem}.rsvg.png")]
    if suffix == ".pdf":
        stem = tmp_path / f"{path.stem}-page"
        run_tool("pdftoppm", "-r", "72", "-png", path, stem)
        pages = sorted(tmp_path.glob(f"{path.stem}-page*.png"))
        return [np.asarray(Image.open(p).convert("RGB")) for p in pages]
    frames = []
    with Image.open(path) as image:
        for k in range(getattr(image, "n_frames", 1)):
            image.seek(k)
            frames.append(np.asarray(image.convert("RGB")))
    return frames


@pytest.mark.parametrize("key", CONTROLS)
def test_the_export_dialog_writes_figures_without_controls(window, key, tmp_path):
    for fmt in ("PNG", "SVG", "PDF"):
        dialog = ExportDialog(window, key)
        dialog.format.setCurrentIndex(dialog.format.findText(fmt))
        if fmt == "PNG":
            dialog.scale.setCurrentIndex(dialog.scale.findData(2.0))
        path = tmp_path / f"{key}.{fmt.lower()}"
        dialog.path.edit.setText(str(path))
        dialog.export()
        pictures = exported_pixels(path, tmp_path)
        assert pictures and pictures[0].size > 0
        assert max(magenta_share(p) for p in pictures) == 0.0, fmt
    assert all(not w.isHidden() for w in window.views[key].figure_controls())


def test_copy_view_puts_the_figure_on_the_clipboard(window):
    for key in CONTROLS:
        with showing(window, key):
            window.file_actions.copy_view(window.views[key])
            image = QApplication.clipboard().image()
        assert not image.isNull()
        assert magenta_share(qimage_to_rgb(image)) == 0.0, key


@pytest.mark.parametrize(("key", "fmt"), [("bars", "gif"), ("jacobian", "apng"), ("curves", "pdf")])
def test_recorded_animations_have_no_controls_in_any_frame(window, key, fmt, tmp_path):
    dialog = RecordDialog(window)
    dialog.target.setCurrentIndex(dialog.target.findData(key))
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    dialog.start.setValue(window.session.step_index)
    dialog.steps.setValue(6)
    dialog.every.setValue(2)
    path = tmp_path / f"rec.{fmt}"
    dialog.path.edit.setText(str(path))
    assert dialog.record()
    frames = exported_pixels(path, tmp_path)
    assert len(frames) == 4
    assert max(magenta_share(f) for f in frames) == 0.0
    assert all(not w.isHidden() for w in window.views[key].figure_controls())


@pytest.mark.slow
def test_the_export_command_writes_figures_without_controls(tmp_path, monkeypatch):
    """``softmax-explorer export`` builds its own window: its controls are painted too.

    Slow (2-6 s): a whole export run, every still format of four views and a GIF; the
    fast tests cover the same figure context through the window's dialogs."""
    from explorer.app import export_command

    build = MainWindow.__init__

    def painted(self, *args, **kwargs):
        build(self, *args, **kwargs)
        paint_controls(self)

    monkeypatch.setattr(MainWindow, "__init__", painted)
    out = tmp_path / "out"
    argv = ["--samples", "120", "--steps", "10", "--select", "2", "--out", str(out), "--quiet"]
    argv += ["--views", "jacobian,bars,inspector,curves,window", "--format", "png,svg,pdf"]
    argv += ["--animation", "gif", "--animation-view", "bars", "--every", "5"]
    assert export_command.run_export(argv) == 0
    for key in CONTROLS:
        for fmt in ("png", "svg", "pdf"):
            pictures = exported_pixels(out / f"{key}.{fmt}", tmp_path)
            assert max(magenta_share(p) for p in pictures) == 0.0, (key, fmt)
    frames = exported_pixels(out / "training.gif", tmp_path)
    assert len(frames) == 3 and max(magenta_share(f) for f in frames) == 0.0
    # the window is the window as it is: its views' controls are in it
    assert magenta_share(exported_pixels(out / "window.png", tmp_path)[0]) > 0
