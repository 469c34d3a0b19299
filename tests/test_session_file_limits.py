"""Hostile and inconsistent session files: every one is a refusal (``SessionFileError``),
early and cheap, never a traceback, a hang or gigabytes of memory; and whatever the
program writes, it reads."""

import json
import math
import os
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
from smx_tools import (
    array_of,
    members,
    nested,
    npy_header_only,
    rezip,
    session_bytes,
    with_array,
    with_extract_version,
    with_value,
)

from explorer.core.csvdata import MAX_NAME_LENGTH, LabelledPoints
from explorer.session.config import MAX_CLASSES, Config
from explorer.session.data import Data, data_from_points
from explorer.session.persist import SessionFileError, load_session, save_session
from explorer.session.session import Session
from explorer.session.state_io import STATE_VERSION


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    """A session shown at step 30 (checkpoints at 0 and 25: the live state is replayed)."""
    s = Session(Config(samples=40, optimizer="momentum", seed=2))
    s.step(30)
    return session_bytes(s, tmp_path_factory.mktemp("good"))


def refused(tmp_path, data: bytes, match: str | None = None) -> SessionFileError:
    path = tmp_path / "bad.smx"
    path.write_bytes(data)
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    if match is not None:
        assert match.lower() in str(info.value).lower(), str(info.value)
    assert len(str(info.value)) < 400, str(info.value)[:500]
    return info.value


def test_the_good_file_loads(tmp_path, good):
    path = tmp_path / "good.smx"
    path.write_bytes(good)
    s = load_session(path)
    assert (s.step_index, s.head) == (30, 30)


# ------------------------------------------------------------------ generator states
@pytest.mark.parametrize("where", ["live", "history"])
def test_an_all_zero_generator_state_is_refused(tmp_path, good, where):
    # It used to load, and then the first mini-batch draw never returned.
    if where == "live":
        data = with_array(good, "live/rng", np.zeros(6, np.uint64))
    else:
        rng = array_of(good, "history/rng")
        rng[-1] = 0
        data = with_array(good, "history/rng", rng)
    refused(tmp_path, data, "generator state")


@pytest.mark.parametrize(("word", "value"), [(4, 2**31), (4, 2), (5, 2**40), (3, 2)])
def test_generator_state_words_are_range_checked(tmp_path, good, word, value):
    rng = array_of(good, "history/rng")
    rng[0, word] = value  # has_uint32 is 0 or 1, uinteger < 2**32, the increment is odd
    refused(tmp_path, with_array(good, "history/rng", rng), "generator state")


# ------------------------------------------------------------- tracebacks before
@pytest.mark.parametrize("key", ["config", "data/class_names", "history/configs"])
def test_deeply_nested_json_in_a_value_is_refused(tmp_path, good, key):
    refused(tmp_path, with_value(good, key, nested(100_000)))


def test_deeply_nested_json_in_the_header_is_refused(tmp_path, good):
    header, found = members(good)
    text = json.dumps(header).replace('"notice": ""', f'"notice": {nested(100_000)}')
    refused(tmp_path, rezip(text, found), "header")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("live/opt/steps", math.inf),
        ("live/opt/steps", 2**70),
        ("live/opt/steps", 1e308),
        ("live/opt/steps", -1),
        ("live/opt/steps", True),
        ("temperature", 10**400),
        ("temperature", math.nan),
        ("temperature", True),
        ("features/rff_gamma", 10**400),
        ("features/degree", math.inf),
        ("features/degree", 10**400),
        ("step_index", True),
        ("step_index", 3.0),
        ("selected", True),
        ("history/stride", 2**70),
        ("state_version", 10**4000),
    ],
)
def test_out_of_range_header_values_are_refused(tmp_path, good, key, value):
    refused(tmp_path, with_value(good, key, value))


def test_an_integer_too_long_to_parse_is_refused(tmp_path, good):
    header, found = members(good)
    version = f'"state_version": {STATE_VERSION}'
    assert version in json.dumps(header)
    text = json.dumps(header).replace(version, version + "0" * 5000)
    refused(tmp_path, rezip(text, found), "header")


@pytest.mark.parametrize("shape", [[10**400], [2, 10**400], [-1], [2.5], [True], "x", None])
def test_declared_shapes_are_checked(tmp_path, good, shape):
    header, found = members(good)
    header["arrays"]["data/X"]["shape"] = shape
    refused(tmp_path, rezip(header, found))


@pytest.mark.parametrize("dtype", [">f8", "V8", "<U4", "|S4", "i4,i4", "<c16", "O", 5, None])
def test_declared_dtypes_are_checked(tmp_path, good, dtype):
    header, found = members(good)
    header["arrays"]["live/W"]["dtype"] = dtype
    refused(tmp_path, rezip(header, found))


def test_a_damaged_version_needed_field_is_refused(tmp_path, good):
    refused(tmp_path, with_extract_version(good, 0xFFFF))


def test_version_must_be_an_integer(tmp_path, good):
    header, found = members(good)
    header["version"] = True
    refused(tmp_path, rezip(header, found), "version")


@pytest.mark.parametrize(
    "members_change",
    [
        lambda found: found.update({"arrays/extra.npy": found["arrays/live/W.npy"]}),
        lambda found: found.update({"notes.txt": b"hello"}),
    ],
    ids=["undeclared-array", "foreign-member"],
)
def test_members_that_are_not_declared_are_refused(tmp_path, good, members_change):
    header, found = members(good)
    members_change(found)
    refused(tmp_path, rezip(header, found), "unexpected")


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicate_members_are_refused(tmp_path, good):
    header, found = members(good)
    data = rezip(header, found, extra=[("arrays/live/W.npy", found["arrays/live/W.npy"])])
    refused(tmp_path, data, "twice")


# --------------------------------------------------------------------- memory
def _peak_while_refusing(tmp_path, data: bytes) -> tuple[SessionFileError, int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        err = refused(tmp_path, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return err, peak, time.perf_counter() - started


def test_huge_declared_metrics_are_refused_before_anything_is_read(tmp_path, good):
    header, found = members(good)
    shape = (4, 33_500_000)
    header["arrays"]["history/metrics"]["shape"] = list(shape)
    found["arrays/history/metrics.npy"] = npy_header_only("<f8", shape, b"\0" * 1000)
    err, peak, elapsed = _peak_while_refusing(tmp_path, rezip(header, found))
    assert "history/metrics" in str(err)
    assert peak < 32 * 2**20, peak  # it reached 1.07 GB (allocated before the read failed)
    assert elapsed < 1.0, elapsed  # a generous guard, not a benchmark


def test_more_points_than_the_limit_are_refused_before_anything_is_read(tmp_path, good):
    header, found = members(good)
    n = 20_000_000
    for name, dtype, shape in (
        ("data/X", "<f8", (2, n)),
        ("data/y", "<i8", (n,)),
        ("data/is_test", "|b1", (n,)),
    ):
        header["arrays"][name]["shape"] = list(shape)
        found[f"arrays/{name}.npy"] = npy_header_only(dtype, shape)
    err, peak, _ = _peak_while_refusing(tmp_path, rezip(header, found))
    assert "1,000,000" in str(err)
    assert peak < 32 * 2**20, peak


def _zeros_zip(path, header: dict) -> None:
    """A session file whose every array is honest zeros, written in chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.json", json.dumps(header))
        for name, spec in header["arrays"].items():
            size = np.dtype(spec["dtype"]).itemsize * math.prod(spec["shape"])
            with zf.open(f"arrays/{name}.npy", "w", force_zip64=True) as out:
                out.write(npy_header_only(spec["dtype"], tuple(spec["shape"])))
                for start in range(0, size, 2**20):
                    out.write(bytes(min(2**20, size - start)))


def test_a_zip_bomb_is_refused_before_it_is_decompressed(tmp_path, good):
    # ~100 MB of zeros in consistent shapes (N = 1,000,000 points, a 1,000,000-step
    # history with 400,000 checkpoints: each within its limit) in a file of ~100 kB.
    header, _ = members(good)
    N, H, K = 1_000_000, 1_000_000, 400_000
    for name, spec in header["arrays"].items():
        shape = spec["shape"]
        if name.startswith("data/"):
            shape[-1] = N
        elif name == "history/metrics":
            shape[1] = H + 1
        elif name.startswith("history/"):
            shape[0] = K
    header["values"]["step_index"] = H
    path = tmp_path / "bomb.smx"
    _zeros_zip(path, header)
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(SessionFileError, match="expand") as info:
            load_session(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(str(info.value)) < 400
    assert peak < 32 * 2**20, peak


# ---------------------------------------------------------------- bad content
def test_a_temperature_outside_the_window_bounds_is_refused(tmp_path, good):
    for bad in (1e-300, 1e-4, 1e4):
        refused(tmp_path, with_value(good, "temperature", bad), "temperature")
    for fine in (1e-3, 1e3):
        path = tmp_path / "t.smx"
        path.write_bytes(with_value(good, "temperature", fine))
        assert load_session(path).temperature == fine


def test_weights_whose_loss_overflows_are_refused(tmp_path, good):
    W = array_of(good, "live/W")
    W[:] = 3e38
    refused(tmp_path, with_array(good, "live/W", W))


@pytest.mark.parametrize(("row", "value"), [(1, 5.0), (3, -0.5), (0, -3.0), (2, -1.0), (1, 0.3333)])
def test_metrics_out_of_range_are_refused(tmp_path, good, row, value):
    metrics = array_of(good, "history/metrics")
    metrics[row, 7] = value
    refused(tmp_path, with_array(good, "history/metrics", metrics), "history/metrics")


def test_a_head_loss_that_the_weights_do_not_give_is_refused(tmp_path, good):
    metrics = array_of(good, "history/metrics")
    metrics[0, -1] = 123.0
    refused(tmp_path, with_array(good, "history/metrics", metrics), "loss")


def test_live_weights_that_the_history_does_not_give_are_refused(tmp_path, good):
    W = array_of(good, "live/W")
    W[0, 0] += 0.25
    refused(tmp_path, with_array(good, "live/W", W), "history")


def test_a_step_index_that_does_not_match_the_weights_is_refused(tmp_path, good):
    data = with_value(with_value(good, "step_index", 28), "live/opt/steps", 28)
    refused(tmp_path, data, "history")


def test_live_optimiser_state_is_checked_against_the_history(tmp_path, good):
    velocity = array_of(good, "live/opt/velocity_0")
    velocity[:] = 0.0
    refused(tmp_path, with_array(good, "live/opt/velocity_0", velocity), "history")
    refused(tmp_path, with_value(good, "live/opt/steps", 3), "history")


def test_a_configuration_must_be_complete(tmp_path, good):
    refused(tmp_path, with_value(good, "config", "{}"), "config")
    config = json.loads(members(good)[0]["values"]["config"])
    del config["lr"]
    refused(tmp_path, with_value(good, "config", json.dumps(config)), "lr")


def test_a_class_count_beyond_the_limit_is_refused(tmp_path, good):
    names = json.dumps([f"c{k}" for k in range(MAX_CLASSES + 1)])
    refused(tmp_path, with_value(good, "data/class_names", names))


def test_a_long_class_name_is_refused(tmp_path, good):
    names = json.dumps(["a", "b", "c" * (MAX_NAME_LENGTH + 1)])
    refused(tmp_path, with_value(good, "data/class_names", names), "name")


# -------------------------------------------------------- what it writes, it reads
def test_class_names_are_limited_where_they_enter():
    X = np.zeros((2, 4))
    with pytest.raises(ValueError, match="at most 50 classes"):
        Data(X, np.zeros(4, np.int64), np.zeros(4, bool), tuple(f"c{k}" for k in range(51)))
    with pytest.raises(ValueError, match="at most 100 characters"):
        Data(X, np.zeros(4, np.int64), np.zeros(4, bool), ("a", "b" * 101))


def test_the_largest_allowed_names_and_class_count_save_and_load(tmp_path):
    C = MAX_CLASSES
    names = tuple(f"{k:03d}" + "é" * (MAX_NAME_LENGTH - 3) for k in range(C))
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(C), 3)
    points = LabelledPoints(rng.standard_normal((2, y.size)), y, names)
    s = Session(Config(samples=200))
    s.set_data(data_from_points(points, 0.0, 0), refit=True)
    s.step(3)
    t = load_session(save_session(s, tmp_path / "big-names.smx"))
    assert t.data.class_names == names


# ---------------------------------------------------------------------- umask
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_saved_files_follow_the_umask(tmp_path, umask, mode):
    s = Session(Config(samples=30))
    path = tmp_path / "s.smx"
    old = os.umask(umask)
    try:
        save_session(s, path)
        assert path.stat().st_mode & 0o777 == mode
        path.chmod(0o644)
        save_session(s, path)  # saving over an existing file
        assert path.stat().st_mode & 0o777 == mode
    finally:
        os.umask(old)
