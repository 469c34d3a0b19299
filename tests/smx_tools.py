"""Helpers for tests that take session files apart and put them back together."""

from __future__ import annotations

import io
import json
import struct
import zipfile

import numpy as np

from explorer.core.csvdata import LabelledPoints
from explorer.session.config import Config
from explorer.session.data import data_from_points
from explorer.session.persist import save_session
from explorer.session.session import Session


def session_bytes(session: Session, tmp_path, name: str = "good.smx") -> bytes:
    return save_session(session, tmp_path / name).read_bytes()


def members(data: bytes) -> tuple[dict, dict[str, bytes]]:
    """The header (parsed) and every member's bytes (the header's too)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        found = {name: zf.read(name) for name in zf.namelist()}
    return json.loads(found["header.json"]), found


def rezip(header: dict | str | bytes, found: dict[str, bytes], *, extra=()) -> bytes:
    """A zip of ``header`` (a table, or its text) and the members; ``extra`` appended."""
    if isinstance(header, dict):
        header = json.dumps(header)
    if isinstance(header, str):
        header = header.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.json", header)
        for name, blob in found.items():
            if name != "header.json":
                zf.writestr(name, blob)
        for name, blob in extra:
            zf.writestr(name, blob)
    return out.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npy_header_only(dtype: str, shape: tuple, payload: bytes = b"") -> bytes:
    """A ``.npy`` member whose header declares ``shape`` but holds only ``payload``."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue() + payload


def array_of(data: bytes, name: str) -> np.ndarray:
    _, found = members(data)
    return np.lib.format.read_array(io.BytesIO(found[f"arrays/{name}.npy"])).copy()


def with_value(data: bytes, key: str, value) -> bytes:
    """The file with ``values[key]`` replaced (``...`` deletes it)."""
    header, found = members(data)
    if value is ...:
        del header["values"][key]
    else:
        header["values"][key] = value
    return rezip(header, found)


def with_array(data: bytes, name: str, array: np.ndarray, declare: bool = True) -> bytes:
    """The file with array ``name`` replaced (and declared as it is, if ``declare``)."""
    header, found = members(data)
    if declare:
        header["arrays"][name] = {"dtype": array.dtype.str, "shape": list(array.shape)}
    found[f"arrays/{name}.npy"] = npy(array)
    return rezip(header, found)


def with_extract_version(data: bytes, version: int) -> bytes:
    """The file with every member's "version needed to extract" set to ``version``."""
    blob = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", 6), (b"PK\x03\x04", 4)):
        start = 0
        while (start := blob.find(signature, start)) >= 0:
            struct.pack_into("<H", blob, start + offset, version)
            start += 4
    return bytes(blob)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# ------------------------------------------------------------------ sessions
def named_points(seed: int = 3, n_per_class: int = 16) -> LabelledPoints:
    rng = np.random.default_rng(seed)
    centres = np.array([[-2.0, 0.0], [2.0, 0.5], [0.0, 2.5]])
    y = np.repeat(np.arange(3), n_per_class)
    X = (centres[y] + 0.6 * rng.standard_normal((y.size, 2))).T
    return LabelledPoints(X, y, ("cat", "dog, big", "#bird"))


KINDS = (
    "sgd-identity",
    "momentum-poly-edited",
    "nesterov-rff",
    "adam-minibatch",
    "no-history",
    "csv-names-float64",
)


def session_kinds() -> dict[str, Session]:
    """Small sessions of several kinds: each optimiser and feature map, with and without
    history, CSV data with class names, float64 training."""
    kinds = {}
    s = Session(Config(samples=40, seed=1))
    s.step(30)
    kinds["sgd-identity"] = s
    s = Session(Config(samples=40, optimizer="momentum", features="poly", degree=2, lr=0.05))
    s.step(20)
    s.configure(s.config.replace(lr=0.02))
    s.step(12)
    s.seek(27)
    kinds["momentum-poly-edited"] = s
    s = Session(Config(samples=40, optimizer="nesterov", features="rff", rff_dim=12))
    s.step(28)
    s.select(3)
    kinds["nesterov-rff"] = s
    s = Session(Config(samples=48, optimizer="adam", features="poly", degree=3, batch_size=8))
    s.step(26)
    s.set_temperature(3.0)
    kinds["adam-minibatch"] = s
    kinds["no-history"] = Session(Config(samples=30, classes=4))
    s = Session(Config(samples=48, optimizer="adam", lr=0.05), dtype=np.float64)
    s.set_data(data_from_points(named_points(), 0.25, 2), refit=True)
    s.step(15)
    s.configure(s.config.replace(optimizer="sgd", lr=0.2))
    s.step(15)
    kinds["csv-names-float64"] = s
    assert tuple(kinds) == KINDS
    return kinds
