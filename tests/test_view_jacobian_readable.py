"""The Jacobian never looks empty: its numbers survive a divergence, zero is the panel's
own colour in both themes, a saturated softmax is said, the source box says what is drawn,
and class labels never smear."""

import time

import numpy as np
import pytest
from PyQt6.QtCore import QPointF
from PyQt6.QtWidgets import QApplication

from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.jacobian import JacobianView
from explorer.views.palette import DARK, LIGHT, contrast_ratio


@pytest.fixture
def make_view(qtbot):
    def make(config=None, size=(420, 360), theme=LIGHT):
        session = Session(config or Config(samples=120))
        view = JacobianView(session, theme=theme)
        qtbot.addWidget(view)
        session.changed.connect(view.refresh)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        return view, session

    return make


def drawn_numbers(view):
    """(point size, texts) of the cell numbers as the next paint draws them."""
    from explorer.views.items.pixel_frame import view_pixels_per_unit

    item = view.cell_texts
    QApplication.processEvents()  # the layout settles (the saturation note comes and goes)
    view.graphics.grab()  # lay out and paint
    sx, sy = view_pixels_per_unit(item, view.graphics.viewport())
    font, (normal, light) = item._place(sx, sy)
    return font.pointSizeF(), [static.text() for _, static in normal + light]


def diverge(session):
    """Train at a sane rate, then at 1e6 until training diverges (the last finite state is
    then a saturated softmax, entries like −4e−88)."""
    session.step(30)
    session.configure(session.config.replace(lr=1e6))
    for _ in range(50):
        if session.diverged:
            break
        session.step(1)
    assert session.diverged


SPIRAL4 = Config(dataset="spiral", features="poly", degree=4)


@pytest.mark.parametrize("size", [(420, 360), (300, 210)])
def test_numbers_survive_divergence_lower_rate_reset_and_play(make_view, size):
    """Spiral, degree 4, learning rate 1e6, train until it diverges, learning rate 0.1,
    Reset, train: the numbers are drawn again, at the size they had before. Nothing is
    selected (the batch mean is shown, as in the issue). At the larger size the numbers
    stayed one step smaller after the divergence; at the smaller size the e-notation
    numbers of the saturated state did not fit at all, and none came back after Reset."""
    view, session = make_view(SPIRAL4, size=size)
    before_size, before = drawn_numbers(view)
    assert len(before) == 9
    diverge(session)
    assert np.abs(view.matrix).max() < 1e-3
    session.configure(session.config.replace(lr=0.1))
    session.reset()
    session.step(30)
    after_size, after = drawn_numbers(view)
    assert len(after) == 9 and after == view.cell_texts.texts
    assert after_size == before_size


def test_numbers_go_back_to_full_size_after_scrubbing_past_e_notation(make_view):
    view, session = make_view(SPIRAL4)
    full, _ = drawn_numbers(view)
    diverge(session)
    _saturated_size, texts = drawn_numbers(view)
    assert len(texts) == 9 and any("e" in t for t in texts)
    session.seek(5)
    size, texts = drawn_numbers(view)
    assert size == full and len(texts) == 9


def test_e_notation_is_about_as_wide_as_an_ordinary_entry():
    """One digit and a short exponent: the issue's −2.4e−06 (which shrank every number)
    is now narrower than an ordinary −0.114; the most extreme exponents are at most a
    third wider."""
    from PyQt6.QtGui import QFont, QFontMetricsF

    from explorer.views.jacobian import format_value

    metrics = QFontMetricsF(QFont())
    ordinary = metrics.horizontalAdvance(format_value(-0.114))
    assert format_value(-2.4e-6) == "−2e−6"
    for v, share in ((-2.4e-6, 1.0), (6.4e-5, 1.0), (-4.3e-88, 1.2), (-1.2e-300, 1.35)):
        text = format_value(v)
        assert float(text.replace("−", "-")) == pytest.approx(v, rel=0.5)
        assert metrics.horizontalAdvance(text) <= ordinary * share, text
    assert format_value(5e-324) == "5e−324" and format_value(0.0) == "0"


@pytest.fixture
def window(qtbot):
    from explorer.app.main_window import MainWindow

    window = MainWindow(Session(Config()))
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.file_actions.modified = False  # leave without the unsaved-session question
    window.close()
    window.deleteLater()
    qtbot.wait(1)


def test_the_replayed_sequence_in_the_window_shows_numbers(window, qtbot):
    """The issue's sequence in the window at 1366×768: spiral, degree 4, learning rate 1e6,
    Play until it diverges (after some training), learning rate 0.1, Reset, Play."""
    view = window.views["jacobian"]
    panel = window.views["config"].controls()
    panel["dataset"].setCurrentIndex(panel["dataset"].findData("spiral"))
    panel["features"].setCurrentIndex(panel["features"].findData("poly"))
    panel["degree"].commit_text("4")
    qtbot.wait(50)
    before_size, _ = drawn_numbers(view)

    def play_until(done, limit_s=20.0):
        window.player.play()
        end = time.monotonic() + limit_s
        while not done() and time.monotonic() < end:
            QApplication.processEvents()
        window.player.pause()

    play_until(lambda: window.session.head >= 30)
    panel["lr"].commit_text("1e6")
    play_until(lambda: window.session.diverged is not None)
    assert window.session.diverged
    panel["lr"].commit_text("0.1")
    window.actions["reset"].trigger()
    play_until(lambda: window.session.head >= 10)
    size, texts = drawn_numbers(view)
    assert len(texts) == 9
    assert size == before_size


# ------------------------------------------------------------------ zero's colour
def cell_pixel(view, j, k, fx=0.12, fy=0.12):
    """The painted colour (r, g, b) near the top-left corner of cell (j, k), off its text."""
    image = view.graphics.grab().toImage()
    at = view.graphics.mapFromScene(view.image.mapToScene(QPointF(k + fx, j + fy)))
    ratio = view.graphics.devicePixelRatioF()
    c = image.pixelColor(int(at.x() * ratio), int(at.y() * ratio))
    return c.red(), c.green(), c.blue()


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_zero_is_drawn_in_the_panels_background(make_view, theme):
    view, _session = make_view(theme=theme)
    M = np.array([[0.0, 0.25, -0.25], [0.0, 0.0, 0.0], [0.1, -0.1, 0.0]])
    view.image.setImage(M, autoLevels=False)
    r, g, b = cell_pixel(view, 1, 1)
    assert (
        max(
            abs(r - theme.background[0]), abs(g - theme.background[1]), abs(b - theme.background[2])
        )
        <= 3
    )
    # the ends stay the diverging map's blue and red
    assert cell_pixel(view, 0, 1)[0] > 150 and cell_pixel(view, 0, 2)[2] > 150


def test_theme_switch_recolours_zero(make_view):
    view, _session = make_view()
    view.set_theme(DARK)
    view.image.setImage(np.zeros((3, 3)), autoLevels=False)
    r, g, _b = cell_pixel(view, 2, 0)
    assert max(abs(r - DARK.background[0]), abs(g - DARK.background[1])) <= 3


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_every_cell_number_reads_on_its_cell(make_view, theme):
    """Each number's colour has at least 4.5:1 contrast on its cell's colour."""
    view, session = make_view(theme=theme)
    session.step(20)
    session.select(3)
    table = view.image._table()
    n = len(table)
    colours = view.cell_texts.colors
    for v, light in zip(view.matrix.ravel(), view.cell_texts.light, strict=True):
        index = int(np.clip((v + 0.25) * n / 0.5, 0, n - 1))
        rgb = [(int(table[index]) >> s) & 0xFF for s in (16, 8, 0)]
        text = colours[light]
        assert contrast_ratio(rgb, (text.red(), text.green(), text.blue())) >= 4.5, (v, theme)


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_cells_are_outlined_by_a_visible_grid(make_view, theme):
    view, _session = make_view(theme=theme)
    view.image.setImage(np.zeros((3, 3)), autoLevels=False)
    view.cell_texts.set_values([""] * 9, [False] * 9)
    # on the border between cells (1, 0) and (1, 1) the grid line differs from the cells
    image = view.graphics.grab().toImage()
    ratio = view.graphics.devicePixelRatioF()
    a = view.graphics.mapFromScene(view.image.mapToScene(QPointF(1.0, 1.5)))
    x, y = round(a.x() * ratio), int(a.y() * ratio)
    line = [image.pixelColor(x + dx, y) for dx in (-1, 0, 1)]
    seen = max(contrast_ratio(c.getRgb()[:3], theme.background) for c in line)
    assert seen >= 1.3


# ------------------------------------------------------------------ saturation
def test_a_saturated_softmax_is_said_in_the_title(make_view):
    view, session = make_view()
    assert "saturated" not in view.source_title
    assert not view.note_label.isVisibleTo(view)
    session.set_params(session.W * 1e4, session.b)
    session.select(int(session.data.train_index[0]))
    assert np.abs(view.matrix).max() < 1e-3
    assert "saturated" in view.source_title and "vanish" in view.source_title
    assert view.note_label.isVisibleTo(view) and "saturated" in view.note_label.text().lower()
    session.set_params(session.W * 1e-4, session.b)
    assert "saturated" not in view.source_title
    assert not view.note_label.isVisibleTo(view)


# ------------------------------------------------------------------ the source box
#: What the box must start with for each kind of matrix drawn (``view.shown``).
SAYS = {"batch": "Batch mean", "sample": "Selected sample", "point": "Point under the cursor"}


@pytest.mark.parametrize(
    "source, select, hover",
    [
        ("selected", False, None),
        ("selected", True, None),
        ("hover", False, None),
        ("hover", True, None),
        ("hover", False, (0.2, 0.1)),
        ("batch", True, None),
    ],
)
def test_the_source_box_says_what_is_drawn(make_view, source, select, hover):
    view, session = make_view()
    if select:
        session.select(4)
    view.set_source(source)
    view.set_hover_point(hover)
    assert view.source_combo.currentText().startswith(SAYS[view.shown])
    assert view.source_combo.currentData() == source


def test_the_source_box_follows_the_selection(make_view):
    view, session = make_view()
    assert view.source_combo.currentText().startswith("Batch mean")
    session.select(2)
    assert view.source_combo.currentText() == "Selected sample"
    session.select(None)
    assert view.source_combo.currentText().startswith("Batch mean")


# ------------------------------------------------------------------ class labels
def test_fifty_class_labels_never_overlap(make_view):
    from PyQt6.QtGui import QFont, QFontMetricsF

    view, _session = make_view(Config(classes=50, samples=600), size=(420, 360))
    view.graphics.grab()
    for axis, vertical in ((view.left_axis, True), (view.top_axis, False)):
        ticks = axis._tickLevels[0]
        values = [v for v, _ in ticks]
        assert 1 < len(values) < 50
        vb = axis.linkedView()
        (x0, x1), (y0, y1) = vb.viewRange()
        per_unit = vb.height() / (y1 - y0) if vertical else vb.width() / (x1 - x0)
        gap = min(np.diff(values)) * per_unit
        font = QFont(axis.style["tickFont"] or QFont())
        font.setBold(True)
        metrics = QFontMetricsF(font)
        widest = max(
            metrics.height() if vertical else metrics.horizontalAdvance(name) for _, name in ticks
        )
        assert gap >= widest + 2, (vertical, gap, widest)
    small, _ = make_view(Config(classes=3), size=(420, 360))
    assert [n for _, n in small.left_axis._tickLevels[0]] == ["0", "1", "2"]
