"""PDF export from the window: a figure per view (page size, text as text, markers as
vectors, the picture of the PNG), a PDF animation whose pages are the frames, and the
dialogs offering PDF. Read back by poppler (``pdfinfo``, ``pdftotext``, ``pdfimages``,
``pdftoppm``), not by Qt."""

import re

import numpy as np
import pytest
from export_tools import block_difference, run_tool
from PIL import Image
from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication

from explorer.app.export_dialog import ExportDialog, RecordDialog, showing, widget_for
from explorer.app.main_window import MainWindow
from explorer.app.recording import record
from explorer.export.animation import AnimationSet, qimage_to_rgb
from explorer.export.formats import make_writer
from explorer.export.image import render_image, save_image
from explorer.session.config import Config
from explorer.session.session import Session


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    settings = QSettings(
        str(tmp_path_factory.mktemp("settings") / "s.ini"), QSettings.Format.IniFormat
    )
    win = MainWindow(Session(Config(samples=150, features="identity")), settings=settings)
    win.resize(1200, 800)
    win.show()
    QApplication.processEvents()
    win.session.step(15)
    win.session.select(3)
    for name in ("boundaries", "weights"):
        win.regions.set_overlay(name, True)
    QApplication.processEvents()
    yield win
    win.file_actions.modified = False
    win.close()
    win.deleteLater()
    QApplication.processEvents()


def pdf_info(path) -> dict[str, str]:
    lines = run_tool("pdfinfo", path).stdout.splitlines()
    return dict(line.split(":", 1) for line in lines if ":" in line)


def page_size(info) -> tuple[float, float]:
    w, h = re.match(r"\s*([\d.]+) x ([\d.]+) pts", info["Page size"]).groups()
    return float(w), float(h)


def images_in(path) -> list[tuple[int, int]]:
    """(width, height) of every image ``pdfimages`` finds (soft masks left out)."""
    rows = run_tool("pdfimages", "-list", path).stdout.splitlines()[2:]
    return [(int(r.split()[3]), int(r.split()[4])) for r in rows if r.split()[2] == "image"]


def rendered(path, out, page: int = 1) -> np.ndarray:
    """Page ``page`` drawn by poppler at 72 dpi (one point, one pixel); RGB floats."""
    stem = out / f"page{page}"
    run_tool("pdftoppm", "-r", "72", "-png", "-singlefile", "-f", page, "-l", page, path, stem)
    with Image.open(f"{stem}.png") as image:
        return np.asarray(image.convert("RGB"), dtype=float)


#: Words each figure must hold as text (searchable, copyable), not as outlines.
WORDS = {
    "regions": ["x₁", "x₂", "-2", "w0"],
    "jacobian": ["logit", "output", "sample #3"],
    "bars": ["training", "samples", "loss"],
    "curves": ["step", "accuracy", "train", "test"],
    "inspector": ["Forward pass", "softmax", "true class"],
    "window": ["Softmax Jacobian", "Step Back", "Learning rate"],  # (no "fi": a ligature)
}


@pytest.mark.parametrize("key", list(WORDS))
def test_pdf_figure_is_the_view_with_text_and_vector_markers(window, key, tmp_path):
    with showing(window, key):
        widget = widget_for(window, key)
        w, h = widget.width(), widget.height()
        path = save_image(widget, tmp_path / f"{key}.pdf")
        screen = qimage_to_rgb(render_image(widget, 1)).astype(float)
    info = pdf_info(path)
    assert info["Pages"].strip() == "1"
    assert page_size(info) == (w, h)  # one pixel of the view, one point
    text = run_tool("pdftotext", "-layout", path, "-").stdout
    for word in WORDS[key]:
        assert word in text, (word, text[:400])
    if key == "regions":
        # The decision regions are the only image: 150 points, the ring and the arrows
        # are vector paths, not stamps from pyqtgraph's symbol cache.
        assert images_in(path) == [(200, 200)]
    picture = rendered(path, tmp_path)
    assert picture.shape == screen.shape
    assert picture.std() > 8  # not blank
    mean, share = block_difference(picture, screen)
    assert mean < 3 and share < 0.01, (mean, share)


def test_pdf_animation_pages_are_the_frames(window, tmp_path):
    """Each page is its own step (Qt's PDF writer would repeat the first page's regions
    image on every page, were the pages painted straight onto it)."""
    writers = AnimationSet(
        [make_writer("pdf", tmp_path / "t.pdf"), make_writer("apng", tmp_path / "t.apng")]
    )
    start = window.session.step_index
    with showing(window, "regions"):
        widget = widget_for(window, "regions")
        assert record(window.session, widget, writers, start, start + 10, 2)
    pdf, apng = writers.finish()
    info = pdf_info(pdf)
    assert info["Pages"].strip() == "6"
    assert page_size(info) == (widget.width(), widget.height())
    pages = [rendered(pdf, tmp_path, k) for k in (1, 6)]
    with Image.open(apng) as frames:
        shots = []
        for k in (0, 5):
            frames.seek(k)
            shots.append(np.asarray(frames.convert("RGB"), dtype=float))
    for page, shot in zip(pages, shots, strict=True):
        mean, share = block_difference(page, shot)
        assert mean < 3 and share < 0.01, (mean, share)
    assert block_difference(pages[0], pages[1])[0] > 1  # training moved the picture


def test_export_dialog_writes_a_pdf(window, monkeypatch, tmp_path):
    def exec_(dialog):
        dialog.target.setCurrentIndex(dialog.target.findData("curves"))
        dialog.format.setCurrentIndex(dialog.format.findText("PDF"))
        assert dialog.path.path().suffix == ".pdf"
        assert not dialog.scale.isEnabled()
        dialog.path.edit.setText(str(tmp_path / "c.pdf"))
        dialog.export()
        return dialog.result()

    monkeypatch.setattr(ExportDialog, "exec", exec_)
    window.actions["export"].trigger()
    assert pdf_info(tmp_path / "c.pdf")["Pages"].strip() == "1"


@pytest.mark.parametrize("fmt", ["mp4", "webp", "pdf"])
def test_record_dialog_offers_every_format(window, tmp_path, fmt):
    dialog = RecordDialog(window)
    offered = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert offered == ["gif", "mp4", "webm", "apng", "webp", "pdf"]
    dialog.format.setCurrentIndex(offered.index(fmt))
    assert dialog.path.path().name == f"training.{fmt}"
    dialog.target.setCurrentIndex(dialog.target.findData("regions"))
    dialog.steps.setValue(6)
    dialog.every.setValue(2)
    dialog.path.edit.setText(str(tmp_path / f"r.{fmt}"))
    assert dialog.record()
    assert [p.name for p in tmp_path.iterdir()] == [f"r.{fmt}"]
    assert f"Recorded 4 frames to {tmp_path / f'r.{fmt}'}" in window.statusBar().currentMessage()


def test_record_dialog_says_what_video_needs(window, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "av", None)  # PyAV not installed
    dialog = RecordDialog(window)
    model = dialog.format.model()
    for fmt in ("mp4", "webm"):
        row = dialog.format.findData(fmt)
        assert not model.item(row).isEnabled()
        assert 'pip install "softmax-explorer[video]"' in dialog.format.itemText(row)
    assert model.item(dialog.format.findData("gif")).isEnabled()
