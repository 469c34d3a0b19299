"""CSV import/export: parsing, label mapping, header detection, every refusal, round trips."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import csvdata
from explorer.core.csvdata import MAX_ROWS, CsvError, LabelledPoints, load_csv, save_csv


def load_text(text: str) -> LabelledPoints:
    return load_csv(io.StringIO(text))


def test_integer_labels_without_header():
    p = load_text("0.5,1.5,1\n-1,2e-1,0\n3,4,1\n")
    assert p.X.shape == (2, 3) and p.X.dtype == np.float64
    np.testing.assert_array_equal(p.X, [[0.5, -1, 3], [1.5, 0.2, 4]])
    assert p.y.dtype == np.int64
    np.testing.assert_array_equal(p.y, [1, 0, 1])
    assert p.class_names == ("0", "1")
    assert p.n_classes == 2


def test_integer_labels_are_sorted_numerically_and_compacted():
    p = load_text("0,0,10\n0,0,-3\n0,0,7\n0,0,10\n")
    assert p.class_names == ("-3", "7", "10")
    np.testing.assert_array_equal(p.y, [2, 0, 1, 2])


def test_name_labels_are_sorted_and_kept():
    p = load_text("x1,x2,label\n0,0,dog\n1,1,cat\n2,2,dog\n3,3,emu\n")
    assert p.class_names == ("cat", "dog", "emu")
    np.testing.assert_array_equal(p.y, [1, 0, 1, 2])


def test_mixed_labels_are_names():
    p = load_text("0,0,1\n1,1,b\n")
    assert p.class_names == ("1", "b")


def test_header_detection():
    assert load_text("a,b,c\n0,0,0\n1,1,1\n").X.shape == (2, 2)
    assert load_text("  # a comment\n\nx, y ,class\n0,0,0\n1,1,1\n").X.shape == (2, 2)
    # a first row with numbers is data, not a header
    assert load_text("0,0,x\n1,1,y\n").X.shape == (2, 2)


def test_blank_lines_comments_spaces_crlf_and_bom():
    text = "\ufeff# made by hand\r\n\r\n 1 , 2 , a \r\n#3,4,b\r\n   \r\n5,6,b\r\n"
    p = load_text(text)
    np.testing.assert_array_equal(p.X, [[1, 5], [2, 6]])
    assert p.class_names == ("a", "b")


def test_path_and_bytes_stream(tmp_path):
    f = tmp_path / "p.csv"
    f.write_bytes("\ufeffx1,x2,label\n0,0,ä\n1,1,ö\n".encode())
    for source in (f, str(f), io.BytesIO(f.read_bytes())):
        assert load_csv(source).class_names == ("ä", "ö")


def refusal(text: str) -> CsvError:
    with pytest.raises(CsvError) as info:
        load_text(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("0,0,0\n1,1\n", 2, ["line 2", "3 columns", "found 2"]),
        ("x1,x2,label\n0,0,0\n1,1,1,1\n", 3, ["line 3", "3 columns", "found 4"]),
        ("0,0,0\n\n# c\nabc,1,1\n", 4, ["line 4", "x1", "not a number", "abc"]),
        ("0,0,0\n1,zz,1\n", 2, ["line 2", "x2", "not a number", "zz"]),
        ("x1,x2,label\nfoo,bar,1\n", 2, ["line 2", "x1", "not a number"]),
        ("0,0,0\n1,nan,1\n", 2, ["line 2", "x2", "NaN or infinity"]),
        ("0,0,0\n1,1,1\n-inf,1,1\n", 3, ["line 3", "x1", "NaN or infinity"]),
        ("0,0,0\n1,1,\n", 2, ["line 2", "label", "empty"]),
        ("x1,x2,label\n", 1, ["line 1", "header", "no data rows"]),
        ("# only\n# comments\n\n", None, ["empty", "no data rows"]),
        ("", None, ["empty"]),
        ("0,0,a\n\n1,1,a\n2,2,a\n", None, ["lines 1-4", "one class", "'a'", "at least 2"]),
    ],
)
def test_refusals_name_the_line_and_the_problem(text, line, words):
    err = refusal(text)
    assert isinstance(err, ValueError)
    assert err.line == line
    for word in words:
        assert word in str(err)


def test_too_many_rows(monkeypatch):
    assert MAX_ROWS == 1_000_000
    monkeypatch.setattr(csvdata, "MAX_ROWS", 4)
    assert load_text("0,0,0\n1,1,1\n2,2,0\n3,3,1\n").X.shape == (2, 4)
    err = refusal("x,y,l\n0,0,0\n1,1,1\n2,2,0\n3,3,1\n4,4,0\n")
    assert err.line == 6
    assert "line 6" in str(err) and "more than 4 data rows" in str(err)


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(CsvError, match=r"nope\.csv: file not found"):
        load_csv(missing)
    with pytest.raises(CsvError, match="directory"):
        load_csv(tmp_path)


def test_binary_and_non_utf8_files(tmp_path):
    png = tmp_path / "image.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CsvError, match=r"line 1: not UTF-8"):
        load_csv(png)
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"0,0,0\n1,1,1\n2,\x002,1\n")
    with pytest.raises(CsvError, match=r"line 3: contains NUL bytes.*binary"):
        load_csv(nul)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("0,0,a\n1,1,b\n2,2,caf\xe9\n".encode("latin-1"))
    with pytest.raises(CsvError, match=r"latin\.csv, line 3: not UTF-8"):
        load_csv(latin)


def test_text_stream_that_fails_to_decode(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"0,0,\xe9\n1,1,b\n")
    with open(latin, encoding="utf-8") as stream, pytest.raises(CsvError, match="not UTF-8"):
        load_csv(stream)


def test_round_trip_names(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 50)) * 1e3
    y = rng.integers(0, 3, 50)
    y[:3] = [0, 1, 2]
    points = LabelledPoints(X, y, ("bird", "cat", "dog"))
    save_csv(tmp_path / "p.csv", points)
    text = (tmp_path / "p.csv").read_text()
    assert text.startswith("x1,x2,label\n")
    back = load_csv(tmp_path / "p.csv")
    np.testing.assert_array_equal(back.X, X)
    np.testing.assert_array_equal(back.y, y)
    assert back.class_names == points.class_names
    assert not list(tmp_path.glob(".*tmp"))


def test_save_with_separate_arrays(tmp_path):
    X = np.array([[0.1, 0.2, 1 / 3], [-1e-300, 5e300, 2.0]])
    save_csv(tmp_path / "p.csv", X, np.array([1, 0, 1]), ("0", "1"))
    back = load_csv(tmp_path / "p.csv")
    np.testing.assert_array_equal(back.X, X)
    np.testing.assert_array_equal(back.y, [1, 0, 1])


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 60),
    c=st.integers(2, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_round_trip_integer_labels(tmp_path_factory, n, c, seed):
    rng = np.random.default_rng(seed)
    c = min(c, n)
    y = np.concatenate([np.arange(c), rng.integers(0, c, n - c)])
    rng.shuffle(y)
    X = rng.standard_normal((2, n)) * 10.0 ** rng.integers(-5, 6)
    names = tuple(str(k) for k in range(c))
    path = tmp_path_factory.mktemp("rt") / "p.csv"
    save_csv(path, LabelledPoints(X, y, names))
    back = load_csv(path)
    np.testing.assert_array_equal(back.X, X)
    np.testing.assert_array_equal(back.y, y)
    assert back.class_names == names


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros((3, 2)), np.array([0, 1]), ("a", "b")), "shape"),
        ((np.zeros((2, 2)), np.array([0, 2]), ("a", "b")), "0..1"),
        ((np.array([[0, np.nan], [0, 0]]), np.array([0, 1]), ("a", "b")), "NaN"),
        # a comma is quoted now (RFC 4180); a NUL could not be read back
        ((np.zeros((2, 2)), np.array([0, 1]), ("a\x00b", "c")), "cannot be written"),
        ((np.zeros((2, 2)), np.array([0, 1]), ("a", " b")), "outer spaces"),
        ((np.zeros((2, 2)), np.array([0, 1]), None), "class_names"),
    ],
)
def test_save_refuses_what_it_cannot_write(tmp_path, args, match):
    with pytest.raises(ValueError, match=match):
        save_csv(tmp_path / "p.csv", *args)
    assert not (tmp_path / "p.csv").exists()


def test_a_large_file_loads(tmp_path):
    # big enough to catch anything quadratic in the number of rows
    rng = np.random.default_rng(1)
    n = 200_000
    X = rng.standard_normal((2, n))
    y = rng.integers(0, 4, n)
    save_csv(tmp_path / "big.csv", X, y, ("a", "b", "c", "d"))
    back = load_csv(tmp_path / "big.csv")
    np.testing.assert_array_equal(back.X, X)
    np.testing.assert_array_equal(back.y, y)
