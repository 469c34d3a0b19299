"""The columns of the per-sample table, and the table as CSV.

One list of :class:`Column` describes the table for the view that shows it and for the
CSV it copies, so the two can never disagree: each column is a name and one float64 or
integer array over the training points (read-only views of the session's
:class:`~explorer.session.details.SampleTable`, no copy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.session.details import SampleTable

#: Column kinds: a data index, a class label, or a real number.
KINDS = ("index", "class", "number")


@dataclass(frozen=True)
class Column:
    """One column of the per-sample table.

    Attributes
    ----------
    header : str
        Its heading on screen (``"z a"``, ``"∂L/∂z a"``).
    csv_header : str
        Its heading in CSV, ASCII where the maths allows (``"z_a"``, ``"dL/dz_a"``).
    values : ndarray, shape (Nt,)
        int64 for ``"index"`` and ``"class"``, float64 for ``"number"``.
    kind : str
        One of :data:`KINDS`.
    tip : str
        What the column holds.
    klass : int or None
        The class the column belongs to (``z``, ``p`` and ``∂L/∂z`` columns).
    """

    header: str
    csv_header: str
    values: np.ndarray
    kind: str
    tip: str
    klass: int | None = None


def sample_columns(
    table: SampleTable, labels: np.ndarray, class_names, probabilistic: bool
) -> list[Column]:
    """The columns of ``table``: ``#``, class, ``x₁``, ``x₂``, ``z`` per class, ``p`` per
    class, loss, ``∂L/∂z`` per class.

    Parameters
    ----------
    table : SampleTable
        The numbers, ``Nt`` training points.
    labels : ndarray of int, shape (Nt,)
        Their classes.
    class_names : sequence of str, length C
    probabilistic : bool
        Whether the loss is a function of ``p`` (else the ``p`` columns say they are not
        part of it).
    """
    p_tip = "softmax of the scores" + ("" if probabilistic else ": not part of this loss")
    cols = [
        Column("#", "index", table.index, "index", "The sample's index in the data"),
        Column("class", "class", np.asarray(labels, dtype=np.int64), "class", "Its class y"),
        Column("x₁", "x1", table.X[0], "number", "First coordinate of the point"),
        Column("x₂", "x2", table.X[1], "number", "Second coordinate of the point"),
    ]
    for symbol, ascii_symbol, arrays, tip in (
        ("z", "z", table.Z, "Score (logit) z_k = w_k·φ(x) + b_k"),
        ("p", "p", table.P, "Probability p_k, the " + p_tip),
    ):
        for k, name in enumerate(class_names):
            cols.append(Column(f"{symbol} {name}", f"{ascii_symbol}_{name}", arrays[k], "number",
                               f"{tip}, class {name}", k))  # fmt: skip
    cols.append(Column("loss", "loss", table.loss, "number", "The sample's loss L"))
    for k, name in enumerate(class_names):
        cols.append(Column(f"∂L/∂z {name}", f"dL/dz_{name}", table.dz[k], "number",
                           f"∂L/∂z_k of the chosen loss, class {name}", k))  # fmt: skip
    return cols


def _field(text: str) -> str:
    """A CSV field: quoted when it holds a comma, a quote or a line break."""
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def columns_csv(columns: list[Column], rows: np.ndarray, class_names) -> str:
    """CSV of ``rows`` (positions into the columns' arrays, in that order) with a header
    line; classes by name, numbers with every digit (``repr`` reads back the same float).

    Column by column through Python floats (``tolist``): 100 000 rows of 35 columns take
    about a second, a field at a time through :mod:`csv` several.
    """
    names = [_field(str(n)) for n in class_names]
    texts = []
    for column in columns:
        values = column.values[rows].tolist()
        if column.kind == "class":
            texts.append([names[v] for v in values])
        elif column.kind == "index":
            texts.append([str(v) for v in values])
        else:
            texts.append([repr(v) for v in values])
    lines = [",".join(_field(c.csv_header) for c in columns)]
    lines.extend(",".join(fields) for fields in zip(*texts, strict=True))
    return "\n".join(lines) + "\n"
