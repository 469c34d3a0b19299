"""The validated, immutable configuration of a training session.

A :class:`Config` is frozen; :meth:`Config.replace` returns a new, validated one, so an
invalid change raises :class:`ConfigError` and the current configuration stays as it was.
Each message names the field and the allowed values, e.g.
``"lr must be a finite number in (0, 1e+06] (got -1)"``.

The fields fall in three groups that the session treats differently:
:data:`DATA_FIELDS` (regenerate the data and restart), :data:`FEATURE_FIELDS` (rebuild the
feature map and restart) and :data:`TRAINING_FIELDS` (take effect at the shown step).
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from dataclasses import dataclass, fields

from explorer.core.datasets import DATASETS
from explorer.core.features import FEATURE_KINDS
from explorer.core.optimizers import OPTIMIZERS
from explorer.core.schedules import SCHEDULES

MAX_CLASSES = 50
MAX_SAMPLES = 1_000_000
MAX_SEED = 2**32 - 1
MAX_LR = 1e6
#: Upper bounds of otherwise open-ended fields: beyond them some number of the session
#: (data, features, the L2 term of the loss) overflows float32 and turns into NaN.
MAX_NOISE = 100.0
MAX_RFF_GAMMA = 1e4
MAX_L2 = 1e6
#: Longest schedule period (step schedule's ``step_every``, cosine's period), in steps.
MAX_PERIOD = 10**7


class ConfigError(ValueError):
    """An invalid configuration value; the message names the field and what is allowed."""


def _fmt(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _integer(name: str, value: object, lo: int, hi: int | None = None) -> int:
    allowed = f"an integer in {lo}..{hi}" if hi is not None else f"an integer >= {lo}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{name} must be {allowed} (got {_fmt(value)})")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        raise ConfigError(f"{name} must be {allowed} (got {value})")
    return value


def _real(
    name: str,
    value: object,
    allowed: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """A finite float within the given bounds (``allowed`` is the human description)."""
    message = f"{name} must be a finite number {allowed} (got {_fmt(value)})"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(message)
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(message)
    if lo is not None and (value < lo or (lo_open and value == lo)):
        raise ConfigError(message)
    if hi is not None and (value > hi or (hi_open and value == hi)):
        raise ConfigError(message)
    return value


def _choice(name: str, value: object, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)} (got {_fmt(value)})")
    return value


@dataclass(frozen=True)
class Config:
    """Everything that defines a training run (data, features, optimiser, schedule).

    Numbers are normalised on construction (``lr=1`` is stored as ``1.0``); every float
    field refuses NaN and infinities.
    """

    # data
    dataset: str = "blobs"
    classes: int = 3
    samples: int = 300
    noise: float | None = None  # None: the data set's own default
    seed: int = 0
    test_fraction: float = 0.2
    # features
    features: str = "identity"
    degree: int = 3
    rff_dim: int = 100
    rff_gamma: float = 1.0
    # training
    optimizer: str = "sgd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    lr: float = 0.1
    schedule: str = "constant"
    step_every: int = 100
    step_gamma: float = 0.5
    cosine_period: int = 1000
    batch_size: int = 0  # 0: full batch
    l2: float = 0.0
    label_smoothing: float = 0.0

    def __post_init__(self) -> None:
        for name, value in _validated(self).items():
            object.__setattr__(self, name, value)

    def replace(self, **changes) -> Config:
        """A validated copy with ``changes`` applied; raises :class:`ConfigError`."""
        unknown = set(changes) - FIELD_NAMES
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    def changed_fields(self, other: Config) -> frozenset[str]:
        """Names of the fields whose values differ between ``self`` and ``other``."""
        return frozenset(n for n in FIELD_NAMES if getattr(self, n) != getattr(other, n))

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-compatible values, one per field."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> Config:
        """Build from :meth:`to_dict` output (missing fields take their defaults)."""
        if not isinstance(values, dict):
            raise ConfigError("a configuration must be a table of settings")
        return cls().replace(**values)

    def to_json(self) -> str:
        """The configuration as a one-line JSON object."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Config:
        """Parse :meth:`to_json` output; raises :class:`ConfigError` if it is not valid."""
        try:
            values = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"configuration is not valid JSON ({exc})") from exc
        return cls.from_dict(values)


FIELD_NAMES = frozenset(f.name for f in fields(Config))
DATA_FIELDS = frozenset({"dataset", "classes", "samples", "noise", "seed", "test_fraction"})
FEATURE_FIELDS = frozenset({"features", "degree", "rff_dim", "rff_gamma"})
TRAINING_FIELDS = FIELD_NAMES - DATA_FIELDS - FEATURE_FIELDS


def _validated(c: Config) -> dict[str, object]:
    """Check every field of ``c``; return the normalised values."""
    v: dict[str, object] = {}
    v["dataset"] = _choice("dataset", c.dataset, tuple(DATASETS))
    v["classes"] = _integer("classes", c.classes, 2, MAX_CLASSES)
    v["samples"] = _integer("samples", c.samples, 2, MAX_SAMPLES)
    v["noise"] = (
        None
        if c.noise is None
        else _real("noise", c.noise, f"in [0, {MAX_NOISE:g}] or None", lo=0.0, hi=MAX_NOISE)
    )
    v["seed"] = _integer("seed", c.seed, 0, MAX_SEED)
    v["test_fraction"] = _real("test_fraction", c.test_fraction, "in [0, 0.9]", lo=0.0, hi=0.9)
    v["features"] = _choice("features", c.features, FEATURE_KINDS)
    v["degree"] = _integer("degree", c.degree, 1, 6)
    v["rff_dim"] = _integer("rff_dim", c.rff_dim, 1, 2000)
    v["rff_gamma"] = _real(
        "rff_gamma",
        c.rff_gamma,
        f"in (0, {MAX_RFF_GAMMA:g}]",
        lo=0.0,
        hi=MAX_RFF_GAMMA,
        lo_open=True,
    )
    v["optimizer"] = _choice("optimizer", c.optimizer, OPTIMIZERS)
    for name in ("momentum", "beta1", "beta2"):
        v[name] = _real(name, getattr(c, name), "in [0, 1)", lo=0.0, hi=1.0, hi_open=True)
    v["lr"] = _real("lr", c.lr, f"in (0, {MAX_LR:g}]", lo=0.0, hi=MAX_LR, lo_open=True)
    v["schedule"] = _choice("schedule", c.schedule, SCHEDULES)
    v["step_every"] = _integer("step_every", c.step_every, 1, MAX_PERIOD)
    v["step_gamma"] = _real("step_gamma", c.step_gamma, "in (0, 1]", lo=0.0, hi=1.0, lo_open=True)
    v["cosine_period"] = _integer("cosine_period", c.cosine_period, 1, MAX_PERIOD)
    v["batch_size"] = _integer("batch_size", c.batch_size, 0, MAX_SAMPLES)
    v["l2"] = _real("l2", c.l2, f"in [0, {MAX_L2:g}]", lo=0.0, hi=MAX_L2)
    v["label_smoothing"] = _real(
        "label_smoothing", c.label_smoothing, "in [0, 1)", lo=0.0, hi=1.0, hi_open=True
    )
    if DATASETS[v["dataset"]].has_classes and v["samples"] < v["classes"]:
        raise ConfigError(
            f"samples must be >= classes ({v['classes']}) for dataset {v['dataset']!r} "
            f"(got {v['samples']})"
        )
    return v
