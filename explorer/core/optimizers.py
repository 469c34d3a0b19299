"""First-order optimisers that update parameter arrays in place.

Every optimiser owns preallocated state buffers (one per parameter and slot) plus one
scratch buffer per parameter, so a step allocates nothing but a few Python scalars.
The same sequence of ``update`` calls gives bit-identical parameters, and
:meth:`Optimizer.state` / :meth:`Optimizer.load_state` capture and restore everything a
step depends on, so training can be replayed from a checkpoint exactly.

Update rules (``g`` the gradient, ``η`` the learning rate of this step, ``t`` the step
count after increment):

* ``sgd``:       ``p ← p − η g``
* ``momentum``:  ``v ← μ v − η g``; ``p ← p + v`` (heavy ball, velocity holds ``η``)
* ``nesterov``:  ``v ← μ v − η g``; ``p ← p + μ v − η g`` — Nesterov's lookahead written at
  the current parameters (Sutskever et al. 2013; Bengio et al. 2013); the same as the
  cs231n form ``p ← p − μ v_old + (1 + μ) v``.
* ``adam``:      ``m ← β₁ m + (1 − β₁) g``; ``s ← β₂ s + (1 − β₂) g²``;
  ``p ← p − η · m̂ / (√ŝ + ε)`` with ``m̂ = m / (1 − β₁ᵗ)``, ``ŝ = s / (1 − β₂ᵗ)``
  (Kingma & Ba 2015, with ε added to ``√ŝ``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _unit_interval(name: str, value: float) -> float:
    value = float(value)
    if not (0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


class Optimizer:
    """Base class: buffers, validation and state round trips.

    Parameters
    ----------
    shapes : sequence of tuple of int
        Shape of each parameter array, e.g. ``[(C, D), (C,)]`` for ``[W, b]``.
    dtype : numpy dtype, optional
        float32 or float64; parameters passed to :meth:`update` must have it.

    Attributes
    ----------
    name : str
        One of :data:`OPTIMIZERS`.
    hyperparams : dict[str, float]
        The hyperparameters the rule uses (empty for SGD).
    shapes : tuple of tuple of int
    dtype : numpy.dtype
    steps : int
        Number of updates applied so far.
    """

    name = ""
    #: Names of the per-parameter state slots, e.g. ``("velocity",)``.
    slots: tuple[str, ...] = ()

    def __init__(self, shapes: Sequence[Sequence[int]], dtype=np.float32):
        dtype = np.dtype(dtype)
        if dtype not in _DTYPES:
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        try:
            self.shapes = tuple(tuple(int(n) for n in s) for s in shapes)
        except TypeError as exc:
            raise ValueError(f"shapes must be a sequence of shape tuples, got {shapes!r}") from exc
        if any(n < 0 for s in self.shapes for n in s):
            raise ValueError(f"shapes must not have negative sizes, got {self.shapes}")
        self.dtype = dtype
        self.hyperparams: dict[str, float] = {}
        self.steps = 0
        self._buffers = {
            (slot, i): np.zeros(s, dtype=dtype)
            for slot in self.slots
            for i, s in enumerate(self.shapes)
        }
        self._scratch = [np.empty(s, dtype=dtype) for s in self.shapes]

    # -- updating -------------------------------------------------------------------

    def update(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> None:
        """Apply one step to ``params`` in place.

        Parameters
        ----------
        params : list of ndarray
            Shapes :attr:`shapes`, dtype :attr:`dtype`; modified in place.
        grads : list of ndarray
            Gradients, same shapes (any float dtype; cast to :attr:`dtype`).
        lr : float
            Learning rate of this step, finite and >= 0.
        """
        lr = float(lr)
        if not (math.isfinite(lr) and lr >= 0.0):
            raise ValueError(f"learning rate must be finite and >= 0, got {lr!r}")
        if len(params) != len(self.shapes) or len(grads) != len(self.shapes):
            raise ValueError(
                f"expected {len(self.shapes)} parameters and gradients, "
                f"got {len(params)} and {len(grads)}"
            )
        for i, (p, g, s) in enumerate(zip(params, grads, self.shapes, strict=True)):
            if p.shape != s or g.shape != s:
                raise ValueError(f"parameter {i}: expected shape {s}, got {p.shape} and {g.shape}")
            if p.dtype != self.dtype:
                raise ValueError(f"parameter {i}: expected dtype {self.dtype}, got {p.dtype}")
        self.steps += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self._step(i, p, g, lr)

    def _step(self, i: int, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """Zero every state buffer and the step count (a fresh optimiser)."""
        for buf in self._buffers.values():
            buf.fill(0)
        self.steps = 0

    # -- state ----------------------------------------------------------------------

    def state(self) -> dict[str, np.ndarray]:
        """A copy of everything the next update depends on.

        Returns
        -------
        dict[str, ndarray]
            ``"steps"``: 0-d int64, the update count; and ``"<slot>_<i>"`` for each slot
            (e.g. ``velocity_0``, ``m_1``, ``s_1``) and parameter index ``i``, shaped
            like that parameter, in :attr:`dtype`.
        """
        out = {"steps": np.array(self.steps, dtype=np.int64)}
        for (slot, i), buf in self._buffers.items():
            out[f"{slot}_{i}"] = buf.copy()
        return out

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore a :meth:`state` of an optimiser of the same kind, shapes and dtype.

        Everything is checked before anything is changed.

        Raises
        ------
        ValueError
            On missing or unexpected keys, or a wrong shape, dtype or step count.
        """
        expected = {f"{slot}_{i}" for slot, i in self._buffers} | {"steps"}
        keys = set(state)
        if keys != expected:
            missing, extra = sorted(expected - keys), sorted(keys - expected)
            raise ValueError(
                f"{self.name} state keys do not match (missing {missing}, unexpected {extra})"
            )
        steps = np.asarray(state["steps"])
        if steps.shape != () or steps.dtype != np.int64 or int(steps) < 0:
            raise ValueError("state 'steps' must be a non-negative 0-d int64 array")
        for (slot, i), buf in self._buffers.items():
            key = f"{slot}_{i}"
            arr = np.asarray(state[key])
            if arr.shape != buf.shape or arr.dtype != buf.dtype:
                raise ValueError(
                    f"state {key!r}: expected {buf.dtype} {buf.shape}, got {arr.dtype} {arr.shape}"
                )
        for (slot, i), buf in self._buffers.items():
            np.copyto(buf, state[f"{slot}_{i}"])
        self.steps = int(steps)

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams.items())
        return f"<{type(self).__name__} {self.name} {hp} steps={self.steps}>"


class SGD(Optimizer):
    """Plain gradient descent: ``p ← p − η g``."""

    name = "sgd"

    def _step(self, i, p, g, lr):
        tmp = self._scratch[i]
        np.multiply(g, lr, out=tmp, casting="same_kind")
        p -= tmp


class Momentum(Optimizer):
    """Heavy-ball momentum: ``v ← μ v − η g``; ``p ← p + v``."""

    name = "momentum"
    slots = ("velocity",)

    def __init__(self, shapes, *, momentum=0.9, dtype=np.float32):
        super().__init__(shapes, dtype)
        self.momentum = _unit_interval("momentum", momentum)
        self.hyperparams = {"momentum": self.momentum}

    def _velocity(self, i, g, lr):
        v, tmp = self._buffers["velocity", i], self._scratch[i]
        np.multiply(g, lr, out=tmp, casting="same_kind")
        v *= self.momentum
        v -= tmp
        return v, tmp  # tmp still holds η g

    def _step(self, i, p, g, lr):
        v, _ = self._velocity(i, g, lr)
        p += v


class Nesterov(Momentum):
    """Nesterov momentum: ``v ← μ v − η g``; ``p ← p + μ v − η g`` (lookahead form)."""

    name = "nesterov"

    def _step(self, i, p, g, lr):
        v, tmp = self._velocity(i, g, lr)
        p -= tmp
        np.multiply(v, self.momentum, out=tmp)
        p += tmp


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba 2015)."""

    name = "adam"
    slots = ("m", "s")

    def __init__(self, shapes, *, beta1=0.9, beta2=0.999, eps=1e-8, dtype=np.float32):
        super().__init__(shapes, dtype)
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        eps = float(eps)
        if not (math.isfinite(eps) and eps > 0.0):
            raise ValueError(f"eps must be a positive finite number, got {eps!r}")
        self.eps = eps
        self.hyperparams = {"beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def _step(self, i, p, g, lr):
        m, s, tmp = self._buffers["m", i], self._buffers["s", i], self._scratch[i]
        b1, b2, t = self.beta1, self.beta2, self.steps
        m *= b1
        np.multiply(g, 1.0 - b1, out=tmp, casting="same_kind")
        m += tmp
        s *= b2
        np.square(g, out=tmp, casting="same_kind")
        tmp *= 1.0 - b2
        s += tmp
        # p -= (η / (1 − β₁ᵗ)) · m / (√s / √(1 − β₂ᵗ) + ε), bias corrections as scalars.
        np.sqrt(s, out=tmp)
        tmp /= math.sqrt(1.0 - b2**t)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1.0 - b1**t)
        p -= tmp


_CLASSES = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adam": Adam}


def make_optimizer(
    name: str,
    shapes: Sequence[Sequence[int]],
    *,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    dtype=np.float32,
) -> Optimizer:
    """Create the optimiser called ``name`` for parameters of the given shapes.

    Parameters
    ----------
    name : str
        One of :data:`OPTIMIZERS`.
    shapes : sequence of tuple of int
        Parameter shapes, e.g. ``[(C, D), (C,)]``.
    momentum : float, optional
        μ in [0, 1) for ``momentum`` and ``nesterov``.
    beta1, beta2 : float, optional
        Adam's decay rates, each in [0, 1).
    eps : float, optional
        Adam's ε > 0.
    dtype : numpy dtype, optional
        float32 (default) or float64, the dtype of the parameters and of the state.

    Returns
    -------
    Optimizer
        Unused hyperparameters are ignored (SGD takes none).
    """
    if name not in _CLASSES:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    if name in ("momentum", "nesterov"):
        return _CLASSES[name](shapes, momentum=momentum, dtype=dtype)
    if name == "adam":
        return Adam(shapes, beta1=beta1, beta2=beta2, eps=eps, dtype=dtype)
    return SGD(shapes, dtype=dtype)
