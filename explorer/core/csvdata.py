"""Reading and writing labelled 2-D points as ``x1,x2,label`` CSV text.

Format read
-----------
- Three columns, x1, x2 and a label, in the CSV of RFC 4180: a field may be quoted
  (``"0.3"``, ``"a, b"``, ``"a ""b"" c"``; a quoted field may span lines).
- The separator is ``,``, ``;`` or a tab, detected from the first rows. With ``;`` or a
  tab a decimal comma reads as a decimal point (``0,5;1,25;a``), as spreadsheets write.
- Text in UTF-8 (with or without a byte-order mark) or UTF-16 with its byte-order mark.
- Blank lines and lines starting with ``#`` are skipped; the spaces around a field and
  empty columns after the third are ignored.
- An optional header: the first row is a header when neither of its first two fields is
  a number (``x1,x2,label``, say).
- Numbers are plain ASCII: ``-1.5``, ``+2``, ``.5``, ``3e-4`` (no ``1_000``, no other
  scripts' digits, no hexadecimal).
- Labels that are all numbers are compared as numbers (``1``, ``1.0`` and ``+1e0`` are one
  class) and ordered numerically; each class is named by its shortest decimal form
  (labels 3, 7.0, 10 become classes 0, 1, 2 named "3", "7", "10"). Otherwise every label
  is a name, and the names are ordered by code point, so the classes do not depend on
  the order of the rows, and :func:`save_csv` followed by :func:`load_csv` gives back the
  classes :func:`load_csv` made.

Limits: at most :data:`MAX_ROWS` points, :data:`MAX_CLASSES` classes, labels of at most
:data:`MAX_NAME_LENGTH` characters, :data:`MAX_BYTES` bytes read. A file is refused as a
whole with a :class:`CsvError` whose message names the line and the problem, quoting at
most about 80 characters of a field; nothing is half-loaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import numpy as np

from explorer.core.csv_text import (
    CsvError,
    fail,
    is_number,
    records,
    shown,
    to_float,
)

__all__ = [
    "MAX_BYTES",
    "MAX_CLASSES",
    "MAX_NAME_LENGTH",
    "MAX_ROWS",
    "CsvError",
    "LabelledPoints",
    "load_csv",
    "save_csv",
]

MAX_ROWS = 1_000_000
#: The configuration's limit (``explorer.session.config.MAX_CLASSES``; a test checks).
MAX_CLASSES = 50
MAX_NAME_LENGTH = 100
#: The most bytes read. A written file stays below it: 1,000,000 rows of two 24-character
#: numbers and a quoted 100-character name of 4-byte characters take ~453 MB.
MAX_BYTES = 512 * 2**20
#: Distinct label spellings kept before the class limit is judged early (``1``, ``1.0``
#: and ``01`` are three spellings of one class).
_MAX_SPELLINGS = 1000


@dataclass(frozen=True, eq=False)
class LabelledPoints:
    """Points with class labels, as read from or written to a CSV file.

    Attributes
    ----------
    X : ndarray, shape (2, N), float64
        One point per column.
    y : ndarray, shape (N,), int64
        Class indices ``0..C-1``.
    class_names : tuple of str, length C
        The name of each class index.
    """

    X: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]

    @property
    def n_classes(self) -> int:
        """Number of classes ``C``."""
        return len(self.class_names)


def _coordinate(source, line: int, column: str, field: str, decimal_comma: bool) -> float:
    value = to_float(field, decimal_comma)
    if value is None:
        if field.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            problem = f"{column} is not finite (NaN or infinity): {shown(field)}"
        else:
            problem = f"{column} is not a number: {shown(field)}"
        raise fail(source, line, problem)
    if value != value or value in (np.inf, -np.inf):
        raise fail(source, line, f"{column} is not finite (NaN or infinity): {shown(field)}")
    return value


def load_csv(source: str | os.PathLike | TextIO) -> LabelledPoints:
    """Read ``x1,x2,label`` rows from a file path or an open stream.

    Parameters
    ----------
    source : str, path-like or stream
        A file name, or anything with ``read(size)`` returning ``str`` or ``bytes``.

    Returns
    -------
    LabelledPoints
        ``X (2, N)`` float64, ``y (N,)`` int64 and the class names (see the module
        docstring for the label order).

    Raises
    ------
    CsvError
        Missing or unreadable file, binary content or an unknown encoding, a row with a
        wrong number of columns, a field that is not a number, NaN or infinity, an empty
        or too long label, no data rows, fewer than 2 or more than ``MAX_CLASSES``
        classes, more than ``MAX_ROWS`` rows or ``MAX_BYTES`` bytes. The message names
        the line and the problem.
    """
    max_rows = MAX_ROWS
    x1s: list[float] = []
    x2s: list[float] = []
    labels: list[str] = []
    spellings: set[str] = set()
    first_line = last_line = header_line = None
    decimal_comma, rows = records(source, MAX_BYTES)
    for lineno, fields in rows:
        if len(fields) != 3:
            raise fail(source, lineno, f"expected 3 columns (x1,x2,label), found {len(fields)}")
        a, b, label = fields
        if first_line is None:
            if header_line is None and not (
                is_number(a, decimal_comma) or is_number(b, decimal_comma)
            ):
                header_line = lineno
                continue
            first_line = lineno
        try:
            if decimal_comma:
                raise ValueError
            v1, v2 = float(a), float(b)
        except ValueError:
            v1 = _coordinate(source, lineno, "x1", a, decimal_comma)
            v2 = _coordinate(source, lineno, "x2", b, decimal_comma)
        else:
            # float() also takes "1_0", other scripts' digits, "nan" and "inf" (all of which
            # hold a "_", a non-ASCII character or an "n"), and gives inf past 1.8e308.
            if not (
                a.isascii()
                and b.isascii()
                and "_" not in a
                and "_" not in b
                and "n" not in a
                and "n" not in b
                and "N" not in a
                and "N" not in b
            ) or (v1 - v1 != 0 or v2 - v2 != 0):
                v1 = _coordinate(source, lineno, "x1", a, decimal_comma)
                v2 = _coordinate(source, lineno, "x2", b, decimal_comma)
        if not label:
            raise fail(source, lineno, "the label is empty")
        if label not in spellings:
            if len(label) > MAX_NAME_LENGTH:
                raise fail(
                    source,
                    lineno,
                    f"the label is longer than {MAX_NAME_LENGTH} characters: {shown(label)}",
                )
            spellings.add(label)
            if len(spellings) > _MAX_SPELLINGS:
                raise fail(
                    source, lineno, f"more than {MAX_CLASSES} classes (at most {MAX_CLASSES})"
                )
        if len(labels) >= max_rows:
            raise fail(source, lineno, f"more than {max_rows:,} data rows (the maximum)")
        last_line = lineno
        x1s.append(v1)
        x2s.append(v2)
        labels.append(label)

    if not labels:
        if header_line is not None:
            raise fail(source, header_line, "only a header, no data rows")
        raise fail(source, None, "the file is empty (no data rows)")
    y, class_names = _encode_labels(source, labels, decimal_comma)
    if len(class_names) < 2:
        raise fail(
            source,
            None,
            f"lines {first_line}-{last_line}: only one class ({shown(class_names[0])}); "
            "need at least 2 classes",
        )
    if len(class_names) > MAX_CLASSES:
        raise fail(
            source,
            None,
            f"{len(class_names)} classes; at most {MAX_CLASSES} are allowed",
        )
    X = np.array([x1s, x2s], dtype=np.float64)
    return LabelledPoints(X, y, class_names)


def _number_name(source, value: Decimal, spelling: str) -> str:
    """The shortest decimal form of ``value``: ``1e3`` -> "1000", ``0.50`` -> "0.5"."""
    if abs(value.adjusted()) > MAX_NAME_LENGTH:  # before building a huge digit string
        name = None
    elif value == value.to_integral_value():
        name = str(int(value))
    else:
        name = format(value.normalize(), "f")
    if name is None or len(name) > MAX_NAME_LENGTH:
        raise fail(
            source,
            None,
            f"the label {shown(spelling)} as a number is longer than {MAX_NAME_LENGTH} characters",
        )
    return name


def _encode_labels(
    source, labels: list[str], decimal_comma: bool
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Map labels to class indices: numbers in numerical order, else names by code point."""
    distinct = set(labels)
    numbers = {}
    for s in distinct:
        if not is_number(s, decimal_comma):
            numbers = None
            break
        numbers[s] = Decimal(s.replace(",", ".") if decimal_comma else s)
    if numbers is not None:
        values = sorted(set(numbers.values()))
        index_of_value = {v: i for i, v in enumerate(values)}
        index = {s: index_of_value[v] for s, v in numbers.items()}
        spelling = {v: s for s, v in numbers.items()}
        names = tuple(_number_name(source, v, spelling[v]) for v in values)
    else:
        names = tuple(sorted(distinct))
        index = {s: i for i, s in enumerate(names)}
    y = np.fromiter((index[s] for s in labels), dtype=np.int64, count=len(labels))
    return y, names


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(
            f"class name {shown(str(name))} must be a non-empty string without outer spaces"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(
            f"class name {shown(name)} is longer than {MAX_NAME_LENGTH} characters "
            "and could not be read back"
        )
    if "\x00" in name:
        raise ValueError(f"class name {shown(name)} holds a NUL and cannot be written to CSV")


def _field(name: str) -> str:
    """``name`` as a CSV field: quoted when it holds a separator, a quote or a line end."""
    if any(c in name for c in ',;\t"\r\n') or name.startswith("#"):
        return '"' + name.replace('"', '""') + '"'
    return name


def save_csv(
    path: str | os.PathLike,
    points: LabelledPoints | np.ndarray,
    y: np.ndarray | None = None,
    class_names: tuple[str, ...] | None = None,
) -> None:
    """Write points as ``x1,x2,label`` with a header; :func:`load_csv` reads them back.

    Call either ``save_csv(path, points)`` with a :class:`LabelledPoints` or
    ``save_csv(path, X, y, class_names)``. Numbers are written with ``repr``, so they
    round-trip exactly; a name is quoted when it holds a separator, a quote or a line
    end. The file (UTF-8) is written to a temporary name and then renamed, so a failed
    write never leaves a half-written file under ``path``.

    Parameters
    ----------
    path : str or path-like
    points : LabelledPoints or ndarray, shape (2, N)
    y : ndarray, shape (N,), optional
        Class indices, when ``points`` is an array.
    class_names : tuple of str, optional
        Names of the classes, when ``points`` is an array.

    Raises
    ------
    ValueError
        Bad shapes, non-finite coordinates, labels outside ``0..C-1``, more than
        ``MAX_ROWS`` points, or names :func:`load_csv` could not read back (empty, with
        outer spaces, a NUL, longer than ``MAX_NAME_LENGTH``).
    OSError
        The file cannot be written.
    """
    if isinstance(points, LabelledPoints):
        X, y, class_names = points.X, points.y, points.class_names
    else:
        X = points
        if y is None or class_names is None:
            raise ValueError("save_csv(path, X, y, class_names) needs y and class_names")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X must have shape (2, N), got {X.shape}")
    if y.shape != (X.shape[1],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be integers of shape ({X.shape[1]},), got {y.dtype} {y.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinity")
    if X.shape[1] > MAX_ROWS:
        raise ValueError(f"more than {MAX_ROWS:,} points could not be read back")
    names = tuple(class_names)
    for name in names:
        _check_name(name)
    if y.size and (y.min() < 0 or y.max() >= len(names)):
        raise ValueError(f"labels must lie in 0..{len(names) - 1}")

    fields = [_field(name) for name in names]
    lines = ["x1,x2,label"]
    lines.extend(
        f"{a!r},{b!r},{fields[k]}"
        for a, b, k in zip(X[0].tolist(), X[1].tolist(), y.tolist(), strict=True)
    )
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
