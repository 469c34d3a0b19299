"""A small inline markup for the inspector's text, turned into Qt character formats.

The page's formulas are written as ``<i>``, ``<b>``, ``<sub>``, ``<sup>``, ``<br>`` and
``<span style="color:…; font-size:…pt">`` with HTML entities: easy to read in the code,
and parsed here, once per distinct text, into runs of ``(text, QTextCharFormat)``.
Whitespace collapses as in HTML; anything else (a tag or a style not listed) is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from html.parser import HTMLParser

from PyQt6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument


@dataclass(frozen=True)
class _Style:
    """What inline markup sets on top of a base format."""

    italic: bool = False
    bold: bool = False
    valign: str = ""  # "", "sub" or "sup"
    color: str = ""
    point_size: float = 0.0


class _Runs(HTMLParser):
    """Inline markup to ``(text, _Style)`` runs, whitespace collapsed as in HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = [_Style()]
        self.runs: list[tuple[str, _Style]] = []
        self._space_before = True  # a leading space of the markup is dropped

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self._add("\u2028")  # a line break inside the block
            self._space_before = True
            return
        style = self.stack[-1]
        if tag == "i":
            style = replace(style, italic=True)
        elif tag == "b":
            style = replace(style, bold=True)
        elif tag in ("sub", "sup"):
            style = replace(style, valign=tag)
        elif tag == "span":
            style = _span_style(style, dict(attrs).get("style") or "")
        else:
            raise ValueError(f"inspector markup: unknown tag <{tag}>")
        self.stack.append(style)

    def handle_endtag(self, tag):
        if tag != "br" and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        text = re.sub(r"[ \t\n\r]+", " ", data)
        if self._space_before and text.startswith(" "):
            text = text[1:]
        if text:
            self._add(text)
            self._space_before = text.endswith(" ")

    def _add(self, text: str) -> None:
        style = self.stack[-1]
        if self.runs and self.runs[-1][1] == style:
            self.runs[-1] = (self.runs[-1][0] + text, style)
        else:
            self.runs.append((text, style))


def _span_style(style: _Style, css: str) -> _Style:
    for declaration in css.split(";"):
        name, _, value = (s.strip() for s in declaration.partition(":"))
        if name == "color":
            style = replace(style, color=value)
        elif name == "font-size" and value.endswith("pt"):
            style = replace(style, point_size=float(value[:-2]))
        elif name:
            raise ValueError(f"inspector markup: unknown style {name!r}")
    return style


@lru_cache(maxsize=2048)
def _parse(markup: str) -> tuple[tuple[str, _Style], ...]:
    parser = _Runs()
    parser.feed(markup)
    parser.close()
    return tuple(parser.runs)


_VALIGN = {
    "sub": QTextCharFormat.VerticalAlignment.AlignSubScript,
    "sup": QTextCharFormat.VerticalAlignment.AlignSuperScript,
}


def runs(markup: str, base: QTextCharFormat) -> list[tuple[str, QTextCharFormat]]:
    """The text runs of ``markup`` and their formats, on top of ``base``."""
    out = []
    for text, style in _parse(markup):
        fmt = QTextCharFormat(base)
        if style.italic:
            fmt.setFontItalic(True)
        if style.bold:
            fmt.setFontWeight(QFont.Weight.Bold)
        if style.valign:
            fmt.setVerticalAlignment(_VALIGN[style.valign])
        if style.color:
            fmt.setForeground(QColor(style.color))
        if style.point_size:
            fmt.setFontPointSize(style.point_size)
        out.append((text, fmt))
    return out


# ------------------------------------------------------------------------ widths
@lru_cache(maxsize=2048)
def markup_width(markup: str, font_key: str) -> float:
    """Width in pixels of ``markup`` laid out in the font ``font_key`` (``QFont.toString``).

    Sub- and superscripts and bold runs count as drawn (a scratch document lays it out).
    """
    scratch = QTextDocument()
    font = QFont()
    font.fromString(font_key)
    scratch.setDefaultFont(font)
    scratch.setDocumentMargin(0)
    cursor = QTextCursor(scratch)
    for text, fmt in runs(markup, QTextCharFormat()):
        cursor.insertText(text, fmt)
    return scratch.idealWidth()
