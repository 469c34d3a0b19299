"""The shared Qt helpers: number texts, blocked signals, visibility on screen."""

import math

from hypothesis import given
from hypothesis import strategies as st
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QCheckBox, QComboBox, QDockWidget, QLabel, QMainWindow

from explorer.views.qt_helpers import (
    MINUS,
    choice_combo,
    format_number,
    on_screen,
    signals_blocked,
    typographic_minus,
)

finite = st.floats(allow_nan=False, allow_infinity=False)


def test_typographic_minus_replaces_every_hyphen():
    assert typographic_minus("-1.5e-07") == f"{MINUS}1.5e{MINUS}07"
    assert typographic_minus("0.25") == "0.25"


@given(finite, st.integers(min_value=1, max_value=17))
def test_format_number_is_the_rounded_value_with_a_typographic_minus(v, digits):
    text = format_number(v, digits)
    assert "-" not in text and "nan" not in text and "inf" not in text
    assert float(text.replace(MINUS, "-")) == float(f"{v:.{digits}g}")


@given(finite)
def test_full_precision_reads_back_exactly(v):
    assert float(format_number(v, 0).replace(MINUS, "-")) == v


@given(finite.filter(lambda v: v != 0.0))
def test_the_editable_form_is_fifteen_digits_with_short_exponents(v):
    """``digits=15, minus="-", exponent_plus=True``: the text of a typed-in setting, the
    ``.15g`` form with the leading zeros of its exponent dropped."""
    expected = format(v, ".15g").replace("e-0", "e-").replace("e+0", "e+")
    assert format_number(v, 15, minus="-", exponent_plus=True) == expected


def test_format_number_special_values():
    assert format_number(-0.0) == format_number(0.0) == "0"
    assert format_number(3.2e-17, 1) == f"3e{MINUS}17"
    assert format_number(2.5e20, 2) == "2.5e20"
    assert format_number(2.5e20, 2, exponent_plus=True) == "2.5e+20"
    assert format_number(math.inf) == "∞"
    assert format_number(-math.inf) == f"{MINUS}∞"
    assert format_number(-math.inf, minus="-") == "-∞"
    assert format_number(math.nan) == "undefined"


def test_signals_blocked_sets_silently_and_restores_the_previous_state(qtbot):
    box, combo = QCheckBox(), QComboBox()
    combo.addItems(["a", "b"])
    for widget in (box, combo):
        qtbot.addWidget(widget)
    heard = []
    box.toggled.connect(heard.append)
    combo.currentIndexChanged.connect(heard.append)
    with signals_blocked(box, combo):
        box.setChecked(True)
        combo.setCurrentIndex(1)
        assert box.signalsBlocked() and combo.signalsBlocked()
    assert heard == []
    assert not box.signalsBlocked() and not combo.signalsBlocked()
    box.setChecked(False)
    assert heard == [False]
    combo.blockSignals(True)  # already blocked: stays blocked afterwards
    with signals_blocked(combo):
        pass
    assert combo.signalsBlocked()


def test_signals_blocked_unblocks_after_an_exception(qtbot):
    box = QCheckBox()
    qtbot.addWidget(box)
    try:
        with signals_blocked(box):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert not box.signalsBlocked()


def test_choice_combo_shows_the_texts_and_reports_the_keys(qtbot):
    parent = QLabel()
    qtbot.addWidget(parent)
    chosen = []
    combo = choice_combo(parent, [("a", "First"), (2, "Second")], "Pick one", chosen.append)
    assert [combo.itemText(i) for i in range(combo.count())] == ["First", "Second"]
    assert [combo.itemData(i) for i in range(combo.count())] == ["a", 2]
    assert combo.toolTip() == "Pick one" and combo.parent() is parent
    assert chosen == []  # filling the box chose nothing
    combo.setCurrentIndex(1)
    combo.setCurrentIndex(0)
    assert chosen == [2, "a"]
    with signals_blocked(combo):
        combo.setCurrentIndex(1)
    assert chosen == [2, "a"]


def test_on_screen_is_false_for_a_dock_tab_behind_another(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("centre"))
    docks = []
    for name in ("front", "back"):
        dock = QDockWidget(name, window)
        dock.setWidget(QLabel(name))
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        docks.append(dock)
    window.tabifyDockWidget(docks[0], docks[1])
    window.resize(600, 400)
    window.show()
    docks[0].raise_()
    qtbot.waitUntil(lambda: on_screen(docks[0].widget()))
    assert not on_screen(docks[1].widget())
    assert docks[1].widget().isVisible()  # what Qt says; on_screen knows better
    window.hide()
    assert not on_screen(docks[0].widget())
