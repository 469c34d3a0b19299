"""Reading and writing labelled 2-D points as ``x1,x2,label`` CSV text.

Format
------
- One point per line: two numbers and a label, separated by commas. Blank lines and
  lines starting with ``#`` are skipped; fields are stripped of surrounding spaces.
- An optional header: the first row is a header when neither of its first two fields
  is a number (``x1,x2,label``, say).
- Labels are either all integers or names. Integer labels are mapped to class indices
  in numerical order (labels 3, 7, 10 become classes 0, 1, 2, named "3", "7", "10").
  Names are mapped in **sorted** (code point) order, so the mapping does not depend on
  the order of the rows and :func:`save_csv` followed by :func:`load_csv` gives back
  the same classes whenever ``class_names`` is in that canonical order (as
  :func:`load_csv` always produces).

A malformed file is refused as a whole with a :class:`CsvError` whose message names
the line and the problem; nothing is half-loaded.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

MAX_ROWS = 1_000_000


class CsvError(ValueError):
    """A CSV file that cannot be loaded, with the line number (1-based) if one applies."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


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


def _where(source, line: int | None) -> str:
    name = os.fspath(source) if isinstance(source, str | os.PathLike) else None
    if name is None:
        name = getattr(source, "name", None)
    parts = [str(name)] if isinstance(name, str | bytes) else []
    if line is not None:
        parts.append(f"line {line}")
    return ", ".join(parts)


def _fail(source, line: int | None, problem: str) -> CsvError:
    where = _where(source, line)
    return CsvError(f"{where}: {problem}" if where else problem, line)


def _read_text(source) -> str:
    if isinstance(source, str | os.PathLike):
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise _fail(source, None, "file not found") from None
        except IsADirectoryError:
            raise _fail(source, None, "is a directory, not a CSV file") from None
        except OSError as exc:
            raise _fail(source, None, f"cannot be read ({exc.strerror or exc})") from None
    else:
        try:
            data = source.read()
        except UnicodeDecodeError as exc:
            raise _fail(source, None, f"not UTF-8 text ({exc.reason})") from None
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise _fail(
                source, line, "not UTF-8 text (is this a binary or differently encoded file?)"
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise _fail(source, line, "contains NUL bytes; this looks like a binary file, not CSV")
    return text


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def load_csv(source: str | os.PathLike | TextIO) -> LabelledPoints:
    """Read ``x1,x2,label`` rows from a file path or an open text stream.

    Parameters
    ----------
    source : str, path-like or text stream
        A file name, or anything with ``read()`` returning ``str`` (or UTF-8 ``bytes``).

    Returns
    -------
    LabelledPoints
        ``X (2, N)`` float64, ``y (N,)`` int64 and the class names (see the module
        docstring for the label order).

    Raises
    ------
    CsvError
        Missing or unreadable file, binary or non-UTF-8 content, a row with a wrong
        number of columns, a field that is not a number, NaN or infinity, an empty
        label, no data rows, fewer than 2 classes, or more than ``MAX_ROWS`` rows.
        The message names the line and the problem.
    """
    text = _read_text(source)
    max_rows = MAX_ROWS
    x1s: list[float] = []
    x2s: list[float] = []
    labels: list[str] = []
    first_line = last_line = header_line = None
    isfinite = math.isfinite
    for lineno, raw in enumerate(text.split("\n"), start=1):
        row = raw.strip()
        if not row or row.startswith("#"):
            continue
        fields = row.split(",")
        if len(fields) != 3:
            raise _fail(source, lineno, f"expected 3 columns (x1,x2,label), found {len(fields)}")
        a, b, label = fields
        try:
            v1 = float(a)
            v2 = float(b)
        except ValueError:
            if first_line is None and header_line is None and not (_is_number(a) or _is_number(b)):
                header_line = lineno
                continue
            bad, column = (a, "x1") if not _is_number(a) else (b, "x2")
            raise _fail(source, lineno, f"{column} is not a number: {bad.strip()!r}") from None
        if not (isfinite(v1) and isfinite(v2)):
            column, bad = ("x1", a) if not isfinite(v1) else ("x2", b)
            raise _fail(
                source, lineno, f"{column} is not finite (NaN or infinity): {bad.strip()!r}"
            )
        label = label.strip()
        if not label:
            raise _fail(source, lineno, "the label is empty")
        if len(labels) >= max_rows:
            raise _fail(source, lineno, f"more than {max_rows:,} data rows (the maximum)")
        if first_line is None:
            first_line = lineno
        last_line = lineno
        x1s.append(v1)
        x2s.append(v2)
        labels.append(label)

    if not labels:
        if header_line is not None:
            raise _fail(source, header_line, "only a header, no data rows")
        raise _fail(source, None, "the file is empty (no data rows)")
    y, class_names = _encode_labels(labels)
    if len(class_names) < 2:
        raise _fail(
            source,
            None,
            f"lines {first_line}-{last_line}: only one class ({class_names[0]!r}); "
            "need at least 2 classes",
        )
    X = np.array([x1s, x2s], dtype=np.float64)
    return LabelledPoints(X, y, class_names)


def _encode_labels(labels: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Map label strings to class indices; integer labels numerically, names sorted."""
    distinct = set(labels)
    try:
        as_int = {s: int(s) for s in distinct}
    except ValueError:
        as_int = None
    if as_int is not None:
        values = sorted(set(as_int.values()))
        index_of_value = {v: i for i, v in enumerate(values)}
        index = {s: index_of_value[v] for s, v in as_int.items()}
        names = tuple(str(v) for v in values)
    else:
        names = tuple(sorted(distinct))
        index = {s: i for i, s in enumerate(names)}
    y = np.fromiter((index[s] for s in labels), dtype=np.int64, count=len(labels))
    return y, names


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"class name {name!r} must be a non-empty string without outer spaces")
    if "," in name or "\n" in name or "\r" in name or name.startswith("#"):
        raise ValueError(f"class name {name!r} cannot be written to CSV (',', newline or '#')")


def save_csv(
    path: str | os.PathLike,
    points: LabelledPoints | np.ndarray,
    y: np.ndarray | None = None,
    class_names: tuple[str, ...] | None = None,
) -> None:
    """Write points as ``x1,x2,label`` with a header; :func:`load_csv` reads them back.

    Call either ``save_csv(path, points)`` with a :class:`LabelledPoints` or
    ``save_csv(path, X, y, class_names)``. Numbers are written with ``repr``, so they
    round-trip exactly. The file is written to a temporary name and then renamed, so a
    failed write never leaves a half-written file under ``path``.

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
        Bad shapes, non-finite coordinates, labels outside ``0..C-1``, or names that
        cannot be written (empty, with commas, newlines, a leading ``#``).
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
    names = tuple(class_names)
    for name in names:
        _check_name(name)
    if y.size and (y.min() < 0 or y.max() >= len(names)):
        raise ValueError(f"labels must lie in 0..{len(names) - 1}")

    lines = ["x1,x2,label"]
    lines.extend(
        f"{a!r},{b!r},{names[k]}"
        for a, b, k in zip(X[0].tolist(), X[1].tolist(), y.tolist(), strict=True)
    )
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
