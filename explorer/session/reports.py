"""What the session reports, as data: the app puts it into words.

- :class:`Divergence`: training stopped because a step made the numbers unusable
  (:attr:`Session.diverged`).
- :class:`HistoryFull`: training stopped because history holds its maximum number of
  steps (:attr:`Session.notice`).
- :class:`Configured`: what :meth:`Session.configure` did.

The texts a user reads are made from these in ``explorer/app/messages.py``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Divergence:
    """A training step that failed; the session kept the last finite state before it.

    Attributes
    ----------
    step : int
        The step that failed (one after the head that was kept).
    problem : str
        What made its numbers unusable, as a fact: ``"the parameters became
        non-finite"``, ``"loss became inf"``, ``"logits reached 2.1e+06, beyond what
        float32 resolves"``.
    lr, l2 : float
        The learning rate and L2 strength in effect at the kept head.
    implicated : tuple of str
        The settings to lower, ``("lr",)`` or ``("lr", "l2")``: L2 is implicated when
        ``lr · l2 >= 1`` (the L2 term alone then overshoots).
    """

    step: int
    problem: str
    lr: float
    l2: float
    implicated: tuple[str, ...]


def implicated_settings(lr: float, l2: float) -> tuple[str, ...]:
    """The settings a divergence at ``lr`` and ``l2`` asks to lower (see :class:`Divergence`)."""
    # The L2 term alone overshoots once lr·λ ≥ 1 (plain SGD: ≥ 2).
    return ("lr", "l2") if l2 * lr >= 1.0 else ("lr",)


@dataclass(frozen=True)
class HistoryFull:
    """Training stopped: history holds ``steps`` steps, its maximum.

    Attributes
    ----------
    steps : int
        The head at which training stopped.
    """

    steps: int


class Configured(enum.Enum):
    """What :meth:`Session.configure` did with a new configuration."""

    #: The configuration was the same: nothing changed, no event.
    NOTHING = "nothing"
    #: Training fields took effect at the shown step (history after it dropped).
    TRAINING = "training"
    #: The feature map was refitted: training restarted at step 0.
    FEATURES = "features"
    #: The data were regenerated: training restarted at step 0.
    DATA = "data"
