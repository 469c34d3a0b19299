"""The inspector's inline markup: tags and styles to character formats."""

import pytest
from PyQt6.QtGui import QFont, QTextCharFormat

from explorer.views.items.inline_markup import markup_width, runs

SUP = QTextCharFormat.VerticalAlignment.AlignSuperScript
SUB = QTextCharFormat.VerticalAlignment.AlignSubScript


def test_markup_runs():
    base = QTextCharFormat()
    out = runs(
        '<i>J</i><sup>T</sup>  x<sub>k</sub> <b>1</b>&nbsp;<span style="color:#ff0000; '
        'font-size:8pt">red</span><br>next',
        base,
    )
    texts = [t for t, _ in out]
    assert "".join(texts) == "JT xk 1\xa0red\u2028next"  # spaces collapsed as in HTML
    fmt = dict(out)
    assert fmt["J"].fontItalic()
    assert fmt["T"].verticalAlignment() == SUP
    assert fmt["k"].verticalAlignment() == SUB
    assert fmt["1"].fontWeight() == QFont.Weight.Bold
    assert fmt["red"].foreground().color().name() == "#ff0000"
    assert fmt["red"].fontPointSize() == 8
    with pytest.raises(ValueError, match="unknown tag"):
        runs("<table>", base)
    with pytest.raises(ValueError, match="unknown style"):
        runs('<span style="margin:1px">x</span>', base)


def test_markup_width_counts_what_is_drawn(qapp):
    font = QFont()
    font.setPointSizeF(10)
    key = font.toString()
    plain, bold = markup_width("W", key), markup_width("<b>W</b>", key)
    assert 0 < plain < bold
    assert markup_width("x<sup>T</sup>", key) < markup_width("xT", key)  # a smaller T
    assert markup_width("a&nbsp;b", key) == markup_width("a b", key)
