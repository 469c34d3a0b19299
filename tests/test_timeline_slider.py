"""The timeline: a click on its groove goes to the step under the pointer (not a page
towards it), the press goes on as a drag, and a click on the handle keeps the step."""

import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtWidgets import QStyle, QStyleOptionSlider

from explorer.app.timeline_slider import TimelineSlider


def handle_centre(slider, value):
    """Where the style draws the handle's centre for ``value`` (the slider is left as it was)."""
    kept = slider.value()
    blocked = slider.blockSignals(True)
    slider.setValue(value)
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    rect = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
    )
    slider.setValue(kept)
    slider.blockSignals(blocked)
    return rect.center()


@pytest.fixture
def slider(qtbot):
    slider = TimelineSlider(Qt.Orientation.Horizontal)
    qtbot.addWidget(slider)
    slider.resize(320, 24)
    slider.set_range_and_value(50, 0)
    slider.show()
    qtbot.waitExposed(slider)
    return slider


@pytest.mark.parametrize("target", [6, 13, 25, 38, 49, 50])
def test_a_click_on_the_groove_goes_to_that_step(slider, qtbot, target):
    # 50 steps over ~300 px: every step has pixels of its own, so the step is exact
    # (the first few lie under the handle at step 0)
    pos = handle_centre(slider, target)
    seen = []
    slider.valueChanged.connect(seen.append)
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=pos)
    assert slider.value() == target
    assert seen == [target]  # straight there, no page steps on the way


def test_a_click_on_the_handle_keeps_the_step(slider, qtbot):
    slider.setValue(20)
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=handle_centre(slider, 20))
    assert slider.value() == 20


def test_a_press_on_the_groove_goes_on_as_a_drag(slider, qtbot):
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=handle_centre(slider, 10))
    assert slider.value() == 10
    assert slider.isSliderDown()
    qtbot.mouseMove(slider, handle_centre(slider, 30))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=handle_centre(slider, 30))
    assert slider.value() == 30


def test_the_ends_of_the_groove_are_the_first_and_last_steps(slider, qtbot):
    right = QPoint(slider.width() - 1, slider.height() // 2)
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=right)
    assert slider.value() == 50
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(0, slider.height() // 2))
    assert slider.value() == 0


def test_a_click_on_the_windows_timeline_shows_that_step(qtbot):
    from explorer.app.main_window import MainWindow
    from explorer.session.config import Config
    from explorer.session.session import Session

    window = MainWindow(Session(Config(samples=60)))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.session.step(40)
    timeline = window.timeline
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=handle_centre(timeline, 15))
    assert abs(window.session.step_index - 15) <= 1  # 40 steps over the slider's pixels
    assert window.session.step_index == timeline.value()
    window.file_actions.modified = False  # close without the unsaved-changes question
