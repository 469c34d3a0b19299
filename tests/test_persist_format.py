"""The session-file container: round trips, atomic writes, and refusal of bad files."""

import io
import json
import zipfile

import numpy as np
import pytest

from explorer.session.persist import (
    VERSION,
    SessionFileError,
    read_state,
    write_state,
)


def sample_state():
    rng = np.random.default_rng(0)
    return {
        "W": rng.standard_normal((3, 2)).astype(np.float32),
        "y": np.arange(5, dtype=np.int64),
        "mask": np.array([True, False]),
        "config/lr": 0.5,
        "names": ["a", "b", "c"],
        "note": None,
    }


def test_round_trip_is_bit_identical(tmp_path):
    state = sample_state()
    loaded = read_state(write_state(tmp_path / "s.smx", state))
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            assert loaded[key].dtype == value.dtype
            np.testing.assert_array_equal(loaded[key], value)
        else:
            assert loaded[key] == value


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "s.smx"
    write_state(path, sample_state())
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", boom)
    with pytest.raises(OSError):
        write_state(path, sample_state())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.smx"]


def test_object_arrays_are_never_written(tmp_path):
    with pytest.raises(SessionFileError):
        write_state(tmp_path / "o.smx", {"bad": np.array([object()])})


def _zip(tmp_path, header, arrays=None, name="h.smx"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("header.json", json.dumps(header))
        for key, array in (arrays or {}).items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, array, allow_pickle=True)
            zf.writestr(f"arrays/{key}.npy", buf.getvalue())
    return path


def header(arrays=None, version=VERSION):
    return {
        "format": "softmax-explorer-session",
        "version": version,
        "values": {},
        "arrays": arrays or {},
    }


@pytest.mark.parametrize(
    ("maker", "message"),
    [
        (lambda p: p.joinpath("x.smx").write_bytes(b"not a zip at all") and p / "x.smx", "not a"),
        (lambda p: _zip(p, {"format": "something-else", "version": 1}), "not a"),
        (lambda p: _zip(p, header(version=99)), "newer"),
        (
            lambda p: _zip(p, header({"W": {"dtype": "<f8", "shape": [10**9, 10**9]}})),
            "implausible",
        ),
        (lambda p: _zip(p, header({"W": {"dtype": "|O", "shape": [1]}})), "forbidden"),
        (lambda p: _zip(p, header({"W": {"dtype": "<f8", "shape": [2]}})), "missing"),
        (
            lambda p: _zip(
                p,
                header({"W": {"dtype": "|O", "shape": [1]}}),
                {"W": np.array([print], dtype=object)},
            ),
            "forbidden",
        ),
        (
            lambda p: _zip(p, header({"W": {"dtype": "<f8", "shape": [3]}}), {"W": np.zeros(2)}),
            "does not match",
        ),
    ],
)
def test_bad_files_are_refused_with_a_message(tmp_path, maker, message):
    path = maker(tmp_path)
    with pytest.raises(SessionFileError, match=message):
        read_state(path)


def test_truncated_file_is_refused(tmp_path):
    path = write_state(tmp_path / "s.smx", sample_state())
    data = path.read_bytes()
    cut = tmp_path / "cut.smx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SessionFileError):
        read_state(cut)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(SessionFileError, match="no such file"):
        read_state(tmp_path / "nope.smx")


def test_zero_dimensional_arrays_keep_their_shape(tmp_path):
    state = {"count": np.array(7, dtype=np.int64), "scale": np.array(0.25, dtype=np.float32)}
    loaded = read_state(write_state(tmp_path / "z.smx", state))
    for key, value in state.items():
        assert loaded[key].shape == ()
        assert loaded[key].dtype == value.dtype
        assert loaded[key] == value


def test_non_contiguous_arrays_round_trip(tmp_path):
    a = np.arange(24, dtype=np.float64).reshape(4, 6)[:, ::2]
    loaded = read_state(write_state(tmp_path / "t.smx", {"a": a, "aT": a.T}))
    np.testing.assert_array_equal(loaded["a"], a)
    np.testing.assert_array_equal(loaded["aT"], a.T)


def _npy_member(header_shape, dtype="<f8", payload=b""):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": header_shape}
    )
    return buf.getvalue() + payload


@pytest.mark.parametrize(
    ("member", "message"),
    [
        # The member's own header claims 10^11 numbers: refused before anything is allocated.
        (_npy_member((10**11,), payload=np.zeros(2).tobytes()), "does not match"),
        (_npy_member((3,), payload=np.zeros(3).tobytes()), "does not match"),
        (_npy_member((2,), dtype="<i8", payload=np.zeros(2).tobytes()), "does not match"),
        (_npy_member((2,), payload=b"\x00" * 5), "cannot be read"),
        (b"\x93NUMPY\x09\x00garbage", "cannot be read"),
        (b"plain text, not npy", "cannot be read"),
    ],
)
def test_npy_member_header_is_checked_before_reading(tmp_path, member, message):
    path = tmp_path / "m.smx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("header.json", json.dumps(header({"W": {"dtype": "<f8", "shape": [2]}})))
        zf.writestr("arrays/W.npy", member)
    with pytest.raises(SessionFileError, match=message):
        read_state(path)


def test_unreadable_path_is_refused_with_its_reason(tmp_path):
    with pytest.raises(SessionFileError, match="cannot read"):
        read_state(tmp_path)  # a folder
