"""Training history for scrubbing: per-step metrics plus sparse full-state checkpoints.

What is kept
------------
* **Metrics** for every step ``0..head``: train/test loss and accuracy, float64, in one
  ``(4, capacity)`` buffer that doubles when full: 32 bytes per step.
* **Checkpoints**: the full training state (``W``, ``b``, optimiser state, the batch
  generator's bit state and the training :class:`Config` in effect) every ``stride``
  steps (25 to start with), plus *forced* checkpoints at step 0 and at every edit
  (configuration change, edited parameters). Any step is rebuilt by restoring the nearest
  checkpoint ``<= k`` and replaying at most ``stride - 1`` steps, bit for bit, because the
  replay runs the very same code on the very same state.

Memory bound (the arithmetic)
-----------------------------
A checkpoint of a ``C x D`` model in float32 costs ``4·(C·D + C)·(1 + s)`` bytes of
parameters and optimiser slots (``s`` = 0 for SGD, 1 for momentum/Nesterov, 2 for Adam),
48 bytes of generator state and about 1 KiB of Python/array headers. For C = 10, D = 28
with Adam that is ``4·290·3 + 48 + ~1000 ≈ 4.5 KB``. 100 000 steps then hold
``100 000 / 25 = 4 000`` checkpoints ≈ 18 MB plus ``32 B · 131 072`` (buffer capacity)
≈ 4.2 MB of metrics: about 22 MB, well under 100 MiB.

Regular checkpoints are capped at :data:`CHECKPOINT_BUDGET` (48 MiB): when they exceed
it, the stride doubles and every regular checkpoint off the new stride is dropped (so
replay gets longer, memory does not grow). Forced checkpoints are never dropped (one per
user edit). History stops at :data:`MAX_STEPS` (1 000 000) steps: the metrics buffer is
then ``32 B · 1 000 001`` ≈ 32 MB, so the history stays below ~80 MiB plus forced
checkpoints. At the cap the session refuses to train further and says so; older history
is never dropped, so step numbers stay stable.
"""

from __future__ import annotations

import bisect
import sys
from dataclasses import dataclass

import numpy as np

from explorer.session.reports import Divergence, HistoryFull

MAX_STEPS = 1_000_000
DEFAULT_STRIDE = 25
CHECKPOINT_BUDGET = 48 * 2**20
#: Per checkpoint bookkeeping outside the state itself (dict slot, list entry, int).
_INDEX_OVERHEAD = 120
_MASK64 = (1 << 64) - 1


def rng_to_array(rng: np.random.Generator) -> np.ndarray:
    """The bit state of a PCG64 generator as ``uint64 (6,)``.

    Order: state high/low, increment high/low, ``has_uint32``, ``uinteger``.
    """
    st = rng.bit_generator.state
    if st["bit_generator"] != "PCG64":
        raise ValueError(f"only PCG64 generators are supported, got {st['bit_generator']}")
    s, inc = st["state"]["state"], st["state"]["inc"]
    words = (s >> 64, s & _MASK64, inc >> 64, inc & _MASK64, st["has_uint32"], st["uinteger"])
    return np.array(words, dtype=np.uint64)


def rng_from_array(words: np.ndarray) -> np.random.Generator:
    """A PCG64 generator in the state :func:`rng_to_array` recorded."""
    words = np.asarray(words)
    if words.shape != (6,) or words.dtype != np.uint64:
        raise ValueError("generator state must be uint64 of shape (6,)")
    w = [int(v) for v in words]
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": (w[0] << 64) | w[1], "inc": (w[2] << 64) | w[3]},
        "has_uint32": w[4],
        "uinteger": w[5],
    }
    return rng


@dataclass(slots=True)
class State:
    """The full training state at one step (everything replay needs).

    Attributes
    ----------
    step : int
    W : ndarray, shape (C, D), training dtype
    b : ndarray, shape (C,), training dtype
    opt : dict[str, ndarray]
        The optimiser's :meth:`state` (copies).
    rng : ndarray of uint64, shape (6,)
        The batch generator's bit state (:func:`rng_to_array`).
    config : Config
        The training configuration in effect from this step on.
    forced : bool
        True for checkpoints made by an edit (never thinned out).
    """

    step: int
    W: np.ndarray
    b: np.ndarray
    opt: dict
    rng: np.ndarray
    config: object
    forced: bool = False

    @property
    def nbytes(self) -> int:
        """Bytes held by this state (arrays with their headers, containers)."""
        arrays = [self.W, self.b, self.rng, *self.opt.values()]
        total = sum(sys.getsizeof(a) + (0 if a.base is None else a.nbytes) for a in arrays)
        return total + sys.getsizeof(self) + sys.getsizeof(self.opt)


class Metrics:
    """Read-only views of the per-step metrics, each float64 of length ``head + 1``.

    Attributes
    ----------
    train_loss, train_acc, test_loss, test_acc : ndarray of float64, shape (head + 1,)
        Mean cross-entropy (hard labels, no L2) and accuracy at the parameters of each
        step. Without test points the test arrays hold zeros and :attr:`has_test` is False.
    has_test : bool
    """

    __slots__ = ("has_test", "test_acc", "test_loss", "train_acc", "train_loss")

    def __init__(self, buffer: np.ndarray, length: int, has_test: bool):
        rows = buffer[:, :length]
        rows = rows.view()
        rows.flags.writeable = False
        self.train_loss, self.train_acc, self.test_loss, self.test_acc = rows
        self.has_test = has_test

    def __len__(self) -> int:
        return self.train_loss.shape[0]


class History:
    """Metrics for every step and checkpoints every ``stride`` steps (see module doc)."""

    def __init__(self, stride: int = DEFAULT_STRIDE, budget: int = CHECKPOINT_BUDGET):
        if stride < 1:
            raise ValueError("stride must be >= 1")
        self.initial_stride = stride
        self.budget = budget
        self.has_test = False
        self.clear()

    def clear(self) -> None:
        """Forget everything (before a new run)."""
        self.stride = self.initial_stride
        self._buffer = np.zeros((4, 1024), dtype=np.float64)
        self._length = 0
        self._steps: list[int] = []
        self._states: dict[int, State] = {}
        self._forced_steps: list[int] = []  # the steps of the forced checkpoints, in order
        self._regular_bytes = 0
        self._forced_bytes = 0

    def restore(self, metrics: np.ndarray, has_test: bool, stride: int, states) -> None:
        """Adopt saved metrics ``(4, head + 1)``, stride and checkpoints (increasing steps)."""
        self.clear()
        length = metrics.shape[1]
        self._buffer = np.zeros((4, max(1024, length)), dtype=np.float64)
        self._buffer[:, :length] = metrics
        self._length = length
        self.has_test = has_test
        self.stride = stride
        for state in states:
            self._steps.append(state.step)
            self._states[state.step] = state
            if state.forced:
                self._forced_steps.append(state.step)
                self._forced_bytes += state.nbytes
            else:
                self._regular_bytes += state.nbytes

    # ---------------------------------------------------------------- metrics
    @property
    def head(self) -> int:
        """The last step recorded (-1 when empty)."""
        return self._length - 1

    @property
    def metrics(self) -> Metrics:
        return Metrics(self._buffer, self._length, self.has_test)

    def append(self, values) -> int:
        """Record the metrics ``(train_loss, train_acc, test_loss, test_acc)`` of a new step.

        Returns
        -------
        int
            The new step's index.
        """
        if self._length > MAX_STEPS:
            raise RuntimeError(f"history is full ({MAX_STEPS} steps)")
        if self._length == self._buffer.shape[1]:
            capacity = min(2 * self._length, MAX_STEPS + 1)
            grown = np.zeros((4, capacity), dtype=np.float64)
            grown[:, : self._length] = self._buffer[:, : self._length]
            self._buffer = grown
        self._buffer[:, self._length] = values
        self._length += 1
        return self._length - 1

    def set_metrics(self, step: int, values) -> None:
        """Overwrite the metrics of an existing step (after a parameter edit)."""
        if not 0 <= step < self._length:
            raise IndexError(step)
        self._buffer[:, step] = values

    @property
    def full(self) -> bool:
        """True when no further step may be recorded."""
        return self.head >= MAX_STEPS

    # ------------------------------------------------------------ checkpoints
    def wants_checkpoint(self, step: int) -> bool:
        """Whether a regular checkpoint belongs at ``step``."""
        return step % self.stride == 0 and step not in self._states

    def add(self, state: State) -> None:
        """Store ``state`` (replacing one at the same step); may thin regular checkpoints."""
        if state.step > self.head or state.step < 0:
            raise ValueError(f"checkpoint at step {state.step} beyond head {self.head}")
        old = self._states.get(state.step)
        if old is not None:
            self._forget(old)
        else:
            bisect.insort(self._steps, state.step)
        self._states[state.step] = state
        if state.forced:
            bisect.insort(self._forced_steps, state.step)
            self._forced_bytes += state.nbytes
        else:
            self._regular_bytes += state.nbytes
            self._thin()

    def _forget(self, state: State) -> None:
        if state.forced:
            self._forced_steps.remove(state.step)
            self._forced_bytes -= state.nbytes
        else:
            self._regular_bytes -= state.nbytes

    def _thin(self) -> None:
        while self._regular_bytes > self.budget and self.stride < MAX_STEPS:
            self.stride *= 2
            for step in [s for s in self._steps if s % self.stride]:
                state = self._states[step]
                if not state.forced:
                    self._forget(state)
                    del self._states[step]
            self._steps = sorted(self._states)

    def nearest(self, k: int) -> State:
        """The checkpoint at the largest step ``<= k``."""
        i = bisect.bisect_right(self._steps, k)
        if i == 0:
            raise LookupError(f"no checkpoint at or before step {k}")
        return self._states[self._steps[i - 1]]

    def get(self, step: int) -> State | None:
        """The checkpoint at exactly ``step``, if any."""
        return self._states.get(step)

    def forced_after(self, step: int) -> list[State]:
        """The forced checkpoints (edits) after ``step``, by increasing step: found
        without walking the regular ones."""
        i = bisect.bisect_right(self._forced_steps, step)
        return [self._states[s] for s in self._forced_steps[i:]]

    @property
    def checkpoints(self) -> list[State]:
        """All checkpoints, by increasing step."""
        return [self._states[s] for s in self._steps]

    def truncate(self, k: int) -> None:
        """Drop every step after ``k`` (metrics and checkpoints)."""
        if k >= self.head:
            return
        self._length = k + 1
        while self._steps and self._steps[-1] > k:
            self._forget(self._states.pop(self._steps.pop()))

    @property
    def nbytes(self) -> int:
        """Bytes held by the history: metrics buffer, checkpoints and their index."""
        index = sys.getsizeof(self._steps) + sys.getsizeof(self._states)
        per_checkpoint = _INDEX_OVERHEAD * len(self._steps)
        states = self._regular_bytes + self._forced_bytes
        return self._buffer.nbytes + index + per_checkpoint + states


@dataclass(frozen=True)
class SavedTimeline:
    """A timeline's state read back from a file (see :mod:`explorer.session.state_io`).

    Attributes
    ----------
    metrics : ndarray of float64, shape (4, head + 1)
        Train loss, train accuracy, test loss, test accuracy per step.
    has_test : bool
    stride : int
        The history's checkpoint stride.
    checkpoints : list of State
        By increasing step, the first at step 0.
    live : State
        The shown step (``live.step``), its parameters, optimiser, generator and config.
    diverged : Divergence or None
    notice : HistoryFull or None
    path : PathRecord or None
        ``θ`` of the recorded steps (:mod:`~explorer.session.param_path`); None for a
        file, whose path is rebuilt from its checkpoints.
    """

    metrics: np.ndarray
    has_test: bool
    stride: int
    checkpoints: list[State]
    live: State
    diverged: Divergence | None = None
    notice: HistoryFull | None = None
    path: object | None = None
