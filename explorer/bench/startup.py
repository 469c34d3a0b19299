"""Launch to first painted frame: ``softmax-explorer`` started in a fresh interpreter.

The child runs exactly what the ``softmax-explorer`` script runs
(:func:`explorer.cli.main` with no arguments: default session, settings from a
throw-away file, offscreen platform), with one probe added from outside the app: the
decision image's ``paint`` is wrapped so that, right after the first time the regions
are painted, a zero-delay timer (which fires once the paint pass has finished) prints a
line and ends the process. The parent measures wall-clock time from ``Popen`` to that
line: interpreter start, imports, session, window, first layout and paint.
"""

from __future__ import annotations

import select
import statistics
import subprocess
import sys
import time

from explorer.bench.subprocesses import child_env

MARK = "SOFTMAX_EXPLORER_FIRST_FRAME"

_CHILD = f"""
import os, sys
from explorer.views.items import decision_image as _probe

_paint = _probe.DecisionImageItem.paint
_state = []

def _report():
    sys.stdout.write("{MARK}\\n")
    sys.stdout.flush()
    os._exit(0)

def paint(self, painter, *args):
    _paint(self, painter, *args)
    if not _state:
        _state.append(1)
        from PyQt6.QtCore import QTimer
        QTimer.singleShot(0, _report)

_probe.DecisionImageItem.paint = paint
from explorer.cli import main
sys.exit(main([]))
"""


def first_frame_once(timeout: float = 60.0) -> float:
    """Seconds from launching the app to its first painted frame (one launch).

    Raises
    ------
    RuntimeError
        If the child exits or times out without painting.
    """
    with child_env() as env:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            line = proc.stdout.readline() if ready else ""
            elapsed = time.perf_counter() - t0
            if not ready:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            proc.communicate()
            raise RuntimeError(f"the app did not paint a frame within {timeout:g} s") from exc
    if line.strip() != MARK:
        tail = " ".join(err.strip().splitlines()[-3:])
        raise RuntimeError(f"the app exited before painting (code {proc.returncode}): {tail}")
    return elapsed


def first_frame(repeats: int = 3) -> dict[str, object]:
    """Median and all times of ``repeats`` launches (the first one warms the disk cache)."""
    times = [first_frame_once() for _ in range(repeats)]
    return {"median_s": statistics.median(times), "all_s": times}
