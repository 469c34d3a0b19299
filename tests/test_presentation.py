"""Presentation mode (F5, --present): full screen, every text, marker and line scaled, the
chosen preset's views without the configuration, a large step counter; the training keys
still work, and Esc gives the window back as it was."""

import pyqtgraph as pg
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QFont, QFontInfo
from PyQt6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGraphicsTextItem,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QTabBar,
)

from explorer.app.main_window import MainWindow
from explorer.app.options import window_parser
from explorer.app.presentation import SCALES
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.items.points import marker_size
from explorer.views.scaling import scaled_size

#: Logical dots per inch of the offscreen platform: a point is 96/72 px.
PX_PER_PT = 96 / 72


@pytest.fixture
def window(qtbot):
    w = MainWindow(Session(Config(samples=90)))
    w.resize(1200, 760)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()  # keyboard shortcuts go to the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    w.session.step(4)
    w.session.select(2)
    yield w
    w.presentation.leave()
    w.player.pause()
    w.file_actions.modified = False
    w.close()
    w.deleteLater()
    qtbot.wait(1)


def settle(qtbot):
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(10)


def shown(dock) -> bool:
    """Shown, not behind another tab, and of a usable size."""
    view = dock.widget()
    return dock.isVisible() and view.isVisible() and view.width() > 200 and view.height() > 150


def test_f5_enters_full_screen_with_the_teach_views_and_esc_gives_everything_back(window, qtbot):
    font = QFont(QApplication.font())
    geometry = window.geometry()
    window.layout_actions["teach"].trigger()  # the preset presentation shows
    settle(qtbot)
    qtbot.keyClick(window.regions.plot_widget, Qt.Key.Key_F5)
    settle(qtbot)
    p = window.presentation
    assert p.active
    screen = window.screen().geometry()
    assert window.isFullScreen() or window.geometry() == screen
    for bar in (window.menuBar(), window.toolbar, window.statusBar()):
        assert not bar.isVisible()
    assert not window.docks["config"].isVisible()
    for dock_id in ("jacobian", "bars", "curves"):
        assert shown(window.docks[dock_id]), dock_id
    for dock_id in ("inspector", "parameters", "samples", "landscape"):
        assert not window.docks[dock_id].isVisible(), dock_id
    factor = p.scale()
    assert QApplication.font().pointSizeF() == pytest.approx(font.pointSizeF() * factor)
    assert all(view.scale == factor for view in window.views.values())
    assert p.counter.isVisible() and p.counter.text() == "step 4"
    assert QFontInfo(p.counter.font()).pixelSize() >= 36

    qtbot.keyClick(window.regions.plot_widget, Qt.Key.Key_Escape)
    settle(qtbot)
    assert not p.active and not window.isFullScreen()
    assert window.geometry() == geometry
    assert QApplication.font() == font
    assert all(view.scale == 1.0 for view in window.views.values())
    for bar in (window.menuBar(), window.toolbar, window.statusBar()):
        assert bar.isVisible()
    assert shown(window.docks["config"]) and not p.counter.isVisible()
    # Esc clears the selection again once presentation mode is left
    qtbot.keyClick(window.regions.plot_widget, Qt.Key.Key_Escape)
    assert window.session.selected is None


def test_the_training_keys_work_while_presenting(window, qtbot):
    window.presentation.enter()
    settle(qtbot)
    s = window.session
    target = window.regions.plot_widget
    qtbot.keyClick(target, Qt.Key.Key_Space)
    assert s.head == 5 and s.step_index == 5
    qtbot.keyClick(target, Qt.Key.Key_Backspace)
    assert s.step_index == 4
    qtbot.keyClick(target, Qt.Key.Key_Home)
    assert s.step_index == 0
    qtbot.keyClick(target, Qt.Key.Key_End)
    assert s.step_index == 5
    qtbot.keyClick(target, Qt.Key.Key_P)
    assert window.player.playing
    qtbot.keyClick(target, Qt.Key.Key_P)
    assert not window.player.playing
    window._show_readouts()
    assert window.presentation.counter.text() == f"step {s.step_index:,}"
    qtbot.keyClick(target, Qt.Key.Key_E)
    assert window.actions["edit_mode"].isChecked()
    qtbot.keyClick(target, Qt.Key.Key_E)
    qtbot.keyClick(target, Qt.Key.Key_F6)  # the configuration comes back ...
    settle(qtbot)
    assert shown(window.docks["config"])
    assert all(c.isVisible() for c in window.regions.overlay_boxes.values())
    qtbot.keyClick(target, Qt.Key.Key_F6)  # ... and goes again
    settle(qtbot)
    assert not window.docks["config"].isVisible()
    qtbot.keyClick(target, Qt.Key.Key_F5)  # F5 leaves too
    assert not window.presentation.active


@pytest.mark.parametrize("factor", SCALES)
def test_the_scale_reaches_markers_lines_cell_numbers_and_tick_labels(window, qtbot, factor):
    jacobian, curves, regions = (window.views[k] for k in ("jacobian", "curves", "regions"))
    cell_points = jacobian.cell_texts.font.pointSizeF()
    train_curve = curves.curves["train_loss"]
    width = max(pg.mkPen(train_curve.opts["pen"]).widthF(), 1.0)
    size = marker_size(window.session.data.X.shape[1])
    window.presentation.set_scale(factor)
    window.presentation.enter()
    settle(qtbot)
    assert jacobian.cell_texts.font.pointSizeF() == pytest.approx(cell_points * factor)
    assert pg.mkPen(train_curve.opts["pen"]).widthF() == round(width * factor)
    assert regions.points.train[0].opts["size"] == pytest.approx(size * factor)
    window.presentation.leave()
    settle(qtbot)
    assert jacobian.cell_texts.font.pointSizeF() == pytest.approx(cell_points)
    assert pg.mkPen(train_curve.opts["pen"]).widthF() == pytest.approx(width)
    assert regions.points.train[0].opts["size"] == pytest.approx(size)


def text_sizes_px(window):
    """(pixel size, what) of every text shown: widgets with text, plot titles and labels,
    axis tick labels and plain text items."""
    sizes = []
    for widget in window.findChildren((QLabel, QAbstractButton, QComboBox, QLineEdit, QTabBar)):
        if widget.isVisible():
            text = widget.text() if hasattr(widget, "text") else "x"
            if text:
                sizes.append((QFontInfo(widget.font()).pixelSize(), widget.objectName() or text))
    for view in window.findChildren(QGraphicsView):
        if not isinstance(view, pg.GraphicsView) or not view.isVisible():
            continue
        for item in view.scene().items():
            if not item.isVisible():
                continue
            if isinstance(item, pg.AxisItem) and item.style["showValues"]:
                font = item.style["tickFont"] or view.font()
                sizes.append((QFontInfo(font).pixelSize(), "ticks"))
            elif isinstance(item, pg.LabelItem) and item.text:
                size = item.opts.get("size")
                if size:
                    px = float(scaled_size(size, 1.0)[:-2]) * PX_PER_PT
                else:
                    px = QFontInfo(item.item.font()).pixelSize()
                sizes.append((px, item.text))
            elif (
                isinstance(item, QGraphicsTextItem)
                and not isinstance(item.parentItem(), pg.LabelItem)  # sized by its html
                and item.toPlainText().strip()
            ):
                sizes.append((QFontInfo(item.font()).pixelSize(), item.toPlainText()))
    return sizes


def test_the_smallest_text_while_presenting_is_at_least_18_px(window, qtbot):
    window.resize(1024, 768)
    window.presentation.enter()
    settle(qtbot)
    window.views["jacobian"].flush()
    sizes = text_sizes_px(window)
    assert len(sizes) > 20
    smallest = min(sizes, key=lambda s: s[0])
    assert smallest[0] >= 18, smallest
    window.presentation.leave()
    settle(qtbot)
    assert min(s for s, _ in text_sizes_px(window)) < 18  # the window's own sizes again


def test_the_scale_is_a_setting_and_present_is_an_option(window):
    window.presentation.set_scale(2.0)
    assert window.presentation.scale() == 2.0
    again = MainWindow(Session(), settings=window.settings)
    assert again.presentation.scale() == 2.0
    again.file_actions.modified = False
    again.deleteLater()
    assert window_parser().parse_args(["--present"]).present
    assert not window_parser().parse_args([]).present


@pytest.mark.parametrize("width", [2, 3, 4])
def test_a_wide_curve_pen_draws_no_stray_lines(qtbot, width):
    """Presentation mode's wider pens: the curve's spare (NaN) segment rows once came out
    as long horizontal lines through Qt's stroker."""
    import numpy as np

    from explorer.views.items.history_curve import HistoryCurve

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.setBackground("w")
    curve = HistoryCurve(pg.mkPen((0, 0, 255), width=width))
    plot.addItem(curve)
    plot.setXRange(0, 49, padding=0)
    plot.setYRange(0, 1, padding=0)
    plot.show()
    qtbot.waitExposed(plot)
    x = np.arange(50.0)
    y = 1.0 - x / 49.0
    for n in (10, 30, 50):  # the history grows, as while training
        curve.setData(x[:n], y[:n])
        QApplication.processEvents()
    image = plot.grab().toImage()
    vb = plot.getViewBox()
    blue = 0
    for px in range(0, image.width(), 2):
        for py in range(0, image.height(), 2):
            c = image.pixelColor(px, py)
            if c.blue() > 200 and c.red() < 80 and c.green() < 80:
                scene = plot.mapToScene(px, py)
                data = vb.mapSceneToView(scene)
                # far from the line y = 1 - x/49
                if abs(data.y() - (1.0 - data.x() / 49.0)) > 0.15:
                    blue += 1
    assert blue == 0


def test_no_plot_is_laid_out_wider_than_its_view_while_presenting(window, qtbot):
    # A scaled title longer than its plot pinned its width as the plot's minimum: the
    # bars' detail plot was 578 px in a 459 px view, its last class cut off.
    window.resize(1024, 768)
    window.presentation.enter()
    settle(qtbot)
    checked = 0
    for view_id, view in window.views.items():
        graphics = getattr(view, "graphics", None)
        if not isinstance(graphics, pg.GraphicsLayoutWidget) or not view.isVisible():
            continue
        checked += 1
        assert graphics.ci.boundingRect().width() <= graphics.width() + 1, view_id
    assert checked >= 3
