"""A label whose new texts repaint it alone, without relaying out the window.

A ``QLabel`` of free size asks its parent layout for a new layout on every ``setText``,
and the request climbs: the label's dock, then the whole main window (every dock
re-placed and repainted). A label whose text changes every frame (a step number) must
keep a fixed size.
"""

from __future__ import annotations

from PyQt6.QtGui import QFontMetricsF
from PyQt6.QtWidgets import QLabel

#: Largest size Qt allows a widget (QWIDGETSIZE_MAX).
_UNBOUNDED = 16_777_215


class SteadyLabel(QLabel):
    """A label whose size only grows: a new text relays out its parent only when it
    needs more room than any text before it.

    A fixed size (width grown to the widest text so far) makes ``setText`` a repaint of
    the label alone. Asking the label for its size hint lays its text out (~30 µs), so a
    single-line text no wider than the widest so far (by its font's advance, a few µs)
    keeps the size without asking.
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
