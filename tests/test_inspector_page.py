"""The inspector's page writer: inline markup, numbers on tab stops, updates in place."""

import pytest
from PyQt6.QtGui import QColor, QFont, QTextDocument, QTextOption, QTextTable

from explorer.views.items.inspector_page import ROW_GAP, PageWriter
from explorer.views.items.page_items import (
    Columns,
    Group,
    Heading,
    Matrix,
    Operator,
    Paragraph,
    signature,
)


def v(k):
    """The placeholder of values[k]."""
    return f"\x00{k}\x00"


def page():
    """Two matrices and a paragraph; values 0..9."""
    first = Matrix(
        ("■ a", "■ b"),
        (
            Group("<i>z</i>", ((v(0),), (v(1),))),
            Operator("="),
            Group("<i>W</i>", ((v(2), v(3)), (v(4), v(5))), ("x1", "x2")),
        ),
    )
    second = Matrix(("■ a", "■ b"), (Group("<i>p</i>", ((v(6),), (v(7),))),))
    return [Heading("1 · Part"), first, Paragraph(f"<i>L</i> = <b>{v(8)}</b> at {v(9)}"), second]


VALUES = ["0.1", "−0.25", "1", "2", "3", "4", "0.5", "0.5", "0.693", "step 3"]


@pytest.fixture
def writer(qapp):
    doc = QTextDocument()
    font = QFont()
    font.setPointSizeF(10)
    doc.setDefaultFont(font)
    w = PageWriter(doc, QColor("black"), QColor("gray"))
    w.write(page(), list(VALUES))
    return w


def blocks(doc):
    block = doc.begin()
    while block.isValid():
        yield block
        block = block.next()


def right_ends(block):
    """For each right tab stop of the block, the x where the text before the next tab ends."""
    block.document().documentLayout().blockBoundingRect(block)  # lays the block out
    line = block.layout().lineAt(0)
    assert line.isValid(), block.text()
    text = block.text()
    margin = block.blockFormat().leftMargin()
    ends = [line.cursorToX(i)[0] - margin for i, ch in enumerate(text) if ch == "\t"][1:]
    ends.append(line.cursorToX(len(text))[0] - margin)
    return ends


def assert_numbers_on_their_stops(doc):
    """Every right-aligned text ends exactly on a right tab stop of its row."""
    checked = 0
    for block in blocks(doc):
        stops = [
            t.position
            for t in block.blockFormat().tabPositions()
            if t.type == QTextOption.TabType.RightTab
        ]
        ends = right_ends(block)
        for stop in stops:
            assert any(abs(end - stop) < 0.5 for end in ends), (block.text(), stop, ends)
            checked += 1
    assert checked


def row_tabs(doc, text_start):
    block = next(b for b in blocks(doc) if b.text().startswith(text_start))
    return [t.position for t in block.blockFormat().tabPositions()]


def test_the_page_reads_as_written(writer):
    text = writer.doc.toPlainText()
    assert text.startswith("1 · Part\n")
    assert "\tz\tW" in text
    assert "\tx1\tx2" in text
    assert "■ a\t⎡\t0.1\t⎤\t=\t⎡\t1\t2\t⎤" in text
    assert "■ b\t⎣\t−0.25\t⎦\t\t⎣\t3\t4\t⎦" in text
    assert "L = 0.693 at step 3" in text
    assert [s.shown for s in writer.slots] == VALUES
    assert_numbers_on_their_stops(writer.doc)


def test_update_replaces_the_changed_numbers_only(writer, qapp):
    doc = writer.doc
    block_count = doc.blockCount()
    tabs = row_tabs(doc, "■ a\t⎡")
    new = list(VALUES)
    new[0], new[5], new[8] = "0.2", "5", "0.7"
    writer.update(new)
    assert doc.blockCount() == block_count
    assert [s.shown for s in writer.slots] == new
    fresh = QTextDocument()
    fresh.setDefaultFont(doc.defaultFont())
    PageWriter(fresh, QColor("black"), QColor("gray")).write(page(), new)
    assert doc.toPlainText() == fresh.toPlainText()
    assert row_tabs(doc, "■ a\t⎡") == tabs  # same widths: nothing moved
    # the slots still select exactly their values
    assert [s.cursor.selectedText() for s in writer.slots] == new
    assert not doc.isUndoAvailable()


def test_a_wider_number_widens_its_column_in_place(writer):
    doc = writer.doc
    first, second = row_tabs(doc, "■ a\t⎡\t0.1"), row_tabs(doc, "■ a\t⎡\t0.5")
    new = list(VALUES)
    new[2] = "−123.456789"  # first matrix, second group, first column
    writer.update(new)
    wider = row_tabs(doc, "■ a\t⎡\t0.1")
    # stops: z group (⎡, 0.1, ⎤), "=", W group (⎡, column 1, column 2, ⎤)
    assert wider[:5] == first[:5]  # what stands left of the column stays put
    assert all(a > b for a, b in zip(wider[5:], first[5:], strict=True))
    assert row_tabs(doc, "■ a\t⎡\t0.5") == second  # another matrix is untouched
    assert_numbers_on_their_stops(doc)
    # shrinking back keeps the wider column: the columns only grow while updated
    writer.update(list(VALUES))
    assert row_tabs(doc, "■ a\t⎡\t0.1") == wider
    assert_numbers_on_their_stops(doc)
    assert [s.cursor.selectedText() for s in writer.slots] == VALUES


def test_two_columns_are_a_table_and_update_like_the_rest(qapp):
    doc = QTextDocument()
    writer = PageWriter(doc, QColor("black"), QColor("gray"))
    items = page()
    two = [Columns(((tuple(items[:2]), (items[2],)), ((items[3],), (Heading("Right"),))))]
    writer.write(two, list(VALUES))
    tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
    assert len(tables) == 1 and tables[0].rows() == 2 and tables[0].columns() == 3
    assert tables[0].cellAt(0, 2).firstCursorPosition().block().text() == "L = 0.693 at step 3"
    # the page's two rows keep apart (a cell's format survives the text written into it)
    assert tables[0].cellAt(0, 0).format().toTableCellFormat().bottomPadding() == ROW_GAP
    assert tables[0].cellAt(1, 2).format().toTableCellFormat().bottomPadding() == 0
    new = list(VALUES)
    new[8], new[7] = "0.125", "−1.5e−05"
    writer.update(new)
    assert tables[0].cellAt(0, 2).firstCursorPosition().block().text() == "L = 0.125 at step 3"
    assert [s.cursor.selectedText() for s in writer.slots] == new
    assert_numbers_on_their_stops(doc)


def test_signature_tells_structure_not_values():
    assert signature(page()) == signature(page())
    other = page()
    other[2] = Paragraph(f"<i>L</i> = {v(8)} at {v(9)}")
    assert signature(other) != signature(page())
