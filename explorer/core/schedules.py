"""Learning-rate schedules: the rate to use at a given training step.

* ``constant``: ``base_lr`` at every step.
* ``step``: ``base_lr · step_gamma ** (step // step_every)`` — multiplied by ``step_gamma``
  every ``step_every`` steps.
* ``cosine``: ``min_lr + (base_lr − min_lr) · (1 + cos(π · min(step, P) / P)) / 2`` with
  ``P = cosine_period``: from ``base_lr`` at step 0 down to ``min_lr`` at step ``P``, then
  held at ``min_lr``.

Steps count from 0 (the first update uses ``step = 0``).
"""

from __future__ import annotations

import math
import numbers

SCHEDULES = ("constant", "step", "cosine")


def _int_at_least(name: str, value, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def _finite(name: str, value, lo: float = -math.inf, hi: float = math.inf) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number, got {value!r}") from exc
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{name} must be a finite number in [{lo:g}, {hi:g}], got {value!r}")
    return value


def learning_rate(
    schedule: str,
    base_lr: float,
    step: int,
    *,
    step_every: int = 100,
    step_gamma: float = 0.5,
    cosine_period: int = 1000,
    min_lr: float = 0.0,
) -> float:
    """The learning rate at ``step`` under ``schedule``.

    Parameters
    ----------
    schedule : str
        One of :data:`SCHEDULES`.
    base_lr : float
        Rate at step 0, finite and >= 0.
    step : int
        Training step, >= 0.
    step_every : int, optional
        Steps between decays of the ``step`` schedule, >= 1.
    step_gamma : float, optional
        Decay factor of the ``step`` schedule, in (0, 1].
    cosine_period : int, optional
        Length of the ``cosine`` decay in steps, >= 1.
    min_lr : float, optional
        Floor of the ``cosine`` schedule, in [0, base_lr].

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For an unknown schedule or an out-of-range argument.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    base_lr = _finite("base_lr", base_lr, lo=0.0)
    step = _int_at_least("step", step, 0)
    step_every = _int_at_least("step_every", step_every, 1)
    step_gamma = _finite("step_gamma", step_gamma, lo=0.0, hi=1.0)
    if step_gamma == 0.0:
        raise ValueError("step_gamma must be in (0, 1], got 0.0")
    cosine_period = _int_at_least("cosine_period", cosine_period, 1)
    min_lr = _finite("min_lr", min_lr, lo=0.0, hi=base_lr)

    if schedule == "constant":
        return base_lr
    if schedule == "step":
        return base_lr * step_gamma ** (step // step_every)
    frac = min(step, cosine_period) / cosine_period
    return min_lr + (base_lr - min_lr) * (1.0 + math.cos(math.pi * frac)) / 2.0
