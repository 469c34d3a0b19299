"""Parameters and metrics as CSV and JSON: read back with csv and json, equal bit for bit."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from explorer.core.features import MAX_DEGREE, make_feature_map
from explorer.export.tables import (
    METRIC_COLUMNS,
    MetricsTable,
    ParameterTable,
    feature_header,
    metrics_csv,
    metrics_json,
    parameters_csv,
    parameters_json,
    save_table,
)

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
names = st.text(min_size=1, max_size=12)


def bits(a) -> np.ndarray:
    """The float64 bit patterns of ``a`` (equal bits: the same number, -0.0 included)."""
    return np.asarray(a, dtype=np.float64).view(np.int64)


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@st.composite
def parameter_tables(draw, dtype=np.float64):
    C = draw(st.integers(1, 5))
    D = draw(st.integers(1, 6))
    classes = tuple(draw(st.lists(names, min_size=C, max_size=C, unique=True)))
    features = tuple(f"f{k}" for k in range(D))
    element = (
        finite
        if dtype == np.float64
        else st.floats(width=32, allow_nan=False, allow_infinity=False)
    )
    W = draw(hnp.arrays(dtype, (C, D), elements=element))
    b = draw(hnp.arrays(dtype, (C,), elements=element))
    grads = {}
    if draw(st.booleans()):
        grads = {
            "dW": draw(hnp.arrays(dtype, (C, D), elements=element)),
            "db": draw(hnp.arrays(dtype, (C,), elements=element)),
        }
    return ParameterTable(
        classes,
        features,
        W,
        b,
        step=draw(st.integers(0, 10**6)),
        dtype=np.dtype(dtype).name,
        **grads,
    )


def csv_blocks(table: ParameterTable, rows: list[list[str]]):
    """The CSV's (W | b) and (dW | db) blocks as float arrays, checked row by row."""
    C = len(table.class_names)
    assert rows[0] == ["quantity", "class", *table.feature_names, "b"]
    body = rows[1:]
    assert len(body) == C * (2 if table.has_gradients else 1)
    blocks = []
    for start, quantity in ((0, "value"), (C, "gradient")):
        part = body[start : start + C]
        if not part:
            continue
        assert [r[0] for r in part] == [quantity] * C
        assert tuple(r[1] for r in part) == table.class_names
        blocks.append(np.array([[float(v) for v in r[2:]] for r in part]))
    return blocks


@settings(max_examples=150, deadline=None)
@given(parameter_tables())
def test_parameters_csv_reads_back_bit_for_bit(table):
    blocks = csv_blocks(table, read_csv(parameters_csv(table)))
    np.testing.assert_array_equal(bits(blocks[0][:, :-1]), bits(table.W))
    np.testing.assert_array_equal(bits(blocks[0][:, -1]), bits(table.b))
    if table.has_gradients:
        np.testing.assert_array_equal(bits(blocks[1][:, :-1]), bits(table.dW))
        np.testing.assert_array_equal(bits(blocks[1][:, -1]), bits(table.db))


@settings(max_examples=150, deadline=None)
@given(parameter_tables())
def test_parameters_json_reads_back_bit_for_bit(table):
    data = json.loads(parameters_json(table))
    assert data["format"] == "softmax-explorer-parameters" and data["version"] == 1
    assert data["step"] == table.step and data["dtype"] == table.dtype
    assert tuple(data["classes"]) == table.class_names
    assert tuple(data["features"]) == table.feature_names
    np.testing.assert_array_equal(bits(np.array(data["W"]).reshape(table.W.shape)), bits(table.W))
    np.testing.assert_array_equal(bits(data["b"]), bits(table.b))
    if table.has_gradients:
        np.testing.assert_array_equal(bits(data["dW"]), bits(table.dW))
        np.testing.assert_array_equal(bits(data["db"]), bits(table.db))
    else:
        assert data["dW"] is None and data["db"] is None


@settings(max_examples=60, deadline=None)
@given(parameter_tables(dtype=np.float32))
def test_float32_parameters_are_written_as_their_exact_value(table):
    blocks = csv_blocks(table, read_csv(parameters_csv(table)))
    back = blocks[0][:, :-1]
    np.testing.assert_array_equal(back.astype(np.float32), table.W)
    np.testing.assert_array_equal(bits(back), bits(table.W.astype(np.float64)))


@st.composite
def metrics_tables(draw):
    S = draw(st.integers(1, 40))
    arrays = [draw(hnp.arrays(np.float64, (S,), elements=finite)) for _ in range(4)]
    return MetricsTable(*arrays, has_test=draw(st.booleans()))


@settings(max_examples=150, deadline=None)
@given(metrics_tables())
def test_metrics_csv_and_json_read_back_bit_for_bit(table):
    rows = read_csv(metrics_csv(table))
    assert rows[0] == list(METRIC_COLUMNS)
    assert [int(r[0]) for r in rows[1:]] == list(range(len(table)))
    data = json.loads(metrics_json(table))
    assert data["columns"] == list(METRIC_COLUMNS) and data["has_test"] == table.has_test
    assert data["step"] == list(range(len(table)))
    for j, name in enumerate(METRIC_COLUMNS[1:], start=1):
        column = [r[j] for r in rows[1:]]
        if name.startswith("test") and not table.has_test:
            assert column == [""] * len(table)
            assert data[name] == [None] * len(table)
            continue
        expected = bits(getattr(table, name))
        np.testing.assert_array_equal(bits([float(v) for v in column]), expected)
        np.testing.assert_array_equal(bits(data[name]), expected)


def test_non_finite_numbers_are_nan_inf_in_csv_and_null_in_json():
    table = ParameterTable(
        ("a",), ("x1", "x2"), np.array([[math.inf, -math.inf]]), np.array([math.nan])
    )
    rows = read_csv(parameters_csv(table))
    assert rows[1] == ["value", "a", "inf", "-inf", "nan"]
    data = json.loads(parameters_json(table))  # strict JSON: no NaN or Infinity literals
    assert data["W"] == [[None, None]] and data["b"] == [None]
    assert "NaN" not in parameters_json(table) and "Infinity" not in parameters_json(table)


def test_class_names_with_commas_quotes_and_newlines_survive():
    classes = ("a,b", 'say "hi"', "two\nlines", "x\r\ny")
    table = ParameterTable(classes, ("x1",), np.ones((4, 1)), np.zeros(4))
    rows = read_csv(parameters_csv(table))
    assert tuple(r[1] for r in rows[1:]) == classes


def test_feature_names_become_ascii_headers():
    assert feature_header("x1") == "x1"
    assert feature_header("x1·x2") == "x1*x2"
    assert feature_header("x1³x2²") == "x1^3*x2^2"
    assert feature_header("x2⁶") == "x2^6"
    assert feature_header("rff12") == "rff12"
    X = np.random.default_rng(0).normal(size=(2, 20))
    for degree in range(1, MAX_DEGREE + 1):
        fmap = make_feature_map("poly", X, degree=degree)
        headers = [feature_header(n) for n in fmap.names]
        assert all(h.isascii() for h in headers) and len(set(headers)) == len(headers)
    fmap = make_feature_map("identity", X)
    assert [feature_header(n) for n in fmap.names] == ["x1", "x2"]


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="W must have shape"):
        ParameterTable(("a", "b"), ("x1",), np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="both gradients"):
        ParameterTable(("a",), ("x1",), np.ones((1, 1)), np.ones(1), dW=np.ones((1, 1)))
    with pytest.raises(ValueError, match="one length"):
        MetricsTable(np.ones(3), np.ones(3), np.ones(2), np.ones(3), has_test=True)


def test_save_table_by_suffix_and_atomically(tmp_path):
    table = MetricsTable(*(np.arange(3.0),) * 4, has_test=False)
    assert save_table(tmp_path / "m.csv", table).read_text().startswith("step,train_loss")
    assert json.loads(save_table(tmp_path / "m.JSON", table).read_text())["has_test"] is False
    with pytest.raises(ValueError, match=r"\.csv or \.json"):
        save_table(tmp_path / "m.txt", table)
    assert not (tmp_path / "m.txt").exists()
    with pytest.raises(OSError):
        save_table(tmp_path / "missing" / "m.csv", table)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.JSON", "m.csv"]  # no leftovers


def test_the_text_exports_load_no_qt():
    """LaTeX, CSV and JSON are plain text: writing them needs no Qt (a script, a server)."""
    import subprocess
    import sys

    code = (
        "import sys, explorer.export.latex, explorer.export.tables\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PyQt6', 'pyqtgraph')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
