"""The main window: opening, stepping, scrubbing, playing, editing, and a random-action soak."""

import colorsys

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QPalette
from PyQt6.QtWidgets import QApplication

from explorer.app.main_window import MainWindow
from explorer.core import softmax_jacobian
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.palette import (
    DARK,
    LIGHT,
    MIN_CONTRAST,
    class_colors,
    contrast_ratio,
    readable_class_colors,
    relative_luminance,
)


@pytest.fixture
def make_window(qtbot):
    windows = []  # held until teardown, so the GC never deletes a window mid-paint

    def make(config=None):
        session = Session(config or Config(samples=120))
        window = MainWindow(session)
        windows.append(window)
        window.resize(1200, 800)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # keyboard shortcuts go to the active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        return window

    yield make
    for window in windows:
        # Closing an unsaved session asks first; the tests of that question answer it
        # themselves, every other test leaves without saving.
        window.file_actions.modified = False
        window.close()
        window.deleteLater()
    qtbot.wait(1)


def test_window_opens_and_closes_cleanly(make_window, qtbot):
    window = make_window()
    assert window.isVisible()
    assert set(window.views) >= {"regions", "jacobian", "bars", "curves", "inspector", "parameters"}
    window.close()
    assert not window.isVisible()


def test_step_changes_decision_image_and_bars_match_p_minus_y(make_window):
    window = make_window()
    before = window.regions.last_indices.copy()
    window.actions["step"].trigger()
    assert window.session.step_index == 1
    assert not np.array_equal(before, window.regions.last_indices)
    bars = window.views["bars"]
    np.testing.assert_array_equal(
        np.sort(bars.bar_heights), np.sort(window.session.train_true_error())
    )


def test_step_back_restores_exact_previous_picture(make_window):
    window = make_window()
    window.actions["step"].trigger()
    picture = window.regions.last_indices.copy()
    W = window.session.W.copy()
    window.actions["step"].trigger()
    window.actions["step_back"].trigger()
    np.testing.assert_array_equal(window.session.W, W)
    np.testing.assert_array_equal(window.regions.last_indices, picture)


def test_play_starts_and_pause_stops_the_timer(make_window, qtbot):
    window = make_window()
    window.actions["play"].trigger()
    assert window.player.playing
    qtbot.waitUntil(lambda: window.session.head >= 3, timeout=5000)
    window.actions["play"].trigger()
    assert not window.player.playing
    head = window.session.head
    qtbot.wait(100)
    assert window.session.head == head


def test_selection_makes_jacobian_exact(make_window):
    window = make_window()
    window.session.step(5)
    window.session.select(7)
    jac = window.views["jacobian"]
    expected = softmax_jacobian(window.session.sample_detail(7).p)
    np.testing.assert_array_equal(jac.matrix, expected)


def test_timeline_scrubs_history(make_window):
    window = make_window()
    window.session.step(20)
    assert window.timeline.maximum() == 20
    window.timeline.setValue(5)
    assert window.session.step_index == 5
    assert "5 / 20" in window.step_label.text()
    window.actions["to_end"].trigger()
    assert window.timeline.value() == 20


def test_divergence_pauses_and_reports(make_window, qtbot):
    window = make_window()
    window.session.configure(window.session.config.replace(lr=1e6))
    window.player.play()
    qtbot.waitUntil(lambda: not window.player.playing, timeout=5000)
    assert window.session.diverged
    assert "diverged" in window.statusBar().currentMessage().lower()
    assert np.all(np.isfinite(window.session.W))


def test_edit_mode_action_reaches_regions_view(make_window):
    window = make_window()
    window.actions["edit_mode"].trigger()
    assert window.regions.edit_mode
    n = window.session.data.X.shape[1]
    window.session.add_point(np.array([0.1, 0.2]), 1)
    assert window.session.data.X.shape[1] == n + 1


def test_settings_restore_layout_and_play_speed(make_window, qtbot):
    window = make_window()
    window.steps_spin.setValue(7)
    window.docks["jacobian"].hide()
    window.close()
    again = make_window()
    assert again.steps_spin.value() == 7
    assert not again.docks["jacobian"].isVisible()


def test_shortcut_space_steps(make_window, qtbot):
    window = make_window()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.session.step_index >= 1


# ----------------------------------------------------------------- appearance
@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("C", range(2, 13))
def test_readable_class_colours_have_3_to_1_contrast(theme, C):
    colors = readable_class_colors(C, theme)
    assert colors.shape == (C, 3)
    for rgb in colors:
        assert contrast_ratio(rgb, theme.background) >= MIN_CONTRAST
    assert len({tuple(c) for c in colors}) == C  # still one colour per class


@pytest.mark.parametrize("C", range(2, 13))
def test_class_colours_read_on_the_dark_background(C):
    # Beyond Okabe–Ito's 8 the colours used to be too dark there (class 6 of 10: 2.1:1).
    for rgb in class_colors(C):
        assert contrast_ratio(rgb, DARK.background) >= MIN_CONTRAST


@pytest.mark.parametrize("C", [9, 10, 12, 20, 50])
def test_colours_beyond_okabe_ito_read_on_both_backgrounds_unchanged(C):
    colors = class_colors(C)
    for theme in (LIGHT, DARK):
        assert np.array_equal(readable_class_colors(C, theme), colors)
        assert min(contrast_ratio(c, theme.background) for c in colors) >= MIN_CONTRAST
    assert len({tuple(c) for c in colors}) == C


def test_okabe_ito_is_kept_and_only_darkened_where_white_needs_it():
    light = readable_class_colors(8, LIGHT)
    okabe = class_colors(8)
    assert np.array_equal(readable_class_colors(8, DARK), okabe)
    for before, after in zip(okabe, light, strict=True):
        if contrast_ratio(before, LIGHT.background) >= MIN_CONTRAST:
            assert tuple(after) == tuple(before)
        else:
            assert relative_luminance(after) < relative_luminance(before)
            h0 = colorsys.rgb_to_hls(*(before / 255.0))[0]
            h1 = colorsys.rgb_to_hls(*(after / 255.0))[0]
            assert abs(h0 - h1) < 0.02 or before[0] == before[1] == before[2]  # hue kept


def test_dark_palette_keeps_disabled_text_readable(make_window):
    window = make_window()
    app = QApplication.instance()
    group, role = QPalette.ColorGroup, QPalette.ColorRole
    try:
        window.actions["dark"].trigger()
        QApplication.processEvents()  # widgets take the new palette from an event
        palette = app.palette()
        window_bg = palette.color(group.Active, role.Window)
        field_bg = palette.color(group.Disabled, role.Base)
        for r in (role.WindowText, role.Text, role.ButtonText):
            disabled = palette.color(group.Disabled, r)
            rgb = (disabled.red(), disabled.green(), disabled.blue())
            for bg in (window_bg, field_bg):
                assert contrast_ratio(rgb, (bg.red(), bg.green(), bg.blue())) >= MIN_CONTRAST
            assert disabled != palette.color(group.Active, r)  # still looks disabled
        # a disabled label of the config panel (RFF gamma, without RFF features) uses it
        panel = window.views["config"]
        assert not panel.controls()["rff_gamma"].isEnabled()
        assert panel.controls()["rff_gamma"].palette().color(group.Disabled, role.Text) == (
            palette.color(group.Disabled, role.Text)
        )
    finally:
        window.actions["dark"].trigger()
    assert not window.actions["dark"].isChecked()
    assert app.palette().color(group.Active, role.Window).lightness() > 200


# ------------------------------------------------------------------ status bar
def _status_step(window) -> int:
    return int(window.status_metrics.text().split()[1])


def test_status_bar_shows_the_exact_step_after_pause(make_window, qtbot):
    window = make_window()
    window.fps_spin.setValue(240)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.session.head >= 30, timeout=10_000)
    window.actions["play"].trigger()
    assert not window.player.playing
    assert _status_step(window) == window.session.step_index == window.session.head
    assert f"loss {window.session.metrics.train_loss[window.session.step_index]:.4f}" in (
        window.status_metrics.text()
    )


def test_read_outs_follow_at_most_every_interval_while_playing(make_window, qtbot, monkeypatch):
    """Playing, the step number and the status bar change at most every
    STATUS_INTERVAL_S, and a deferred update always comes; the timeline follows each step."""
    from explorer.app import main_window
    from explorer.views import qt_helpers

    clock = [1000.0]
    monkeypatch.setattr(qt_helpers.time, "monotonic", lambda: clock[0])
    window = make_window()
    window.fps_spin.setValue(1)  # the play timer stays out of the way: steps come from here
    window.actions["play"].trigger()
    assert window.player.playing
    shown = window.step_label.text()
    clock[0] += main_window.STATUS_INTERVAL_S / 10
    window.session.step(1)
    head = window.session.head
    assert window.timeline.value() == head
    assert window.step_label.text() == shown and _status_step(window) == head - 1
    clock[0] += main_window.STATUS_INTERVAL_S
    window.session.step(1)
    head = window.session.head
    assert window.step_label.text() == f" step {head} / {head} " and _status_step(window) == head
    clock[0] += main_window.STATUS_INTERVAL_S / 10
    window.session.step(1)
    assert _status_step(window) == head
    qtbot.waitUntil(lambda: _status_step(window) == window.session.head, timeout=2_000)
    head = window.session.head
    assert window.step_label.text() == f" step {head} / {head} "
    window.actions["play"].trigger()
    assert not window.player.playing


def test_status_bar_follows_every_change_while_paused(make_window):
    window = make_window()
    for action in ("step", "step", "step_back", "to_end", "to_start"):
        window.actions[action].trigger()
        assert _status_step(window) == window.session.step_index
    window.timeline.setValue(1)
    assert _status_step(window) == 1


def test_the_status_numbers_repaint_alone_on_the_status_bars_own_colour(make_window, qtbot):
    """The status label is opaque (a new text repaints only it) and its fill is the status
    bar's colour, in both themes."""
    window = make_window()
    label = window.status_metrics
    assert label.autoFillBackground()
    for _ in range(2):
        window.actions["dark"].trigger()
        window.session.step(1)
        qtbot.wait(20)
        image = window.grab().toImage()
        fill = label.palette().color(label.backgroundRole())
        bar = window.statusBar()
        corner = bar.mapTo(window, bar.rect().topLeft())
        assert image.pixelColor(corner.x() + 2, corner.y() + bar.height() // 2) == fill


def test_timeline_and_labels_follow_every_step_with_steady_sizes(make_window, qtbot):
    """The timeline holds the exact range and value; the labels only grow, so a new
    number never relays out the toolbar; the slider repaints only when its handle moves."""
    window = make_window()
    slider, label = window.timeline, window.step_label
    for n in (1, 1, 8, 90, 900):
        window.session.step(n)
        s = window.session
        assert (slider.minimum(), slider.maximum(), slider.value()) == (0, s.head, s.head)
        assert label.text() == f" step {s.head} / {s.head} "
        assert label.width() >= label.sizeHint().width()
        assert label.minimumWidth() == label.maximumWidth()  # fixed: no layout request
    widest = label.width()
    window.session.seek(3)
    assert slider.value() == 3 and label.text() == f" step 3 / {window.session.head} "
    assert label.width() == widest  # shorter text, same size
    status = window.status_metrics
    assert status.minimumWidth() == status.maximumWidth() >= status.sizeHint().width()

    painted = []
    paint = slider.paintEvent

    def counted(event):
        painted.append(event)
        paint(event)

    slider.paintEvent = counted
    head = window.session.head
    slider.set_range_and_value(head, head)
    qtbot.wait(20)
    painted.clear()
    slider.set_range_and_value(head * 100, head * 100)  # handle stays at the right end
    qtbot.wait(20)
    assert painted == [] and slider.value() == head * 100
    slider.set_range_and_value(head * 100, 0)  # handle moves to the left end
    qtbot.wait(20)
    assert len(painted) >= 1 and slider.value() == 0


def test_long_lived_objects_are_frozen_out_of_the_collector():
    import gc

    from explorer.app.application import freeze_long_lived_objects

    before = gc.get_freeze_count()
    kept = [[object()] for _ in range(100)]  # alive, and tracked by the collector
    try:
        freeze_long_lived_objects()
        assert gc.get_freeze_count() >= before + len(kept)
        assert not any(gc.is_tracked(k) and k in gc.get_objects(generation=2) for k in kept[:3])
    finally:
        gc.unfreeze()


def test_new_inspector_text_relays_out_nothing(make_window, qtbot):
    """The inspector's caption changes at every render; the window is not laid out again
    (a free-size caption relaid out the dock and then every dock of the main window)."""
    from PyQt6.QtCore import QEvent, QObject

    window = make_window()
    window.docks["inspector"].raise_()
    inspector = window.views["inspector"]
    qtbot.waitUntil(lambda: inspector.isVisible())
    window.session.step(1)
    qtbot.wait(100)
    requests = []

    class Watcher(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.LayoutRequest:
                requests.append(obj)
            return False

    watcher = Watcher()
    watched = (window, window.docks["inspector"], inspector)
    for widget in watched:
        widget.installEventFilter(watcher)
    for n in (1, 1, 1):
        before = inspector.caption.text()
        window.session.step(n)
        qtbot.waitUntil(lambda before=before: inspector.caption.text() != before)
        qtbot.wait(20)
    for widget in watched:
        widget.removeEventFilter(watcher)
    assert f"step {window.session.step_index}" in inspector.caption.text()
    assert requests == []
