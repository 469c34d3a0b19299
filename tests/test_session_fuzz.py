"""Session-file fuzz (hypothesis): valid files of several kinds, mutated (truncated, bytes
flipped, a header value replaced by any JSON value, an array by any dtype and shape or a
special value, members added, dropped or duplicated), are refused with a
``SessionFileError`` or give a session whose arrays are finite and consistent, which
then steps, steps back, saves and loads again bit for bit; within 2 s and 300 MiB."""

import functools
import io
import json
import math
import time
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from fuzz_budget import Tally, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from smx_tools import KINDS, members, npy, session_kinds

from explorer.session.file_checks import check_state
from explorer.session.persist import SessionFileError, load_session, save_session

MAX_SECONDS = 2.0  # a generous guard, not a benchmark
MAX_BYTES = 300 * 2**20


@functools.cache
def base_files() -> dict[str, bytes]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return {
            kind: save_session(session, Path(folder) / f"{kind}.smx").read_bytes()
            for kind, session in session_kinds().items()
        }


# ---------------------------------------------------------------------- strategies
SPECIAL_JSON = [
    10**400,
    -(10**400),
    2**31,
    2**63,
    2**64,
    2**70,
    -1,
    0,
    1,
    1e308,
    1e-300,
    "{}",
    "[]",
    "[" * 50 + "]" * 50,
    "float32",
    "float64",
    "poly",
    "rff",
    "adam",
    '{"lr": 1e400}',
    '["a", "b"]',
    '["a", "b", "c"]',
]
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(SPECIAL_JSON),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
DTYPES = ["<f8", "<f4", "<f2", "<i8", "<i4", "|i1", "<u8", "|u1", "|b1", ">f8", "<c16"]
SPECIAL_NUMBERS = [math.nan, math.inf, -math.inf, 1e38, 3e38, -1e30, 0.0, 1.0, -1.0, 2**31, 2**63]


def _random_array(dtype: str, shape: list[int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    size = math.prod(shape)
    if dtype.kind == "b":
        values = rng.integers(0, 2, size).astype(bool)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, size, dtype=dtype, endpoint=True)
    else:
        values = rng.standard_normal(size) * 10.0 ** rng.integers(-3, 4)
        with np.errstate(all="ignore"):
            values = values.astype(dtype)
    return values.reshape(shape)


@st.composite
def structured_change(draw, header: dict, found: dict):
    """One change of the header or the members, in place."""
    kind = draw(
        st.sampled_from(
            [
                *("value", "config field", "top", "spec", "array", "element", "member"),
                *("zero", "benign", "benign", "benign", "benign"),
            ]
        )
    )
    if not all(isinstance(header.get(k), dict) and header[k] for k in ("values", "arrays")):
        return  # an earlier change replaced a table: nothing left to change in it
    arrays = sorted(header["arrays"])
    values = sorted(header["values"])
    if kind == "benign":  # a change the window could have made: the file still loads
        key = draw(st.sampled_from(["notice", "diverged", "selected", "temperature", "app"]))
        if key == "app":
            header["app_version"] = draw(st.text(max_size=20))
        elif key == "selected":
            header["values"][key] = draw(st.integers(-1, 29))
        elif key == "temperature":
            header["values"][key] = draw(st.floats(1e-3, 1e3))
        else:
            header["values"][key] = draw(st.text(max_size=200))
    elif kind == "value":
        header["values"][draw(st.sampled_from(values))] = draw(json_values)
    elif kind == "config field":
        key = draw(st.sampled_from(["config", "history/configs"]))
        try:
            table = json.loads(header["values"][key])
            target = table if isinstance(table, dict) else table[0]
            assert isinstance(target, dict) and target
        except (KeyError, TypeError, ValueError, IndexError, AssertionError):
            return
        target[draw(st.sampled_from(sorted(target)))] = draw(json_values)
        header["values"][key] = json.dumps(table)
    elif kind == "top":
        header[draw(st.sampled_from(["format", "version", "values", "arrays"]))] = draw(json_values)
    elif kind == "spec":
        spec = header["arrays"][draw(st.sampled_from(arrays))]
        if not isinstance(spec, dict):
            return
        spec[draw(st.sampled_from(["dtype", "shape"]))] = draw(
            json_values | st.lists(st.integers(-2, 10**7), max_size=3)
        )
    elif kind in ("array", "element", "zero"):
        name = draw(st.sampled_from(arrays))
        if f"arrays/{name}.npy" not in found:
            return
        old = np.lib.format.read_array(io.BytesIO(found[f"arrays/{name}.npy"]))
        if kind == "array":
            dtype = draw(st.sampled_from(DTYPES))
            shape = draw(st.lists(st.integers(0, 6), max_size=3))
            if draw(st.booleans()):
                shape = list(old.shape)  # the same shape, another dtype or content
            array = _random_array(dtype, shape, draw(st.integers(0, 2**32 - 1)))
        else:
            array = old.copy()
            if array.size:
                value = 0 if kind == "zero" else draw(st.sampled_from(SPECIAL_NUMBERS))
                index = draw(st.integers(0, array.size - 1))
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        array.reshape(-1)[index] = value
                    except (OverflowError, ValueError):
                        array.reshape(-1)[index] = 1
                if kind == "zero":
                    array[...] = 0
        found[f"arrays/{name}.npy"] = npy(array)
        if draw(st.booleans()):  # declared honestly, or left as it was
            header["arrays"][name] = {"dtype": array.dtype.str, "shape": list(array.shape)}
    else:
        action = draw(st.sampled_from(["add", "drop", "duplicate"]))
        names = sorted(n for n in found if n != "\0extra")
        if action == "add":
            name = draw(st.sampled_from(["arrays/extra.npy", "notes.txt", "arrays/live/W.npy"]))
            found.setdefault("\0extra", []).append((name, draw(st.binary(max_size=64))))
        elif action == "drop":
            found.pop(draw(st.sampled_from(names)))
        else:
            name = draw(st.sampled_from(names))
            found.setdefault("\0extra", []).append((name, found[name]))


def zipped(header: dict, found: dict, stored: bool) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    extra = found.pop("\0extra", [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(out, "w", method) as zf:
            if "header.json" in found:
                zf.writestr("header.json", json.dumps(header))
            for name, blob in found.items():
                if name != "header.json":
                    zf.writestr(name, blob)
            for name, blob in extra:
                zf.writestr(name, blob)
    return out.getvalue()


@st.composite
def mutated_files(draw):
    """``(kind, bytes)``: a base file with one to three changes."""
    kind = draw(st.sampled_from(sorted(base_files())))
    data = base_files()[kind]
    if draw(st.integers(0, 3)):
        header, found = members(data)
        for _ in range(draw(st.integers(1, 3))):
            draw(structured_change(header, found))
        data = zipped(header, found, stored=draw(st.booleans()))
    if not draw(st.integers(0, 3)):
        data = data[: draw(st.integers(0, len(data)))]
    flips = []
    if not draw(st.integers(0, 2)):
        flips = draw(st.lists(st.tuples(st.integers(0, 10**7), st.integers(1, 255)), max_size=3))
    if flips and data:
        blob = bytearray(data)
        for position, mask in flips:
            blob[position % len(blob)] ^= mask
        data = bytes(blob)
    return kind, data


# ------------------------------------------------------------------------ checks
def same_state(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for key, x in a.items():
        y = b[key]
        if isinstance(x, np.ndarray):
            if not (isinstance(y, np.ndarray) and x.dtype == y.dtype and x.shape == y.shape):
                return False
            if x.tobytes() != y.tobytes():
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


def exercise(path, again) -> str:
    """Load ``path``; if it loads, check it, step, step back, save and load again."""
    try:
        session = load_session(path)
    except SessionFileError as exc:
        assert len(str(exc)) < 400, str(exc)[:500]
        return "refused"
    state = session.export_state()
    for key, value in state.items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert np.isfinite(value).all(), key
    check_state(dict(state))  # consistent: what a saved session must be
    session.step()
    session.step_back()
    before = session.export_state()
    save_session(session, again)
    assert same_state(before, load_session(again).export_state())
    return "loaded"


def mutated_files_refused_or_consistent(tmp_path, n: int, large: bool = False) -> None:
    tally = Tally()
    base_files()

    @fuzz_settings(n, large)
    @given(mutated_files())
    def run(case):
        kind, data = case
        path = tmp_path / "case.smx"
        path.write_bytes(data)
        assert len(data) <= 10 * 2**20
        tracemalloc.start()
        started = time.perf_counter()
        try:
            outcome = exercise(path, tmp_path / "again.smx")
        finally:
            elapsed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert elapsed < MAX_SECONDS, (kind, elapsed)
        assert peak < MAX_BYTES, (kind, peak)
        tally["cases"] += 1
        tally[outcome] += 1

    run()
    tally.report("session files")


def test_mutated_session_files_are_refused_or_load_consistently(tmp_path):
    mutated_files_refused_or_consistent(tmp_path, 80)


@pytest.mark.fuzz
def test_mutated_session_files_are_refused_or_load_consistently_large(tmp_path):
    mutated_files_refused_or_consistent(tmp_path, 120, large=True)


@pytest.mark.parametrize("kind", KINDS)
def test_every_base_file_loads_steps_and_round_trips(tmp_path, kind):
    path = tmp_path / "base.smx"
    path.write_bytes(base_files()[kind])
    assert exercise(path, tmp_path / "again.smx") == "loaded"
