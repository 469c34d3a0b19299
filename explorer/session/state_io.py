"""A session's full state as a flat dict of plain arrays and JSON scalars (no pickle).

:func:`export_state` and :func:`restore_state` back :meth:`Session.export_state` and
:meth:`Session.from_state`; :mod:`explorer.session.persist` writes the dict to a file.
Entries (``C`` classes, ``D`` features, ``N`` points, ``H`` head, ``K`` checkpoints):

=========================  =======================================================
``state_version``          int, 1
``dtype``                  str, training dtype (``"float32"`` or ``"float64"``)
``config``                 str, JSON of the configuration at the shown step
``data/X`` ``data/y``      float64 ``(2, N)``, int64 ``(N,)``
``data/is_test``           bool ``(N,)``
``data/class_names``       str, JSON list of C names
``features/<key>``         the feature map's ``state()`` (scalars and float64 arrays)
``live/W`` ``live/b``      ``(C, D)``, ``(C,)`` at the shown step, training dtype
``live/rng``               uint64 ``(6,)`` batch generator state
``live/opt/<key>``         the optimiser's ``state()`` at the shown step
``step_index``             int; ``selected`` int (-1: none); ``temperature`` float
``diverged`` ``notice``    str ("" when none)
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
``ValueError`` (or ``KeyError`` for a missing entry) before anything is built.
"""

from __future__ import annotations

import json
import math

import numpy as np

from explorer.core.features import FeatureMap
from explorer.core.optimizers import make_optimizer
from explorer.session.config import Config
from explorer.session.data import Data
from explorer.session.history import MAX_STEPS, State, rng_from_array, rng_to_array

STATE_VERSION = 1
_FEATURE_SCALARS = ("kind", "degree", "rff_dim", "rff_gamma", "seed")


def export_state(session) -> dict:
    """The flat state of ``session`` (see the module docstring)."""
    s = session
    d = s.data
    out: dict = {
        "state_version": STATE_VERSION,
        "dtype": s.dtype.name,
        "config": s.config.to_json(),
        "data/X": d.X.copy(),
        "data/y": d.y.copy(),
        "data/is_test": d.is_test.copy(),
        "data/class_names": json.dumps(list(d.class_names)),
        "live/W": s.W.copy(),
        "live/b": s.b.copy(),
        "live/rng": rng_to_array(s._rng),
        "step_index": int(s.step_index),
        "selected": -1 if s.selected is None else int(s.selected),
        "temperature": float(s.temperature),
        "diverged": s.diverged or "",
        "notice": s.notice or "",
    }
    for key, value in s.feature_map.state().items():
        out[f"features/{key}"] = value
    for key, value in s._opt.state().items():
        # 0-d arrays (the step count) go out as plain scalars
        out[f"live/opt/{key}"] = value.item() if value.ndim == 0 else value
    h = s.history
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


def restore_state(cls, state: dict):
    """A new ``cls`` (Session) from :func:`export_state` output; see module docstring."""
    if _int(state, "state_version", 1, 10**6) != STATE_VERSION:
        raise ValueError(f"unsupported session state version {state['state_version']}")
    dtype = np.dtype(_str(state, "dtype"))
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"unsupported training dtype {dtype}")
    config = Config.from_json(_str(state, "config"))
    names = json.loads(_str(state, "data/class_names"))
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("data/class_names must be a JSON list of strings")
    X = _array(state, "data/X", np.float64)
    n = X.shape[1] if X.ndim == 2 else -1
    data = Data(
        X,
        _array(state, "data/y", np.int64, (n,)),
        _array(state, "data/is_test", bool, (n,)),
        tuple(names),
    )
    fmap = FeatureMap.from_state(
        {k: state[f"features/{k}"] for k in (*_FEATURE_SCALARS, "mean", "scale", "omega", "phase")}
    )
    C, D = data.n_classes, fmap.dim

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
    step_index = _int(state, "step_index", 0, head)
    live_W = _array(state, "live/W", dtype, (C, D))
    live_b = _array(state, "live/b", dtype, (C,))
    live_rng = rng_from_array(_array(state, "live/rng", np.uint64, (6,)))
    live_opt = _opt_state(state, "live/opt/", config, C, D, dtype)
    selected = _int(state, "selected", -1, data.n_points - 1)
    temperature = state["temperature"]
    if isinstance(temperature, np.ndarray):
        temperature = temperature.item()
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise ValueError("temperature must be a number")
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError("temperature must be a finite number > 0")
    has_test = state["history/has_test"]
    stride = _int(state, "history/stride", 1, MAX_STEPS)

    return cls._restored(
        config=config,
        data=data,
        fmap=fmap,
        dtype=dtype,
        metrics=metrics,
        has_test=bool(has_test),
        stride=stride,
        states=states,
        live=(step_index, live_W, live_b, live_opt, live_rng),
        selected=None if selected < 0 else selected,
        temperature=float(temperature),
        diverged=_str(state, "diverged") or None,
        notice=_str(state, "notice") or None,
    )
