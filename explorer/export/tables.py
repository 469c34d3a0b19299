"""The parameters and the per-step metrics as CSV and JSON, every float exact.

Plain numbers in, text out: nothing here knows the session (``explorer.app.numbers``
fills the tables). Each float is written with ``repr``, the shortest text that reads back
to the same float64, so a file read with Python's ``csv`` or ``json`` gives the numbers
back bit for bit (float32 parameters are written as the float64 of the same value).

Parameters, ``W (C, D)`` and ``b (C,)`` with the gradients ``dW``, ``db`` when given, laid
out as the Parameters view shows them: one row per class, the features then ``b``::

    quantity,class,x1,x2,b
    value,a,0.25,-1.5,0.125
    ...
    gradient,a,0.0625,0.001953125,-0.5
    ...

(``value`` rows hold ``W | b``, ``gradient`` rows ``dW | db``.) The JSON holds the same
as arrays: ``{"format": "softmax-explorer-parameters", "version": 1, "step", "dtype",
"classes", "features", "W", "b", "dW", "db"}`` (``dW``, ``db`` null when not given).

Metrics, one row per step from 0::

    step,train_loss,train_acc,test_loss,test_acc
    0,1.0986122886681098,0.3333333333333333,1.0986122886681098,0.3

with the test cells empty when there is no test split. The JSON holds one list per column,
``{"format": "softmax-explorer-metrics", "version": 1, "has_test", "columns", "step",
"train_loss", ...}``, the test entries null without a test split.

Feature names become ASCII column headers: ``x1``, ``x1*x2``, ``x1^3*x2^2``, ``rff12``.
A number that is not finite is written ``nan``, ``inf`` or ``-inf`` in CSV (what
``float()`` reads) and null in JSON (which has no such numbers).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.export.text_file import write_text

PARAMETERS_FORMAT = "softmax-explorer-parameters"
METRICS_FORMAT = "softmax-explorer-metrics"
VERSION = 1
METRIC_COLUMNS = ("step", "train_loss", "train_acc", "test_loss", "test_acc")
#: The file formats a table is written in, by suffix.
TABLE_FORMATS = ("csv", "json")

_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True))
_FACTOR = re.compile(r"x([12])([⁰¹²³⁴⁵⁶⁷⁸⁹]*)")


def monomial_factors(name: str) -> list[tuple[int, int]] | None:
    """The factors of a polynomial feature's name: ``"x1³x2²"`` → ``[(1, 3), (2, 2)]``.

    Returns ``[(variable, power), ...]``, or None for a name that is not a product of
    ``x1``, ``x2`` powers (the names of ``explorer.core.features``: ``x1``, ``x1·x2``,
    ``x1³x2²``).
    """
    factors = []
    pos = 0
    while pos < len(name):
        if factors and name[pos] == "·":
            pos += 1
        match = _FACTOR.match(name, pos)
        if match is None:
            return None
        power = "".join(_SUPERSCRIPTS[c] for c in match.group(2))
        factors.append((int(match.group(1)), int(power) if power else 1))
        pos = match.end()
    return factors or None


def feature_header(name: str) -> str:
    """An ASCII column header for a feature: ``x1³x2²`` → ``x1^3*x2^2``; others unchanged."""
    factors = monomial_factors(name)
    if factors is None:
        return name
    return "*".join(f"x{v}" if p == 1 else f"x{v}^{p}" for v, p in factors)


def _csv_number(v: float) -> str:
    return repr(float(v))  # nan, inf, -inf for the non-finite: float() reads them back


def _json_number(v: float) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _json_matrix(a) -> list:
    return [[_json_number(v) for v in row] for row in np.asarray(a, dtype=np.float64)]


def _json_vector(a) -> list:
    return [_json_number(v) for v in np.asarray(a, dtype=np.float64)]


def _csv_field(text: str) -> str:
    """A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.

    Written here rather than with ``csv.writer``, which (Python 3.11 at least) leaves a
    lone carriage return unquoted when lines end in ``\\n``: a reader then splits the row.
    """
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_text(rows) -> str:
    return "".join(",".join(_csv_field(str(c)) for c in row) + "\n" for row in rows)


def _json_text(obj: dict) -> str:
    """``obj`` as JSON with one key per line (a matrix's rows on that line): short, and
    readable enough by eye; strict JSON (no NaN)."""
    items = [
        f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, allow_nan=False)}"
        for key, value in obj.items()
    ]
    return "{\n" + ",\n".join(items) + "\n}\n"


@dataclass(frozen=True, eq=False)
class ParameterTable:
    """``W``, ``b`` (and their gradients) with the names of their rows and columns.

    Attributes
    ----------
    class_names : tuple of str, length C
    feature_names : tuple of str, length D
    W : ndarray, shape (C, D)
    b : ndarray, shape (C,)
    dW : ndarray, shape (C, D), or None
    db : ndarray, shape (C,), or None
    step : int or None
        The training step of the numbers.
    dtype : str
        The dtype training uses (``"float32"``, ``"float64"``).
    """

    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    W: np.ndarray
    b: np.ndarray
    dW: np.ndarray | None = None
    db: np.ndarray | None = None
    step: int | None = None
    dtype: str = "float64"

    def __post_init__(self) -> None:
        C, D = len(self.class_names), len(self.feature_names)
        shapes = {"W": (C, D), "b": (C,)}
        if (self.dW is None) != (self.db is None):
            raise ValueError("give both gradients dW and db, or neither")
        if self.dW is not None:
            shapes.update(dW=(C, D), db=(C,))
        for name, shape in shapes.items():
            got = np.shape(getattr(self, name))
            if got != shape:
                raise ValueError(f"{name} must have shape {shape} (C, D = {C}, {D}), got {got}")

    @property
    def has_gradients(self) -> bool:
        return self.dW is not None


def parameters_csv(table: ParameterTable) -> str:
    """The parameters (and gradients) as CSV text (the module's layout)."""
    header = ["quantity", "class", *(feature_header(n) for n in table.feature_names), "b"]
    blocks = [("value", table.W, table.b)]
    if table.has_gradients:
        blocks.append(("gradient", table.dW, table.db))
    rows = [header]
    for quantity, W, b in blocks:
        W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
        for k, name in enumerate(table.class_names):
            rows.append([quantity, name, *(_csv_number(v) for v in W[k]), _csv_number(b[k])])
    return _csv_text(rows)


def parameters_json(table: ParameterTable) -> str:
    """The parameters (and gradients) as JSON text (the module's layout)."""
    grads = table.has_gradients
    return _json_text(
        {
            "format": PARAMETERS_FORMAT,
            "version": VERSION,
            "step": table.step,
            "dtype": table.dtype,
            "classes": list(table.class_names),
            "features": [feature_header(n) for n in table.feature_names],
            "W": _json_matrix(table.W),
            "b": _json_vector(table.b),
            "dW": _json_matrix(table.dW) if grads else None,
            "db": _json_vector(table.db) if grads else None,
        }
    )


@dataclass(frozen=True, eq=False)
class MetricsTable:
    """The metrics of steps ``0..S-1``.

    Attributes
    ----------
    train_loss, train_acc, test_loss, test_acc : ndarray, shape (S,)
        Mean cross-entropy and accuracy at each step's parameters.
    has_test : bool
        False when there is no test split: the test columns are then left empty.
    """

    train_loss: np.ndarray
    train_acc: np.ndarray
    test_loss: np.ndarray
    test_acc: np.ndarray
    has_test: bool

    def __post_init__(self) -> None:
        lengths = {np.shape(getattr(self, c)) for c in METRIC_COLUMNS[1:]}
        if len(lengths) != 1 or len(next(iter(lengths))) != 1:
            raise ValueError(f"the metrics must be four vectors of one length, got {lengths}")

    @classmethod
    def of(cls, metrics) -> MetricsTable:
        """The table of an object with the four arrays and ``has_test`` (the session's
        ``Metrics``)."""
        return cls(
            *(np.asarray(getattr(metrics, c)) for c in METRIC_COLUMNS[1:]),
            has_test=bool(metrics.has_test),
        )

    def __len__(self) -> int:
        return int(np.shape(self.train_loss)[0])

    def columns(self) -> dict[str, list]:
        """Column name → list of values; the test columns hold None without a test split."""
        out: dict[str, list] = {"step": list(range(len(self)))}
        for name in METRIC_COLUMNS[1:]:
            values = np.asarray(getattr(self, name), dtype=np.float64).tolist()
            out[name] = (
                values if self.has_test or not name.startswith("test") else [None] * len(values)
            )
        return out


def metrics_csv(table: MetricsTable) -> str:
    """The metrics as CSV text, one row per step (test cells empty without a test split)."""
    columns = table.columns()
    rows = [list(METRIC_COLUMNS)]
    for i in range(len(table)):
        row = [str(i)]
        for name in METRIC_COLUMNS[1:]:
            v = columns[name][i]
            row.append("" if v is None else _csv_number(v))
        rows.append(row)
    return _csv_text(rows)


def metrics_json(table: MetricsTable) -> str:
    """The metrics as JSON text, one list per column."""
    columns = table.columns()
    body = {
        name: values if name == "step" else [None if v is None else _json_number(v) for v in values]
        for name, values in columns.items()
    }
    return _json_text(
        {
            "format": METRICS_FORMAT,
            "version": VERSION,
            "has_test": table.has_test,
            "columns": list(METRIC_COLUMNS),
            **body,
        }
    )


def table_format(path) -> str:
    """``"csv"`` or ``"json"`` from the suffix of ``path``; ValueError for another."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in TABLE_FORMATS:
        raise ValueError(f"{Path(path).name}: a table is written as .csv or .json")
    return suffix


def table_text(table: ParameterTable | MetricsTable, fmt: str) -> str:
    """The text of ``table`` in ``fmt`` (``"csv"`` or ``"json"``)."""
    writers = {
        (ParameterTable, "csv"): parameters_csv,
        (ParameterTable, "json"): parameters_json,
        (MetricsTable, "csv"): metrics_csv,
        (MetricsTable, "json"): metrics_json,
    }
    writer = writers.get((type(table), fmt))
    if writer is None:
        raise ValueError(f"unknown table format {fmt!r} (choose from {', '.join(TABLE_FORMATS)})")
    return writer(table)


def save_table(path, table: ParameterTable | MetricsTable, fmt: str | None = None) -> Path:
    """Write ``table`` to ``path`` atomically, as CSV or JSON (by ``fmt`` or the suffix).

    Raises
    ------
    ValueError
        A suffix other than ``.csv`` or ``.json`` (and no ``fmt``).
    OSError
        The file cannot be written.
    """
    text = table_text(table, fmt or table_format(path))
    return write_text(path, text)
