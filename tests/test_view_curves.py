"""The curves view: metric arrays exactly, the step marker, lazy ranges, seeking by click."""

import numpy as np
import pytest
from PyQt6.QtCore import QLineF, QPointF, Qt

from explorer.export.gif import qimage_to_rgb
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.curves import MIN_STEPS, CurvesView
from explorer.views.items.axes import lazy_upper
from explorer.views.palette import DARK

NAMES = ("train_loss", "train_acc", "test_loss", "test_acc")


@pytest.fixture
def make_view(qtbot):
    views = []  # held until teardown, so the GC never deletes a view mid-paint

    def make(config=None, steps=20):
        session = Session(config or Config(samples=120))
        session.step(steps)
        view = CurvesView(session)
        views.append(view)
        session.changed.connect(view.refresh)  # what the main window does
        qtbot.addWidget(view)
        view.resize(600, 420)
        view.show()
        qtbot.waitExposed(view)
        return session, view

    yield make
    for view in views:
        view.close()
        view.deleteLater()
    qtbot.wait(1)


def assert_curves_match(session, view):
    m = session.metrics
    for name in NAMES:
        item = view.curves[name]
        np.testing.assert_array_equal(item.yData, getattr(m, name))
        np.testing.assert_array_equal(item.xData, np.arange(session.head + 1))


def test_curves_hold_the_session_metrics_exactly(make_view):
    session, view = make_view()
    assert session.metrics.has_test
    assert_curves_match(session, view)
    session.step(7)
    assert_curves_match(session, view)
    assert all(view.curves[name].isVisible() for name in NAMES)


def test_long_history_is_drawn_peak_decimated_to_the_plot_width(make_view, qtbot):
    session, view = make_view()
    session.step(3000)
    qtbot.wait(50)
    view.graphics.grab()  # paint: pyqtgraph decimates at paint time
    m = session.metrics
    for name in ("train_loss", "test_acc"):
        item = view.curves[name]
        assert item.opts["downsample"] > 1 and item.opts["downsampleMethod"] == "peak"
        x, y = item.getData()  # what is drawn
        width = item.getViewBox().width()
        assert 0 < len(x) <= 2 * width < session.head
        # Peak decimation draws exact values of the history (each bin's min and max,
        # at the bin's first step), its extremes included, up to less than two pixels'
        # worth of steps before the head.
        history = getattr(m, name)
        assert np.isin(y, history).all()
        assert y.max() == history.max()
        step = x[2] - x[0]
        assert x[-1] + step >= session.head - 2 * session.head / width
    assert_curves_match(session, view)


def test_marker_sits_at_the_shown_step(make_view):
    session, view = make_view()
    assert [line.value() for line in view.markers] == [session.head] * 2
    session.seek(6)
    assert [line.value() for line in view.markers] == [6, 6]
    session.step_back(2)
    assert [line.value() for line in view.markers] == [4, 4]


def test_the_marker_label_reads_the_shown_step_beside_the_line(make_view):
    """The label is drawn (from a cached layout of its text) just beside the line."""

    from explorer.views.items.step_marker import LABEL_AT

    session, view = make_view()
    session.seek(6)
    marker = view.markers[0]
    image = view.graphics.grab().toImage()
    assert marker._label is not None and marker._label[0] == "step 6"
    assert marker.label_right  # the roomier side at step 6 of 20
    b = marker.boundingRect()
    anchor = QPointF(6, b.top() + LABEL_AT * b.height())  # the label's top left, nearly
    at = view.graphics.mapFromScene(marker.mapToScene(anchor))
    ratio = view.graphics.devicePixelRatioF()
    x, y = int(at.x() * ratio), int(at.y() * ratio)
    dark = qimage_to_rgb(image).astype(int).sum(axis=2) < 250  # the text, in the foreground
    assert dark[y : y + 20, x + 3 : x + 70].sum() > 20
    assert dark[y : y + 20, x - 70 : x - 3].sum() == 0  # nothing on the other side


def test_clicking_on_the_plot_seeks_to_that_step(make_view, qtbot):
    session, view = make_view()
    qtbot.wait(50)  # let the fixed ranges settle into the laid-out plots
    for plot in (view.loss_plot, view.acc_plot):
        vb = plot.getViewBox()
        y_mid = sum(vb.viewRange()[1]) / 2
        scene_pos = vb.mapViewToScene(QPointF(5.0, y_mid))
        widget_pos = view.graphics.mapFromScene(scene_pos)
        qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
        assert session.step_index == 5
        session.seek(session.head)
    assert view.step_at_scene_pos(QPointF(-1000, -1000)) is None


def test_dragging_the_marker_seeks(make_view):
    session, view = make_view()
    view.markers[1].setValue(3.4)  # what a drag does
    assert session.step_index == 3
    assert view.markers[0].value() == 3


def test_test_curves_hidden_without_test_data(make_view):
    session, view = make_view(Config(samples=60, test_fraction=0.0))
    assert not session.metrics.has_test
    assert not view.curves["test_loss"].isVisible()
    assert not view.curves["test_acc"].isVisible()
    assert len(view.legend.items) == 1
    np.testing.assert_array_equal(view.curves["train_loss"].yData, session.metrics.train_loss)


def test_x_range_grows_lazily_by_doubling(make_view):
    session, view = make_view(steps=0)
    assert view.loss_plot.getViewBox().viewRange()[0][1] >= MIN_STEPS
    session.step(MIN_STEPS + 1)
    top = view.loss_plot.getViewBox().viewRange()[0][1]
    assert top >= session.head
    session.step(1)
    assert view.loss_plot.getViewBox().viewRange()[0][1] == top  # no re-range every step


def test_lazy_upper():
    assert lazy_upper(0, 10, 10) == 10
    assert lazy_upper(11, 10, 10) == 20
    assert lazy_upper(15, 20, 10) == 20
    assert lazy_upper(100, 20, 10) == 160
    assert lazy_upper(3, 160, 10) == 10  # shrinks after a reset
    assert lazy_upper(1.1, 0.25, 0.25, factor=1.25, shrink=2.0) == pytest.approx(0.25 * 1.25**7)


def test_reset_and_theme_keep_curves_consistent(make_view):
    session, view = make_view()
    session.reset()
    assert_curves_match(session, view)
    view.set_theme(DARK)
    assert_curves_match(session, view)
    assert all(np.isfinite(view.curves[n].yData).all() for n in NAMES)


def test_render_offscreen(make_view, tmp_path):
    session, view = make_view(steps=60)
    session.seek(25)
    path = tmp_path / "curves.png"
    assert view.export_widget().grab().save(str(path))
    assert path.stat().st_size > 1000


def test_dragging_the_marker_with_the_mouse_seeks(make_view, qtbot):
    from PyQt6.QtTest import QTest

    session, view = make_view()
    qtbot.wait(50)  # let the fixed ranges settle into the laid-out plots
    vb = view.loss_plot.getViewBox()
    y_mid = sum(vb.viewRange()[1]) / 2

    def at(x):
        return view.graphics.mapFromScene(vb.mapViewToScene(QPointF(x, y_mid)))

    port = view.graphics.viewport()
    start = session.head
    assert view.markers[0].value() == start
    QTest.mousePress(port, Qt.MouseButton.LeftButton, pos=at(start))
    QTest.mouseMove(port, at(start - 3))
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, pos=at(start - 5))
    assert session.step_index == start - 5
    assert [line.value() for line in view.markers] == [start - 5] * 2


def test_the_marker_grabs_near_the_line_and_its_label_moves_sides(make_view, qtbot):
    session, view = make_view()
    qtbot.wait(50)
    marker = view.markers[0]
    px = marker._pixel_width()
    x = marker.value()
    assert marker.shape().contains(QPointF(x + 3 * px, sum(marker._vb.viewRange()[1]) / 2))
    assert not marker.shape().contains(QPointF(x + 20 * px, sum(marker._vb.viewRange()[1]) / 2))
    assert not view.markers[1].labelled and view.markers[1].boundingRect().width() < 20 * px

    def label_reach(marker):
        """How far the bounds reach left and right of the line, in pixels."""
        b, x = marker.boundingRect(), marker.value()
        return (x - b.left()) / px, (b.right() - x) / px

    session.seek(session.head)
    right_at_head = marker.label_right
    left, right = label_reach(marker)
    assert right < 20 and left > 100  # the label (left of the line) is inside the bounds
    session.seek(0)
    assert marker.label_right and not right_at_head  # label on the roomier side
    left, right = label_reach(marker)
    assert left < 20 and right > 100


def test_live_curves_cover_the_pixels_of_the_two_pixel_pen(qtbot):
    """Live, a 2-px curve is drawn as three 1-px passes; it must look like the real pen."""
    import pyqtgraph as pg

    from explorer.views.items.history_curve import HistoryCurve

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.setBackground("w")
    curve = HistoryCurve()
    curve.setPen(pg.mkPen((200, 0, 0), width=2))
    x = np.arange(200, dtype=np.float64)
    curve.setData(x, np.exp(-x / 30.0) + 0.05 * np.sin(x / 3.0))
    plot.addItem(curve)
    plot.setRange(xRange=(0, 200), yRange=(-0.1, 1.1), padding=0)
    plot.show()
    qtbot.waitExposed(plot)

    def red_mask():
        rgb = qimage_to_rgb(plot.grab().toImage())
        return (rgb[..., 0] > 150) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)

    live = red_mask()
    curve.setExportMode(True, {"antialias": False})  # the real 2-px pen, as exports draw it
    curve.update()
    real = red_mask()
    curve.setExportMode(False)
    assert real.sum() > 300
    overlap = (live & real).sum() / (live | real).sum()
    assert overlap > 0.6, overlap
    assert 0.75 < live.sum() / real.sum() < 1.33


def test_the_legend_is_cached_and_recoloured_with_the_theme(make_view, qtbot):
    from PyQt6.QtGui import QColor
    from PyQt6.QtWidgets import QGraphicsItem

    from explorer.views.curves import TRAIN_COLOR_DARK

    _, view = make_view()
    cached = QGraphicsItem.CacheMode.DeviceCoordinateCache
    items = [view.legend, *view.legend.childItems()]
    assert all(item.cacheMode() == cached for item in items)
    view.set_theme(DARK)
    qtbot.wait(20)
    image = view.graphics.grab().toImage()
    box = view.graphics.mapFromScene(view.legend.sceneBoundingRect()).boundingRect()
    ratio = image.width() / view.graphics.width()
    want = QColor(*TRAIN_COLOR_DARK)
    found = any(
        image.pixelColor(round(x * ratio), round(y * ratio)) == want
        for x in range(box.left(), box.right())
        for y in range(box.top(), box.bottom())
    )
    assert found  # the cached legend sample took the dark theme's train colour


def test_a_growing_curve_repaints_only_its_new_segments_and_looks_repainted_whole(qtbot):
    """Appending points marks only the rectangle of the new segments for repaint; what is
    on screen (the window's backing store) is then pixel for pixel a full repaint."""
    import pyqtgraph as pg
    from PyQt6.QtCore import QEvent, QObject
    from PyQt6.QtWidgets import QApplication

    from explorer.views.items.history_curve import HistoryCurve

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.setBackground("w")
    solid, dashed = HistoryCurve(), HistoryCurve()
    solid.setPen(pg.mkPen((200, 0, 0), width=2))
    dashed.setPen(pg.mkPen((0, 0, 200), width=2, style=Qt.PenStyle.DashLine))
    for curve in (solid, dashed):
        plot.addItem(curve)
    plot.setRange(xRange=(0, 200), yRange=(-1.2, 1.2), padding=0)
    plot.show()
    qtbot.waitExposed(plot)

    painted = []

    class PaintRects(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                painted.append(event.rect())
            return False

    spy = PaintRects()
    plot.viewport().installEventFilter(spy)
    x = np.arange(200, dtype=np.float64)
    y = np.sin(x / 7.0) * np.exp(-x / 150.0)
    app = QApplication.instance()
    for n in range(2, 150, 3):
        solid.setData(x[:n], y[:n])
        dashed.setData(x[:n], -y[:n])
        app.processEvents()
    # all but the frames where the curves' bounds grow (geometrically) are thin strips
    narrow = [r.width() < plot.viewport().width() / 8 for r in painted]
    assert len(painted) >= 45 and sum(narrow) >= 0.7 * len(painted), painted

    live = qimage_to_rgb(app.primaryScreen().grabWindow(plot.winId()).toImage())
    whole = qimage_to_rgb(plot.grab().toImage())
    assert (live != whole).any(axis=2).sum() == 0
    assert ((whole[..., 0] > 150) & (whole[..., 1] < 80)).sum() > 300  # the red curve is there

    painted.clear()
    solid.setData(x[:100], y[:100] + 0.1)  # a rewritten history: all of it repaints
    app.processEvents()
    assert painted and max(r.width() for r in painted) > plot.viewport().width() / 2


def test_the_curves_view_on_screen_matches_a_full_repaint_while_training(make_view, qtbot):
    """Frames of training repaint strips near the newest step; the window's pixels stay
    those of a full repaint (the marker's label changing sides on the way)."""
    from PyQt6.QtWidgets import QApplication

    session, view = make_view(steps=3)
    qtbot.wait(20)
    app = QApplication.instance()
    for _ in range(40):
        session.step(1)
        app.processEvents()
    session.seek(2)  # the label moves to the right of the line
    app.processEvents()
    live = qimage_to_rgb(app.primaryScreen().grabWindow(view.winId()).toImage())
    whole = qimage_to_rgb(view.grab().toImage())
    assert (live != whole).any(axis=2).sum() == 0


def test_the_grid_is_drawn_in_the_background_at_the_ticks_and_follows_the_range(make_view):
    """The axes draw no grid (their bounds would then cover the plot); the view draws the
    lines under the data, at the ticks, and recomputes them when the range grows."""
    session, view = make_view(steps=5)
    for plot in (view.loss_plot, view.acc_plot):
        for side in ("left", "bottom"):
            assert plot.getAxis(side).grid is False
    acc_grid = view.grids[1]
    vb = view.acc_plot.getViewBox()
    image = qimage_to_rgb(view.graphics.grab().toImage()).astype(int)
    background = image[2, 2]

    def row_of(y):
        return round(view.graphics.mapFromScene(vb.mapViewToScene(QPointF(0, y))).y())

    x0 = int(view.graphics.mapFromScene(vb.mapViewToScene(QPointF(6.5, 0))).x())
    x1 = int(view.graphics.mapFromScene(vb.mapViewToScene(QPointF(9.5, 0))).x())

    def marked(row):  # share of non-background pixels right of the curves' end (step 5)
        return (np.abs(image[row, x0:x1] - background).sum(axis=1) > 0).mean()

    line = row_of(0.5)  # a tick: the 1-pixel line lies on this row or a neighbour
    assert max(marked(r) for r in (line - 1, line, line + 1)) > 0.7
    assert marked(row_of(0.375)) < 0.3  # between ticks: vertical lines' crossings only

    def vertical_lines(grid):
        (_, path), *_ = grid.lines
        return {round(path.elementAt(i).x, 6) for i in range(0, path.elementCount(), 2)}

    before = max(vertical_lines(view.grids[0]))
    session.step(100)  # the x range doubles past 100 steps
    after = max(vertical_lines(view.grids[0]))
    assert after > before and after <= view.loss_plot.getViewBox().viewRange()[0][1]
    assert acc_grid.lines  # still drawn


def test_a_dashed_curve_grows_its_path_and_rebuilds_it_after_a_rewrite(qtbot, monkeypatch):
    """The dashed path gains only the new points while the history grows at its end; it
    is then exactly the path built from the whole arrays. A rewrite rebuilds it."""
    import pyqtgraph as pg

    from explorer.views.items.history_curve import HistoryCurve

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    curve = HistoryCurve()
    curve.setPen(pg.mkPen((0, 0, 200), width=2, style=Qt.PenStyle.DashLine))
    plot.addItem(curve)
    plot.setRange(xRange=(0, 100), yRange=(-1, 1), padding=0)
    plot.show()
    qtbot.waitExposed(plot)
    x = np.arange(100, dtype=np.float64)
    y = np.sin(x / 5.0)

    def elements(path):
        return [(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())]

    whole = pg.arrayToQPath
    builds = []
    monkeypatch.setattr(pg, "arrayToQPath", lambda *a, **k: builds.append(1) or whole(*a, **k))
    frames = 0
    for n in range(2, 60, 3):
        curve.setData(x[:n], y[:n])
        plot.grab()  # paint
        frames += 1
    # grown in place; built anew only when the curve's bounds grow (geometrically)
    assert 1 <= len(builds) <= frames // 2
    assert elements(curve._path) == elements(whole(x[:59], y[:59], connect="all"))
    builds.clear()
    curve.setData(x[:59], -y[:59])  # rewritten: built anew
    plot.grab()
    assert len(builds) == 1
    assert elements(curve._path) == elements(whole(x[:59], -y[:59], connect="all"))


def test_segments_grow_by_the_new_points_and_equal_the_whole_curve_s():
    """The solid pen's native segment arrays, grown a few points at a time (through
    remakes) and after a clear, hold exactly the segments of all the points (the other
    rows NaN lines, which QPainter skips), and a paint makes no new sip object while the
    curve grows within the spare rows (PyQt6-sip keeps ~80 bytes of each one made)."""
    from explorer.views.items.history_curve import _Segments
    from explorer.views.items.native_array import SLACK as LINE_SLACK

    rng = np.random.default_rng(3)
    x = np.cumsum(rng.random(700))
    y = rng.standard_normal(700)
    segments = _Segments()

    def rows(lines):
        got = np.array([[s.x1(), s.y1(), s.x2(), s.y2()] for s in lines]).reshape(-1, 4)
        finite = np.isfinite(got).all(axis=1)
        assert np.isnan(got[~finite]).all() and finite[: finite.sum()].all()  # NaN after
        assert len(got) - finite.sum() <= 2 * LINE_SLACK + len(got) // 2
        return got[finite]

    def want(xs, ys):
        return np.column_stack([xs[:-1], ys[:-1], xs[1:], ys[1:]])

    for n in (1, 2, 3, 10, 11, 255, 258, 600, 700):
        segments.extend(x[:n], y[:n])
        np.testing.assert_array_equal(rows(segments.lines()), want(x[:n], y[:n]))
    np.testing.assert_array_equal(rows(segments.lines(100, 103)), want(x, y)[100:103])
    np.testing.assert_array_equal(rows(segments.lines(5, 5)), np.zeros((0, 4)))
    exported = segments.finite_lines()
    assert len(exported) == 699 and exported[7] == QLineF(x[7], y[7], x[8], y[8])
    rewritten = y[:50] * 2.0
    segments.clear()
    segments.extend(x[:50], rewritten)
    np.testing.assert_array_equal(rows(segments.lines()), want(x[:50], rewritten))

    growing = _Segments()
    growing.extend(x[:300], y[:300])
    whole, strip = growing.lines(), growing.lines(290, 298)
    for n in range(301, 301 + LINE_SLACK - 1):
        growing.extend(x[:n], y[:n])
        assert growing.lines() is whole and growing.lines(n - 10, n - 2) is strip


@pytest.mark.parametrize("points", [8.0, 9.0, 10.5, 13.0])
def test_the_marker_label_drawn_in_pieces_matches_the_whole_text(qtbot, points):
    """ "step N" drawn as "step " and one piece per digit (each laid out once) has the
    pixels of the whole text laid out and drawn at once."""
    from PyQt6.QtGui import QColor, QFont, QImage, QPainter

    from explorer.views.items.pixel_frame import static_text
    from explorer.views.items.step_marker import _label_chunks

    font = QFont()
    font.setPointSizeF(points)
    assert _label_chunks("step 120") == ["step ", "1", "2", "0"]
    for text in ("step 0", "step 41", "step 1234567890"):
        images = []
        for whole in (True, False):
            image = QImage(220, 30, QImage.Format.Format_RGB32)
            image.fill(QColor(255, 255, 255))
            painter = QPainter(image)
            painter.setFont(font)
            painter.setPen(QColor(0, 0, 0))
            if whole:
                painter.drawStaticText(QPointF(3, 5), static_text(text, font))
            else:
                x = 3.0
                for chunk in _label_chunks(text):
                    piece = static_text(chunk, font)
                    painter.drawStaticText(QPointF(x, 5), piece)
                    x += piece.size().width()
            painter.end()
            images.append(qimage_to_rgb(image))
        assert (images[0] < 128).any()
        np.testing.assert_array_equal(images[0], images[1])
