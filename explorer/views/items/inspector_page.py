"""The inspector's page, written into a ``QTextDocument`` as plain blocks with tab stops.

Qt lays a rich-text table out again, whole, whenever one of its cells changes: with the
page's numbers in tables that was ~5 ms for every new step. Here a class-aligned matrix
is one block per class, its numbers right-aligned at tab stops, so a new number relays
out only its own line (~1 ms for a selected sample's page of three classes; writing it
anew as HTML with tables costs ~20 ms). The tab stops come from the widths
of the numbers and only grow: the columns stand still while the digits change, and a
number wider than its column moves the tab stops of its matrix's rows.

The page is a list of items (:mod:`explorer.views.items.page_items`:
:class:`Heading`, :class:`Paragraph`, :class:`Matrix`, :class:`Columns`) whose texts are
the inline markup of :mod:`explorer.views.items.inline_markup`.
Numbers that change from frame to frame are placeholders ``"\\x00k\\x00"`` standing for
``values[k]``; :class:`PageWriter` records where each one landed (:class:`Slot`), so that
the next frame replaces just those characters (:meth:`PageWriter.update`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PyQt6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
    QTextLength,
    QTextOption,
    QTextTableCellFormat,
    QTextTableFormat,
)

from explorer.views.items.inline_markup import markup_width, runs
from explorer.views.items.page_items import (
    Columns,
    Group,
    Heading,
    Matrix,
    Operator,
    Paragraph,
)

#: A changing text: ``"\x00k\x00"`` stands for ``values[k]``.
PLACEHOLDER = re.compile("\x00([0-9]+)\x00")
#: Space between two number columns of a matrix, and inside its brackets (pixels).
COLUMN_GAP = 8.0
BRACKET_PAD = 4.0
#: Space each side of a matrix header and of an operator (pixels).
HEADER_PAD = 10.0
OPERATOR_PAD = 8.0
#: Space after the class labels and before the first matrix (pixels).
LABEL_GAP = 6.0
#: Left indent of a matrix, and the gap between the two page columns (pixels).
MATRIX_INDENT = 6.0
COLUMN_SPACING = 32.0
#: Space between the rows of a two-column page (pixels).
ROW_GAP = 14.0
#: Vertical spacing (pixels): above a heading, below it, around paragraphs and matrices.
HEADING_TOP, HEADING_BOTTOM = 10.0, 2.0
PARAGRAPH_MARGIN = 5.0
#: A class row is this percentage of the font's line height (room between the rows).
ROW_HEIGHT_PERCENT = 112.0
#: Font size of the column names above a matrix (points) on a page of PAGE_POINT_SIZE
#: (they keep that ratio to the page's font: presentation mode scales both).
NAMES_POINT_SIZE, PAGE_POINT_SIZE = 8.0, 10.0
ELLIPSIS = "…"
_PROPORTIONAL = QTextBlockFormat.LineHeightTypes.ProportionalHeight.value


def _bracket(row: int, rows: int, left: bool) -> str:
    """The bracket piece drawn at ``row`` of a ``rows``-tall column."""
    if rows == 1:
        return "[" if left else "]"
    if row == 0:
        return "⎡" if left else "⎤"
    if row == rows - 1:
        return "⎣" if left else "⎦"
    return "⎢" if left else "⎥"


@dataclass
class Slot:
    """Where ``values[k]`` stands on the page: a cursor selecting it, its format, and the
    matrix column it must fit in (``None`` in running text)."""

    cursor: QTextCursor
    fmt: QTextCharFormat
    column: tuple[int, int, int] | None = None
    shown: str = ""


@dataclass
class _Placed:
    """A matrix on the page and its blocks, each with the kind of its tab stops."""

    item: Matrix
    blocks: list = field(default_factory=list)  # (QTextBlock, "header" | "name" | "row")


@dataclass
class _Layout:
    """Tab stops of one matrix (positions in pixels from the start of the row)."""

    header_tabs: list = field(default_factory=list)
    name_tabs: list = field(default_factory=list)
    row_tabs: list = field(default_factory=list)


class PageWriter:
    """Writes a page into ``document`` (:meth:`write`), then its new values (:meth:`update`).

    Parameters
    ----------
    document : QTextDocument
        Cleared and written anew by :meth:`write`.
    foreground, muted : QColor
        Text colour, and the colour of brackets and column names.
    """

    def __init__(self, document: QTextDocument, foreground: QColor, muted: QColor):
        self.doc = document
        document.setUndoRedoEnabled(False)  # replaced numbers must not pile up history
        #: Widths (pixels) of the number columns by ``(matrix, group, column)``; they only
        #: grow while the page is updated, so the columns stand still.
        self.widths: dict[tuple[int, int, int], float] = {}
        self.slots: list[Slot] = []
        self.base = QTextCharFormat()
        self.base.setForeground(foreground)
        self.muted = QTextCharFormat(self.base)
        self.muted.setForeground(muted)
        self.names = QTextCharFormat(self.muted)
        names_size = NAMES_POINT_SIZE * document.defaultFont().pointSizeF() / PAGE_POINT_SIZE
        self.names.setFontPointSize(names_size)
        self.metrics = QFontMetricsF(document.defaultFont())
        names_font = QFont(document.defaultFont())
        names_font.setPointSizeF(names_size)
        self.names_metrics = QFontMetricsF(names_font)
        self._font_key = document.defaultFont().toString()

    # ----------------------------------------------------------------- public
    def write(self, items, values: list[str]) -> None:
        """Write ``items`` with ``values`` in the placeholders (``slots``, by value index)."""
        self.values = values
        self._spans: dict[int, tuple[int, int, QTextCharFormat, tuple | None]] = {}
        self._placed: list[_Placed] = []
        self.widths.clear()
        self.doc.clear()
        cursor = QTextCursor(self.doc)
        cursor.beginEditBlock()  # one layout at the end, not one per insertion
        self._items(cursor, items, first=True)
        cursor.endEditBlock()
        # Cursors only now: one made while writing would stretch over the text written
        # right after it (a cursor at an insertion point moves with the insertion).
        slots = []
        for k in sorted(self._spans):
            start, end, fmt, column = self._spans[k]
            selection = QTextCursor(self.doc)
            selection.setPosition(start)
            selection.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            slots.append(Slot(selection, fmt, column, values[k]))
        self.slots = slots

    def update(self, values: list[str]) -> None:
        """Put new ``values`` into the slots of the page written last (same structure).

        Only the changed texts are replaced. A number wider than its column widens the
        column: the tab stops of that matrix's rows move, nothing else is written again.
        """
        changed = [k for k, slot in enumerate(self.slots) if slot.shown != values[k]]
        if not changed:
            return
        self.values = values
        grown = set()
        for k in changed:
            column = self.slots[k].column
            if column is not None and (
                self.metrics.horizontalAdvance(values[k]) > self.widths[column] + 1e-6
            ):
                grown.add(column[0])
        master = QTextCursor(self.slots[changed[0]].cursor)
        master.beginEditBlock()
        for index in sorted(grown):
            placed = self._placed[index]
            layout = self._layout(index, placed.item)
            for block, kind in placed.blocks:
                fmt = block.blockFormat()
                fmt.setTabPositions(getattr(layout, f"{kind}_tabs"))
                QTextCursor(block).setBlockFormat(fmt)
        for k in changed:
            slot = self.slots[k]
            text = values[k]
            slot.cursor.insertText(text, slot.fmt)
            end = slot.cursor.position()
            slot.cursor.setPosition(end - _utf16_len(text))
            slot.cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            slot.shown = text
        master.endEditBlock()

    # ------------------------------------------------------------------ items
    def _items(self, cursor: QTextCursor, items, first: bool) -> None:
        for item in items:
            if isinstance(item, Columns):
                self._columns(cursor, item, first)
            elif isinstance(item, Heading):
                fmt = QTextBlockFormat()
                fmt.setTopMargin(HEADING_TOP)
                fmt.setBottomMargin(HEADING_BOTTOM)
                self._block(cursor, fmt, first)
                self._markup(cursor, f"<b>{item.markup}</b>")
            elif isinstance(item, Paragraph):
                fmt = QTextBlockFormat()
                fmt.setTopMargin(PARAGRAPH_MARGIN)
                fmt.setBottomMargin(PARAGRAPH_MARGIN)
                self._block(cursor, fmt, first)
                self._markup(cursor, item.markup)
            else:
                self._matrix(cursor, item, first)
            first = False

    def _block(self, cursor: QTextCursor, fmt: QTextBlockFormat, first: bool) -> None:
        if first:
            cursor.setBlockFormat(fmt)
            cursor.setBlockCharFormat(self.base)
        else:
            cursor.insertBlock(fmt, self.base)

    def _columns(self, cursor: QTextCursor, item: Columns, first: bool) -> None:
        table_format = QTextTableFormat()
        table_format.setBorder(0)
        table_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_None)
        table_format.setCellSpacing(0)
        table_format.setCellPadding(0)
        table_format.setMargin(0)
        table_format.setColumnWidthConstraints(
            [
                QTextLength(QTextLength.Type.VariableLength, 0),
                QTextLength(QTextLength.Type.FixedLength, COLUMN_SPACING),
                QTextLength(QTextLength.Type.VariableLength, 0),
            ]
        )
        if not first:
            cursor.insertBlock(QTextBlockFormat(), self.base)
        table = cursor.insertTable(len(item.rows), 3, table_format)
        for r, (left, right) in enumerate(item.rows):
            cell_format = QTextTableCellFormat()
            cell_format.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignTop)
            # a cell's first heading gets no top margin: the rows keep apart by padding
            cell_format.setBottomPadding(ROW_GAP if r < len(item.rows) - 1 else 0)
            for c, items in ((0, left), (2, right)):
                cell = table.cellAt(r, c)
                self._items(cell.firstCursorPosition(), items, first=True)
                # after the text: a cell's format is its first block's character format
                table.cellAt(r, c).setFormat(cell_format)
        cursor.setPosition(table.lastPosition() + 1)

    # ----------------------------------------------------------------- matrix
    def _matrix(self, cursor: QTextCursor, item: Matrix, first: bool) -> None:
        index = len(self._placed)
        placed = _Placed(item)
        self._placed.append(placed)
        layout = self._layout(index, item)
        rows = len(item.labels)
        middle = (rows - 1) // 2
        headers = [p.header for p in item.parts if isinstance(p, Group)]
        fmt = QTextBlockFormat()
        fmt.setLeftMargin(MATRIX_INDENT)
        fmt.setTopMargin(PARAGRAPH_MARGIN)
        fmt.setTabPositions(layout.header_tabs)
        self._block(cursor, fmt, first)
        placed.blocks.append((cursor.block(), "header"))
        for header in headers:
            cursor.insertText("\t", self.base)
            self._markup(cursor, header)
        if layout.name_tabs:
            fmt = QTextBlockFormat()
            fmt.setLeftMargin(MATRIX_INDENT)
            fmt.setTabPositions(layout.name_tabs)
            cursor.insertBlock(fmt, self.names)
            placed.blocks.append((cursor.block(), "name"))
            for part in item.parts:
                if isinstance(part, Group) and part.names is not None:
                    for name in part.names:
                        cursor.insertText("\t" + name, self.names)
        for k in range(rows):
            fmt = QTextBlockFormat()
            fmt.setLeftMargin(MATRIX_INDENT)
            fmt.setTabPositions(layout.row_tabs)
            fmt.setLineHeight(ROW_HEIGHT_PERCENT, _PROPORTIONAL)
            if k == rows - 1:
                fmt.setBottomMargin(PARAGRAPH_MARGIN)
            cursor.insertBlock(fmt, self.base)
            placed.blocks.append((cursor.block(), "row"))
            self._markup(cursor, item.labels[k])
            for g, part in enumerate(item.parts):
                if isinstance(part, Operator):
                    cursor.insertText("\t", self.base)
                    if k == middle:
                        self._markup(cursor, part.markup)
                    continue
                cursor.insertText("\t" + _bracket(k, rows, True), self.muted)
                for c, text in enumerate(part.cells[k]):
                    cursor.insertText("\t", self.base)
                    self._text(cursor, text, self.base, (index, g, c))
                if part.truncated:
                    cursor.insertText("\t" + ELLIPSIS, self.base)
                cursor.insertText("\t" + _bracket(k, rows, False), self.muted)

    def _layout(self, index: int, item: Matrix) -> _Layout:
        """The tab stops of a matrix, from the widths of everything in it."""
        T = QTextOption.TabType
        out = _Layout()
        x = max(self._width(label) for label in item.labels) + LABEL_GAP
        bracket = max(self.metrics.horizontalAdvance(ch) for ch in "⎡⎢⎣[⎤⎥⎦]")
        ellipsis = self.metrics.horizontalAdvance(ELLIPSIS)
        for g, part in enumerate(item.parts):
            if isinstance(part, Operator):
                width = self._width(part.markup) + 2 * OPERATOR_PAD
                out.row_tabs.append(QTextOption.Tab(x + width / 2, T.CenterTab))
                x += width
                continue
            columns = []
            for c in range(len(part.cells[0]) if part.cells else 0):
                width = max(
                    self.metrics.horizontalAdvance(self._resolve(row[c])) for row in part.cells
                )
                if part.names is not None:
                    width = max(width, self.names_metrics.horizontalAdvance(part.names[c]))
                key = (index, g, c)
                self.widths[key] = max(width, self.widths.get(key, 0.0))
                columns.append(self.widths[key])
            content = 2 * bracket + 2 * BRACKET_PAD + sum(columns)
            content += COLUMN_GAP * max(0, len(columns) - 1)
            if part.truncated:
                content += COLUMN_GAP + ellipsis
            width = max(content, self._width(part.header) + 2 * HEADER_PAD)
            out.header_tabs.append(QTextOption.Tab(x + width / 2, T.CenterTab))
            left = x + (width - content) / 2
            out.row_tabs.append(QTextOption.Tab(left, T.LeftTab))
            right = left + bracket + BRACKET_PAD
            for c, column in enumerate(columns):
                right += column
                out.row_tabs.append(QTextOption.Tab(right, T.RightTab))
                if part.names is not None:
                    out.name_tabs.append(QTextOption.Tab(right, T.RightTab))
                if c < len(columns) - 1:
                    right += COLUMN_GAP
            if part.truncated:
                out.row_tabs.append(QTextOption.Tab(right + COLUMN_GAP, T.LeftTab))
                right += COLUMN_GAP + ellipsis
            out.row_tabs.append(QTextOption.Tab(right + BRACKET_PAD, T.LeftTab))
            x += width
        return out

    # ------------------------------------------------------------------- text
    def _markup(self, cursor: QTextCursor, markup: str) -> None:
        for text, fmt in runs(markup, cursor.blockCharFormat()):
            self._text(cursor, text, fmt, None)

    def _text(self, cursor: QTextCursor, text: str, fmt: QTextCharFormat, column) -> None:
        """Insert ``text``, its placeholders replaced by their values (recorded as slots)."""
        at = 0
        for m in PLACEHOLDER.finditer(text):
            if m.start() > at:
                cursor.insertText(text[at : m.start()], fmt)
            k = int(m.group(1))
            value = self.values[k]
            start = cursor.position()
            cursor.insertText(value, fmt)
            self._spans[k] = (start, cursor.position(), QTextCharFormat(fmt), column)
            at = m.end()
        if at < len(text):
            cursor.insertText(text[at:], fmt)

    def _resolve(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda m: self.values[int(m.group(1))], text)

    def _width(self, markup: str) -> float:
        """Width in pixels of ``markup`` as written (sub- and superscripts included)."""
        return markup_width(self._resolve(markup), self._font_key)


def _utf16_len(text: str) -> int:
    """Length in Qt's string units (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2
