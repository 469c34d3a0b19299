"""Progress of a long command-line task on stderr: steps done, rate and time left.

``softmax-explorer export --steps 1000000`` trains for about a minute; without this it
says nothing in that time. A :class:`Progress` prints the command's lines
(``[ 0.75s] writing out/regions.png``) and, for a long task, a line
``[ 3.20s] training 52,000/1,000,000 steps (5%), 16,250 steps/s, 58 s left``, at most
every :data:`TERMINAL_INTERVAL_S` on a terminal (one line, rewritten in place) and every
:data:`PLAIN_INTERVAL_S` otherwise (a log gets plain lines). ``quiet`` prints nothing.
Needs no Qt.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds between updates of the progress line on a terminal (rewritten in place).
TERMINAL_INTERVAL_S = 0.5
#: Seconds between progress lines in a log or a pipe (each a line of its own).
PLAIN_INTERVAL_S = 2.0
#: Seconds a chunk of training aims to take between two looks at the clock.
CHUNK_S = 0.1


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``2 h 07 min``: a time left, to the second under an hour."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """The progress lines of one command, timed from its start.

    Parameters
    ----------
    stream : text stream, default ``sys.stderr``
    quiet : bool
        Print nothing at all.
    clock : callable returning seconds
        ``time.perf_counter`` (a test passes its own).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.stream = sys.stderr if stream is None else stream
        self.quiet = quiet
        self.clock = clock
        self.started = clock()
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        self.interval_s = TERMINAL_INTERVAL_S if self.terminal else PLAIN_INTERVAL_S
        self._open_line = 0  # length of the progress line shown in place, 0: none

    def _stamp(self, text: str) -> str:
        return f"[{self.clock() - self.started:5.2f}s] {text}"

    def say(self, text: str) -> None:
        """Print one line (after the progress line in place, if one is shown)."""
        if self.quiet:
            return
        self._end_line()
        print(self._stamp(text), file=self.stream, flush=True)

    def _end_line(self) -> None:
        if self._open_line:
            self.stream.write("\n")
            self._open_line = 0

    def _show(self, text: str) -> None:
        line = self._stamp(text)
        if self.terminal:
            pad = " " * max(0, self._open_line - len(line))
            self.stream.write(f"\r{line}{pad}")
            self.stream.flush()
            self._open_line = len(line)
        else:
            print(line, file=self.stream, flush=True)

    def task(self, what: str, total: int, unit: str = "steps", intro: str | None = None) -> Task:
        """A task of ``total`` units, reported by :meth:`Task.update`.

        Says ``intro`` now (default ``"{what} {total} {unit}"``).
        """
        self.say(intro if intro is not None else f"{what} {total:,} {unit}")
        return Task(self, what, total, unit)


class Task:
    """One task of a :class:`Progress`; :meth:`update` it, :meth:`finish` it."""

    def __init__(self, progress: Progress, what: str, total: int, unit: str):
        self.progress = progress
        self.what, self.total, self.unit = what, max(0, int(total)), unit
        self.started = progress.clock()
        self._shown_at = self.started
        self.done = 0
        self.shown = 0  # progress lines printed

    def line(self, done: int, now: float) -> str:
        """``training 52,000/1,000,000 steps (5%), 16,250 steps/s, 58 s left``."""
        elapsed = now - self.started
        share = done / self.total if self.total else 1.0
        text = f"{self.what} {done:,}/{self.total:,} {self.unit} ({share:.0%})"
        if done > 0 and elapsed > 0:
            rate = done / elapsed
            text += f", {rate:,.0f} {self.unit}/s, {duration((self.total - done) / rate)} left"
        return text

    def update(self, done: int) -> None:
        """``done`` units are done; prints a line if the interval has passed since the last."""
        self.done = int(done)
        p = self.progress
        if p.quiet:
            return
        now = p.clock()
        if now - self._shown_at >= p.interval_s:
            self._shown_at = now
            self.shown += 1
            p._show(self.line(self.done, now))

    def finish(self) -> None:
        """The task is over: a line in place shows its last count and is ended."""
        p = self.progress
        if p.quiet or not self.shown:
            return
        if p.terminal:
            p._show(self.line(self.done, p.clock()))
            p._end_line()


def train(session, steps: int, task: Task | None = None) -> int:
    """``session.step(steps)`` in chunks of about :data:`CHUNK_S`, reporting to ``task``.

    Training is the same as one ``step(steps)`` call (every step, checkpoint and the
    stop at a divergence or a full history do not depend on how the steps are grouped);
    only the session's change notice comes once a chunk.

    Returns
    -------
    int
        The steps taken (fewer than ``steps`` when training stopped early).
    """
    done, chunk = 0, 16
    while done < steps:
        n = min(chunk, steps - done)
        started = time.perf_counter()
        taken = session.step(n)
        done += taken
        if task is not None:
            task.update(done)
        if taken < n:
            break
        spent = time.perf_counter() - started
        # The next chunk takes about CHUNK_S at the rate just seen (at most 8x more).
        chunk = max(1, min(8 * chunk, int(n * CHUNK_S / spent) if spent > 0 else 8 * chunk))
    if task is not None:
        task.finish()
    return done
