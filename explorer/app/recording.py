"""Record training as an animation: step the session and capture a widget every M steps.

Shared by File → Record Animation (with a progress dialog) and ``softmax-explorer export
--animation``. The writer is any :class:`explorer.export.animation.AnimationWriter` (or an
:class:`~explorer.export.animation.AnimationSet` of several): this module knows no format.
A cancelled or failed recording cancels the writer, which leaves no file.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QCoreApplication

from explorer.export.animation import MAX_FRAMES, AnimationSet, AnimationWriter

MAX_RECORD_STEPS = 1_000_000


def frame_count(start: int, stop: int, every: int) -> int:
    """Frames recorded from step ``start`` to ``stop`` taking one every ``every`` steps."""
    return 1 + (stop - start) // every


def validate_range(start: int, stop: int, every: int) -> None:
    """Refuse a recording range that is empty, reversed or absurd (ValueError)."""
    if every < 1:
        raise ValueError(f"steps per frame must be at least 1 (got {every})")
    if start < 0 or stop <= start:
        raise ValueError(f"the recording needs 0 <= start < stop (got {start}..{stop})")
    if stop - start > MAX_RECORD_STEPS:
        raise ValueError(f"at most {MAX_RECORD_STEPS} steps can be recorded at once")
    if frame_count(start, stop, every) > MAX_FRAMES:
        raise ValueError(f"that would be more than {MAX_FRAMES} frames: take more steps per frame")


def record(
    session,
    widget,
    writer: AnimationWriter | AnimationSet,
    start: int,
    stop: int,
    every: int,
    scale: float = 1.0,
    progress: Callable[[int, int], bool] | None = None,
) -> bool:
    """Capture ``widget`` at steps ``start, start+every, ... <= stop``.

    The session is moved to ``start`` first (through history, or by training when
    ``start`` is the head); steps past the head are trained. ``progress(done, total)``
    is called after each frame and may return ``False`` to cancel.

    Returns
    -------
    bool
        ``True`` when every frame was captured, ``False`` when cancelled or training
        diverged first (the writer is then cancelled and nothing is written).
    """
    validate_range(start, stop, every)
    total = frame_count(start, stop, every)
    try:
        return _capture_frames(session, widget, writer, start, every, total, scale, progress)
    except BaseException:
        writer.cancel()  # a failed frame (a full disk, an encoder error) leaves no file
        raise


def _capture_frames(session, widget, writer, start, every, total, scale, progress) -> bool:
    if start <= session.head:
        session.seek(start)
    else:
        session.seek(session.head)
        session.step(start - session.head)
    for done in range(total):
        if done:
            before = session.step_index
            if session.step(every) < every or session.step_index != before + every:
                writer.cancel()
                return False
        # Labels whose text grew (the step counter) lay out again before the capture.
        QCoreApplication.sendPostedEvents()
        writer.capture(widget, scale)
        if progress is not None and progress(done + 1, total) is False:
            writer.cancel()
            return False
    return True
