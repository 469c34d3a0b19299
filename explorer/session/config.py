"""The validated, immutable configuration of a training session.

A :class:`Config` is frozen; :meth:`Config.replace` returns a new, validated one, so an
invalid change raises :class:`ConfigError` and the current configuration stays as it was.
Each message names the field and the allowed values, e.g.
``"lr must be a finite number in (0, 1e+06] (got -1)"``.

The fields, their defaults and the checks are made from the rows of
:data:`explorer.session.config_table.CONFIG_TABLE` (which says how to add one); the
rules across fields are that a data set with a class count needs ``samples >= classes``
and that label smoothing needs a loss of the probabilities (the SVM losses of
``HINGE_LOSSES`` take hard labels only).
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
from explorer.core.loss import HINGE_LOSSES
from explorer.session.config_table import (
    CONFIG_TABLE,
    MAX_CLASSES,
    MAX_L1,
    MAX_L2,
    MAX_LR,
    MAX_MARGIN,
    MAX_NOISE,
    MAX_PERIOD,
    MAX_RFF_FEATURES,
    MAX_RFF_GAMMA,
    MAX_SAMPLES,
    MAX_SEED,
    Field,
)

__all__ = [
    "DATA_FIELDS",
    "FEATURE_FIELDS",
    "FIELD_NAMES",
    "MAX_CLASSES",
    "MAX_L1",
    "MAX_L2",
    "MAX_LR",
    "MAX_MARGIN",
    "MAX_NOISE",
    "MAX_PERIOD",
    "MAX_RFF_FEATURES",
    "MAX_RFF_GAMMA",
    "MAX_SAMPLES",
    "MAX_SEED",
    "TRAINING_FIELDS",
    "Config",
    "ConfigError",
]


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


def _range_text(row: Field) -> str:
    """The allowed numbers of a real field: ``"in (0, 1e+06]"``, ``"in [0, 100] or None"``."""
    if row.hi is None:
        text = f"{'>' if row.lo_open else '>='} {row.lo:g}"
    else:
        opening = "(" if row.lo_open else "["
        closing = ")" if row.hi_open else "]"
        text = f"in {opening}{row.lo:g}, {row.hi:g}{closing}"
    return text + " or None" if row.kind == "optional real" else text


def _checked(row: Field, value: object) -> object:
    """``value`` of field ``row`` normalised (``1`` → ``1.0`` for a real); raises ConfigError."""
    if row.kind == "choice":
        return _choice(row.name, value, row.choices)
    if row.kind == "int":
        return _integer(row.name, value, row.lo, row.hi)
    if value is None and row.kind == "optional real":
        return None
    return _real(
        row.name,
        value,
        _range_text(row),
        lo=row.lo,
        hi=row.hi,
        lo_open=row.lo_open,
        hi_open=row.hi_open,
    )


_ANNOTATIONS = {"int": "int", "real": "float", "optional real": "float | None", "choice": "str"}


def _fields_from_table(cls: type) -> type:
    """Make ``cls`` a frozen dataclass with one field per row of ``CONFIG_TABLE``, in order."""
    cls.__annotations__ = {row.name: _ANNOTATIONS[row.kind] for row in CONFIG_TABLE}
    for row in CONFIG_TABLE:
        setattr(cls, row.name, row.default)
    return dataclass(frozen=True)(cls)


@_fields_from_table
class Config:
    """Everything that defines a training run (data, features, optimiser, schedule, loss).

    The fields are the rows of :data:`explorer.session.config_table.CONFIG_TABLE`, with
    their defaults (``Config().lr == 0.1``). Numbers are normalised on construction
    (``lr=1`` is stored as ``1.0``); every float field refuses NaN and infinities.
    """

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
DATA_FIELDS = frozenset(row.name for row in CONFIG_TABLE if row.group == "data")
FEATURE_FIELDS = frozenset(row.name for row in CONFIG_TABLE if row.group == "features")
TRAINING_FIELDS = frozenset(row.name for row in CONFIG_TABLE if row.group == "training")


def _validated(c: Config) -> dict[str, object]:
    """Check every field of ``c``; return the normalised values."""
    v = {row.name: _checked(row, getattr(c, row.name)) for row in CONFIG_TABLE}
    if DATASETS[v["dataset"]].has_classes and v["samples"] < v["classes"]:
        raise ConfigError(
            f"samples must be >= classes ({v['classes']}) for dataset {v['dataset']!r} "
            f"(got {v['samples']})"
        )
    if v["label_smoothing"] > 0 and v["loss"] in HINGE_LOSSES:
        raise ConfigError(
            f"label_smoothing must be 0 with the {v['loss']} loss: the SVM losses need hard "
            "labels, and label smoothing applies to cross_entropy and squared_error only "
            f"(got {v['label_smoothing']:g})"
        )
    return v
