"""Session files: a zip of ``.npy`` arrays plus a JSON header, never pickle.

Layout of a ``.smx`` file (a zip archive, stored uncompressed or deflated):

``header.json``
    ``{"format": "softmax-explorer-session", "version": 2, "app_version": "...",
    "values": {...}, "arrays": {name: {"dtype": "<f4", "shape": [C, D]}, ...}}``
    ``values`` holds the plain scalars, strings and lists of strings of the state.
``arrays/<name>.npy``
    One array per entry, in numpy's ``.npy`` format, read with ``allow_pickle=False``.

Reading checks, before decompressing any array: that every header value has its type
(``"version": true`` is not a version) and its JSON nests at most
:data:`~explorer.session.file_limits.MAX_JSON_DEPTH` deep; that every declared array has
a numeric or boolean dtype and a sane shape, and all of them together a size the file
can honestly hold (:mod:`.file_limits`); that the archive holds exactly the declared
members, each once; and, for a session, that the shapes fit the header's own class,
feature, point and step counts (:mod:`.file_layout`). Each ``.npy`` member's own header
must match its declaration before its data are read. Every error of ``zipfile``,
``json`` and numpy's ``.npy`` reader becomes a :class:`SessionFileError` where it
arises. :func:`load_session` then checks the content (:mod:`.file_checks`) and its
consistency with the history (:mod:`.file_consistency`).

Writes go to a temporary file in the same folder and replace the target atomically, so
a crash mid-save never destroys the previous file; the file gets the mode the umask
gives a new file.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from explorer import __version__
from explorer.session import file_limits as lim
from explorer.session.file_members import (
    ZIP_ERRORS,
    SessionFileError,
    read_member,
    read_npy,
    reason,
)

FORMAT = "softmax-explorer-session"
#: The format version written; every version up to it is read (1: before the losses
#: of issue 18, whose configurations take the default loss).
VERSION = 2
SUFFIX = ".smx"
MAX_ARRAY_BYTES = lim.MAX_ARRAY_BYTES
MAX_TOTAL_BYTES = lim.MAX_TOTAL_BYTES
MAX_HEADER_BYTES = lim.MAX_HEADER_BYTES
_NAME = re.compile(r"^[A-Za-z0-9_.\-/]{1,200}$")
_DTYPES = frozenset(
    np.dtype(t).str
    for t in (
        *(bool, np.int8, np.int16, np.int32, np.int64),
        *(np.uint8, np.uint16, np.uint32, np.uint64, np.float16, np.float32, np.float64),
    )
)
#: A layout check: ``layout(values, {name: (dtype string, shape)})`` raises ValueError or
#: KeyError (a missing entry) for declarations that do not fit the values.
Layout = Callable[[dict, dict], None]


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise SessionFileError(f"invalid entry name {lim.shown(name)}")


def _umask() -> int:
    """The process's umask, read without changing it where the system says it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no other way: set and restore at once
    os.umask(mask)
    return mask


def write_state(path: str | os.PathLike, state: dict) -> Path:
    """Write a flat ``state`` dict (arrays and plain values) to ``path`` atomically.

    Parameters
    ----------
    path : path-like
        Target file; its folder must exist. It gets mode ``0o666`` minus the umask.
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
            if value.dtype.str not in _DTYPES:
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
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes it 0600
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


def read_state(path: str | os.PathLike, layout: Layout | None = None) -> dict:
    """Read a session file written by :func:`write_state`.

    Parameters
    ----------
    path : path-like
    layout : callable, optional
        Checks the declared arrays against the header's values before any is read
        (:func:`explorer.session.file_layout.check_declared` for a session).

    Returns
    -------
    dict
        The flat state: arrays as read-only ndarrays, the rest as plain values.

    Raises
    ------
    SessionFileError
        For a missing, truncated, corrupt, foreign, newer-version or hostile file.
    """
    path = Path(path)
    label = path.name
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed by the ZipFile or below)
    except FileNotFoundError as exc:
        raise SessionFileError(f"{path}: no such file") from exc
    except OSError as exc:
        raise SessionFileError(f"cannot read {label}: {exc.strerror or exc}") from exc
    try:
        size = os.fstat(raw.fileno()).st_size
        zf = zipfile.ZipFile(raw)
    except zipfile.BadZipFile as exc:
        raw.close()
        raise SessionFileError(f"{label} is not a Softmax Explorer session file") from exc
    except ZIP_ERRORS as exc:
        raw.close()
        raise SessionFileError(f"{label} is truncated or corrupt ({reason(exc)})") from exc
    with raw, zf:
        try:
            return _read_entries(zf, label, size, layout)
        except KeyError as exc:
            raise SessionFileError(
                f"{label}: entry {exc.args[0]!r} is missing (incomplete or damaged file)"
            ) from exc
        except SessionFileError:
            raise
        except ValueError as exc:
            raise SessionFileError(f"{label}: {exc}") from exc


def _header(zf: zipfile.ZipFile, infos: dict, label: str) -> dict:
    info = infos.get("header.json")
    if info is None:
        raise SessionFileError(f"{label} is not a Softmax Explorer session file (no header)")
    if info.file_size > MAX_HEADER_BYTES:
        raise SessionFileError(f"{label}: header is implausibly large")
    data = read_member(zf, info, label, MAX_HEADER_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SessionFileError(f"{label}: header is not valid JSON (not UTF-8)") from exc
    try:
        header = lim.loads(text, "header")
    except ValueError as exc:
        message = str(exc).replace("header is", "header is not valid JSON:", 1)
        raise SessionFileError(f"{label}: {message}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise SessionFileError(f"{label} is not a Softmax Explorer session file")
    version = header.get("version")
    if type(version) is not int or version < 1:
        raise SessionFileError(f"{label}: unknown format version {lim.shown(version)}")
    if version > VERSION:
        raise SessionFileError(
            f"{label} was written by a newer Softmax Explorer "
            f"(format version {version}, this one reads up to {VERSION}); please update"
        )
    if not isinstance(header.get("values"), dict) or not isinstance(header.get("arrays"), dict):
        raise SessionFileError(f"{label}: header lacks its 'values' or 'arrays' table")
    for name, value in header["values"].items():
        _check_name(name)
        plain = value is None or type(value) in (bool, int, float, str)
        if not plain and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise SessionFileError(f"{label}: value {name!r} is not a plain value")
    return header


def _declarations(declared: dict, label: str) -> dict[str, tuple[str, tuple]]:
    """``{name: (dtype string, shape)}``, each checked, with the total size."""
    shapes, total = {}, 0
    for name, spec in declared.items():
        _check_name(name)
        if not isinstance(spec, dict) or set(spec) != {"dtype", "shape"}:
            raise SessionFileError(f"{label}: array {name!r} is badly declared")
        dtype, shape = spec["dtype"], spec["shape"]
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise SessionFileError(f"{label}: array {name!r} has a forbidden type or shape")
        if (
            not isinstance(shape, list)
            or len(shape) > lim.MAX_NDIM
            or not all(type(n) is int and 0 <= n <= lim.MAX_DIM for n in shape)
        ):
            raise SessionFileError(f"{label}: array {name!r} has a forbidden type or shape")
        nbytes = np.dtype(dtype).itemsize
        for n in shape:
            nbytes *= n  # exact: Python integers
        total += nbytes
        if nbytes > MAX_ARRAY_BYTES or total > MAX_TOTAL_BYTES:
            raise SessionFileError(f"{label}: array {name!r} declares an implausible size")
        shapes[name] = (dtype, tuple(shape))
    return shapes


def _read_entries(zf: zipfile.ZipFile, label: str, size: int, layout: Layout | None) -> dict:
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if info.filename in infos:
            raise SessionFileError(f"{label} holds {info.filename!r} twice (damaged file?)")
        infos[info.filename] = info
    header = _header(zf, infos, label)
    values = header["values"]
    shapes = _declarations(header["arrays"], label)
    if layout is not None:
        layout(values, shapes)
    total = 0
    for name, (dtype, shape) in shapes.items():
        if name in values:
            raise SessionFileError(f"{label}: {name!r} is both a value and an array")
        entry = infos.get(f"arrays/{name}.npy")
        if entry is None:
            raise SessionFileError(f"{label}: array {name!r} is missing (truncated file?)")
        nbytes = np.dtype(dtype).itemsize * int(np.prod(shape, dtype=np.int64))
        total += nbytes
        if entry.file_size > nbytes + 4096:
            raise SessionFileError(f"{label}: array {name!r} is larger than declared")
    expected = {"header.json"} | {f"arrays/{name}.npy" for name in shapes}
    for member in infos:
        if member not in expected:
            raise SessionFileError(f"{label}: unexpected member {lim.shown(member)}")
    allowed = max(lim.FREE_BYTES, lim.MAX_EXPANSION * size)
    if total > allowed:
        raise SessionFileError(
            f"{label}: its arrays would expand to {total / 2**20:,.0f} MiB from a "
            f"{size / 2**20:,.2f} MiB file; refused as a zip bomb"
        )
    state = dict(values)
    for name, (dtype, shape) in shapes.items():
        state[name] = read_npy(zf, infos[f"arrays/{name}.npy"], np.dtype(dtype), shape, label)
    return state


def save_session(session, path: str | os.PathLike) -> Path:
    """Save ``session`` (data, configuration, parameters, optimiser state, history)."""
    try:
        return write_state(path, session.export_state())
    except OSError as exc:
        raise SessionFileError(f"cannot write {path}: {exc.strerror or exc}") from exc


def load_session(path: str | os.PathLike):
    """Load a session saved with :func:`save_session` (of a comparison file, run A).

    Raises
    ------
    SessionFileError
        When the file is unreadable or its content is inconsistent; nothing is changed.
    """
    from explorer.session import compare_io, file_checks, file_consistency
    from explorer.session.session import Session

    # A comparison file (compare_io) is run A's session file with run B inside: run A.
    state, _ = compare_io.split(read_state(path, layout=compare_io.check_declared))
    name = Path(path).name
    try:
        file_checks.check_state(state)
        session = Session.from_state(state)
        file_consistency.check_session(session, state)
    except SessionFileError:
        raise
    except KeyError as exc:
        raise SessionFileError(
            f"{name}: entry {exc.args[0]!r} is missing (incomplete or damaged file)"
        ) from exc
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        message = str(exc)
        if len(message) > 300:  # a message never echoes a whole hostile field
            message = message[:297] + "..."
        raise SessionFileError(f"{name}: {message}") from exc
    return session
