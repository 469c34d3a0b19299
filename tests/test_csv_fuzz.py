"""CSV properties (hypothesis): tables written in any dialect read back as written; any
bytes give a :class:`CsvError` or valid points; whatever imports, exports and imports
again unchanged; within a time and memory guard."""

import io
import time
import tracemalloc
from decimal import Decimal

import numpy as np
import pytest
from fuzz_budget import Tally, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from explorer.core.csvdata import (
    MAX_CLASSES,
    MAX_NAME_LENGTH,
    CsvError,
    LabelledPoints,
    load_csv,
    save_csv,
)

# Integer labels in several spellings, and fractional ones; the name each class gets.
INTEGER_SPELLINGS = ["{v}", "+{v}", "{v}.0", "{v}e0", "0{v}", "{v}.000", "{v}E+0"]
FRACTIONS = {"0.5": ["0.5", ".5", "0.50", "5e-1", "+0.5"], "2.25": ["2.25", "225e-2", "2.250"]}


@st.composite
def tables(draw):
    """A table of points in a random dialect: ``(text, encoding, X, names by row)``."""
    n = draw(st.integers(2, 25))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    decimal_comma = separator != "," and draw(st.booleans())
    kind = draw(st.sampled_from(["names", "integers", "fractions"]))
    if kind == "names":
        alphabet = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
        name = st.text(alphabet, min_size=1, max_size=12).map(str.strip).filter(bool)
        pool = draw(st.lists(name, min_size=2, max_size=6, unique=True))
        # names only: a pool that is all numbers would be numbers
        word = draw(st.sampled_from(["cat", "Dog", "é", "#a", "a, b", 'q"', "1_0", "nan"]))
        pool = list(dict.fromkeys([*pool, word]))
        other = next(x for x in pool if x != word)  # at least two classes
        picks = [word, other] + [draw(st.sampled_from(pool)) for _ in range(n - 2)]
        spellings, names = picks, picks
    elif kind == "integers":
        values = [draw(st.integers(-20, 20)) for _ in range(n)]
        if len(set(values)) < 2:
            values[-1] = values[0] + 1
        spellings = []
        for v in values:
            form = draw(st.sampled_from(INTEGER_SPELLINGS))
            text = form.format(v=abs(v))
            spellings.append(text if v >= 0 else "-" + text.removeprefix("+"))
        names = [str(v) for v in values]
    else:
        names = sorted(FRACTIONS) + [draw(st.sampled_from(sorted(FRACTIONS))) for _ in range(n - 2)]
        spellings = [draw(st.sampled_from(FRACTIONS[v])) for v in names]
    floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
    X = np.array([[draw(floats) for _ in range(n)] for _ in range(2)])
    rows = []
    if draw(st.booleans()):
        rows.append([draw(st.sampled_from(["x1", "x", "first"])), "x2", "label"])

    def number(v: float) -> str:
        text = repr(float(v))
        return text.replace(".", ",") if decimal_comma else text

    for k in range(n):
        rows.append([number(X[0, k]), number(X[1, k]), spellings[k]])
    lines = []
    for row in rows:
        fields = []
        for field in row:
            must = any(c in field for c in (separator, '"', "\n", "\r")) or field.startswith("#")
            if must or draw(st.booleans()):
                field = '"' + field.replace('"', '""') + '"'
                if draw(st.integers(0, 4)) == 0:
                    field = " " + field + " "
            elif draw(st.integers(0, 4)) == 0:
                field = f" {field}  "
            fields.append(field)
        lines.append(separator.join(fields))
        if draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from(["", "   ", "# a comment, with a comma"])))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if any("\r" in row[2] or "\n" in row[2] for row in rows):
        end = "\n"  # a lone CR in a name would read as a line end in an old-Mac file
    text = end.join(lines) + draw(st.sampled_from([end, ""]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return text, encoding, X, names


def expected_classes(names: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    if all(_is_int(s) for s in names):
        order = sorted(set(names), key=int)
    elif all(s in FRACTIONS for s in names):
        order = sorted(set(names), key=Decimal)
    else:
        order = sorted(set(names))
    return tuple(order), np.array([order.index(s) for s in names])


def _is_int(s: str) -> bool:
    try:
        int(s)
    except ValueError:
        return False
    return True


def check_points(p: LabelledPoints) -> None:
    """The invariants of anything :func:`load_csv` returns."""
    assert p.X.dtype == np.float64 and p.X.ndim == 2 and p.X.shape[0] == 2
    assert np.isfinite(p.X).all()
    assert p.y.dtype == np.int64 and p.y.shape == (p.X.shape[1],)
    assert 2 <= p.n_classes <= MAX_CLASSES
    assert p.y.min() >= 0 and p.y.max() < p.n_classes
    assert set(p.y.tolist()) == set(range(p.n_classes))
    for name in p.class_names:
        assert name and name == name.strip() and len(name) <= MAX_NAME_LENGTH
        assert "\x00" not in name


def assert_round_trip(p: LabelledPoints, tmp_path) -> None:
    """Export, import: the same points, labels and class names, bit for bit."""
    path = tmp_path / "again.csv"
    save_csv(path, p)
    back = load_csv(path)
    assert back.class_names == p.class_names
    np.testing.assert_array_equal(back.y, p.y)
    assert back.X.tobytes() == p.X.tobytes()


def guarded(action):
    """Run ``action()`` under a time and memory guard (generous: not a benchmark)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        return action()
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert elapsed < 2.0, elapsed
        assert peak < 300 * 2**20, peak


def dialect_tables_read_back(tmp_path, n: int, large: bool = False) -> None:
    tally = Tally()

    @fuzz_settings(n, large)
    @given(tables())
    def run(table):
        text, encoding, X, names = table
        p = guarded(lambda: load_csv(io.BytesIO(text.encode(encoding))))
        order, y = expected_classes(names)
        assert p.class_names == order
        np.testing.assert_array_equal(p.y, y)
        assert p.X.tobytes() == X.tobytes()
        check_points(p)
        assert_round_trip(p, tmp_path)
        tally["loaded"] += 1

    run()
    tally.report("dialect tables")


def test_tables_in_any_dialect_read_back_as_written(tmp_path):
    dialect_tables_read_back(tmp_path, 80)


@pytest.mark.fuzz
def test_tables_in_any_dialect_read_back_as_written_large(tmp_path):
    dialect_tables_read_back(tmp_path, 80, large=True)


def _mutated(text: bytes, cuts) -> bytes:
    data = bytearray(text)
    for position, value, action in cuts:
        if not data:
            break
        i = position % len(data)
        if action == 0:
            data[i] = value
        elif action == 1:
            data.insert(i, value)
        else:
            del data[i]
    return bytes(data)


@st.composite
def byte_soup(draw):
    """Any bytes, or a valid table with bytes changed, inserted or deleted."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=3000))
    text, encoding, _, _ = draw(tables())
    cuts = st.tuples(st.integers(0, 10**6), st.integers(0, 255), st.integers(0, 2))
    return _mutated(text.encode(encoding), draw(st.lists(cuts, min_size=1, max_size=6)))


def byte_soup_refused_or_read(tmp_path, n: int, large: bool = False) -> None:
    tally = Tally()

    @fuzz_settings(n, large)
    @given(byte_soup())
    def run(data):
        tally["cases"] += 1
        try:
            p = guarded(lambda: load_csv(io.BytesIO(data)))
        except CsvError as exc:
            assert len(str(exc)) < 400
            tally["refused"] += 1
            return
        check_points(p)
        assert_round_trip(p, tmp_path)
        tally["loaded"] += 1

    run()
    tally.report("byte soup")


def test_any_bytes_are_refused_or_read_and_round_trip(tmp_path):
    byte_soup_refused_or_read(tmp_path, 200)


@pytest.mark.fuzz
def test_any_bytes_are_refused_or_read_and_round_trip_large(tmp_path):
    byte_soup_refused_or_read(tmp_path, 200, large=True)


@fuzz_settings(30)
@given(
    text=st.text(
        st.characters(blacklist_categories=("Cs",)),
        max_size=400,
    )
)
def test_any_text_stream_is_refused_or_read(text):
    try:
        p = load_csv(io.StringIO(text))
    except CsvError:
        return
    check_points(p)
