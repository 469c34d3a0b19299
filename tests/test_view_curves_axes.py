"""The curves draw exactly the history at the size they are shown, their step axis ends at
the last step, the loss axis can be logarithmic, and axis titles keep clear of the ticks."""

import numpy as np
import pytest
from PyQt6.QtGui import QImage, QPainter
from PyQt6.QtWidgets import QApplication

from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.curves import CurvesView


@pytest.fixture
def make_view(qtbot):
    def make(steps=0, size=(1300, 220), config=None):
        session = Session(config or Config(samples=120, dataset="blobs", features="identity"))
        session.step(steps)
        view = CurvesView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        QApplication.processEvents()
        return view, session

    return make


def test_a_view_built_on_a_long_history_draws_every_step(make_view):
    """Built on a 300-step history before it was laid out, the view decimated for its
    first, tiny width and kept that: the curves started at step 7, ended at 287 and drew
    min/max ramps that never happened."""
    view, session = make_view(steps=300)
    m = session.metrics
    for name, curve in view.curves.items():
        x, y = curve.getData()
        np.testing.assert_array_equal(x, np.arange(301))
        np.testing.assert_array_equal(y, getattr(m, name))


def test_a_resize_redecimates(make_view, qtbot):
    view, _session = make_view(steps=3000, size=(1300, 220))
    wide = view.curves["train_loss"].opts["downsample"]
    view.resize(500, 220)
    qtbot.waitUntil(lambda: view.curves["train_loss"].opts["downsample"] > wide, timeout=2000)
    pixels = view.loss_plot.getViewBox().width()
    ds = view.curves["train_loss"].opts["downsample"]
    assert ds == max(1, int(view._x_top * 1.04 / (pixels * 0.5)))


def test_the_step_axis_ends_at_the_last_step_once_training_stops(make_view, qtbot):
    view, session = make_view(steps=0)
    session.step(1000)
    (_, x1), _ = view.loss_plot.getViewBox().viewRange()
    assert x1 >= 1000
    view.export_widget()  # an export settles at once
    (_x0, x1), _ = view.loss_plot.getViewBox().viewRange()
    assert x1 == pytest.approx(1000 * 1.02, rel=0.01)
    session.step(50)
    qtbot.waitUntil(
        lambda: (
            view.loss_plot.getViewBox().viewRange()[0][1] == pytest.approx(1050 * 1.02, rel=0.01)
        ),
        timeout=3000,
    )


def test_the_loss_axis_can_be_logarithmic(make_view):
    view, session = make_view(steps=200)
    m = session.metrics
    view.log_box.setChecked(True)
    assert view.log_loss and view.loss_plot.getAxis("left").logMode
    for name in ("train_loss", "test_loss"):
        _x, y = view.curves[name].getData()
        np.testing.assert_allclose(y, np.log10(getattr(m, name)), rtol=0, atol=1e-12)
    for name in ("train_acc", "test_acc"):
        np.testing.assert_array_equal(view.curves[name].getData()[1], getattr(m, name))
    _, (y0, y1) = view.loss_plot.getViewBox().viewRange()
    lo = np.log10(min(m.train_loss.min(), m.test_loss.min()))
    hi = np.log10(max(m.train_loss.max(), m.test_loss.max()))
    assert y0 <= lo and hi <= y1 and y1 - y0 <= (hi - lo) + 2.2  # whole decades around them
    session.step(5)  # the log curve grows with the history
    m = session.metrics
    np.testing.assert_allclose(
        view.curves["train_loss"].getData()[1], np.log10(m.train_loss), rtol=0, atol=1e-12
    )
    view.set_log_loss(False)
    assert not view.log_box.isChecked()
    np.testing.assert_array_equal(view.curves["train_loss"].getData()[1], m.train_loss)


def test_one_spike_does_not_flatten_the_log_history(make_view):
    """Weights edited to −40 times themselves make the loss jump a hundredfold; on the
    linear axis the training before it is squeezed into the bottom of the plot, on the
    log axis it keeps a good share of the height."""
    view, session = make_view(steps=100)
    session.set_params(session.W * -40.0, session.b)
    session.step(100)
    loss = session.metrics.train_loss
    assert loss[100] > 20 * loss[:100].max()
    rest = loss[:100]
    _, (y0, y1) = view.loss_plot.getViewBox().viewRange()
    assert (rest.max() - rest.min()) / (y1 - y0) < 0.02
    view.log_box.setChecked(True)
    _, (y0, y1) = view.loss_plot.getViewBox().viewRange()
    assert (np.log10(rest.max()) - np.log10(rest.min())) / (y1 - y0) > 0.2


def text_rects(axis):
    """Scene rectangles of the axis's tick labels."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [axis.mapRectToScene(rect) for rect, _, _ in texts]


@pytest.mark.parametrize("log", [False, True])
def test_axis_titles_keep_clear_of_the_tick_labels(make_view, log):
    view, _ = make_view(steps=30)
    view.set_log_loss(log)
    view.graphics.grab()
    for plot in (view.loss_plot, view.acc_plot):
        axis = plot.getAxis("left")
        title = axis.label.mapRectToScene(axis.label.boundingRect())
        margin = axis.label.document().documentMargin()
        glyphs_right = title.right() - margin
        lefts = [r.left() for r in text_rects(axis)]
        assert lefts
        assert glyphs_right + 2 <= min(lefts), (plot is view.acc_plot, glyphs_right, min(lefts))


@pytest.mark.parametrize("size", [(1300, 220), (500, 160)])
def test_the_log_box_covers_no_plot_and_no_tick_label(make_view, size):
    view, _ = make_view(steps=40, size=size)
    view.graphics.grab()
    box = view.log_box.geometry()
    assert view.log_box.isVisible() and view.graphics.rect().contains(box)
    for plot in (view.loss_plot, view.acc_plot):
        area = view.graphics.mapFromScene(plot.getViewBox().sceneBoundingRect()).boundingRect()
        assert not box.intersects(area)
        for axis in (plot.getAxis("left"), plot.getAxis("bottom")):
            for rect in text_rects(axis):
                label = view.graphics.mapFromScene(rect).boundingRect()
                assert not box.intersects(label), (axis.orientation, label, box)


def test_the_step_axis_settles_after_a_theme_change_too(make_view, qtbot):
    from explorer.views.palette import DARK

    view, _ = make_view(steps=48)
    view.settle()
    view.set_theme(DARK)  # a rebuild re-ranges the axis lazily ...
    qtbot.waitUntil(  # ... and it settles again at the last step
        lambda: view.loss_plot.getViewBox().viewRange()[0][1] == pytest.approx(48 * 1.02, rel=0.01),
        timeout=3000,
    )


def test_exports_from_the_window_end_the_step_axis_at_the_last_step(qtbot, tmp_path):
    """The export dialog's curves (the axis ran to 165k for 100k steps) at once, and the
    whole window once training has paused for a moment (a flush, as every view of the
    benchmark gets every frame, does not re-range: that would repaint the curves whole
    at every step)."""
    from explorer.app.export_dialog import widget_for
    from explorer.app.main_window import MainWindow
    from explorer.export.image import render_image
    from explorer.views.curves import SETTLE_MS

    session = Session(Config(samples=60, dataset="blobs", features="identity"))
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    try:
        curves = window.views["curves"]

        def right():
            return curves.loss_plot.getViewBox().viewRange()[0][1]

        session.step(700)
        assert right() > 750  # lazily grown
        curves.flush()
        assert right() > 750
        render_image(widget_for(window, "curves"), 1)
        assert right() == pytest.approx(700 * 1.02, rel=0.01)
        session.step(300)
        assert right() > 1050
        qtbot.wait(SETTLE_MS + 300)
        render_image(window, 1)
        assert right() == pytest.approx(1000 * 1.02, rel=0.01)
    finally:
        window.file_actions.modified = False  # leave without the unsaved-session question
        window.close()
