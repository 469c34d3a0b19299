"""Real-world CSV: RFC 4180 quoting, ``,`` ``;`` and tab, decimal commas, encodings, labels
that are numbers, the class and size limits, short messages, and exact round trips."""

import io
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

from explorer.core import csvdata
from explorer.core.csvdata import (
    MAX_CLASSES,
    MAX_NAME_LENGTH,
    CsvError,
    LabelledPoints,
    load_csv,
    save_csv,
)
from explorer.session import config


def load_text(text: str) -> LabelledPoints:
    return load_csv(io.StringIO(text))


def load_bytes(data: bytes) -> LabelledPoints:
    return load_csv(io.BytesIO(data))


def refusal(source) -> CsvError:
    with pytest.raises(CsvError) as info:
        load_csv(source)
    return info.value


# ------------------------------------------------------------------------- dialects
def test_quoted_fields_are_read_as_their_content():
    p = load_text('"x1","x2","label"\n"0.3","1.5","a"\n"-1","2e1","b"\n')
    np.testing.assert_array_equal(p.X, [[0.3, -1.0], [1.5, 20.0]])
    assert p.class_names == ("a", "b")


def test_quoted_labels_hold_commas_quotes_and_newlines():
    p = load_text('0,0,"a, b"\n1,1,"say ""hi"""\n2,2,"two\nlines"\n3,3,"a, b"\n')
    assert p.class_names == ("a, b", 'say "hi"', "two\nlines")
    np.testing.assert_array_equal(p.y, [0, 1, 2, 0])


def test_semicolons_with_decimal_commas():
    p = load_text("x1;x2;label\n0,5;1,25;a\n-3;4,0;b\n2.5;1e-1;a\n")
    np.testing.assert_array_equal(p.X, [[0.5, -3.0, 2.5], [1.25, 4.0, 0.1]])
    assert p.class_names == ("a", "b")


def test_tabs_with_and_without_decimal_commas():
    p = load_text("x1\tx2\tlabel\n0.5\t1\tcat\n1,5\t-2\tdog\n")
    np.testing.assert_array_equal(p.X, [[0.5, 1.5], [1.0, -2.0]])
    assert p.class_names == ("cat", "dog")


def test_semicolon_file_whose_labels_hold_commas():
    p = load_text('1;2;"a,b"\n3;4;c\n')
    assert p.class_names == ("a,b", "c")


def test_a_comma_file_whose_labels_hold_semicolons():
    p = load_text("0,1,a;b;c\n2,3,d\n")
    np.testing.assert_array_equal(p.X, [[0, 2], [1, 3]])
    assert p.class_names == ("a;b;c", "d")


def test_header_is_recognised_by_its_content():
    assert load_text("x,y,class\n0,0,a\n1,1,b\n").X.shape == (2, 2)
    assert load_text('"first";"second";"kind"\n0;0;a\n1;1;b\n').X.shape == (2, 2)
    # numbers in the first row: data, not a header
    assert load_text("1,2,x\n3,4,y\n").X.shape == (2, 2)


def test_blank_lines_spaces_and_trailing_empty_columns():
    p = load_text("\n  \n 1 ;  2 ; a \n\n\t\n3;4;b;;\n   5 ; 6 ; b\n")
    np.testing.assert_array_equal(p.X, [[1, 3, 5], [2, 4, 6]])
    assert p.class_names == ("a", "b")


def test_spaces_around_quoted_fields():
    p = load_text(' "1" , "2" , "a"\n3,4,b\n')
    np.testing.assert_array_equal(p.X, [[1, 3], [2, 4]])


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.encode("utf-16"),  # with its BOM
        lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16le-bom", "utf16be-bom"],
)
def test_encodings(tmp_path, encode):
    text = "x1;x2;label\r\n0,5;1;chat\r\n2;3;oiseau é\r\n"
    path = tmp_path / "p.csv"
    path.write_bytes(encode(text))
    for source in (path, io.BytesIO(path.read_bytes())):
        p = load_csv(source)
        np.testing.assert_array_equal(p.X, [[0.5, 2], [1, 3]])
        assert p.class_names == ("chat", "oiseau é")


def test_utf16_without_bom_is_refused_as_binary():
    err = refusal(io.BytesIO("0,0,a\n1,1,b\n".encode("utf-16-le")))
    assert "NUL" in str(err)


# ---------------------------------------------------------------------------- labels
def test_labels_that_are_numbers_are_compared_as_numbers():
    p = load_text("0,0,1\n1,1,1.0\n2,2,+1\n3,3,1e0\n4,4,01\n5,5,2\n6,6,-0\n7,7,0.0\n")
    assert p.class_names == ("0", "1", "2")
    np.testing.assert_array_equal(p.y, [1, 1, 1, 1, 1, 2, 0, 0])


def test_fractional_number_labels_are_ordered_numerically():
    p = load_text("0,0,10\n1,1,0.5\n2,2,2\n3,3,0.50\n")
    assert p.class_names == ("0.5", "2", "10")
    np.testing.assert_array_equal(p.y, [2, 0, 1, 0])


def test_semicolon_labels_with_decimal_commas_are_numbers():
    p = load_text("0;0;1,5\n1;1;1.5\n2;2;3\n")
    assert p.class_names == ("1.5", "3")


@pytest.mark.parametrize(
    "label",
    ["1_0", "1_000", "\u0661", "\uff11", "1\u00a0000", "0x10", "1e", ".", "+", "nan", "inf"],
)
def test_only_plain_ascii_numbers_are_numbers(label):
    p = load_text(f"0,0,{label}\n1,1,10\n2,2,1000\n")
    assert label.strip() in p.class_names  # a name: the labels are not all numbers
    assert len(p.class_names) == 3


@pytest.mark.parametrize("field", ["1_0", "\u0661", "\uff11", "0x1", "1,5"])
def test_coordinates_are_plain_ascii_numbers(field):
    err = refusal(io.StringIO(f"0,0,a\n{field},1,b\n" if field != "1,5" else "0,0,a\n1,5,1,b\n"))
    assert "line 2" in str(err)


def test_hash_labels_import_and_export(tmp_path):
    p = load_text("0,0,#a\n1,1,b\n2,2,#a\n")
    assert p.class_names == ("#a", "b")
    save_csv(tmp_path / "p.csv", p)
    back = load_csv(tmp_path / "p.csv")
    assert back.class_names == p.class_names
    np.testing.assert_array_equal(back.y, p.y)


def test_awkward_names_round_trip(tmp_path):
    names = ("#a", "a, b", 'say "hi"', "two\nlines", "tab\there", "x;y", "é", "1_0", "٣")
    X = np.arange(2 * len(names), dtype=np.float64).reshape(2, -1) / 7
    y = np.arange(len(names))
    ordered = tuple(sorted(names))
    save_csv(tmp_path / "p.csv", X, np.array([ordered.index(n) for n in names]), ordered)
    back = load_csv(tmp_path / "p.csv")
    assert back.class_names == ordered
    np.testing.assert_array_equal(back.X, X)
    np.testing.assert_array_equal([back.class_names[k] for k in back.y], names)
    assert y.size == back.y.size


# ---------------------------------------------------------------------------- limits
def _classes_text(n: int) -> str:
    return "".join(f"{k},{k},c{k}\n" for k in range(n))


def test_the_class_limit_is_the_configuration_limit():
    assert MAX_CLASSES == config.MAX_CLASSES == 50
    assert load_text(_classes_text(50)).n_classes == 50
    err = refusal(io.StringIO(_classes_text(51)))
    assert "51 classes" in str(err) and "50" in str(err)


def test_257_classes_are_refused_by_the_export_command_with_one_line(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(_classes_text(257))
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    result = subprocess.run(
        [
            *(sys.executable, "-m", "explorer", "export", "--csv", str(path)),
            *("--steps", "1", "--out", str(tmp_path / "out"), "--views", "regions"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "257 classes" in lines[0] and "50" in lines[0], result.stderr
    assert not (tmp_path / "out" / "regions.png").exists()


def test_a_long_label_is_refused_with_a_short_message():
    assert MAX_NAME_LENGTH == 100
    assert load_text(f"0,0,{'n' * 100}\n1,1,b\n").class_names[1] == "n" * 100
    err = refusal(io.StringIO(f"0,0,a\n1,1,{'n' * 101}\n"))
    assert "line 2" in str(err) and "100 characters" in str(err)
    started = time.perf_counter()
    err = refusal(io.StringIO(f"0,0,a\n1,1,{'n' * 10_000_000}\n"))
    assert time.perf_counter() - started < 5  # a generous guard, not a benchmark
    assert len(str(err)) < 200, len(str(err))


@pytest.mark.parametrize(
    "text",
    [
        "0,0,a\n" + "9" * 10_000_000 + "x,1,b\n",
        "0,0,a\n1," + "z" * 10_000_000 + ",b\n",
        "0,0,a\n1,1" + ",x" * 400_000 + "\n",
    ],
    ids=["x1", "x2", "columns"],
)
def test_refusals_quote_at_most_about_80_characters(text):
    err = refusal(io.StringIO(text))
    assert "line 2" in str(err)
    assert len(str(err)) < 200, str(err)[:300]


def test_the_read_has_a_bound(monkeypatch):
    tracemalloc.start()
    try:
        err = refusal("/dev/zero")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "NUL" in str(err)
    assert peak < 64 * 2**20, peak
    monkeypatch.setattr(csvdata, "MAX_BYTES", 10_000)
    err = refusal(io.StringIO("0,0,a\n1,1,b\n" + "\n" * 20_000))
    assert "larger than" in str(err) and "10,000" in str(err)


def test_an_endless_stream_is_refused(monkeypatch):
    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = b"0,0,a\n1,1,b\n" * (len(buffer) // 12)
            buffer[: len(chunk)] = chunk
            return len(chunk)

    monkeypatch.setattr(csvdata, "MAX_BYTES", 1_000_000)
    err = refusal(io.BufferedReader(Endless()))
    assert "larger than" in str(err)


def test_a_line_without_end_is_refused():
    err = refusal(io.StringIO("0,0,a\n1,1,b\n" + "x" * 5_000_000))
    assert "line 3" in str(err) and len(str(err)) < 200


def test_save_refuses_names_it_could_not_read_back(tmp_path):
    X = np.zeros((2, 2))
    for bad in ("a\x00b", "n" * 101, "", " a"):
        with pytest.raises(ValueError):
            save_csv(tmp_path / "p.csv", X, np.array([0, 1]), (bad, "z"))
    assert not (tmp_path / "p.csv").exists()
