"""SteadyLabel: a fixed size that only grows, and always holds its text."""

from PyQt6.QtGui import QFont

from explorer.views.qt_helpers import SteadyLabel

TEXTS = ("1", "step 9 / 9", "i", "WWWWWWWWWW", "step 10 / 10", "ii", "W" * 12, "x\ny")


def test_size_holds_every_text_and_never_shrinks(qtbot):
    label = SteadyLabel("")
    qtbot.addWidget(label)
    label.show()
    widths = []
    for text in TEXTS:
        label.setText(text)
        hint = label.sizeHint()
        assert label.minimumWidth() == label.maximumWidth() >= hint.width()
        assert label.minimumHeight() == label.maximumHeight() >= hint.height()
        widths.append(label.minimumWidth())
    assert widths == sorted(widths)
    assert widths[0] < widths[-1]


def test_narrower_texts_keep_the_size_and_a_new_font_refits(qtbot):
    label = SteadyLabel("WWWW")
    qtbot.addWidget(label)
    wide = label.minimumWidth()
    label.setText("i")
    assert label.minimumWidth() == wide
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    label.setFont(font)
    assert label.text() == "i"
    assert label.minimumWidth() == label.maximumWidth() >= label.sizeHint().width()
    label.setText("WWWW")
    assert label.minimumWidth() > wide
