"""Session files: a zip of ``.npy`` arrays plus a JSON header, never pickle.

Layout of a ``.smx`` file (a zip archive, stored uncompressed or deflated):

``header.json``
    ``{"format": "softmax-explorer-session", "version": 1, "app_version": "...",
    "values": {...}, "arrays": {name: {"dtype": "<f4", "shape": [C, D]}, ...}}``
    ``values`` holds the plain scalars, strings and lists of strings of the state.
``arrays/<name>.npy``
    One array per entry, in numpy's ``.npy`` format, read with ``allow_pickle=False``.

Loading checks, before reading any array, that the format and version are known, that
every declared array exists with the declared dtype (numbers and booleans only) and that
declared sizes are sane, and that each ``.npy`` member's own header matches its
declaration before the array is read; :meth:`Session.from_state` then checks shapes,
ranges and finiteness.
Writes go to a temporary file in the same folder and replace the target atomically, so
a crash mid-save never destroys the previous file.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from explorer import __version__

FORMAT = "softmax-explorer-session"
VERSION = 1
SUFFIX = ".smx"
MAX_ARRAY_BYTES = 1 << 30  # 1 GiB per array
MAX_TOTAL_BYTES = 2 << 30  # 2 GiB per file, uncompressed
MAX_HEADER_BYTES = 4 << 20
_NAME = re.compile(r"^[A-Za-z0-9_.\-/]{1,200}$")
_ALLOWED_KINDS = "biuf"  # bool, signed, unsigned, float


class SessionFileError(ValueError):
    """A session file that cannot be read or written; the message says why."""


def _check_name(name: str) -> None:
    if not _NAME.match(name) or ".." in name:
        raise SessionFileError(f"invalid entry name {name!r}")


def write_state(path: str | os.PathLike, state: dict) -> Path:
    """Write a flat ``state`` dict (arrays and plain values) to ``path`` atomically.

    Parameters
    ----------
    path : path-like
        Target file; its folder must exist.
    state : dict[str, ndarray | int | float | bool | str | None | list[str]]

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    values, arrays = {}, {}
    for name, value in state.items():
        _check_name(name)
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in _ALLOWED_KINDS:
                raise SessionFileError(f"array {name!r} has unsupported dtype {value.dtype}")
            # np.ascontiguousarray would turn a 0-d array into shape (1,)
            arrays[name] = np.require(value, requirements="C")
        elif isinstance(value, np.generic):
            values[name] = value.item()
        else:
            values[name] = value
    header = {
        "format": FORMAT,
        "version": VERSION,
        "app_version": __version__,
        "values": values,
        "arrays": {n: {"dtype": a.dtype.str, "shape": list(a.shape)} for n, a in arrays.items()},
    }
    try:
        header_bytes = json.dumps(header, allow_nan=False, indent=1).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise SessionFileError(f"state cannot be saved: {exc}") from exc
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("header.json", header_bytes)
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                zf.writestr(f"arrays/{name}.npy", buffer.getvalue())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_state(path: str | os.PathLike) -> dict:
    """Read a session file written by :func:`write_state`.

    Returns
    -------
    dict
        The flat state: arrays as ndarrays, the rest as plain values.

    Raises
    ------
    SessionFileError
        For a missing, truncated, corrupt, foreign, newer-version or hostile file.
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise SessionFileError(f"{path}: no such file") from exc
    except zipfile.BadZipFile as exc:
        raise SessionFileError(f"{path.name} is not a Softmax Explorer session file") from exc
    except OSError as exc:
        raise SessionFileError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    with zf:
        try:
            return _read_entries(zf, path.name)
        except SessionFileError:
            raise
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression.
        except (
            zipfile.BadZipFile,
            EOFError,
            OSError,
            zlib.error,
            RuntimeError,
            NotImplementedError,
        ) as exc:
            raise SessionFileError(f"{path.name} is truncated or corrupt ({exc})") from exc


def _read_entries(zf: zipfile.ZipFile, label: str) -> dict:
    infos = {i.filename: i for i in zf.infolist()}
    info = infos.get("header.json")
    if info is None:
        raise SessionFileError(f"{label} is not a Softmax Explorer session file (no header)")
    if info.file_size > MAX_HEADER_BYTES:
        raise SessionFileError(f"{label}: header is implausibly large")
    try:
        header = json.loads(zf.read(info).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SessionFileError(f"{label}: header is not valid JSON ({exc})") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise SessionFileError(f"{label} is not a Softmax Explorer session file")
    version = header.get("version")
    if not isinstance(version, int) or version < 1:
        raise SessionFileError(f"{label}: unknown format version {version!r}")
    if version > VERSION:
        raise SessionFileError(
            f"{label} was written by a newer Softmax Explorer "
            f"(format version {version}, this one reads up to {VERSION}); please update"
        )
    values = header.get("values")
    declared = header.get("arrays")
    if not isinstance(values, dict) or not isinstance(declared, dict):
        raise SessionFileError(f"{label}: header lacks its 'values' or 'arrays' table")
    total = 0
    for name, spec in declared.items():
        _check_name(name)
        if not isinstance(spec, dict):
            raise SessionFileError(f"{label}: array {name!r} is badly declared")
        try:
            dtype = np.dtype(spec["dtype"])
            shape = tuple(int(n) for n in spec["shape"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SessionFileError(f"{label}: array {name!r} is badly declared") from exc
        if dtype.kind not in _ALLOWED_KINDS or any(n < 0 for n in shape):
            raise SessionFileError(f"{label}: array {name!r} has a forbidden type or shape")
        nbytes = dtype.itemsize * int(np.prod(shape, dtype=np.float64))
        total += nbytes
        if nbytes > MAX_ARRAY_BYTES or total > MAX_TOTAL_BYTES:
            raise SessionFileError(f"{label}: array {name!r} declares an implausible size")
        entry = infos.get(f"arrays/{name}.npy")
        if entry is None:
            raise SessionFileError(f"{label}: array {name!r} is missing (truncated file?)")
        if entry.file_size > nbytes + 4096:
            raise SessionFileError(f"{label}: array {name!r} is larger than declared")
    state = dict(values)
    for name, spec in declared.items():
        with zf.open(f"arrays/{name}.npy") as fh:
            raw = io.BytesIO(fh.read())
        state[name] = _read_npy(raw, np.dtype(spec["dtype"]), tuple(spec["shape"]), name, label)
    return state


_NPY_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _read_npy(raw: io.BytesIO, dtype: np.dtype, shape: tuple, name: str, label: str):
    """One ``.npy`` member, after checking that its own header matches the declaration.

    The check comes first because ``np.lib.format.read_array`` allocates the array its
    header declares before reading: a hostile member declaring 10¹² numbers would
    otherwise ask for terabytes of memory.
    """
    try:
        version = np.lib.format.read_magic(raw)
        reader = _NPY_HEADERS.get(version)
        if reader is None:
            raise ValueError(f"unsupported .npy version {version}")
        got_shape, _fortran, got_dtype = reader(raw)
    except ValueError as exc:
        raise SessionFileError(f"{label}: array {name!r} cannot be read ({exc})") from exc
    if got_dtype != dtype or tuple(got_shape) != shape:
        raise SessionFileError(f"{label}: array {name!r} does not match its declaration")
    raw.seek(0)
    try:
        # The header was checked: the array read has that dtype and shape.
        return np.lib.format.read_array(raw, allow_pickle=False)
    except ValueError as exc:
        raise SessionFileError(f"{label}: array {name!r} cannot be read ({exc})") from exc


def save_session(session, path: str | os.PathLike) -> Path:
    """Save ``session`` (data, configuration, parameters, optimiser state, history)."""
    try:
        return write_state(path, session.export_state())
    except OSError as exc:
        raise SessionFileError(f"cannot write {path}: {exc.strerror or exc}") from exc


def load_session(path: str | os.PathLike):
    """Load a session saved with :func:`save_session`.

    Raises
    ------
    SessionFileError
        When the file is unreadable or its content is inconsistent; nothing is changed.
    """
    from explorer.session.session import Session

    state = read_state(path)
    name = Path(path).name
    try:
        return Session.from_state(state)
    except SessionFileError:
        raise
    except KeyError as exc:
        raise SessionFileError(
            f"{name}: entry {exc.args[0]!r} is missing (incomplete or damaged file)"
        ) from exc
    except (ValueError, TypeError, IndexError) as exc:
        raise SessionFileError(f"{name}: inconsistent content ({exc})") from exc
