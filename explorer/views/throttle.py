"""Read-outs that follow a stream of changes at a readable rate.

While training plays, numbers change at every frame; showing each costs time (a label's
repaint, a rich-text title's relayout) and sixty a second cannot be read anyway. A
:class:`Throttle` shows at most one update per interval and, when it held one back,
shows the latest when the interval is over.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PyQt6.QtCore import QObject, QTimer

#: The read-outs' interval while training plays (seconds): ten updates a second.
READOUT_INTERVAL_S = 0.1


class Throttle:
    """Calls ``show()`` at once, or at most every ``interval_s`` when asked to hold back.

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
