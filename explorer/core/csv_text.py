"""The text layer of CSV reading: bytes to lines to records, bounded at every stage.

:func:`records` reads a path or stream in chunks of :data:`CHUNK` bytes (never more than
the caller's byte limit in all), decodes UTF-8 (a byte-order mark is dropped) or UTF-16
with its byte-order mark, refuses NUL characters and lines longer than
:data:`MAX_LINE_CHARS`, detects the separator (``,``, ``;`` or a tab) from the first
records, and yields each record's fields with surrounding spaces removed (blank records,
``#`` comments and empty columns after the third are dropped). Quoting is RFC 4180's
(``csv`` module: a quoted field may span lines, an unclosed one is an error); a space
between a closing quote and the separator is tolerated. Messages quote at most
:data:`SHOWN` characters of a field.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from collections.abc import Iterator

CHUNK = 2**20
MAX_LINE_CHARS = 2**20
SHOWN = 80
SEPARATORS = (",", ";", "\t")
_SNIFF_LINES = 200
_SNIFF_RECORDS = 20
#: A plain ASCII decimal number: no ``_`` groups, no other scripts' digits, no hex.
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


class CsvError(ValueError):
    """A CSV file that cannot be loaded, with the line number (1-based) if one applies."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def shown(field: str) -> str:
    """``field`` quoted for a message, cut to :data:`SHOWN` characters."""
    if len(field) <= SHOWN:
        return repr(field)
    return f"{field[:SHOWN]!r}… ({len(field):,} characters)"


def _where(source, line: int | None) -> str:
    name = os.fspath(source) if isinstance(source, str | os.PathLike) else None
    if name is None:
        name = getattr(source, "name", None)
    parts = [name] if isinstance(name, str) and name else []
    if line is not None:
        parts.append(f"line {line}")
    return ", ".join(parts)


def fail(source, line: int | None, problem: str) -> CsvError:
    """A :class:`CsvError` naming the file and ``line`` (when known)."""
    where = _where(source, line)
    return CsvError(f"{where}: {problem}" if where else problem, line)


def is_number(field: str, decimal_comma: bool = False) -> bool:
    """Whether ``field`` (stripped) is a plain ASCII number (``0,5`` too with a comma)."""
    if decimal_comma and "," in field:
        if "." in field or field.count(",") > 1:
            return False
        field = field.replace(",", ".")
    return NUMBER.match(field) is not None


def to_float(field: str, decimal_comma: bool = False) -> float | None:
    """The value of a plain number (``inf`` when it overflows), None for anything else."""
    if not is_number(field, decimal_comma):
        return None
    return float(field.replace(",", ".") if decimal_comma else field)


# ---------------------------------------------------------------------- bytes -> text
def _chunks(source, max_bytes: int) -> Iterator[bytes | str]:
    """The content in chunks, ``bytes`` from a path or binary stream, ``str`` from text."""
    if isinstance(source, str | os.PathLike):
        try:
            stream = open(source, "rb")  # noqa: SIM115 (closed below, also on errors)
        except FileNotFoundError:
            raise fail(source, None, "file not found") from None
        except IsADirectoryError:
            raise fail(source, None, "is a directory, not a CSV file") from None
        except OSError as exc:
            raise fail(source, None, f"cannot be read ({exc.strerror or exc})") from None
    else:
        stream = None
    read = (stream or source).read
    total = 0
    try:
        while True:
            try:
                chunk = read(CHUNK)
            except UnicodeDecodeError as exc:
                raise fail(source, None, f"not UTF-8 text ({exc.reason})") from None
            except OSError as exc:
                raise fail(source, None, f"cannot be read ({exc.strerror or exc})") from None
            if not chunk:
                return
            total += len(chunk)
            if total > max_bytes:
                raise fail(source, None, f"larger than {max_bytes:,} bytes (the maximum)")
            yield chunk
    finally:
        if stream is not None:
            stream.close()


def _decoder(head: bytes):
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return codecs.getincrementaldecoder("utf-16")()
    return codecs.getincrementaldecoder("utf-8-sig")()


def _texts(source, max_bytes: int) -> Iterator[str]:
    """Decoded text in chunks; raises :class:`CsvError` naming the line of a bad byte."""
    decoder = None
    head = b""
    lines = 0  # line ends decoded so far
    for chunk in itertools.chain(_chunks(source, max_bytes), [None]):
        final = chunk is None
        if isinstance(chunk, str) or (final and decoder is str):
            text = chunk or ""
            if decoder is None:
                decoder, text = str, text.removeprefix("\ufeff")
        else:
            data = chunk or b""
            if decoder is None:
                # The byte-order mark needs the first 2-3 bytes, whatever the chunking.
                head += data
                if not final and len(head) < 4:
                    continue
                data, head = head, b""
                decoder = _decoder(data)
            try:
                text = decoder.decode(data, final=final)
            except UnicodeDecodeError as exc:
                line = lines + 1 + data.count(b"\n", 0, max(exc.start, 0))
                raise fail(
                    source, line, "not UTF-8 text (is this a binary or differently encoded file?)"
                ) from None
        nul = text.find("\x00")
        if nul >= 0:
            line = lines + 1 + text.count("\n", 0, nul)
            raise fail(source, line, "contains NUL bytes; this looks like a binary file, not CSV")
        lines += text.count("\n")
        if text:
            yield text


def _blocks(source, max_bytes: int) -> Iterator[str]:
    """The text in blocks of whole lines (the last may lack its line end).

    Lines end with ``\\n``, ``\\r\\n`` or ``\\r``. A line still open after
    :data:`MAX_LINE_CHARS` characters is refused.
    """
    pending = ""
    lines = 0
    for text in _texts(source, max_bytes):
        text = pending + text
        cut = text.rfind("\n")
        r = text.rfind("\r", cut + 1, len(text) - 1)  # a final \r may be half of \r\n
        cut = max(cut, r)
        pending = text[cut + 1 :]
        if cut >= 0:
            block = text[: cut + 1]
            lines += block.count("\n")
            yield block
        if len(pending) > MAX_LINE_CHARS:
            raise fail(source, lines + 1, f"the line is longer than {MAX_LINE_CHARS:,} characters")
    if pending:
        yield pending


# ------------------------------------------------------------------- text -> records
#: Fed after the last line: a NUL cannot be in the text (it is refused), so finding it in
#: a field means a quoted field ran to the end of the file unclosed.
_END = "\x00\n"


def _reader(lines, separator: str):
    # RFC 4180 quoting. strict=False keeps what follows a closing quote in the field (a
    # space there is then stripped like the spaces around an unquoted field); an
    # unclosed quote is found with _END.
    return csv.reader(
        lines,
        delimiter=separator,
        quotechar='"',
        doublequote=True,
        skipinitialspace=True,
        strict=False,
    )


def _lines_of(blocks) -> Iterator[str]:
    """The lines of ``blocks``.

    ``io.StringIO(newline="")`` splits in C and keeps the line ends, so the ``csv``
    module sees a quoted line end as it is.
    """
    for block in blocks:
        yield from io.StringIO(block, newline="")


def _clean(fields: list[str]) -> list[str]:
    """Stripped fields; [] for a blank record or a ``#`` comment."""
    fields = [f.strip() for f in fields]
    while len(fields) > 3 and not fields[-1]:
        fields.pop()
    if not any(fields) or fields[0].startswith("#"):
        return []
    return fields


def _sniff(head: str) -> str:
    """The separator under which the first records look most like ``x1, x2, label``."""
    best, best_score = SEPARATORS[0], -1
    first_lines = list(itertools.islice(io.StringIO(head, newline=""), _SNIFF_LINES))
    for separator in SEPARATORS:
        decimal_comma = separator != ","
        score = seen = 0
        try:
            for fields in _reader(first_lines, separator):
                fields = _clean(fields)
                if not fields:
                    continue
                seen += 1
                if len(fields) == 3:
                    a, b = fields[0], fields[1]
                    if is_number(a, decimal_comma) and is_number(b, decimal_comma):
                        score += 2
                    elif seen == 1:  # a header
                        score += 1
                if seen >= _SNIFF_RECORDS:
                    break
        except csv.Error:
            pass
        if score > best_score:
            best, best_score = separator, score
    return best


def _problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field limit" in text:
        return (
            f"a field is longer than {csv.field_size_limit():,} characters "
            "(is a closing quote missing?)"
        )
    if "new-line character" in text:
        return "a carriage return inside a line"
    return f"not valid CSV ({shown(text)[1:-1]})"


def records(source, max_bytes: int) -> tuple[bool, Iterator[tuple[int, list[str]]]]:
    """The separator's decimal rule and every data or header record of ``source``.

    Returns
    -------
    decimal_comma : bool
        True when the separator is ``;`` or a tab (a comma in a number is its point).
    records : iterator of (int, list of str)
        Each record's first line and its stripped fields (blank records, ``#`` comments
        and empty columns after the third left out).

    Raises
    ------
    CsvError
        From the first block already (a missing file, say) or while iterating.
    """
    blocks = _blocks(source, max_bytes)
    head = next(blocks, "")
    separator = _sniff(head)
    return separator != ",", _records(source, itertools.chain([head], blocks), separator)


def _records(source, blocks, separator: str) -> Iterator[tuple[int, list[str]]]:
    reader = _reader(itertools.chain(_lines_of(blocks), [_END]), separator)
    start = 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if len(fields) == 3:
                a, b, c = fields[0].strip(), fields[1].strip(), fields[2].strip()
                if a:
                    if a[0] == "#":
                        continue
                elif not (b or c):
                    continue
                if "\x00" in c:
                    raise fail(source, line, "a quoted field is not closed (a '\"' is missing)")
                yield line, [a, b, c]
            elif fields == ["\x00"]:
                return
            elif any("\x00" in f for f in fields):
                raise fail(source, line, "a quoted field is not closed (a '\"' is missing)")
            else:
                fields = _clean(fields)
                if fields:
                    yield line, fields
    except csv.Error as exc:
        raise fail(source, max(reader.line_num, start), _problem(exc)) from None
