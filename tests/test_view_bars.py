"""The p − y bars hold exactly the session's numbers; clicking a bar selects its sample."""

import numpy as np
import pyqtgraph as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PyQt6.QtCore import QPointF, Qt

from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.bars import BarsView
from explorer.views.items.pyqtgraph_private import bar_data_bounds, bar_rects
from explorer.views.palette import DARK
from tests.view_tools import show_view


@pytest.fixture
def make_view(qtbot):
    made = []  # held until teardown (tests/view_tools.show_view says why)

    def make(**config):
        session = Session(Config(**{"samples": 150, **config}))
        return show_view(qtbot, BarsView, session, (500, 400), made), session

    yield make


def drawn(items):
    """Heights held by a list of per-class BarGraphItems, and their x0 positions."""
    xs = np.concatenate([np.asarray(item.opts["x0"]) for item in items])
    hs = np.concatenate([np.asarray(item.opts["height"]) for item in items])
    order = np.argsort(xs)
    return xs[order], hs[order]


def click_bar(qtbot, view, b, y=-0.5):
    """Left-click the centre of drawn bar ``b`` of the top plot with the mouse."""
    vb = view.top.getViewBox()
    scene = vb.mapViewToScene(QPointF(b + 0.5, y))
    pos = view.graphics.mapFromScene(scene)
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_bar_heights_are_p_minus_y_after_a_step(make_view):
    view, session = make_view()
    session.step(3)
    true_error = session.train_true_error()
    np.testing.assert_array_equal(view.bar_order, np.arange(len(true_error)))
    np.testing.assert_array_equal(view.bar_heights, true_error)
    np.testing.assert_array_equal(view.bar_samples, session.data.train_index)
    assert view.bin_size == 1
    xs, hs = drawn(view.down_items)
    np.testing.assert_array_equal(xs, np.arange(len(true_error)))
    np.testing.assert_array_equal(hs, true_error)
    # Each class's item holds only that class's samples, in one colour.
    labels = session.data.y[session.data.train_index]
    for c, item in enumerate(view.down_items):
        assert item.opts["brushes"] is None
        np.testing.assert_array_equal(item.opts["x0"], np.flatnonzero(labels == c))


def test_sorted_by_loss_worst_first(make_view):
    view, session = make_view()
    session.step(4)
    view.set_sort("loss")
    loss = session.train_sample_loss()
    order = np.argsort(-loss, kind="stable")
    np.testing.assert_array_equal(view.bar_order, order)
    np.testing.assert_array_equal(view.bar_heights, session.train_true_error()[order])
    assert np.all(np.diff(loss[view.bar_order]) <= 0)
    session.step(1)
    order = np.argsort(-session.train_sample_loss(), kind="stable")
    np.testing.assert_array_equal(view.bar_order, order)
    assert view.sort_combo.currentData() == "loss"
    view.sort_combo.setCurrentIndex(view.sort_combo.findData("index"))
    assert view.sort == "index"
    np.testing.assert_array_equal(view.bar_heights, session.train_true_error())


def test_max_wrong_toggle(make_view):
    view, session = make_view()
    session.step(2)
    view.set_sort("loss")
    view.wrong_check.setChecked(True)
    assert view.show_max_wrong
    np.testing.assert_array_equal(view.max_wrong_heights, session.train_max_wrong()[view.bar_order])
    _, hs = drawn(view.up_items)
    np.testing.assert_array_equal(hs, view.max_wrong_heights)
    assert np.all((hs >= 0) & (hs <= 1))
    view.set_show_max_wrong(False)
    assert not view.wrong_check.isChecked()
    assert view.max_wrong_heights is None
    assert drawn(view.up_items)[0].size == 0


def test_detail_shows_p_y_and_p_minus_y_of_the_selected_sample(make_view):
    view, session = make_view(label_smoothing=0.1)
    session.step(3)
    assert view.detail_values == {}
    session.select(4)
    d = session.sample_detail(4)
    assert view.detail_index == 4
    np.testing.assert_array_equal(view.detail_values["p"], d.p)
    np.testing.assert_array_equal(view.detail_values["y"], d.y)
    np.testing.assert_array_equal(view.detail_values["p − y"], d.dz)
    np.testing.assert_allclose(view.detail_values["p − y"], d.p - d.y, atol=1e-15)
    assert view.detail_values["y"].max() < 1.0  # smoothed target
    for name, item in view.detail_items.items():
        np.testing.assert_array_equal(item.opts["height"], view.detail_values[name])
    session.select(None)
    assert view.detail_values == {}


def test_clicking_a_bar_selects_that_sample(make_view, qtbot):
    view, session = make_view()
    session.step(2)
    view.set_sort("loss")
    click_bar(qtbot, view, 0)
    assert session.selected == int(view.bar_samples[0])
    click_bar(qtbot, view, 10)
    assert session.selected == int(view.bar_samples[10])
    assert view.highlight.isVisible()
    assert view.highlight.value() == pytest.approx(10.5)
    assert view.detail_index == session.selected


def test_binning_at_large_n_still_selects_a_real_sample(make_view, qtbot):
    view, session = make_view(samples=20000)
    session.step(1)
    n = len(session.data.train_index)
    pixels = int(view.top.getViewBox().width())
    assert view.bin_size > 1
    assert len(view.drawn_samples) <= pixels
    # The full per-sample heights are still exact; each drawn bar is its bin's worst sample.
    np.testing.assert_array_equal(view.bar_heights, session.train_true_error())
    size = view.bin_size
    for b in (0, 7, len(view.drawn_samples) - 1):
        chunk = view.bar_heights[b * size : (b + 1) * size]
        assert view.drawn_heights[b] == chunk.min()
        assert view.drawn_samples[b] in view.bar_samples[b * size : (b + 1) * size]
    _, hs = drawn(view.down_items)
    np.testing.assert_array_equal(hs, view.drawn_heights)
    click_bar(qtbot, view, 5)
    i = session.selected
    assert i == int(view.drawn_samples[5])
    assert i in set(session.data.train_index.tolist())
    position = int(np.flatnonzero(view.bar_samples == i)[0])
    assert view.bar_heights[position] == view.drawn_heights[5]
    assert n > pixels


def test_clicking_an_upward_bar_selects_the_most_confused_sample(make_view, qtbot):
    view, session = make_view(samples=5000)
    session.step(1)
    view.set_show_max_wrong(True)
    assert view.bin_size > 1
    click_bar(qtbot, view, 3, y=0.01)
    assert session.selected == int(view.drawn_up_samples[3])


def test_no_nan_with_extreme_parameters_and_themes(make_view):
    view, session = make_view(classes=10)
    session.set_params(session.W * 1e4, session.b)
    view.set_show_max_wrong(True)
    view.set_sort("loss")
    session.select(0)
    for values in (view.bar_heights, view.max_wrong_heights, *view.detail_values.values()):
        assert np.all(np.isfinite(values))
    view.set_theme(DARK)
    np.testing.assert_array_equal(view.bar_heights, session.train_true_error()[view.bar_order])


def test_class_change_rebuilds_items(make_view):
    view, session = make_view(classes=3)
    session.configure(session.config.replace(classes=6))
    assert len(view.down_items) == 6
    np.testing.assert_array_equal(view.bar_heights, session.train_true_error())
    ticks = view.detail_axis._tickLevels[0]
    assert [name for _, name in ticks] == list(session.data.class_names)


def test_bars_item_draws_like_pyqtgraph_after_shrinking_and_keeps_one_array(qtbot):
    """Fewer bars than before: same pixels as a fresh BarGraphItem, no new sip array."""
    import pyqtgraph as pg

    from explorer.views.items.bars_item import BarsItem

    widgets = []
    images = []
    for cls in (BarsItem, pg.BarGraphItem):
        plot = pg.PlotWidget()
        qtbot.addWidget(plot)
        widgets.append(plot)
        plot.resize(300, 200)
        plot.setRange(xRange=(0, 40), yRange=(-1, 0.1), padding=0)
        kw = dict(width=1.0, pen=pg.mkPen(None), brush=pg.mkBrush((200, 30, 30)))
        item = cls(x0=np.arange(40.0), height=-np.linspace(0.1, 1, 40), **kw)
        plot.addItem(item)
        plot.grab()
        if cls is BarsItem:
            array = bar_rects(item).drawargs()[0]
        item.setOpts(x0=np.arange(0.0, 40.0, 3.0), height=-np.linspace(0.2, 0.9, 14))
        if cls is BarsItem:
            assert bar_rects(item).drawargs()[0] is array
            assert len(bar_rects(item)) == 14
        else:
            item = cls(x0=np.arange(0.0, 40.0, 3.0), height=-np.linspace(0.2, 0.9, 14), **kw)
            plot.clear()
            plot.addItem(item)
        images.append(plot.grab().toImage())
    assert images[0] == images[1]


def test_few_wide_bars_stand_apart_many_touch(qtbot, show_view):
    from explorer.session.config import Config
    from explorer.session.session import Session
    from explorer.views.bars import BarsView
    from explorer.views.items.sample_bars import BAR_GAP

    views = []
    for config, gapped in ((Config(dataset="cs231n"), True), (Config(samples=2000), False)):
        view = show_view(BarsView(Session(config)), 600, 400)
        views.append(view)
        view.session.step(2)
        view.refresh(Change.PARAMS)
        labels = view.session.data.y[view.drawn_samples]
        for c, item in enumerate(view.down_items):
            slots = np.flatnonzero(labels == c)
            x0 = np.asarray(item.opts["x0"])
            if gapped:
                np.testing.assert_allclose(x0, slots + BAR_GAP)
                assert item.opts["width"] == pytest.approx(1 - 2 * BAR_GAP)
            else:
                np.testing.assert_array_equal(x0, slots)
                assert item.opts["width"] == 1.0


def _lines(rules):
    """``[(x0, y0, x1, y1), ...]`` of a HorizontalRules path (move-to, line-to pairs)."""
    path = rules.path()
    points = [(path.elementAt(k).x, path.elementAt(k).y) for k in range(path.elementCount())]
    return [(*a, *b) for a, b in zip(points[::2], points[1::2], strict=True)]


def test_reference_lines_span_the_plots_at_zero_and_the_grid(make_view):
    view, session = make_view(classes=4)
    session.step(1)
    bars = len(view.drawn_samples)
    zero_top, zero_bottom = view.zero_lines
    grid_top, grid_bottom = view.grid_lines
    assert _lines(zero_top) == [(0.0, 0.0, bars, 0.0)]
    assert _lines(grid_top) == [(0.0, y, bars, y) for y in (-1.0, -0.5, 0.5, 1.0)]
    assert _lines(zero_bottom) == [(-0.6, 0.0, 3.6, 0.0)]
    assert _lines(grid_bottom) == [(-0.6, y, 3.6, y) for y in (-1.0, -0.5, 0.5, 1.0)]
    for rules in (zero_top, grid_top):
        assert rules.parentItem() is view.top.getViewBox().childGroup
    assert view.grid_lines[0].pen().style() == Qt.PenStyle.DotLine


def test_markers_and_empty_items_are_hidden_until_they_have_something(make_view):
    view, session = make_view(classes=3)
    assert not view.highlight_marker.isVisible() and not view.highlight_bar.isVisible()
    assert not any(item.isVisible() for item in view.detail_items.values())
    assert not any(item.isVisible() for item in view.up_items)  # max-wrong bars are off
    assert all(item.isVisible() for item in view.down_items)
    session.select(int(session.data.train_index[0]))
    assert view.highlight_marker.isVisible() and view.highlight_bar.isVisible()
    assert all(item.isVisible() for item in view.detail_items.values())
    session.select(None)
    assert not view.highlight_marker.isVisible() and not view.highlight_bar.isVisible()
    assert not any(item.isVisible() for item in view.detail_items.values())


def test_the_highlight_follows_its_sample_when_the_order_changes(make_view):
    view, session = make_view(classes=3, lr=2.0)
    view.set_sort("loss")
    i = int(session.data.train_index[7])
    session.select(i)
    seen = set()
    for _ in range(12):
        session.step(1)
        b = int(np.flatnonzero(view.bar_samples == i)[0]) // view.bin_size
        seen.add(b)
        assert view.highlight.value() == b + 0.5
        x, _ = view.highlight_marker.getData()
        assert list(x) == [b + 0.5]
    assert len(seen) > 1  # the sample did move along the sorted bars


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1.0, 1.0, width=32), min_size=0, max_size=40),
    st.sampled_from([1.0, 0.8, 0.37]),
    st.sampled_from([np.float32, np.float64]),
)
def test_set_bars_makes_exactly_the_rects_and_bounds_of_set_opts(heights, width, dtype):
    from explorer.views.items.bars_item import BarsItem

    h = np.array(heights, dtype=dtype)
    x0 = np.arange(len(h), dtype=np.float64) * 1.5 + 0.1
    fast, slow = (
        BarsItem(x0=np.zeros(0), height=np.zeros(0), width=1.0),
        pg.BarGraphItem(x0=np.zeros(0), height=np.zeros(0), width=1.0),
    )
    fast.set_bars(x0, h, width)
    slow.setOpts(x0=x0, height=h, width=width)
    np.testing.assert_array_equal(bar_rects(fast).ndarray(), bar_rects(slow).ndarray())
    assert bar_data_bounds(fast) == bar_data_bounds(slow)
    assert fast.opts["width"] == width and fast.opts["height"] is not None


@pytest.mark.parametrize("show_max_wrong", [False, True])
def test_long_titles_never_push_the_plots_out_of_a_narrow_dock(qtbot, show_view, show_max_wrong):
    view = show_view(BarsView(Session(Config(classes=10, samples=20000))), 360, 300)
    view.set_show_max_wrong(show_max_wrong)
    view.session.select(int(view.session.data.train_index[0]))
    view.refresh(Change.PARAMS)
    qtbot.wait(50)
    width = view.graphics.viewport().width()
    for plot in (view.top, view.bottom):
        right = view.graphics.mapFromScene(plot.sceneBoundingRect().topRight()).x()
        assert right <= width + 1, (plot, right, width)
    assert view.bin_size > 1
    assert f"worst of {view.bin_size}" in view.top.getAxis("bottom").labelText


def test_bars_with_a_span_keep_one_bounding_rect_that_holds_every_bar():
    from explorer.views.items.bars_item import BarsItem

    item = BarsItem(x0=np.zeros(0), height=np.zeros(0), width=1.0)
    rng = np.random.default_rng(3)
    x0 = np.arange(30, dtype=np.float64) + 0.1
    rects = []
    for _ in range(5):
        item.set_bars(x0, -rng.random(30), 0.8, span=30.0)
        rects.append(item.boundingRect())
        bars = bar_rects(item).ndarray()
        bound = rects[-1]
        assert bound.left() <= bars[:, 0].min() and bound.right() >= (bars[:, 0] + bars[:, 2]).max()
        assert bound.top() <= bars[:, 1].min() and bound.bottom() >= (bars[:, 1] + bars[:, 3]).max()
    assert all(r == rects[0] for r in rects)  # new heights: no geometry change
    item.set_bars(x0, np.full(30, 1.5), 0.8, span=30.0)  # beyond [−1, 1]: the rect grows
    assert item.boundingRect().bottom() >= 1.5
    item.setOpts(x0=x0, height=np.full(30, -0.5), width=0.8)  # back to pyqtgraph's bounds
    assert item.boundingRect().bottom() < 0.5


def test_bars_on_screen_match_a_full_repaint_after_training_frames(make_view, qtbot):
    """Bars repaint inside their fixed bounds: the window's pixels (its backing store)
    stay those of a full repaint, in data order and sorted by loss."""
    from PyQt6.QtWidgets import QApplication

    from explorer.export.gif import qimage_to_rgb

    view, session = make_view()
    app = QApplication.instance()

    for sort in ("index", "loss"):
        view.set_sort(sort)
        for _ in range(15):
            session.step(1)
            app.processEvents()
        live = qimage_to_rgb(app.primaryScreen().grabWindow(view.winId()).toImage())
        whole = qimage_to_rgb(view.grab().toImage())
        assert live.shape == whole.shape
        assert (live != whole).sum() == 0, sort


@pytest.mark.parametrize("height, densest", [(900, True), (230, False)])
def test_y_tick_labels_never_crowd_a_short_plot(make_view, qtbot, height, densest):
    """Each y axis shows the densest tick set whose neighbouring labels are at least
    LABEL_ROOM line heights apart; a tall view gets the densest set."""
    from PyQt6.QtGui import QFont, QFontMetricsF

    from explorer.views.items.axes import LABEL_ROOM
    from explorer.views.items.detail_bars import BOTH_SIDES_TICKS
    from explorer.views.items.signal_texts import UNIT_TICKS

    view, _ = make_view()
    view.resize(500, height)
    qtbot.wait(20)
    view.graphics.grab()
    all_choices = (UNIT_TICKS, BOTH_SIDES_TICKS)
    for fitter, choices in zip(view.tick_fitters, all_choices, strict=True):
        axis = fitter.axis
        values = [v for v, _ in axis._tickLevels[0]]
        assert tuple(values) == fitter.values and fitter.values in choices
        vb = axis.linkedView()
        (_, _), (y0, y1) = vb.viewRange()
        pixels = [v * vb.height() / (y1 - y0) for v in values]
        line = QFontMetricsF(axis.style["tickFont"] or QFont()).height()
        gaps = np.abs(np.diff(pixels))
        assert np.all(gaps >= LABEL_ROOM * line - 1e-9)
        assert (fitter.values == choices[0]) == densest


def test_training_steps_draw_the_selection_marker_from_its_cache(make_view, monkeypatch):
    """The bars around the selected sample's marker repaint at every step; the marker,
    which stays put, is painted once and then drawn from its cached pixmap."""
    view, session = make_view(classes=3)
    painted = []
    original = pg.ScatterPlotItem.paint

    def counting(item, *args):
        if item is view.highlight_marker:
            painted.append(session.step_index)
        return original(item, *args)

    monkeypatch.setattr(pg.ScatterPlotItem, "paint", counting)
    session.select(int(session.data.train_index[0]))
    view.graphics.grab()
    assert painted == [0]
    session.step(3)
    view.graphics.grab()
    assert painted == [0]
    assert view.highlight_marker.isVisible() and len(view.highlight_marker.getData()[0]) == 1


def test_the_detail_titles_loss_follows_at_most_every_interval(make_view, monkeypatch, qtbot):
    """A read-out like the status bar's: a new sample is titled at once; while it stays
    selected, a new loss waits out TITLE_INTERVAL_S (a timer brings it), and an export's
    flush() shows it at once."""
    from explorer.views import qt_helpers
    from explorer.views.items import detail_bars

    clock = [100.0]
    monkeypatch.setattr(qt_helpers.time, "monotonic", lambda: clock[0])
    view, session = make_view(classes=3, dataset="blobs", features="identity")
    first, second = (int(k) for k in session.data.train_index[:2])

    def loss_text(i):
        return f"loss {qt_helpers.typographic_minus(f'{float(session.sample_detail(i).loss):.3g}')}"

    def title():
        return view.bottom.titleLabel.text

    session.select(first)
    assert f"#{first} " in title() and loss_text(first) in title()
    shown = title()
    session.step(5)
    assert loss_text(first) not in shown  # the loss moved ...
    assert title() == shown  # ... and waits out the interval
    view.flush()
    assert loss_text(first) in title()
    clock[0] += 0.5 * detail_bars.TITLE_INTERVAL_S
    session.step(5)
    assert loss_text(first) not in title()
    qtbot.waitUntil(lambda: loss_text(first) in title(), timeout=2000)  # the timer's
    clock[0] += 0.5 * detail_bars.TITLE_INTERVAL_S
    session.select(second)  # another sample: at once, though within the interval
    assert f"#{second} " in title() and loss_text(second) in title()
    clock[0] += 2 * detail_bars.TITLE_INTERVAL_S
    session.step(5)  # the interval is over: at once
    assert loss_text(second) in title()
