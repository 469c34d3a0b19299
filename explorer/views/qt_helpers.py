"""Small Qt helpers shared by the views and the main window.

- :func:`on_screen` and :func:`follow_dock`: whether a widget can be seen (a dock tab
  behind another cannot), and a call when its dock comes into view.
- :func:`signals_blocked`: set a control from the model without its signal coming back
  as an edit.
- :func:`choice_combo`: a combo box of ``(key, text)`` choices that reports the key.
- :func:`theme_check_box`: a check box whose box can be seen in the dark appearance.
- :class:`SteadyLabel`: a label whose new texts repaint it alone.
- :class:`Throttle` and :data:`READOUT_INTERVAL_S`: read-outs that follow a stream of
  changes at a readable rate.
- :data:`MINUS`, :func:`typographic_minus` and :func:`format_number`: how numbers are
  written.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from PyQt6.QtCore import QObject, QPoint, QRect, QTimer
from PyQt6.QtGui import QColor, QFontMetricsF, QPalette
from PyQt6.QtWidgets import QCheckBox, QComboBox, QDockWidget, QLabel, QWidget

#: The typographic minus sign (U+2212), wider than a hyphen and level with a plus.
MINUS = "−"


# ------------------------------------------------------------------------- numbers
def typographic_minus(text: str) -> str:
    """``text`` with every hyphen-minus replaced by :data:`MINUS` (formatted numbers)."""
    return text.replace("-", MINUS)


def format_number(
    value: float, digits: int = 4, *, minus: str = MINUS, exponent_plus: bool = False
) -> str:
    """A compact, readable number: ``digits`` significant digits.

    ``digits <= 0`` gives the shortest text that reads back to the same float64. An
    exponent is written without leading zeros (``1e-6``, ``1e20``; ``1e+20`` with
    ``exponent_plus``). Never returns "nan" or "inf": those become "undefined" and "∞";
    ``-0.0`` is written "0".

    Parameters
    ----------
    value : float
    digits : int
        Significant digits; ``<= 0`` for every digit.
    minus : str
        The minus sign: :data:`MINUS` (shown text) or ``"-"`` (text a user edits).
    exponent_plus : bool
        Write a ``+`` before a positive exponent.
    """
    v = float(value)
    if math.isnan(v):
        return "undefined"
    if math.isinf(v):
        return "∞" if v > 0 else minus + "∞"
    if v == 0.0:
        return "0"  # also for −0.0, which only confuses
    text = repr(v) if digits <= 0 else f"{v:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        e = int(exponent)
        text = f"{mantissa}e{'+' if exponent_plus and e >= 0 else ''}{e}"
    return text if minus == "-" else text.replace("-", minus)


# ------------------------------------------------------------------------- widgets
def on_screen(widget: QWidget) -> bool:
    """Whether ``widget`` can be seen: shown, and not on a dock tab behind another.

    Qt 6 keeps every dock of a tab group "visible" and moves the unselected ones out of the
    window, so ``isVisible()`` alone would have hidden tabs render every frame.
    """
    if not widget.isVisible():
        return False
    window = widget.window()
    if window is widget:
        return True
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()).intersects(window.rect())


def follow_dock(widget: QWidget, on_shown: Callable[[], None]) -> None:
    """Call ``on_shown()`` soon after the dock holding ``widget`` comes into view.

    Call it from ``showEvent``; it connects once. Without a dock it does nothing.
    """
    dock = widget.parentWidget()
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    if dock is None or getattr(widget, "_followed_dock", None) is dock:
        return
    widget._followed_dock = dock
    # The signal comes before the dock is moved into place: look once the layout settled.
    dock.visibilityChanged.connect(lambda seen: seen and QTimer.singleShot(0, on_shown))


@contextmanager
def signals_blocked(*objects: QObject) -> Iterator[None]:
    """Block the signals of ``objects`` inside the ``with`` block, then restore them.

    A view that shows the model's value in a control sets it inside this block, so the
    control's change signal does not come back to the model as a user's edit.
    """
    was = [obj.blockSignals(True) for obj in objects]
    try:
        yield
    finally:
        for obj, blocked in zip(objects, was, strict=True):
            obj.blockSignals(blocked)


def choice_combo(
    parent: QWidget,
    choices: Iterable[tuple[object, str]],
    tooltip: str,
    on_choice: Callable[[object], object] | None = None,
) -> QComboBox:
    """A combo box showing the texts of ``(key, text)`` choices, each key as its item data.

    ``on_choice(key)`` is called with the key of every choice made (by the user, or by
    ``setCurrentIndex`` outside :func:`signals_blocked`).
    """
    combo = QComboBox(parent)
    for key, text in choices:
        combo.addItem(text, key)
    combo.setToolTip(tooltip)
    if on_choice is not None:
        combo.currentIndexChanged.connect(lambda i: on_choice(combo.itemData(i)))
    return combo


def theme_check_box(box: QCheckBox, theme) -> None:
    """Give ``box`` an outline and a fill that stand out on ``theme``'s background.

    Qt's Fusion style draws a check box's frame in the window colour made 40 % darker and
    fills it with the base colour: on the dark appearance both are within a few shades of
    the panel and the box all but disappears, and on the light one the frame is a pale
    grey (1.7:1). The box gets a window colour whose darker shade is the theme's muted
    grey (about 4:1 on the light panel, 6:1 on the dark one) and, on the dark theme, a
    base a step lighter than the panel; its label keeps the application's text colours.
    Call it after the application's palette is set for the theme.
    """
    palette = QPalette()  # the application's (its text colours, disabled ones included)
    palette.setColor(QPalette.ColorRole.Window, QColor(*theme.muted).lighter(140))
    if theme.name != "light":
        palette.setColor(QPalette.ColorRole.Base, QColor(*theme.background).lighter(180))
    box.setPalette(palette)


#: Largest size Qt allows a widget (QWIDGETSIZE_MAX).
_UNBOUNDED = 16_777_215


class SteadyLabel(QLabel):
    """A label whose size only grows: a new text relays out its parent only when it
    needs more room than any text before it.

    A ``QLabel`` of free size asks its parent layout for a new layout on every
    ``setText``, and the request climbs: the label's dock, then the whole main window
    (every dock re-placed and repainted). A fixed size (width grown to the widest text so
    far) makes ``setText`` a repaint of the label alone. Asking the label for its size
    hint lays its text out (~30 µs), so a single-line text no wider than the widest so
    far (by its font's advance, a few µs) keeps the size without asking.
    """

    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self._metrics: QFontMetricsF | None = None
        self._widest = -1.0  # advance of the widest single-line text fitted so far
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        if "\n" not in text:
            if self._metrics is None:
                self._metrics = QFontMetricsF(self.font())
            advance = self._metrics.horizontalAdvance(text)
            if advance <= self._widest:
                return
            self._widest = advance
        hint = super().sizeHint()
        if hint.width() > self.minimumWidth() or hint.height() != self.minimumHeight():
            self.setFixedSize(max(hint.width(), self.minimumWidth()), hint.height())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._metrics = None
            self._widest = -1.0
            self.setMinimumSize(0, 0)
            self.setMaximumSize(_UNBOUNDED, _UNBOUNDED)
            self.setText(self.text())


# ------------------------------------------------------------------------ read-outs
#: The read-outs' interval while training plays (seconds): ten updates a second.
READOUT_INTERVAL_S = 0.1


class Throttle:
    """Calls ``show()`` at once, or at most every ``interval_s`` when asked to hold back.

    While training plays, numbers change at every frame; showing each costs time (a
    label's repaint, a rich-text title's relayout) and sixty a second cannot be read
    anyway. A throttle shows at most one update per interval and, when it held one
    back, shows the latest when the interval is over.

    Parameters
    ----------
    show : callable
        Shows the latest state (no arguments).
    parent : QObject
        Owner of the timer that brings a held-back update.
    interval_s : float, optional
        Seconds between two held-back updates.
    """

    def __init__(self, show: Callable[[], None], parent: QObject, interval_s=READOUT_INTERVAL_S):
        self._show = show
        self.interval_s = interval_s
        self._shown_at = -math.inf  # time.monotonic() of the last show
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.now)

    def request(self, hold: bool) -> None:
        """Show now; with ``hold``, only if the interval since the last show is over,
        else when it is (a held-back update always comes)."""
        if hold:
            wait = self._shown_at + self.interval_s - time.monotonic()
            if wait > 0:
                if not self._timer.isActive():
                    self._timer.start(max(1, math.ceil(wait * 1000)))
                return
        self.now()

    def now(self) -> None:
        """Show at once (a held-back update is then no longer due)."""
        self._timer.stop()
        self._shown_at = time.monotonic()
        self._show()

    def cancel(self) -> None:
        """Drop a held-back update (what it would show is already shown)."""
        self._timer.stop()

    @property
    def pending(self) -> bool:
        """Whether an update is held back."""
        return self._timer.isActive()
