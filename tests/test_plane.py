"""The data plane: fitted range, grid features, centre and nearest point, each against an
independent computation."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from explorer.core.features import make_feature_map
from explorer.core.plane import (
    MARGIN,
    data_centre,
    fit_range,
    grid_features,
    inside,
    nearest_point,
)

coordinates = st.floats(-1e3, 1e3, allow_nan=False)


def points(min_size=0):
    return st.integers(min_size, 60).flatmap(
        lambda n: arrays(np.float64, (2, n), elements=coordinates)
    )


@settings(max_examples=150, deadline=None)
@given(points(min_size=1), st.floats(0.5, 2.0))
def test_fit_range_holds_the_points_with_the_margin_and_has_the_aspect(X, aspect):
    x0, x1, y0, y1 = fit_range(X, aspect)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(aspect, rel=1e-9)
    assert inside(X, (x0, x1, y0, y1))
    span = max(np.ptp(X[0]), np.ptp(X[1]))
    if span > 1e-12:
        # at least the margin on every side, and exactly it on one axis's both sides
        margin = MARGIN * span
        gaps = np.array([X[0].min() - x0, x1 - X[0].max(), X[1].min() - y0, y1 - X[1].max()])
        assert gaps.min() >= margin * (1 - 1e-9) - 1e-9
        assert np.isclose(gaps, margin, rtol=1e-6, atol=1e-9).sum() >= 2
    # centred on the points' bounding box
    assert (x0 + x1) / 2 == pytest.approx((X[0].min() + X[0].max()) / 2, abs=1e-9)
    assert (y0 + y1) / 2 == pytest.approx((X[1].min() + X[1].max()) / 2, abs=1e-9)


def test_fit_range_without_points_or_spread():
    assert fit_range(np.zeros((2, 0))) == pytest.approx((-1.2, 1.2, -1.2, 1.2))
    x0, x1, y0, y1 = fit_range(np.full((2, 3), 5.0))
    assert (x0, x1, y0, y1) == pytest.approx((4.4, 5.6, 4.4, 5.6))


@given(points(), st.tuples(coordinates, coordinates, coordinates, coordinates))
def test_inside_is_every_point_checked_one_by_one(X, box):
    x0, x1, y0, y1 = box
    expected = all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in X.T.tolist())
    assert inside(X, box) is expected


@given(points(min_size=1))
def test_data_centre_is_the_middle_of_the_bounding_box(X):
    centre = data_centre(X)
    assert centre.shape == (2,)
    for axis in range(2):
        values = X[axis].tolist()
        assert centre[axis] == pytest.approx((min(values) + max(values)) / 2)


@settings(max_examples=200, deadline=None)
@given(points(), st.tuples(coordinates, coordinates), st.floats(0.0, 500.0))
@example(np.array([[1e-5], [8.0]]), (0.0, 0.0), 8.0)  # found by CI: just past the radius
def test_nearest_point_is_the_brute_force_nearest_within_the_radius(X, xy, radius):
    found = nearest_point(X, np.array(xy), radius)
    distances = [((x - xy[0]) ** 2 + (y - xy[1]) ** 2) ** 0.5 for x, y in X.T.tolist()]
    # Within rounding of the radius a point may count either way (the core compares
    # squared distances: (1e-5, 8) at radius 8 is 8 + 6e-12 away and not a hit).
    if found is None:
        assert all(d > radius * (1 - 1e-12) for d in distances)
        return
    assert distances[found] <= radius * (1 + 1e-12)
    assert distances[found] == pytest.approx(min(distances), rel=1e-9, abs=1e-12)
    assert distances.index(distances[found]) == found  # the first of equally near points


def test_nearest_point_without_points():
    assert nearest_point(np.zeros((2, 0)), np.zeros(2), 10.0) is None


@pytest.mark.parametrize("features", ["identity", "poly3"])
def test_grid_features_are_the_features_of_each_cell_centre_row_by_row(features):
    X = np.random.default_rng(0).standard_normal((2, 50))
    fm = (
        make_feature_map("poly", X, degree=3)
        if features == "poly3"
        else make_feature_map("identity", X)
    )
    rng, G = (-2.0, 3.0, -1.0, 1.0), 7
    F = grid_features(fm, rng, G)
    # cell (row r, column c): centre at the r-th y and c-th x of G equal cells
    width, height = (rng[1] - rng[0]) / G, (rng[3] - rng[2]) / G
    centres = np.array(
        [
            [rng[0] + (c + 0.5) * width, rng[2] + (r + 0.5) * height]
            for r in range(G)
            for c in range(G)
        ]
    ).T
    assert F.shape == (len(fm.names), G * G)
    np.testing.assert_allclose(F, fm.transform(centres), rtol=1e-12, atol=1e-12)


ranges = st.tuples(
    st.floats(-1e3, 1e3), st.floats(1e-3, 1e3), st.floats(-1e3, 1e3), st.floats(1e-3, 1e3)
).map(lambda t: (t[0], t[0] + t[1], t[2], t[2] + t[3]))


@settings(max_examples=150, deadline=None)
@given(ranges, st.floats(1.5, 100.0))
def test_plane_limits_are_a_square_zoom_out_times_the_fitted_range_about_its_centre(
    fitted, zoom_out
):
    from explorer.core.plane import plane_limits

    x0, x1, y0, y1 = fitted
    limits = plane_limits(fitted, zoom_out)
    side = zoom_out * max(x1 - x0, y1 - y0)
    assert limits["maxXRange"] == pytest.approx(side) and limits["maxYRange"] == pytest.approx(side)
    assert limits["xMax"] - limits["xMin"] == pytest.approx(side)
    assert limits["yMax"] - limits["yMin"] == pytest.approx(side)
    assert (limits["xMin"] + limits["xMax"]) / 2 == pytest.approx((x0 + x1) / 2, abs=1e-9)
    assert (limits["yMin"] + limits["yMax"]) / 2 == pytest.approx((y0 + y1) / 2, abs=1e-9)
    # the fitted range itself is always within the limits
    assert limits["xMin"] <= x0 and x1 <= limits["xMax"]
    assert limits["yMin"] <= y0 and y1 <= limits["yMax"]


@settings(max_examples=150, deadline=None)
@given(ranges, ranges)
def test_image_range_is_the_visible_range_cut_to_the_limits(visible, fitted):
    from explorer.core.plane import image_range, plane_limits

    assert image_range(visible) == visible
    limits = plane_limits(fitted, 3.0)
    got = image_range(visible, limits)
    x0 = max(visible[0], limits["xMin"])
    x1 = min(visible[1], limits["xMax"])
    y0 = max(visible[2], limits["yMin"])
    y1 = min(visible[3], limits["yMax"])
    if x0 < x1 and y0 < y1:
        assert got == (x0, x1, y0, y1)
    else:
        assert got is None


def test_image_range_of_a_degenerate_view_is_none():
    from explorer.core.plane import image_range

    assert image_range((0.0, 0.0, 0.0, 1.0)) is None
    assert image_range((0.0, float("nan"), 0.0, 1.0)) is None
