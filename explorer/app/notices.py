"""The status bar's notices: a message never ends mid-word.

Qt's status bar cuts a long message where the bar ends ("… Lower the learning rate 1e+06
and press St"). :class:`NoticeBar` shows the window's messages in a label of its own
instead, on up to two lines broken at spaces, the second elided at a word boundary with
"…" (:func:`wrap_words`, :func:`elide_words`), the whole text in the
label's tooltip and in :meth:`NoticeBar.currentMessage`. The status tips of menus and
buttons still go through the status bar's own temporary message, as in every Qt program.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

ELLIPSIS = "…"


def elide_words(text: str, width: float, advance: Callable[[str], float]) -> str:
    """``text`` cut after its last whole word that fits ``width`` with an ellipsis.

    Parameters
    ----------
    text : str
        One line.
    width : float
        The room, in the units ``advance`` measures.
    advance : callable(str) -> float
        The drawn width of a string (``QFontMetricsF.horizontalAdvance``).

    Returns
    -------
    str
        ``text`` itself when it fits; else its longest prefix ending at a word's end
        followed by ``"…"``, and at worst ``"…"`` alone (a first word too long for the
        room is never shown in part).
    """
    if advance(text) <= width:
        return text
    words = text.split(" ")
    # The longest run of whole words that fits with the ellipsis (bisection: the width
    # grows with the number of words).
    lo, hi = 0, len(words) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if advance(_joined(words[:mid])) <= width:
            lo = mid
        else:
            hi = mid - 1
    return _joined(words[:lo])


def wrap_words(text: str, width: float, advance: Callable[[str], float], lines: int) -> list[str]:
    """``text`` broken at spaces into at most ``lines`` lines that fit ``width``, the last
    one elided by :func:`elide_words` when the text needs more.

    A word wider than ``width`` on a line of its own stays whole (it is never split).
    """
    words = text.split(" ")
    out: list[str] = []
    while words and len(out) < lines - 1:
        n = 1
        while n < len(words) and advance(" ".join(words[: n + 1])) <= width:
            n += 1
        if n == len(words):
            break
        out.append(" ".join(words[:n]))
        words = words[n:]
    rest = " ".join(words)
    if rest or not out:
        out.append(elide_words(rest, width, advance))
    return out


def _joined(words: list[str]) -> str:
    """The words, their trailing punctuation stripped, followed by an ellipsis."""
    return " ".join(words).rstrip(" .,;:") + ELLIPSIS if words else ELLIPSIS


class ElidedLabel(QLabel):
    """A label that breaks its text at spaces into up to ``lines`` lines and elides the
    last at a word boundary; the whole text is its tooltip when cut."""

    def __init__(self, parent: QWidget | None = None, lines: int = 1):
        super().__init__(parent)
        self._full = ""
        self._lines = lines
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMinimumWidth(1)

    def full_text(self) -> str:
        """The text as set, before eliding."""
        return self._full

    def set_full_text(self, text: str) -> None:
        """Show ``text`` (elided to the label's width when it is too long)."""
        self._full = " ".join(text.split())  # one line
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        room = self.contentsRect().width() - 2 * self.margin()
        lines = wrap_words(self._full, room, metrics.horizontalAdvance, self._lines)
        shown = "\n".join(lines)
        if shown != self.text():
            self.setText(shown)
        cut = " ".join(lines) != self._full
        self.setToolTip(self._full if cut else "")

    def shown_lines(self) -> list[str]:
        """The lines drawn."""
        return self.text().split("\n") if self.text() else []

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._elide()


class NoticeBar(QStatusBar):
    """A status bar whose :meth:`showMessage` shows the text in an :class:`ElidedLabel`.

    ``showMessage``, ``clearMessage`` and ``currentMessage`` keep their meaning for
    Python callers (the window's ``show_message``, the tests).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # Two lines: a long notice (the divergence's advice) is read whole on a laptop.
        self.notice = ElidedLabel(self, lines=2)
        self.notice.setObjectName("notice")
        self.addWidget(self.notice, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clearMessage)

    def showMessage(self, text: str, timeout: int = 0) -> None:
        """Show ``text`` until the next message, or for ``timeout`` ms when positive."""
        self._timer.stop()
        self.notice.set_full_text(text)
        if timeout > 0:
            self._timer.start(timeout)

    def clearMessage(self) -> None:
        self._timer.stop()
        self.notice.set_full_text("")
        super().clearMessage()

    def currentMessage(self) -> str:
        """The whole text of the notice shown (else the status bar's own message)."""
        return self.notice.full_text() or super().currentMessage()
