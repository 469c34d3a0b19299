"""Column-wise numpy work split between the calling thread and one helper thread.

The big per-frame passes at large N (the float64 softmax behind the exact batch numbers,
the float32 training forward pass, the decision image) are sequences of numpy ufuncs
that work on each column on its own. numpy releases the GIL inside a ufunc's loop, so
two halves of the columns run on two cores at once. Each column is computed by exactly
the same operations in the same order whichever half it falls in, so a split result
is bit-identical to an unsplit one (the tests check this); reductions across columns
(means, matrix products over samples) stay with the caller, unsplit.

This is fork–join inside one call: the helper thread never runs while Qt paints
(docs/performance.md, speed lesson 7: a worker thread that overlapped ``paint()``
made frames slower).
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable

#: Below this many array elements the hand-over (~0.1 ms) costs more than it saves.
MIN_SPLIT_ELEMENTS = 200_000
#: Each half keeps at least this many columns, so that every row of a half is a long
#: contiguous run: numpy's SIMD float32 ``exp`` then treats each element exactly as in
#: the whole array (a half only a column or two wide is iterated down the classes, by a
#: different loop that can differ in the last bit).
MIN_HALF_COLUMNS = 64

_helper_lock = threading.Lock()  # guards the helper's creation
_busy = threading.Lock()  # one split at a time; a concurrent caller runs whole
_helper: _Helper | None = None


def usable_cpus() -> int:
    """CPUs this process may run on (1 if unknown)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _Helper:
    """One daemon thread that runs a job when asked and says when it is done.

    Python's cyclic garbage collector runs in whichever thread allocates when it is due;
    a collection in this thread could destroy Qt objects away from the GUI thread. So
    the caller switches the collector off for the whole split (:func:`split_columns`),
    and this loop allocates nothing between finishing a job and waiting for the next.
    """

    def __init__(self) -> None:
        # Plain locks used as signals (C locks: waiting on one allocates nothing).
        self._start = threading.Lock()
        self._start.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._job: Callable[[], None] | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._loop, name="softmax-explorer-columns", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        while True:
            self._start.acquire()
            try:
                self._job()
            except BaseException as error:  # handed to the caller by join()
                self.error = error
            self._done.release()

    def run(self, job: Callable[[], None]) -> None:
        self.error = None
        self._job = job
        self._start.release()

    def join(self) -> None:
        self._done.acquire()
        self._job = None
        error, self.error = self.error, None
        if error is not None:
            raise error


def _get_helper() -> _Helper:
    global _helper
    with _helper_lock:
        if _helper is None:
            _helper = _Helper()
        return _helper


def split_columns(func: Callable[[int, int], None], n: int, elements: int) -> bool:
    """Run ``func(lo, hi)`` over the columns ``[0, n)``, in two halves at once if worth it.

    Parameters
    ----------
    func : callable
        ``func(lo, hi)`` does the work of columns ``lo:hi``. The two halves run
        concurrently: each call may write only its own columns of shared arrays and must
        use its own scratch. It must not touch Qt.
    n : int
        Number of columns.
    elements : int
        Size of the work, in array elements. Below :data:`MIN_SPLIT_ELEMENTS`, with
        fewer than ``2 ·`` :data:`MIN_HALF_COLUMNS` columns, on one CPU, or while a split
        runs (a split inside either half of another included), ``func(0, n)`` runs alone.

    Returns
    -------
    bool
        Whether the work was split.
    """
    if (
        n < 2 * MIN_HALF_COLUMNS
        or elements < MIN_SPLIT_ELEMENTS
        or usable_cpus() < 2
        or not _busy.acquire(blocking=False)  # also true inside a split (either half)
    ):
        func(0, n)
        return False
    collecting = gc.isenabled()
    gc.disable()
    try:
        helper = _get_helper()
        half = n // 2
        helper.run(lambda: func(half, n))
        try:
            func(0, half)
        finally:
            helper.join()  # re-raises the helper's exception, after both halves are done
    finally:
        if collecting:
            gc.enable()
        _busy.release()
    return True
