"""Where the window opens: a share of the screen's available geometry, never more.

The rule (:func:`first_start_rect`, :func:`clamp_rect`) is pure arithmetic on
:class:`Rect` in logical pixels (what Qt reports with ``QT_SCALE_FACTOR`` or a HiDPI
screen: a 3840×2160 screen at device pixel ratio 2 is 1920×1080 logical pixels), so it is
tested for each screen size without a screen. :func:`place_window` applies it to a
window: on the first start (no saved geometry), or to clamp a saved geometry that no
longer fits the screen (a session saved on a 1920×1080 monitor reopened on a 1366×768
laptop).
"""

from __future__ import annotations

from dataclasses import dataclass

#: On a screen with at most this much room (logical pixels) the window takes all of it:
#: the views need every pixel of a 1366×768 laptop.
SMALL_SCREEN = (1600, 960)
#: The share of a larger screen's width and height a first start takes.
LARGE_SHARE = (0.85, 0.9)
#: The window's size is never below this on a first start unless the screen is smaller.
COMFORTABLE = (1400, 860)
#: Room left for the window manager's title bar and borders when the window fills the
#: screen (Qt sizes the client area; the frame is added around it).
FRAME_ALLOWANCE = (0, 30)


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in logical pixels: top-left ``(x, y)``, size ``(w, h)``."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        """One past the last column."""
        return self.x + self.w

    @property
    def bottom(self) -> int:
        """One past the last row."""
        return self.y + self.h

    def contains(self, other: Rect) -> bool:
        """Whether ``other`` lies wholly inside this rectangle."""
        return (
            other.x >= self.x
            and other.y >= self.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )


def first_start_size(available: Rect) -> tuple[int, int]:
    """The window's frame size on a first start on a screen whose free area is ``available``.

    A small screen (up to :data:`SMALL_SCREEN`) is used whole; a larger one gives
    :data:`LARGE_SHARE` of itself, but at least :data:`COMFORTABLE` while that fits.
    Never more than ``available``.
    """
    if available.w <= SMALL_SCREEN[0] or available.h <= SMALL_SCREEN[1]:
        return available.w, available.h
    w = max(round(available.w * LARGE_SHARE[0]), COMFORTABLE[0])
    h = max(round(available.h * LARGE_SHARE[1]), COMFORTABLE[1])
    return min(w, available.w), min(h, available.h)


def first_start_rect(available: Rect) -> Rect:
    """The window's frame on a first start: :func:`first_start_size`, centred in
    ``available``."""
    w, h = first_start_size(available)
    return Rect(available.x + (available.w - w) // 2, available.y + (available.h - h) // 2, w, h)


def clamp_rect(frame: Rect, available: Rect) -> Rect:
    """``frame`` made to fit ``available``: shrunk to its size at most, then moved inside.

    A frame that already fits is returned unchanged.
    """
    w, h = min(frame.w, available.w), min(frame.h, available.h)
    x = min(max(frame.x, available.x), available.right - w)
    y = min(max(frame.y, available.y), available.bottom - h)
    return Rect(x, y, w, h)


def client_rect(frame: Rect, margins: tuple[int, int, int, int]) -> Rect:
    """The client area inside ``frame`` given the frame's ``(left, top, right, bottom)``
    margins (what the window manager's title bar and borders take)."""
    left, top, right, bottom = margins
    return Rect(
        frame.x + left,
        frame.y + top,
        max(1, frame.w - left - right),
        max(1, frame.h - top - bottom),
    )


# --------------------------------------------------------------------------- Qt side
def available_rect(window) -> Rect:
    """The available geometry (logical pixels, without panels and docks) of the screen
    ``window`` is on, or of the primary screen before it is shown."""
    from PyQt6.QtGui import QGuiApplication

    screen = window.screen() if window.isVisible() else None
    if screen is None:
        center = window.frameGeometry().center()
        screen = QGuiApplication.screenAt(center) or QGuiApplication.primaryScreen()
    g = screen.availableGeometry()
    return Rect(g.x(), g.y(), g.width(), g.height())


def frame_margins(window) -> tuple[int, int, int, int]:
    """The frame's margins around the client area: measured once the window has a frame,
    else :data:`FRAME_ALLOWANCE` (nothing on the headless platforms)."""
    from PyQt6.QtGui import QGuiApplication

    if window.isVisible():
        frame, client = window.frameGeometry(), window.geometry()
        return (
            client.x() - frame.x(),
            client.y() - frame.y(),
            frame.right() - client.right(),
            frame.bottom() - client.bottom(),
        )
    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return (0, 0, 0, 0)
    dx, dy = FRAME_ALLOWANCE
    return (dx // 2, dy, dx - dx // 2, 0)


def window_frame(window) -> Rect:
    """The window's frame (client area plus the frame's margins) in logical pixels."""
    g = window.geometry()
    left, top, right, bottom = frame_margins(window)
    return Rect(g.x() - left, g.y() - top, g.width() + left + right, g.height() + top + bottom)


def set_window_frame(window, frame: Rect) -> None:
    """Give ``window`` the frame ``frame`` (its client area the rest)."""
    c = client_rect(frame, frame_margins(window))
    window.setGeometry(c.x, c.y, c.w, c.h)


def place_window(window, restored: bool) -> Rect:
    """Place ``window`` on its screen; return the frame it was given.

    ``restored``: a saved geometry was restored, and is kept unless it no longer fits the
    screen (then it is clamped to it). Otherwise the first-start rule applies.
    """
    available = available_rect(window)
    if restored and not window.isMaximized() and not window.isFullScreen():
        frame = window_frame(window)
        fitted = clamp_rect(frame, available)
        if fitted != frame:
            set_window_frame(window, fitted)
        return fitted
    frame = first_start_rect(available)
    set_window_frame(window, frame)
    return frame
