"""The Jacobian view holds exactly the session's softmax Jacobian for each source."""

import numpy as np
import pytest

from explorer.core import softmax_jacobian
from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.jacobian import J_LIMIT, JacobianView, format_value
from explorer.views.palette import DARK


@pytest.fixture
def make_view(qtbot):
    # Hold the views until teardown: otherwise, once the test returns, a view is reachable
    # only through its view <-> session cycle and the garbage collector can destroy it
    # while pytest-qt is still painting it (segfault).
    made = []

    def make(**config):
        session = Session(Config(**{"samples": 120, **config}))
        view = JacobianView(session)
        qtbot.addWidget(view)
        view.resize(500, 400)
        session.changed.connect(view.refresh)
        made.append(view)
        return view, session

    yield make


def float64_jacobian(session, i):
    """Recompute one sample's J from W, b and its features, in float64, without the core."""
    W = session.W.astype(np.float64)
    b = session.b.astype(np.float64)
    phi = session.feature_map.transform(session.data.X[:, i : i + 1], dtype=np.float64)[:, 0]
    z = (W @ phi + b) / session.temperature
    e = np.exp(z - z.max())
    p = e / e.sum()
    return np.diag(p) - np.outer(p, p)


def test_selected_sample_shows_its_exact_jacobian(make_view):
    view, session = make_view()
    session.step(5)
    i = int(session.data.train_index[7])
    session.select(i)
    detail = session.sample_detail(i)
    assert view.matrix.dtype == np.float64
    np.testing.assert_array_equal(view.matrix, softmax_jacobian(detail.p))
    np.testing.assert_allclose(view.matrix, float64_jacobian(session, i), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(view.image.image, view.matrix)
    name = session.data.class_names[detail.label]
    assert view.source_title == f"J for sample #{i} (class {name})"
    assert view.shown == "sample"


def test_selection_follows_steps_and_test_samples(make_view):
    view, session = make_view()
    i = int(session.data.test_index[0])
    session.select(i)
    session.step(3)
    np.testing.assert_array_equal(view.matrix, session.sample_detail(i).J)
    assert view.source_title.startswith(f"J for test sample #{i}")


def test_without_selection_the_batch_mean_is_shown_and_said(make_view):
    view, session = make_view()
    session.step(2)
    assert session.selected is None
    np.testing.assert_array_equal(view.matrix, session.mean_jacobian())
    assert view.source_title == "mean J (none selected)"


def test_batch_source_is_the_mean_of_per_sample_jacobians(make_view):
    view, session = make_view()
    session.step(4)
    session.select(3)
    view.set_source("batch")
    assert view.shown == "batch"
    np.testing.assert_array_equal(view.matrix, session.mean_jacobian())
    per_sample = [float64_jacobian(session, int(i)) for i in session.data.train_index]
    np.testing.assert_allclose(view.matrix, np.mean(per_sample, axis=0), rtol=0, atol=1e-6)
    assert view.source_title == f"mean J of {len(per_sample)} training samples"
    assert view.source_combo.currentData() == "batch"


def test_hover_source_uses_the_point_then_falls_back(make_view):
    view, session = make_view()
    session.step(3)
    session.select(5)
    view.set_source("hover")
    view.set_hover_point(np.array([0.31, -1.2]))
    assert view.shown == "point"
    np.testing.assert_array_equal(view.matrix, session.point_detail(np.array([0.31, -1.2])).J)
    assert view.source_title == "J at cursor (0.31, −1.2)"
    view.set_hover_point(None)
    assert view.shown == "sample"
    np.testing.assert_array_equal(view.matrix, session.sample_detail(5).J)


def test_hover_is_ignored_by_the_other_sources(make_view):
    view, session = make_view()
    session.select(2)
    view.set_hover_point((1.0, 1.0))
    assert view.shown == "sample"
    np.testing.assert_array_equal(view.matrix, session.sample_detail(2).J)


def test_combo_box_and_set_source_agree(make_view):
    view, _ = make_view()
    view.source_combo.setCurrentIndex(view.source_combo.findData("batch"))
    assert view.source == "batch"
    view.set_source("hover")
    assert view.source_combo.currentData() == "hover"
    with pytest.raises(ValueError):
        view.set_source("nonsense")


def test_cell_values_written_up_to_eight_classes(make_view):
    view, session = make_view(classes=4)
    session.step(2)
    session.select(0)
    assert len(view.cell_texts.texts) == 16
    for text, v in zip(view.cell_texts.texts, view.matrix.ravel(), strict=True):
        assert text == format_value(float(v))
    big, _ = make_view(classes=10)
    assert big.matrix.shape == (10, 10)
    assert big.cell_texts is None


def test_jacobian_properties_and_no_nan_with_extreme_parameters(make_view):
    view, session = make_view()
    session.set_params(session.W * 1e3, session.b)
    session.select(1)
    for source in ("selected", "batch", "hover"):
        view.set_source(source)
        view.set_hover_point((1e4, -1e4))
        m = view.matrix
        assert np.all(np.isfinite(m))
        assert np.all(np.abs(m) <= J_LIMIT)
        np.testing.assert_allclose(m, m.T)
        np.testing.assert_allclose(m.sum(axis=1), 0.0, atol=1e-12)
    assert "nan" not in "".join(view.cell_texts.texts).lower()


def test_class_change_rebuilds_labels(make_view):
    view, session = make_view(classes=3)
    session.configure(session.config.replace(classes=5))
    assert view.matrix.shape == (5, 5)
    assert len(view.cell_texts.texts) == 25
    ticks = view.left_axis._tickLevels[0]
    assert [name for _, name in ticks] == list(session.data.class_names)


def test_theme_switch_keeps_matrix(make_view):
    view, session = make_view()
    session.select(0)
    before = view.matrix.copy()
    view.set_theme(DARK)
    np.testing.assert_array_equal(view.matrix, before)


def test_a_long_title_does_not_force_the_width(make_view):
    view, session = make_view()
    session.select(int(session.data.test_index[-1]))
    assert view.source_title.startswith("J for test sample #")
    view.layout().activate()
    narrow = view.minimumSizeHint().width()
    view.title_label.setText("J for test sample #" + "9" * 200)
    view.layout().activate()  # recompute the cached minimum
    assert view.title_label.sizeHint().width() > 3 * narrow
    assert view.minimumSizeHint().width() == narrow


def test_batch_title_tooltip_says_how_many_samples_are_averaged(qtbot):
    from explorer.session.config import Config
    from explorer.session.session import Session
    from explorer.views.jacobian import JacobianView

    view = JacobianView(Session(Config(samples=90)))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    n = len(view.session.data.train_index)
    assert view.source_title == "mean J (none selected)"
    assert f"over the {n} training samples" in view.title_label.toolTip()
    view.session.select(int(view.session.data.train_index[0]))
    view.refresh(Change.SELECTION)
    assert view.source_title.startswith("J for sample #")
    assert view.title_label.toolTip() == "Which Jacobian is shown"


def _pixels(widget):
    from explorer.export.gif import qimage_to_rgb

    return qimage_to_rgb(widget.grab().toImage())


def test_cell_texts_are_painted_centred_in_their_own_cells(make_view, qtbot):
    from PyQt6.QtCore import QPointF

    view, _ = make_view(classes=3)
    view.show()
    qtbot.waitExposed(view)
    item = view.cell_texts
    item.set_values(["0.5"] * 9, [False] * 9)
    with_text = _pixels(view.graphics)
    item.set_values([""] * 9, [False] * 9)
    blank = _pixels(view.graphics)
    ys, xs = np.nonzero((with_text != blank).any(axis=2))
    assert len(xs) > 0
    ratio = view.graphics.devicePixelRatioF()
    for j in range(3):
        for k in range(3):
            centre = view.graphics.mapFromScene(item.mapToScene(QPointF(k + 0.5, j + 0.5)))
            corner = view.graphics.mapFromScene(item.mapToScene(QPointF(k, j)))
            half = abs(centre.x() - corner.x()) * ratio
            cx, cy = centre.x() * ratio, centre.y() * ratio
            inside = (np.abs(xs - cx) < half) & (np.abs(ys - cy) < half)
            assert inside.any(), (j, k)  # something drawn in each cell ...
            assert abs(xs[inside].mean() - cx) < 3 and abs(ys[inside].mean() - cy) < 4
    with pytest.raises(ValueError):
        item.set_values(["1"] * 8, [False] * 8)


def test_above_eight_classes_the_batch_colours_come_from_float32_with_the_same_cells(make_view):
    """No values are written above MAX_CLASSES_WITH_VALUES: the colours use the float32
    mean J, and every cell gets the same colour as the exact matrix would give it."""
    from explorer.views.jacobian import MAX_CLASSES_WITH_VALUES

    view, session = make_view(classes=10, samples=2000)
    assert MAX_CLASSES_WITH_VALUES < 10 and view.cell_texts is None
    session.step(4)
    np.testing.assert_array_equal(view.matrix, session.mean_jacobian(exact=False))
    n = len(view.image._table())

    def colour_index(J):
        return np.clip((J - -J_LIMIT) * (n / (2 * J_LIMIT)), 0, n - 1).astype(int)

    np.testing.assert_array_equal(
        colour_index(view.matrix), colour_index(session.mean_jacobian(exact=True))
    )
    small, small_session = make_view(classes=4)
    small_session.step(2)
    np.testing.assert_array_equal(small.matrix, small_session.mean_jacobian(exact=True))


@pytest.mark.parametrize(
    "classes, size, drawn",
    [
        (3, (900, 800), "as set"),  # large cells: the font as chosen
        (3, (300, 260), "smaller"),  # the numbers shrink to fit
        (6, (260, 220), "none"),  # 17-pixel cells: no legible size fits, colours only
    ],
)
def test_cell_numbers_shrink_to_fit_their_cells(make_view, qtbot, classes, size, drawn):
    """The widest number fills at most FIT of a cell, so neighbours never run together;
    when even MIN_POINTS does not fit, no number is drawn."""
    from explorer.views.items.cell_texts import FIT, MIN_POINTS
    from explorer.views.items.pixel_frame import view_pixels_per_unit

    view, session = make_view(classes=classes)
    session.step(3)
    item = view.cell_texts
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.graphics.grab()  # lay out and paint
    sx, sy = view_pixels_per_unit(item, view.graphics.viewport())
    font, (normal, light) = item._place(sx, sy)
    widths = [static.size().width() for _, static in normal + light]
    if drawn == "none":
        assert widths == []
        return
    assert len(widths) == classes * classes
    assert max(widths) <= FIT * abs(sx) + 1e-9
    assert font.pointSizeF() >= MIN_POINTS
    assert (font.pointSizeF() < item.font.pointSizeF()) == (drawn == "smaller")


def test_heatmap_colours_follow_the_lookup_table_formula_for_any_value(make_view, qtbot):
    """Each cell's pixel is ``table[clip(⌊(v − lo)·n/(hi − lo)⌋, 0, n − 1)]``, NaN at the
    low end and ±inf at the ends (pyqtgraph's float path), in the item's buffer and in the
    painted view, also after new matrices set in place."""
    from PyQt6.QtCore import QPointF

    view, _ = make_view(classes=4)
    view.show()
    qtbot.waitExposed(view)
    item = view.image
    table = item._table()
    n = len(table)
    lo, hi = -J_LIMIT, J_LIMIT
    rng = np.random.default_rng(5)
    specials = np.array([np.nan, np.inf, -np.inf, lo, hi, 0.0, 1.0, -1.0, 1e-300, -1e-300])
    for trial in range(3):
        M = rng.uniform(-0.3, 0.3, (4, 4))
        if trial:
            M.ravel()[: len(specials)] = specials[rng.permutation(len(specials))]
        item.setImage(M, autoLevels=False)
        assert item._renderRequired
        image = view.graphics.grab().toImage()  # paints, rendering the matrix first
        index = np.clip(np.nan_to_num((M - lo) * (n / (hi - lo)), nan=0.0), 0, n - 1)
        np.testing.assert_array_equal(item._buffer, table[index.astype(int)])
        for j, k in ((0, 0), (1, 2), (3, 3)):
            at = view.graphics.mapFromScene(item.mapToScene(QPointF(k + 0.15, j + 0.15)))
            ratio = view.graphics.devicePixelRatioF()
            pixel = image.pixel(int(at.x() * ratio), int(at.y() * ratio))
            assert pixel & 0xFFFFFF == int(item._buffer[j, k]) & 0xFFFFFF
