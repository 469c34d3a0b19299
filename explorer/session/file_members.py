"""Reading the members of a session archive: bounded reads, and every error of
``zipfile`` and numpy's ``.npy`` reader turned into a :class:`SessionFileError` where it
arises (a damaged archive, a member cut short or longer than declared, an ``.npy``
header that does not match its declaration, booleans other than 0 and 1)."""

from __future__ import annotations

import struct
import zipfile
import zlib

import numpy as np

from explorer.session import file_limits as lim


class SessionFileError(ValueError):
    """A session file that cannot be read or written; the message says why."""


#: What ``zipfile`` raises on a damaged archive: a bad "version needed" field gives
#: NotImplementedError, an encrypted member RuntimeError, a bad offset ValueError or
#: struct.error, a bad UTF-8 name UnicodeDecodeError.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    ValueError,
    struct.error,
    OverflowError,
    UnicodeDecodeError,
    IndexError,
)


def reason(exc: BaseException) -> str:
    """What went wrong, for a message (at most 80 characters)."""
    return lim.shown(str(exc) or type(exc).__name__)[1:-1]


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, size: int) -> bytes:
    """``size`` bytes of a member (its declared size is checked by the caller)."""
    try:
        with zf.open(info) as fh:
            return fh.read(size)
    except ZIP_ERRORS as exc:
        raise SessionFileError(f"{label} is truncated or corrupt ({reason(exc)})") from exc


_NPY_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def read_npy(zf, info, dtype: np.dtype, shape: tuple, label: str) -> np.ndarray:
    """One ``.npy`` member, after checking that its own header matches the declaration.

    The check comes first, and the data are then read as exactly the declared number of
    bytes: a member whose header declares 10¹² numbers never allocates them.
    """
    name = info.filename[len("arrays/") : -len(".npy")]
    nbytes = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
    try:
        with zf.open(info) as fh:
            try:
                version = np.lib.format.read_magic(fh)
                reader = _NPY_HEADERS.get(version)
                if reader is None:
                    raise ValueError(f"unsupported .npy version {version}")
                got_shape, fortran, got_dtype = reader(fh)
            except (ValueError, SyntaxError, TypeError, OverflowError, MemoryError) as exc:
                raise SessionFileError(
                    f"{label}: array {name!r} cannot be read ({reason(exc)})"
                ) from exc
            if got_dtype != dtype or tuple(got_shape) != shape:
                raise SessionFileError(f"{label}: array {name!r} does not match its declaration")
            data = fh.read(nbytes)
            if len(data) != nbytes:
                raise SessionFileError(f"{label}: array {name!r} cannot be read (it is cut short)")
            if fh.read(1):
                raise SessionFileError(f"{label}: array {name!r} holds more than declared")
    except SessionFileError:
        raise
    except ZIP_ERRORS as exc:
        raise SessionFileError(f"{label} is truncated or corrupt ({reason(exc)})") from exc
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    if dtype.kind == "b" and np.frombuffer(data, dtype=np.uint8).max(initial=0) > 1:
        raise SessionFileError(f"{label}: array {name!r} holds booleans other than 0 and 1")
    return array
