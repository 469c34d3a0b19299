"""Where the window opens: a share of the screen on a first start, never more than the
screen's available geometry; a saved geometry that no longer fits is clamped to it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.app import geometry
from explorer.app import settings as app_settings
from explorer.app.geometry import Rect, clamp_rect, first_start_rect

#: Each screen's available geometry in logical pixels (what Qt reports): the desktop's
#: panel takes a strip; a 3840×2160 screen at device pixel ratio 2 is 1920×1080 logical.
SCREENS = {
    "1024x768": Rect(0, 0, 1024, 740),
    "1280x720": Rect(0, 27, 1280, 693),
    "1366x768": Rect(0, 0, 1366, 728),
    "1920x1080": Rect(0, 0, 1920, 1040),
    "3840x2160 dpr2": Rect(0, 32, 1920, 1048),
    "3840x2160 dpr1": Rect(0, 0, 3840, 2120),
    "1366x768 at QT_SCALE_FACTOR 1.5": Rect(0, 0, 911, 485),
    "second monitor left of the first": Rect(-1920, 0, 1920, 1080),
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_a_first_start_takes_a_sensible_share_never_more(name):
    available = SCREENS[name]
    frame = first_start_rect(available)
    assert available.contains(frame)
    share = frame.w * frame.h / (available.w * available.h)
    assert 0.7 <= share <= 1.0
    # centred
    assert abs((frame.x - available.x) - (available.right - frame.right)) <= 1
    assert abs((frame.y - available.y) - (available.bottom - frame.bottom)) <= 1


@pytest.mark.parametrize("name", ["1024x768", "1280x720", "1366x768"])
def test_a_laptop_screen_is_used_whole(name):
    assert first_start_rect(SCREENS[name]) == SCREENS[name]


def test_large_screens_leave_a_margin_and_4k_at_dpr2_is_a_1080p_screen():
    hd = first_start_rect(SCREENS["1920x1080"])
    assert (hd.w, hd.h) == (1632, 936)
    hidpi = first_start_rect(SCREENS["3840x2160 dpr2"])
    assert (hidpi.w, hidpi.h) == (1632, 943)
    uhd = first_start_rect(SCREENS["3840x2160 dpr1"])
    assert (uhd.w, uhd.h) == (3264, 1908)


def test_a_frame_that_fits_is_kept():
    available = SCREENS["1920x1080"]
    frame = Rect(100, 50, 1400, 900)
    assert clamp_rect(frame, available) == frame


def test_a_1400x900_frame_saved_on_a_big_screen_is_clamped_to_a_laptop():
    laptop = SCREENS["1366x768"]
    assert clamp_rect(Rect(200, 100, 1400, 900), laptop) == Rect(0, 0, 1366, 728)
    # smaller than the screen but hanging off its right and bottom edges: moved inside
    assert clamp_rect(Rect(900, 500, 800, 600), laptop) == Rect(566, 128, 800, 600)
    # on a monitor that is gone (far left): brought onto this one
    assert clamp_rect(Rect(-1800, 20, 1000, 700), laptop) == Rect(0, 20, 1000, 700)


rects = st.builds(
    Rect,
    st.integers(-5000, 5000),
    st.integers(-5000, 5000),
    st.integers(1, 8000),
    st.integers(1, 8000),
)


@given(rects, rects)
def test_clamping_always_fits_and_keeps_what_fits(frame, available):
    fitted = clamp_rect(frame, available)
    assert available.contains(fitted)
    assert fitted.w == min(frame.w, available.w) and fitted.h == min(frame.h, available.h)
    if available.contains(frame):
        assert fitted == frame


@given(rects)
def test_a_first_start_fits_any_screen(available):
    assert available.contains(first_start_rect(available))


def test_client_rect_takes_the_frame_off():
    frame = Rect(10, 20, 1000, 700)
    assert geometry.client_rect(frame, (1, 30, 1, 1)) == Rect(11, 50, 998, 669)


# --------------------------------------------------------------------- the window
@pytest.fixture
def fake_screen(monkeypatch):
    """Make the window see a screen of the given available geometry."""

    def use(rect: Rect):
        monkeypatch.setattr(geometry, "available_rect", lambda window: rect)

    return use


def open_window(qtbot):
    from explorer.app.main_window import MainWindow
    from explorer.session.session import Session

    window = MainWindow(Session())
    qtbot.addWidget(window)
    return window


def frame_of(window) -> Rect:
    g = window.geometry()
    return Rect(g.x(), g.y(), g.width(), g.height())  # offscreen: no frame around it


@pytest.mark.parametrize("name", list(SCREENS))
def test_the_window_opens_on_the_first_start_rule(qtbot, fake_screen, name):
    fake_screen(SCREENS[name])
    window = open_window(qtbot)
    assert frame_of(window) == first_start_rect(SCREENS[name])


def test_a_saved_geometry_too_big_for_this_screen_is_clamped(qtbot, fake_screen):
    fake_screen(Rect(0, 0, 3000, 2000))
    big = open_window(qtbot)
    big.setGeometry(400, 300, 1800, 1100)
    big.save_settings()
    settings = app_settings.open_settings()
    assert not app_settings.read(settings, "window/geometry").isEmpty()
    big.file_actions.modified = False

    # The offscreen platform's one screen is 800×800 (Qt's restoreGeometry also moves a
    # window onto it): a fake one smaller still shows the clamping is ours.
    fake_screen(Rect(0, 20, 700, 500))
    small = open_window(qtbot)
    assert frame_of(small) == Rect(0, 20, 700, 500)


def test_a_saved_geometry_too_big_for_the_real_screen_is_clamped(qtbot):
    from PyQt6.QtGui import QGuiApplication

    big = open_window(qtbot)
    big.setGeometry(400, 300, 1800, 1100)
    big.save_settings()
    big.file_actions.modified = False
    g = QGuiApplication.primaryScreen().availableGeometry()
    small = open_window(qtbot)
    screen, frame = Rect(g.x(), g.y(), g.width(), g.height()), frame_of(small)
    assert screen.contains(frame)
    assert frame.w >= 0.95 * screen.w and frame.h >= 0.95 * screen.h


def test_a_saved_geometry_that_fits_is_restored_as_it_was(qtbot, fake_screen):
    fake_screen(Rect(0, 0, 3000, 2000))
    first = open_window(qtbot)
    first.setGeometry(20, 30, 760, 700)  # inside the real 800×800 too
    first.save_settings()
    first.file_actions.modified = False
    fake_screen(SCREENS["1920x1080"])
    again = open_window(qtbot)
    assert frame_of(again) == Rect(20, 30, 760, 700)
