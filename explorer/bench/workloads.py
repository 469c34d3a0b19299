"""The benchmark's workloads: blobs at three sizes, and tiny versions for ``--quick``.

Each trains with one loss (cross-entropy unless ``softmax-explorer bench --loss`` names
another): the same data and sizes, so W1–W3 can be measured with every loss.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Workload:
    """One benchmark workload.

    Attributes
    ----------
    key : str
        ``"W1"``, ``"W2"`` or ``"W3"`` (the JSON key).
    name : str
        Human name (``classroom``, ``standard``, ``large``).
    samples : int
        Points N (train and test together; the default 20 % are held out).
    classes : int
        Classes C.
    grid : int
        Side G of the decision-image grid (G × G cells).
    frames : int
        Timed frames by default.
    warmup : int
        Untimed frames before timing (caches, first paint, lazy ranges).
    loss : str
        The training loss, a name of :data:`explorer.core.LOSSES`.
    """

    key: str
    name: str
    samples: int
    classes: int
    grid: int
    frames: int
    warmup: int = 5
    loss: str = "cross_entropy"

    def config(self):
        """The session :class:`~explorer.session.config.Config` of this workload."""
        from explorer.session.config import Config

        return Config(
            dataset="blobs", classes=self.classes, samples=self.samples, seed=0, loss=self.loss
        )

    def session(self):
        """A new :class:`~explorer.session.session.Session` on this workload's data."""
        from explorer.session.session import Session

        return Session(self.config())

    def tiny(self) -> Workload:
        """The ``--quick`` version: same key and classes, a few points, a small grid."""
        return dataclasses.replace(
            self, samples=20 * self.classes, grid=24, frames=3, warmup=1, name=self.name
        )

    def describe(self) -> str:
        return (
            f"{self.key} {self.name}: N={self.samples:,} C={self.classes} grid {self.grid}², "
            f"loss {self.loss}"
        )


WORKLOADS: dict[str, Workload] = {
    "W1": Workload("W1", "classroom", samples=300, classes=3, grid=200, frames=60),
    "W2": Workload("W2", "standard", samples=1000, classes=4, grid=200, frames=60),
    "W3": Workload("W3", "large", samples=100_000, classes=10, grid=400, frames=30, warmup=3),
}


def select(keys: str | None, quick: bool = False, loss: str | None = None) -> list[Workload]:
    """The workloads named in ``keys`` (``"W1,W3"``; None = all), tiny when ``quick``,
    training with ``loss`` (either spelling; None = cross-entropy).

    Raises
    ------
    ValueError
        For a name that is not a workload or not a loss.
    """
    from explorer.core.loss import loss_name

    loss = "cross_entropy" if loss is None else loss_name(loss.strip().lower())
    names = list(WORKLOADS) if not keys else [k.strip().upper() for k in keys.split(",")]
    unknown = [k for k in names if k not in WORKLOADS]
    if unknown or not names:
        raise ValueError(
            f"unknown workload {', '.join(unknown) or repr(keys)} (choose from "
            f"{', '.join(WORKLOADS)})"
        )
    chosen = [dataclasses.replace(WORKLOADS[k], loss=loss) for k in dict.fromkeys(names)]
    return [w.tiny() for w in chosen] if quick else chosen
