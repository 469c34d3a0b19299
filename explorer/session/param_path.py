"""The parameters of every step of a run, ``θ_t``, for the loss landscape's path.

The history keeps full states only at checkpoints (:mod:`explorer.session.history`);
the landscape draws the optimiser's path, so the timeline also records ``θ_t`` here
(``docs/landscape.md``): one row of ``P = C·D + C`` numbers per step, in the training
dtype (the parameters' own bits: float32 → float64 is exact), ``W`` row by row then
``b`` (:mod:`explorer.core.parameters`).

Memory: ``4·P`` bytes a step in float32 (240 bytes at C = 10, D = 5). Above
:data:`PATH_BUDGET` the record keeps every second step (its stride doubles, as the
checkpoints' does) and then records only steps on the stride: a path of a million steps
stays within the budget, drawn through every ``stride``-th step.

Undo shares the record (:meth:`ParamPath.share`): appending never writes into the rows a
share holds, and a truncation that a later append would overwrite copies first.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Bytes of ``θ`` rows kept before the record thins itself to every second step.
PATH_BUDGET = 32 * 2**20


class PathRecord(NamedTuple):
    """A read-only share of a :class:`ParamPath` (what a snapshot or a file restores).

    steps : ndarray of int64, shape (T,)
        Increasing step numbers.
    thetas : ndarray, shape (T, P)
        ``θ`` at each of those steps, training dtype.
    stride : int
        Steps off this stride are no longer recorded (1: every step).
    """

    steps: np.ndarray
    thetas: np.ndarray
    stride: int


def _readonly(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


class ParamPath:
    """``θ_t`` of the recorded steps of one run, in increasing step order.

    Attributes
    ----------
    epoch : int
        Grows whenever recorded rows are removed or replaced (a truncation, a thinning,
        a restart): a reader that projected rows ``0..n`` before may reuse them while the
        epoch is unchanged, and project only the rows appended since.
    stride : int
    """

    def __init__(self, budget: int = PATH_BUDGET):
        self.budget = int(budget)
        self.epoch = 0
        self.clear()

    def clear(self) -> None:
        """Forget every row (a new run)."""
        self._steps = np.zeros(0, dtype=np.int64)
        self._thetas: np.ndarray | None = None
        self._n = 0
        self.stride = 1
        self._shared = False
        self.epoch += 1

    def __len__(self) -> int:
        return self._n

    @property
    def steps(self) -> np.ndarray:
        """Recorded step numbers, int64 ``(T,)`` (read-only view)."""
        return _readonly(self._steps[: self._n])

    @property
    def thetas(self) -> np.ndarray:
        """``θ`` of the recorded steps ``(T, P)``, training dtype (read-only view)."""
        if self._thetas is None:
            return np.zeros((0, 0))
        return _readonly(self._thetas[: self._n])

    @property
    def last_step(self) -> int:
        """The last recorded step (-1 when empty)."""
        return int(self._steps[self._n - 1]) if self._n else -1

    @property
    def nbytes(self) -> int:
        """Bytes of the buffers (their whole capacity)."""
        thetas = 0 if self._thetas is None else self._thetas.nbytes
        return self._steps.nbytes + thetas

    def record(self, step: int, W: np.ndarray, b: np.ndarray) -> None:
        """Record ``θ`` of ``step`` from ``W (C, D)`` and ``b (C,)``.

        A step at or before the last recorded one replaces it and drops the rows after
        it (an edit at the shown step). Off the stride (after thinning) nothing is kept.
        """
        step = int(step)
        if self._n and step <= self.last_step:
            self.truncate(step - 1)
        if step % self.stride:
            return
        row = np.concatenate([np.ravel(W), np.ravel(b)])
        if self._thetas is None or self._thetas.shape[1] != row.size:
            self._steps = np.zeros(1024, dtype=np.int64)
            self._thetas = np.zeros((1024, row.size), dtype=row.dtype)
            self._n = 0
            self.epoch += 1
        elif self._n == self._steps.size:
            self._grow()
        self._steps[self._n] = step
        self._thetas[self._n] = row
        self._n += 1
        if self._n * self._thetas.strides[0] > self.budget:
            self._thin()

    def _grow(self) -> None:
        capacity = 2 * self._steps.size
        steps = np.zeros(capacity, dtype=np.int64)
        thetas = np.zeros((capacity, self._thetas.shape[1]), dtype=self._thetas.dtype)
        steps[: self._n] = self._steps[: self._n]
        thetas[: self._n] = self._thetas[: self._n]
        self._steps, self._thetas, self._shared = steps, thetas, False

    def _thin(self) -> None:
        """Double the stride and keep only the rows on it (new buffers: shares keep theirs)."""
        self.stride *= 2
        keep = np.flatnonzero(self._steps[: self._n] % self.stride == 0)
        steps = np.zeros(max(1024, 2 * keep.size), dtype=np.int64)
        thetas = np.zeros((steps.size, self._thetas.shape[1]), dtype=self._thetas.dtype)
        steps[: keep.size] = self._steps[keep]
        thetas[: keep.size] = self._thetas[keep]
        self._steps, self._thetas, self._n, self._shared = steps, thetas, keep.size, False
        self.epoch += 1

    def truncate(self, k: int) -> None:
        """Drop the rows of steps after ``k`` (every row for ``k < 0``)."""
        n = int(np.searchsorted(self._steps[: self._n], int(k), side="right"))
        if n >= self._n:
            return
        if self._shared:  # a share reads rows n.. that the next append would overwrite
            self._steps, self._shared = self._steps.copy(), False
            self._thetas = self._thetas.copy()
        self._n = n
        self.epoch += 1

    def share(self) -> PathRecord:
        """The rows recorded so far, read-only, without copying them."""
        self._shared = True
        return PathRecord(self.steps, self.thetas, self.stride)

    def adopt(self, record: PathRecord) -> None:
        """Take over a share (undo) or rows rebuilt from a file (copied: the share stays
        as it was)."""
        steps = np.asarray(record.steps, dtype=np.int64)
        thetas = np.asarray(record.thetas)
        if thetas.ndim != 2 or thetas.shape[0] != steps.size:
            raise ValueError(f"path rows {thetas.shape} do not match {steps.size} steps")
        self.clear()
        if steps.size == 0:
            return
        self._steps, self._thetas = steps.copy(), thetas.copy()
        self._n = steps.size
        self.stride = int(record.stride)


def record_from_states(states, stride: int = 1) -> PathRecord:
    """A :class:`PathRecord` of full states (checkpoints, then the live state), one row per
    distinct step in increasing order: the path of a run read from a file, which holds
    ``θ`` only at its checkpoints.

    Parameters
    ----------
    states : iterable of objects with ``step``, ``W (C, D)`` and ``b (C,)``
    """
    by_step = {}
    for state in states:
        by_step[int(state.step)] = np.concatenate([np.ravel(state.W), np.ravel(state.b)])
    steps = np.array(sorted(by_step), dtype=np.int64)
    if steps.size == 0:
        return PathRecord(steps, np.zeros((0, 0)), stride)
    return PathRecord(steps, np.stack([by_step[int(s)] for s in steps]), stride)
