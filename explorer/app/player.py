"""Play / pause: a ``QTimer`` that steps the session a few steps per frame.

One thread only (docs/performance.md, speed lesson 7): the timer fires in the GUI event
loop, each tick calls ``session.step(n)`` once, which emits one event, so every view
redraws once per frame.
A tick never takes much longer than :data:`FRAME_BUDGET_S`: when the steps asked for per
frame would (huge data, many steps per frame), fewer are taken, so the window stays live.
"""

from __future__ import annotations

import time
from collections import deque

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal

#: Time one tick may spend stepping and redrawing, in seconds.
FRAME_BUDGET_S = 0.1


class Player(QObject):
    """Drives training while playing and measures the frames per second reached."""

    playingChanged = pyqtSignal(bool)

    def __init__(self, step_callback, parent: QObject | None = None, clock=time.perf_counter):
        super().__init__(parent)
        self._step = step_callback
        self._clock = clock
        self._seconds_per_step = 0.0  # measured while playing; 0 = not known yet
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.steps_per_frame = 1
        self._ticks: deque[float] = deque(maxlen=120)
        self.set_fps(30)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def fps(self) -> int:
        return self._fps

    def set_fps(self, fps: int) -> None:
        """Frames per second asked for (1..240)."""
        self._fps = max(1, min(240, int(fps)))
        self._timer.setInterval(max(0, round(1000 / self._fps) - 1))

    def set_steps_per_frame(self, n: int) -> None:
        self.steps_per_frame = max(1, min(10_000, int(n)))

    def steps_this_frame(self) -> int:
        """Steps the next tick takes: the steps per frame, fewer if they would not fit.

        Until a tick has been timed, one step (so the first frame of a slow session
        cannot freeze the window).
        """
        if self._seconds_per_step <= 0:
            return 1
        fit = int(FRAME_BUDGET_S / self._seconds_per_step)
        return max(1, min(self.steps_per_frame, fit))

    def play(self) -> None:
        if not self.playing:
            self._ticks.clear()
            self._timer.start()
            self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def measured_fps(self) -> float:
        """Frames per second over the last ticks (0 when not enough ticks yet)."""
        if len(self._ticks) < 2:
            return 0.0
        span = self._ticks[-1] - self._ticks[0]
        return (len(self._ticks) - 1) / span if span > 0 else 0.0

    def _tick(self) -> None:
        started = self._clock()
        self._ticks.append(started)
        done = self._step(self.steps_this_frame())
        if not done:
            self.pause()
            return
        per_step = (self._clock() - started) / done
        previous = self._seconds_per_step
        self._seconds_per_step = per_step if previous <= 0 else 0.5 * (previous + per_step)
