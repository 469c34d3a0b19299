"""The arrays a session file must declare, checked before any of them is decompressed.

The header's own values give the class count ``C`` (``data/class_names``), the feature
dimension ``D`` (``features/kind``, ``degree``, ``rff_dim``) and the training dtype; the
declared shape of ``data/X`` gives the point count ``N`` (at most the configuration's
``MAX_SAMPLES``), ``history/metrics`` the steps ``H + 1`` (at most ``MAX_STEPS + 1``) and
``history/steps`` the checkpoints ``K`` (at most ``H + 1``). Every other array must have
exactly the dtype and shape these imply (see :mod:`explorer.session.state_io`), and no
array may be missing or unknown, so a refusal costs about the header's size.
"""

from __future__ import annotations

import re

import numpy as np

from explorer.core.features import FEATURE_KINDS, poly_dim
from explorer.session import file_limits as lim
from explorer.session.config import MAX_CLASSES, MAX_SAMPLES
from explorer.session.history import MAX_STEPS

#: Most random Fourier features a configuration allows.
MAX_RFF_DIM = 2000
_SLOT = re.compile(r"^(velocity|m|s)_([01])$")
_F64, _I64, _U64, _BOOL = (np.dtype(t).str for t in (np.float64, np.int64, np.uint64, bool))


def class_count(values: dict) -> int:
    """``C`` from ``data/class_names`` (a JSON list), checked for count only."""
    names = lim.loads(values.get("data/class_names"), "data/class_names", depth=1)
    if not isinstance(names, list) or not 2 <= len(names) <= MAX_CLASSES:
        raise ValueError(f"data/class_names must list 2 to {MAX_CLASSES} class names")
    return len(names)


def feature_dim(values: dict) -> int:
    """``D`` from the feature map's values."""
    kind = values.get("features/kind")
    if kind not in FEATURE_KINDS:
        raise ValueError(f"features/kind must be one of {', '.join(FEATURE_KINDS)}")
    if kind == "identity":
        return 2
    if kind == "poly":
        return poly_dim(lim.integer(values.get("features/degree"), "features/degree", 1, 6))
    return lim.integer(values.get("features/rff_dim"), "features/rff_dim", 1, MAX_RFF_DIM)


def training_dtype(values: dict) -> np.dtype:
    name = values.get("dtype")
    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64 (got {lim.shown(name)})")
    return np.dtype(name)


def _size(shapes: dict, name: str, ndim: int, axis: int) -> int:
    if name not in shapes:
        raise KeyError(name)
    shape = shapes[name][1]
    if len(shape) != ndim:
        raise ValueError(f"array {name!r} must have {ndim} dimension(s), got shape {shape}")
    return shape[axis]


def expected_arrays(values: dict, shapes: dict[str, tuple[str, tuple]]) -> dict:
    """The dtype and shape every array must have, from the header's values and the
    declared sizes of ``data/X``, ``history/metrics`` and ``history/steps``.

    Raises
    ------
    ValueError, KeyError
        A value or size out of range, or a size-giving array missing.
    """
    C, D, ft = class_count(values), feature_dim(values), training_dtype(values).str
    N = _size(shapes, "data/X", 2, 1)
    if _size(shapes, "data/X", 2, 0) != 2 or not 2 <= N <= MAX_SAMPLES:
        raise ValueError(f"data/X must hold 2 to {MAX_SAMPLES:,} points of 2 coordinates")
    steps = _size(shapes, "history/metrics", 2, 1)
    if _size(shapes, "history/metrics", 2, 0) != 4 or not 1 <= steps <= MAX_STEPS + 1:
        raise ValueError(f"history/metrics must have 4 rows and 1 to {MAX_STEPS + 1:,} steps")
    K = _size(shapes, "history/steps", 1, 0)
    if not 1 <= K <= steps:
        raise ValueError("history/steps must hold 1 to head + 1 checkpoints")
    R = D if values.get("features/kind") == "rff" else 0
    expected = {
        "data/X": (_F64, (2, N)),
        "data/y": (_I64, (N,)),
        "data/is_test": (_BOOL, (N,)),
        "features/mean": (_F64, (2,)),
        "features/scale": (_F64, (2,)),
        "features/omega": (_F64, (R, 2)),
        "features/phase": (_F64, (R,)),
        "live/W": (ft, (C, D)),
        "live/b": (ft, (C,)),
        "live/rng": (_U64, (6,)),
        "history/metrics": (_F64, (4, steps)),
        "history/steps": (_I64, (K,)),
        "history/forced": (_BOOL, (K,)),
        "history/W": (ft, (K, C, D)),
        "history/b": (ft, (K, C)),
        "history/rng": (_U64, (K, 6)),
        "history/config": (_I64, (K,)),
    }
    for name in shapes:
        prefix, _, key = name.rpartition("/")
        slot = _SLOT.match(key)
        if prefix in ("live/opt", "history/opt") and slot is not None:
            shape = (C, D) if slot.group(2) == "0" else (C,)
            expected[name] = (ft, shape if prefix == "live/opt" else (K, *shape))
        elif name == "history/opt/steps":
            expected[name] = (_I64, (K,))
    return expected


def check_declared(values: dict, shapes: dict[str, tuple[str, tuple]]) -> None:
    """Refuse declared arrays that do not fit the header (see the module docstring).

    Parameters
    ----------
    values : dict
        The header's plain values.
    shapes : dict[str, (str, tuple of int)]
        Each declared array's dtype string and shape (already type-checked).
    """
    expected = expected_arrays(values, shapes)
    for name in expected:
        if name not in shapes and not name.startswith(("live/opt/", "history/opt/")):
            raise KeyError(name)
    for name, (dtype, shape) in shapes.items():
        if name not in expected:
            raise ValueError(f"unexpected array {name!r}")
        want_dtype, want_shape = expected[name]
        if dtype != want_dtype or shape != want_shape:
            raise ValueError(
                f"{name} must have shape {want_shape} and dtype {np.dtype(want_dtype).name} "
                f"(the header's counts), declared {shape} {np.dtype(dtype).name}"
            )
