"""core/score_lines.py: the zero-score line clipped to a range, distances to it, and the
parameters a drag sets (hypothesis, against direct checks)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from explorer.core.score_lines import (
    offset_through,
    row_from_tip,
    segment_distance,
    zero_line_segment,
)

coord = st.floats(-50, 50, allow_nan=False)
weight = st.floats(-10, 10, allow_nan=False)


@st.composite
def boxes(draw):
    x0, y0 = draw(coord), draw(coord)
    return (x0, x0 + draw(st.floats(0.1, 40)), y0, y0 + draw(st.floats(0.1, 40)))


@settings(max_examples=300, deadline=None)
@given(w=st.tuples(weight, weight), b=st.floats(-100, 100), box=boxes())
def test_the_segment_is_the_lines_part_inside_the_box(w, b, box):
    w = np.array(w)
    assume(np.hypot(*w) > 1e-3)
    seg = zero_line_segment(w, b, box)
    corners = np.array([[box[0], box[2]], [box[0], box[3]], [box[1], box[2]], [box[1], box[3]]])
    values = corners @ w + b
    scale = np.abs(values).max() + 1.0
    if seg is None:
        # The line misses: every corner on one side (up to rounding).
        assert np.all(values > -1e-9 * scale) or np.all(values < 1e-9 * scale)
        return
    np.testing.assert_allclose(seg @ w + b, 0.0, atol=1e-9 * scale)
    span = max(box[1] - box[0], box[3] - box[2])
    tol = 1e-9 * (span + 100)
    assert np.all(seg[:, 0] >= box[0] - tol) and np.all(seg[:, 0] <= box[1] + tol)
    assert np.all(seg[:, 1] >= box[2] - tol) and np.all(seg[:, 1] <= box[3] + tol)
    # Both ends lie on the border: the segment is all of the line inside the box.
    for end in seg:
        border = min(abs(end[0] - box[0]), abs(end[0] - box[1]))
        border = min(border, abs(end[1] - box[2]), abs(end[1] - box[3]))
        assert border <= tol


@given(box=boxes(), t=st.floats(0.05, 0.95), angle=st.floats(0, 2 * np.pi))
def test_a_line_through_the_inside_is_found(box, t, angle):
    xy = np.array([box[0] + t * (box[1] - box[0]), box[2] + t * (box[3] - box[2])])
    w = np.array([np.cos(angle), np.sin(angle)])
    seg = zero_line_segment(w, offset_through(w, xy), box)
    assert seg is not None
    assert segment_distance(xy, seg) < 1e-9 * (1 + np.abs(xy).max())


def test_no_line_without_a_weight_or_with_non_finite_values():
    box = (0.0, 1.0, 0.0, 1.0)
    assert zero_line_segment([0.0, 0.0], 0.0, box) is None
    assert zero_line_segment([np.nan, 1.0], 0.0, box) is None
    assert zero_line_segment([1.0, 0.0], np.inf, box) is None
    np.testing.assert_allclose(zero_line_segment([1.0, 0.0], -0.5, box), [[0.5, 0], [0.5, 1]])
    assert zero_line_segment([0.0, 1.0], -2.0, box) is None  # y = 2, above the box


@given(p=st.tuples(coord, coord), a=st.tuples(coord, coord), e=st.tuples(coord, coord))
def test_segment_distance_is_the_nearest_of_many_points_on_it(p, a, e):
    seg = np.array([a, e])
    t = np.linspace(0, 1, 2001)[:, None]
    points = seg[0] + t * (seg[1] - seg[0])
    brute = np.hypot(*(points - np.array(p)).T).min()
    d = segment_distance(p, seg)
    step = np.hypot(*(seg[1] - seg[0])) / 2000
    assert d <= brute + 1e-9 and d >= brute - step - 1e-9


@given(w=st.tuples(weight, weight), centre=st.tuples(coord, coord), scale=st.floats(0.01, 100))
def test_an_arrow_tip_gives_back_its_row(w, centre, scale):
    w, centre = np.array(w), np.array(centre)
    np.testing.assert_allclose(
        row_from_tip(centre + scale * w, centre, scale),
        w,
        atol=1e-9 * (1 + np.abs(centre).max() / scale),
    )


def test_a_tip_needs_a_positive_scale():
    for scale in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="scale"):
            row_from_tip([1.0, 1.0], [0.0, 0.0], scale)
