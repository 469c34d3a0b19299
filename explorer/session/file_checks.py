"""Checks of a loaded session state (the flat dict of :mod:`explorer.session.state_io`)
before a session is built from it.

:func:`check_state` refuses, with a ``ValueError`` naming the entry (``KeyError`` for a
missing one), anything the window itself could never have produced:

- an unknown entry, a value of the wrong type (``true`` is not a step), a number beyond
  the window's bounds (the configuration's, the display temperature's 0.001-1000);
- a configuration table that is not complete (``{}`` is not the defaults) or holds a
  field its version has not (version 1: no ``loss``, ``margin`` or ``l1``), JSON nested
  beyond :data:`~explorer.session.file_limits.MAX_JSON_DEPTH`;
- more than 50 class names or a name longer than 100 characters, labels outside them,
  fewer than 2 training points;
- NaN or infinity in any float array, a generator state PCG64 cannot be in (its
  increment is odd, ``has_uint32`` is 0 or 1, ``uinteger`` below 2³²: the all-zero state
  would make the first mini-batch draw loop for ever);
- metrics out of range (a negative loss, an accuracy outside [0, 1] or not a multiple
  of 1/N);
- a history the session could not have recorded: checkpoints not increasing from a
  forced one at step 0, regular checkpoints off the stride or further apart than it
  (which bounds a replay at ``stride - 1`` steps), a stride larger than the checkpoint
  budget explains, optimiser slots that do not belong to the checkpoint's optimiser,
  configurations that disagree on the data or the features, or a live configuration
  that is not the one in effect at the shown step;
- a feature map that is not the configuration's.

The live parameters and the metrics are then compared with what the history gives by
:mod:`explorer.session.file_consistency`.
"""

from __future__ import annotations

import numpy as np

from explorer.core.csvdata import MAX_NAME_LENGTH
from explorer.core.optimizers import make_optimizer
from explorer.session import file_limits as lim
from explorer.session.config import DATA_FIELDS, FIELD_NAMES, MAX_RFF_GAMMA, MAX_SEED, Config
from explorer.session.file_layout import MAX_RFF_DIM, class_count, training_dtype
from explorer.session.history import CHECKPOINT_BUDGET, DEFAULT_STRIDE, MAX_STEPS
from explorer.session.session import MAX_TEMPERATURE, MIN_TEMPERATURE, features_differ
from explorer.session.state_io import STATE_VERSION, config_fields

VALUES = frozenset(
    {
        "state_version",
        "dtype",
        "config",
        "data/class_names",
        "features/kind",
        "features/degree",
        "features/rff_dim",
        "features/rff_gamma",
        "features/seed",
        "live/opt/steps",
        "step_index",
        "selected",
        "temperature",
        "diverged",
        "notice",
        "history/has_test",
        "history/stride",
        "history/configs",
    }
)
#: Longest string a configuration field holds (a data set, feature or optimiser name).
_MAX_FIELD_CHARS = 64
_MASK32 = np.uint64(2**32 - 1)


def _finite(state: dict, key: str) -> np.ndarray:
    a = state[key]
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{key} contains NaN or infinity")
    return a


def check_generator_states(words: np.ndarray, key: str) -> None:
    """Refuse PCG64 states (``uint64 (..., 6)``, :func:`~.history.rng_to_array`) that
    numpy's generator cannot be in."""
    words = words.reshape(-1, 6)
    bad = (
        (words[:, 3] & np.uint64(1) == 0)  # the increment is odd
        | (words[:, 4] > 1)  # has_uint32
        | (words[:, 5] > _MASK32)  # uinteger
    )
    if bad.any():
        raise ValueError(f"{key} is not a valid generator state")


def config_table(table, what: str, names: frozenset[str] = FIELD_NAMES) -> Config:
    """A complete configuration table: every field of ``names`` (those of the file's
    version), plain values, nothing else."""
    if not isinstance(table, dict):
        raise ValueError(f"{what} must be a table of settings")
    for name, value in table.items():
        if isinstance(value, str):
            lim.text(value, f"{what} {name}", _MAX_FIELD_CHARS)
        elif value is not None and type(value) not in (bool, int, float):
            raise ValueError(f"{what} {name} must be a plain value")
    extra = set(table) & FIELD_NAMES - names
    if extra:
        raise ValueError(f"{what} holds {', '.join(sorted(extra))}, unknown to its version")
    config = Config.from_dict(table)  # names the first bad field
    missing = names - set(table)
    if missing:
        raise ValueError(f"{what} lacks {', '.join(sorted(missing))}")
    return config


def class_names(state: dict) -> list[str]:
    class_count(state)  # the count
    names = lim.loads(state["data/class_names"], "data/class_names", depth=1)
    for name in names:
        if not isinstance(name, str):
            raise ValueError("data/class_names must be a JSON list of strings")
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"a class name is longer than {MAX_NAME_LENGTH} characters")
    return names


def _features(state: dict, config: Config) -> None:
    kind = state["features/kind"]
    lim.integer(state["features/degree"], "features/degree", 1, 6)
    lim.integer(state["features/rff_dim"], "features/rff_dim", 1, MAX_RFF_DIM)
    lim.integer(state["features/seed"], "features/seed", 0, MAX_SEED)
    gamma = state["features/rff_gamma"]
    if type(gamma) not in (int, float) or not 0 < gamma <= MAX_RFF_GAMMA:
        raise ValueError(f"features/rff_gamma must be a number in (0, {MAX_RFF_GAMMA:g}]")
    fitted = Config().replace(
        features=kind,
        degree=state["features/degree"],
        rff_dim=state["features/rff_dim"],
        rff_gamma=float(gamma),
    )
    if kind != config.features or features_differ(fitted, config):
        raise ValueError("the feature map is not the one the configuration describes")
    if kind == "rff" and state["features/seed"] != config.seed:
        raise ValueError("the feature map's seed is not the configuration's")
    for key in ("features/mean", "features/scale", "features/omega", "features/phase"):
        _finite(state, key)
    if not (state["features/scale"] > 0).all():
        raise ValueError("features/scale must be positive")


def _optimizer_slots(config: Config, C: int, D: int) -> set[str]:
    return set(make_optimizer(config.optimizer, [(C, D), (C,)]).state())


def _metrics(state: dict, n_train: int, n_test: int) -> None:
    m = _finite(state, "history/metrics")
    has_test = lim.flag(state["history/has_test"], "history/has_test")
    if has_test != (n_test > 0):
        raise ValueError("history/has_test does not match the test points")
    if (m[0] < 0).any() or (m[2] < 0).any():
        raise ValueError("history/metrics holds a negative loss")
    for row, n in ((1, n_train), (3, n_test)):
        acc = m[row]
        if ((acc < 0) | (acc > 1)).any():
            raise ValueError("history/metrics holds an accuracy outside [0, 1]")
        counts = acc * max(n, 1)
        if (np.abs(counts - np.round(counts)) > 1e-6).any():
            raise ValueError("history/metrics holds an accuracy that no count of points gives")
    if not has_test and (m[2:] != 0).any():
        raise ValueError("history/metrics holds test metrics without test points")


def _history(state: dict, live: Config, C: int, D: int, itemsize: int, names) -> None:
    head = state["history/metrics"].shape[1] - 1
    steps = state["history/steps"]
    forced = state["history/forced"]
    stride = lim.integer(state["history/stride"], "history/stride", 1, 2 * MAX_STEPS)
    doublings = stride // DEFAULT_STRIDE
    if stride % DEFAULT_STRIDE or doublings & (doublings - 1):
        raise ValueError(f"history/stride must be {DEFAULT_STRIDE} times a power of 2")
    # The stride doubles only when regular checkpoints outgrow their budget.
    per_checkpoint = itemsize * (C * D + C) * 3 + 2048
    if stride > max(DEFAULT_STRIDE, 4 * (head + 1) * per_checkpoint / CHECKPOINT_BUDGET):
        raise ValueError("history/stride is larger than the checkpoint budget explains")
    if steps[0] != 0 or not forced[0] or (np.diff(steps) <= 0).any() or steps[-1] > head:
        raise ValueError("history/steps must increase from a forced checkpoint at step 0")
    if (np.diff(np.append(steps, head + 1)) > stride).any():
        raise ValueError("history/steps leaves a gap longer than the stride")
    if (steps[~forced] % stride).any():
        raise ValueError("history/steps holds a regular checkpoint off the stride")
    for key in ("history/W", "history/b"):
        _finite(state, key)
    check_generator_states(state["history/rng"], "history/rng")
    tables = lim.loads(state["history/configs"], "history/configs", depth=2)
    if not isinstance(tables, list) or not 1 <= len(tables) <= steps.size:
        raise ValueError("history/configs must list 1 to K configurations")
    configs = [config_table(t, "history/configs", names) for t in tables]
    which = state["history/config"]
    if which.min() < 0 or which.max() >= len(configs) or np.unique(which).size != len(configs):
        raise ValueError("history/config must use each configuration of history/configs")
    for config in configs:
        same_data = all(getattr(config, f) == getattr(live, f) for f in DATA_FIELDS)
        if not same_data or config.features != live.features or features_differ(config, live):
            raise ValueError("history/configs disagree on the data or the features")
    shown = int(np.searchsorted(steps, state["step_index"], side="right")) - 1
    if configs[which[shown]] != live:
        raise ValueError("config is not the configuration in effect at the shown step")
    slots = [_optimizer_slots(c, C, D) for c in configs]
    saved = {k.removeprefix("history/opt/") for k in state if k.startswith("history/opt/")}
    if saved != set().union(*slots):
        raise ValueError("history/opt does not hold the slots of the history's optimisers")
    for key in saved:
        rows = _finite(state, f"history/opt/{key}").reshape(steps.size, -1)
        unused = np.array([key not in slot for slot in slots])[which]
        if (rows[unused] != 0).any():
            raise ValueError(f"history/opt/{key} holds values for an optimiser without it")
    counts = state["history/opt/steps"]
    if (counts < 0).any() or (counts > steps).any():
        raise ValueError("history/opt/steps must lie between 0 and the checkpoint's step")


def check_state(state: dict) -> None:
    """Refuse a state no session could have exported (see the module docstring).

    Raises
    ------
    ValueError
        Naming the entry and the problem.
    KeyError
        A missing entry.
    """
    for key, value in state.items():
        if not isinstance(value, np.ndarray) and key not in VALUES:
            raise ValueError(f"unexpected entry {lim.shown(key)}")
    missing = sorted(VALUES - set(state))
    if missing:
        raise KeyError(missing[0])
    names = config_fields(lim.integer(state["state_version"], "state_version", 1, STATE_VERSION))
    dtype = training_dtype(state)
    config = config_table(lim.loads(state["config"], "config", depth=1), "config", names)
    C = len(class_names(state))
    _finite(state, "data/X")
    y, is_test = state["data/y"], state["data/is_test"]
    if y.size and (y.min() < 0 or y.max() >= C):
        raise ValueError(f"data/y: labels must lie in 0..{C - 1}")
    n_test = int(np.count_nonzero(is_test))
    n_train = y.size - n_test
    if n_train < 2:
        raise ValueError("the data need at least 2 training points")
    _features(state, config)
    D = state["live/W"].shape[1]
    for key in ("live/W", "live/b"):
        _finite(state, key)
    check_generator_states(state["live/rng"], "live/rng")
    head = state["history/metrics"].shape[1] - 1
    step = lim.integer(state["step_index"], "step_index", 0, head)
    wanted = _optimizer_slots(config, C, D) - {"steps"}
    saved = {k.removeprefix("live/opt/") for k in state if k.startswith("live/opt/")}
    if saved - {"steps"} != wanted:
        raise ValueError(f"live/opt does not hold the state of a {config.optimizer} optimiser")
    for key in wanted:
        _finite(state, f"live/opt/{key}")
    lim.integer(state["live/opt/steps"], "live/opt/steps", 0, step)
    lim.integer(state["selected"], "selected", -1, y.size - 1)
    lim.real(state["temperature"], "temperature", MIN_TEMPERATURE, MAX_TEMPERATURE)
    lim.text(state["diverged"], "diverged")
    lim.text(state["notice"], "notice")
    _metrics(state, n_train, n_test)
    _history(state, config, C, D, dtype.itemsize, names)
