"""A session's full state as a flat dict of plain arrays and JSON scalars (no pickle).

:func:`export_state` and :func:`restore_state` back :meth:`Session.export_state` and
:meth:`Session.from_state`; :mod:`explorer.session.persist` writes the dict to a file.
Entries (``C`` classes, ``D`` features, ``N`` points, ``H`` head, ``K`` checkpoints):

=========================  =======================================================
``state_version``          int, 2 (1: written before the loss fields, still read)
``dtype``                  str, training dtype (``"float32"`` or ``"float64"``)
``config``                 str, JSON of the configuration at the shown step (version 2
                           with ``loss``, ``margin`` and ``l1``)
``data/X`` ``data/y``      float64 ``(2, N)``, int64 ``(N,)``
``data/is_test``           bool ``(N,)``
``data/class_names``       str, JSON list of C names
``features/<key>``         the feature map's ``state()`` (scalars and float64 arrays)
``live/W`` ``live/b``      ``(C, D)``, ``(C,)`` at the shown step, training dtype
``live/rng``               uint64 ``(6,)`` batch generator state
``live/opt/<key>``         the optimiser's ``state()`` at the shown step
``step_index``             int; ``selected`` int (-1: none); ``temperature`` float
``diverged``               str: "" when none, else JSON ``{"step", "problem", "lr",
                           "l2", "implicated"}`` (:class:`.reports.Divergence`)
``notice``                 str: "" when none, else JSON ``{"steps": N}``
                           (:class:`.reports.HistoryFull`)
``history/metrics``        float64 ``(4, H + 1)``: train loss, train acc, test loss, test acc
``history/has_test``       bool; ``history/stride`` int
``history/steps``          int64 ``(K,)`` increasing, starting at 0
``history/forced``         bool ``(K,)``
``history/W`` ``/b``       ``(K, C, D)``, ``(K, C)`` training dtype
``history/rng``            uint64 ``(K, 6)``
``history/config``         int64 ``(K,)`` index into ``history/configs``
``history/configs``        str, JSON list of configuration tables
``history/opt/<key>``      ``(K, ...)`` optimiser slot ``key`` per checkpoint (zeros
                           where that checkpoint's optimiser has no such slot)
=========================  =======================================================

Restoring checks every shape, dtype, range and that every number is finite, and raises
``ValueError`` (or ``KeyError`` for a missing entry) before anything is built; each
group of entries is read by a function of its own (``_read_data``, ``_read_checkpoints``,
``_read_live``, ...). Files whose ``diverged`` and ``notice`` hold the English texts of
the first format-1 writers are read too.

The session is written through its public API (``timeline.live_state()``, ``history``)
and built back with ``Session(config, data, dtype, feature_map=..., resume=...)``, then
``select`` and ``set_temperature``.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

from explorer.core.features import FeatureMap
from explorer.core.optimizers import make_optimizer
from explorer.session.config import FIELD_NAMES, Config
from explorer.session.data import Data
from explorer.session.history import MAX_STEPS, State, rng_from_array
from explorer.session.reports import Divergence, HistoryFull
from explorer.session.timeline import SavedTimeline

STATE_VERSION = 2
#: Every state version read. Version 1 came before the loss fields: its configurations
#: have none and take their defaults (cross-entropy, margin 1, no L1), which is what it
#: trained with; otherwise it is laid out as version 2.
READ_VERSIONS = (1, 2)
#: The configuration fields version 2 added (issue 18's losses).
LOSS_FIELDS = frozenset({"loss", "margin", "l1"})


def config_fields(version: int) -> frozenset[str]:
    """The configuration fields a file of state ``version`` holds (all of them from 2)."""
    return FIELD_NAMES - LOSS_FIELDS if version == 1 else FIELD_NAMES


_FEATURE_SCALARS = ("kind", "degree", "rff_dim", "rff_gamma", "seed")


def export_state(session) -> dict:
    """The flat state of ``session`` (see the module docstring)."""
    s = session
    d = s.data
    live = s.timeline.live_state()
    out: dict = {
        "state_version": STATE_VERSION,
        "dtype": s.dtype.name,
        "config": s.config.to_json(),
        "data/X": d.X.copy(),
        "data/y": d.y.copy(),
        "data/is_test": d.is_test.copy(),
        "data/class_names": json.dumps(list(d.class_names)),
        "live/W": live.W,
        "live/b": live.b,
        "live/rng": live.rng,
        "step_index": int(s.step_index),
        "selected": -1 if s.selected is None else int(s.selected),
        "temperature": float(s.temperature),
        "diverged": _divergence_text(s.diverged),
        "notice": _notice_text(s.notice),
    }
    for key, value in s.feature_map.state().items():
        out[f"features/{key}"] = value
    for key, value in live.opt.items():
        # 0-d arrays (the step count) go out as plain scalars
        out[f"live/opt/{key}"] = value.item() if value.ndim == 0 else value
    out.update(_history_entries(s.history))
    return out


def _history_entries(h) -> dict:
    """The ``history/...`` entries of the :class:`~explorer.session.history.History` ``h``."""
    out: dict = {}
    checkpoints = h.checkpoints
    configs: list[Config] = []
    index = []
    for st in checkpoints:
        if st.config not in configs:
            configs.append(st.config)
        index.append(configs.index(st.config))
    out["history/metrics"] = np.array(
        [h.metrics.train_loss, h.metrics.train_acc, h.metrics.test_loss, h.metrics.test_acc]
    )
    out["history/has_test"] = bool(h.has_test)
    out["history/stride"] = int(h.stride)
    out["history/steps"] = np.array([st.step for st in checkpoints], dtype=np.int64)
    out["history/forced"] = np.array([st.forced for st in checkpoints], dtype=bool)
    out["history/W"] = np.stack([st.W for st in checkpoints])
    out["history/b"] = np.stack([st.b for st in checkpoints])
    out["history/rng"] = np.stack([st.rng for st in checkpoints])
    out["history/config"] = np.array(index, dtype=np.int64)
    out["history/configs"] = json.dumps([c.to_dict() for c in configs])
    slots: dict[str, np.ndarray] = {}
    for k, st in enumerate(checkpoints):
        for key, value in st.opt.items():
            if key not in slots:
                slots[key] = np.zeros((len(checkpoints), *value.shape), dtype=value.dtype)
            slots[key][k] = value
    for key, value in slots.items():
        out[f"history/opt/{key}"] = value
    return out


def _divergence_text(d: Divergence | None) -> str:
    if d is None:
        return ""
    fields = {"step": d.step, "problem": d.problem, "lr": d.lr, "l2": d.l2}
    return json.dumps({**fields, "implicated": list(d.implicated)}, sort_keys=True)


def _notice_text(notice: HistoryFull | None) -> str:
    return "" if notice is None else json.dumps({"steps": notice.steps})


# ===================================================================== reading back
def _array(state, key, dtype, shape=None, finite=True) -> np.ndarray:
    a = state[key]
    if not isinstance(a, np.ndarray) or a.dtype != np.dtype(dtype):
        raise ValueError(f"{key} must be a {np.dtype(dtype).name} array")
    if shape is not None and a.shape != shape:
        raise ValueError(f"{key} must have shape {shape}, got {a.shape}")
    if finite and a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{key} contains NaN or infinity")
    return a.copy()


def _int(state, key, lo, hi) -> int:
    v = state[key]
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or not lo <= v <= hi:
        raise ValueError(f"{key} must be an integer in {lo}..{hi}")
    return int(v)


def _str(state, key) -> str:
    v = state[key]
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v.item()
    if not isinstance(v, str):
        raise ValueError(f"{key} must be a string")
    return v


def _opt_state(state, prefix, config, C, D, dtype, row=None) -> dict:
    """The optimiser state for ``config`` read from ``prefix<key>`` entries (checked)."""
    opt = make_optimizer(config.optimizer, [(C, D), (C,)], dtype=dtype)
    wanted = opt.state()
    got = {}
    for key, like in wanted.items():
        a = state[prefix + key]
        if row is None and like.ndim == 0:
            if isinstance(a, np.ndarray) and a.shape in ((), (1,)):
                a = a.reshape(()).item()
            if isinstance(a, bool) or not isinstance(a, int | float):
                raise ValueError(f"{prefix}{key} must be a number")
            a = np.array(a, dtype=like.dtype)
        if not isinstance(a, np.ndarray):
            raise ValueError(f"{prefix}{key} must be an array")
        a = a if row is None else a[row]
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise ValueError(f"{prefix}{key} contains NaN or infinity")
        got[key] = np.array(a, copy=True)
    opt.load_state(got)  # checks shapes and dtypes
    return opt.state()


def _read_data(state) -> Data:
    names = json.loads(_str(state, "data/class_names"))
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("data/class_names must be a JSON list of strings")
    X = _array(state, "data/X", np.float64)
    n = X.shape[1] if X.ndim == 2 else -1
    return Data(
        X,
        _array(state, "data/y", np.int64, (n,)),
        _array(state, "data/is_test", bool, (n,)),
        tuple(names),
    )


def _read_features(state) -> FeatureMap:
    keys = (*_FEATURE_SCALARS, "mean", "scale", "omega", "phase")
    return FeatureMap.from_state({k: state[f"features/{k}"] for k in keys})


def _read_checkpoints(state, C: int, D: int, dtype) -> tuple[np.ndarray, list[State]]:
    """The metrics ``(4, head + 1)`` and the checkpoints of ``history/...`` (checked)."""
    metrics = _array(state, "history/metrics", np.float64)
    if metrics.ndim != 2 or metrics.shape[0] != 4 or not 1 <= metrics.shape[1] <= MAX_STEPS + 1:
        raise ValueError("history/metrics must have shape (4, head + 1)")
    head = metrics.shape[1] - 1
    steps = _array(state, "history/steps", np.int64)
    K = steps.shape[0] if steps.ndim == 1 else -1
    if K < 1 or steps[0] != 0 or steps[-1] > head or np.any(np.diff(steps) <= 0):
        raise ValueError("history/steps must increase from 0 to at most the head")
    forced = _array(state, "history/forced", bool, (K,))
    Ws = _array(state, "history/W", dtype, (K, C, D))
    bs = _array(state, "history/b", dtype, (K, C))
    rngs = _array(state, "history/rng", np.uint64, (K, 6))
    tables = json.loads(_str(state, "history/configs"))
    if not isinstance(tables, list) or not tables:
        raise ValueError("history/configs must be a non-empty JSON list")
    configs = [Config.from_dict(t) for t in tables]
    which = _array(state, "history/config", np.int64, (K,))
    if which.min() < 0 or which.max() >= len(configs):
        raise ValueError("history/config refers to a missing configuration")
    states = []
    for k in range(K):
        cfg = configs[which[k]]
        opt = _opt_state(state, "history/opt/", cfg, C, D, dtype, row=k)
        rng_from_array(rngs[k])  # checks the words form a valid state
        states.append(
            State(
                int(steps[k]), Ws[k].copy(), bs[k].copy(), opt, rngs[k].copy(), cfg, bool(forced[k])
            )
        )
    return metrics, states


def _read_live(state, config: Config, head: int, C: int, D: int, dtype) -> State:
    """The state at the shown step, from ``step_index`` and ``live/...`` (checked)."""
    step_index = _int(state, "step_index", 0, head)
    live_W = _array(state, "live/W", dtype, (C, D))
    live_b = _array(state, "live/b", dtype, (C,))
    live_rng = _array(state, "live/rng", np.uint64, (6,))
    rng_from_array(live_rng)  # checks the words form a valid state
    live_opt = _opt_state(state, "live/opt/", config, C, D, dtype)
    return State(step_index, live_W, live_b, live_opt, live_rng, config, False)


def _read_temperature(state) -> float:
    temperature = state["temperature"]
    if isinstance(temperature, np.ndarray):
        temperature = temperature.item()
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise ValueError("temperature must be a number")
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError("temperature must be a finite number > 0")
    return float(temperature)


def _read_divergence(state, config: Config) -> Divergence | None:
    """``diverged``: "" (none), a JSON report, or the English text of format 1's first
    writers ("Training diverged at step ..."), read back into a report."""
    text = _str(state, "diverged")
    if not text:
        return None
    if not text.startswith("{"):
        return _legacy_divergence(text, config)
    fields = json.loads(text)
    if not isinstance(fields, dict) or set(fields) != _DIVERGENCE_KEYS:
        raise ValueError(f"diverged must hold {', '.join(sorted(_DIVERGENCE_KEYS))}")
    step, problem, implicated = fields["step"], fields["problem"], fields["implicated"]
    lr, l2 = fields["lr"], fields["l2"]
    if isinstance(step, bool) or not isinstance(step, int) or not isinstance(problem, str):
        raise ValueError("diverged: step must be an integer and problem a string")
    for value in (lr, l2):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("diverged: lr and l2 must be numbers")
    if not isinstance(implicated, list) or not set(implicated) <= {"lr", "l2"}:
        raise ValueError("diverged: implicated must list lr and/or l2")
    return Divergence(step, problem, float(lr), float(l2), tuple(implicated))


_DIVERGENCE_KEYS = frozenset({"step", "problem", "lr", "l2", "implicated"})
_LEGACY_DIVERGENCE = re.compile(
    r"Training diverged at step (\d+) \((.+)\); the last finite state is kept\. "
    r"Lower the learning rate (\S+)(?: or the L2 (\S+))? and press Step\."
)


def _legacy_divergence(text: str, config: Config) -> Divergence:
    match = _LEGACY_DIVERGENCE.fullmatch(text)
    if match is None:
        raise ValueError("diverged is not a divergence report")
    step, problem, lr, l2 = match.groups()
    implicated = ("lr",) if l2 is None else ("lr", "l2")
    return Divergence(
        int(step), problem, float(lr), config.l2 if l2 is None else float(l2), implicated
    )


def _read_notice(state) -> HistoryFull | None:
    """``notice``: "" (none), ``{"steps": N}``, or format 1's first writers' English text."""
    text = _str(state, "notice")
    if not text:
        return None
    legacy = re.fullmatch(r"History is full \(([\d,]+) steps\).*", text, flags=re.DOTALL)
    if legacy is not None:
        return HistoryFull(int(legacy.group(1).replace(",", "")))
    fields = json.loads(text)
    steps = fields.get("steps") if isinstance(fields, dict) else None
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError('notice must be {"steps": N} with N a step count')
    return HistoryFull(steps)


def restore_state(cls, state: dict):
    """A new ``cls`` (Session) from :func:`export_state` output; see module docstring.

    Everything is read and checked first; the session is then built the way
    ``cls(config, data, ...)`` builds any session, resuming the saved timeline.
    """
    if _int(state, "state_version", 1, 10**6) not in READ_VERSIONS:
        raise ValueError(f"unsupported session state version {state['state_version']}")
    dtype = np.dtype(_str(state, "dtype"))
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"unsupported training dtype {dtype}")
    config = Config.from_json(_str(state, "config"))
    data = _read_data(state)
    fmap = _read_features(state)
    C, D = data.n_classes, fmap.dim
    metrics, checkpoints = _read_checkpoints(state, C, D, dtype)
    live = _read_live(state, config, metrics.shape[1] - 1, C, D, dtype)
    selected = _int(state, "selected", -1, data.n_points - 1)
    temperature = _read_temperature(state)
    saved = SavedTimeline(
        metrics=metrics,
        has_test=bool(state["history/has_test"]),
        stride=_int(state, "history/stride", 1, MAX_STEPS),
        checkpoints=checkpoints,
        live=live,
        diverged=_read_divergence(state, config),
        notice=_read_notice(state),
    )
    session = cls(config, data, dtype, feature_map=fmap, resume=saved)
    session.select(None if selected < 0 else selected)
    session.set_temperature(temperature)
    return session
