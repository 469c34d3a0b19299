"""The landscape view: it draws the session's surface and path, follows scrubbing and
steps, and its clicks and hover give exact parameters and losses."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import Qt

from explorer.core.landscape import loss_at
from explorer.session.config import Config
from explorer.session.landscape_choice import PlaneChoice
from explorer.session.session import Session
from explorer.views.landscape import LandscapeView
from explorer.views.palette import DARK
from explorer.views.qt_helpers import format_number


@pytest.fixture
def make_view(qtbot):
    def make(steps=40, **config):
        settings = dict(samples=120, classes=3, features="identity", optimizer="adam", lr=0.05)
        settings.update(config)
        session = Session(Config(**settings))
        session.step(steps)
        view = LandscapeView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        view.resize(640, 480)
        view.show()
        qtbot.waitExposed(view)
        view.flush()
        return session, view

    return make


def drawn_path(view):
    return view.path_items.line.getData()


def test_the_view_draws_the_surface_and_the_path_of_the_session(make_view):
    s, view = make_view()
    surface = view.model.surface
    np.testing.assert_array_equal(view.image.image, surface.values)
    x, y = drawn_path(view)
    thetas = np.asarray(s.timeline.path.thetas, dtype=np.float64)
    np.testing.assert_array_equal(x, thetas[:, 0])  # W[0,0]
    np.testing.assert_array_equal(y, thetas[:, 1])  # W[0,1]
    assert view.plot.getAxis("bottom").labelText == "W[0,0]"
    assert "held at step 40" in view.note_label.text()
    assert view.contours.n_segments > 0


def test_scrubbing_moves_the_marker_and_stepping_extends_the_path(make_view):
    s, view = make_view()
    s.seek(12)
    assert view.path_items.marker_position() == (float(s.W[0, 0]), float(s.W[0, 1]))
    x, _ = drawn_path(view)
    assert x.size == 13  # drawn up to the shown step, the rest faint
    assert view.path_items.future.getData()[0].size == 41 - 12
    assert view.strip.step_line.value() == 12
    s.seek(s.head)
    s.step(6)
    view.flush()
    x, _ = drawn_path(view)
    assert x.size == 47 and x[-1] == float(s.W[0, 0])


def test_a_click_sets_the_two_coordinates_through_an_undoable_edit(make_view):
    s, view = make_view()
    W0, b0 = np.array(s.W), np.array(s.b)
    recorded = []
    s.actions.recorded.connect(recorded.append)
    messages = []
    view.message.connect(messages.append)
    assert view.click_at(np.array([0.25, -0.5]), Qt.MouseButton.LeftButton)
    expected = W0.copy()
    expected[0, 0], expected[0, 1] = 0.25, -0.5
    np.testing.assert_array_equal(s.W, expected.astype(np.float32))
    np.testing.assert_array_equal(s.b, b0)
    assert [a.kind for a in recorded] == ["set_params"] and "Ctrl+Z" in messages[-1]
    view.set_choice(PlaneChoice("pca"))
    view.flush()
    assert view.click_at(np.array([0.1, 0.1]), Qt.MouseButton.LeftButton)
    assert "two coordinates" in messages[-1]
    np.testing.assert_array_equal(s.W, expected.astype(np.float32))


def test_hover_shows_the_exact_loss_at_the_cursor(make_view, qtbot):
    _s, view = make_view()
    vb = view.view_box
    point = vb.mapViewToScene(vb.mapSceneToView(vb.sceneBoundingRect().center()))
    view._on_mouse_moved(point)
    view._hover_throttle.now()  # (the read-out follows the mouse at most 10 times a second)
    at = vb.mapSceneToView(point)
    exact = loss_at(view.model.objective(), view.model.surface.plane, at.x(), at.y())
    assert f"L = {format_number(exact, 6)}" in view.hover_label.text()


def test_the_plane_chooser_pca_flat_and_a_refusal(make_view):
    _s, view = make_view(steps=60)
    view.kind_combo.setCurrentIndex(view.kind_combo.findData("pca"))
    view.flush()
    share = view.model.surface.plane.variance_share
    assert f"{100 * share:.1f} % of the path's variance" in view.note_label.text()
    assert view.plot.getAxis("bottom").labelText == "PC1"
    view.kind_combo.setCurrentIndex(view.kind_combo.findData("flat"))
    view.flush()
    assert "constant along it" in view.note_label.text()
    values = view.model.surface.values  # flat along its columns
    assert np.ptp(values, axis=1).max() < 1e-5 * (1 + np.abs(values).max())
    messages = []
    view.message.connect(messages.append)
    view.set_choice(PlaneChoice("coordinates", "W[1,1]", "W[1,1]"))
    assert messages and "two different entries" in messages[-1]
    assert view.model.choice.kind == "flat"


def test_the_dark_theme_and_a_new_session_redraw(make_view):
    _s, view = make_view()
    view.set_theme(DARK)
    other = Session(Config(samples=80, classes=4, features="identity"))
    other.step(5)
    view.set_session(other)
    view.flush()
    assert view.first_combo.count() == 4 * 2 + 4
    x, _ = drawn_path(view)
    assert x.size == 6


def test_compare_mode_draws_run_bs_path_on_the_same_landscape(make_view):
    from explorer.session.compare import Comparison

    s, view = make_view(steps=0)
    comparison = Comparison(s, {"optimizer": "sgd", "lr": 0.5})
    s.changed.disconnect(view.refresh)
    s.changed.connect(comparison.sync)  # B follows A before A's views redraw
    s.changed.connect(view.refresh)
    view.set_companion(comparison.b, (comparison.label(0), comparison.label(1)))
    s.step(25)
    view.flush()
    x, y = view.companion_items.line.getData()
    thetas = np.asarray(comparison.b.timeline.path.thetas, dtype=np.float64)
    np.testing.assert_array_equal(x, thetas[:, 0])
    np.testing.assert_array_equal(y, thetas[:, 1])
    assert view.companion_items.line.isVisible()
    np.testing.assert_array_equal(view.strip.other.getData()[0], comparison.b.timeline.path.steps)
    assert comparison.label(1) in view.note_label.text()
    view.set_companion(None)
    view.flush()
    assert not view.companion_items.line.isVisible()
