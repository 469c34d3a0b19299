"""The widgets behind the configuration panel, and their specs made from the field table.

A :class:`ValueSpinBox` is a spin box whose text is free: the user may type ``1e-3``,
``0.05`` or anything else, and the value is only *committed* on Enter or focus loss
(never keystroke by keystroke), or at once by the arrows, the arrow keys and the wheel.
Whether a committed number is allowed is for the session's :class:`Config` to say: the
panel forwards it and shows the refusal, so every limit lives in one place.

Arrow steps follow each field's scale: ``"linear"`` adds a fixed step, ``"125"`` climbs
the 1-2-5 ladder (``0.1, 0.2, 0.5, 1, 2...``: learning rates span twelve decades),
``"pow2"`` doubles (batch sizes) and ``"nines"`` adds a nine (``0.9, 0.99, 0.999``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PyQt6.QtCore import QSize, Qt, pyqtSignal
from PyQt6.QtGui import QValidator
from PyQt6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QSizePolicy,
    QStyle,
    QStyleOptionSpinBox,
    QWidget,
)

from explorer.session.config_table import CONFIG_TABLE, DISPLAY_TABLE, NO_SPECIAL, Field
from explorer.views.qt_helpers import format_number

#: Tolerance when comparing a value with a rung of a ladder.
_REL = 1e-9


@dataclass(frozen=True)
class NumberSpec:
    """How one numeric field is shown, parsed and stepped.

    Attributes
    ----------
    name : str
        Config field name (or ``"temperature"``).
    label : str
        Form label.
    tooltip : str
        One sentence for a student.
    integer : bool
        Whole numbers only.
    step : str
        ``"linear"``, ``"125"``, ``"pow2"`` or ``"nines"``.
    lo, hi : float
        Range reached by stepping (typed values are checked by the session).
    size : float
        Linear step size.
    first : float
        Smallest non-zero rung of a ``"125"`` ladder (stepping up from 0 lands there).
    special : object
        A value shown as ``special_text`` (``None`` for noise, ``0`` for batch size).
    special_text : str
        Its text; typing it (or its first word, or nothing) gives ``special``.
    limit : float or None
        Largest value the panel sends (a larger one is refused with "at most").

    Made from a row of ``explorer.session.config_table`` by :func:`number_spec`, with the
    stepping range resolved (a widget's ``lo``/``hi`` or else the field's bounds).
    """

    name: str
    label: str
    tooltip: str
    integer: bool = False
    step: str = "linear"
    lo: float = 0.0
    hi: float = 1.0
    size: float = 1.0
    first: float = 1.0
    special: object = NO_SPECIAL
    special_text: str = ""
    limit: float | None = None


def number_spec(row: Field) -> NumberSpec:
    """The spin box of a numeric row of the configuration table."""
    w = row.widget
    return NumberSpec(
        name=row.name,
        label=w.label,
        tooltip=row.help,
        integer=row.kind == "int",
        step=w.step,
        lo=row.lo if w.lo is None else w.lo,
        hi=row.hi if w.hi is None else w.hi,
        size=w.size,
        first=w.first,
        special=w.special,
        special_text=w.special_text,
        limit=w.limit,
    )


#: The spin box of every numeric field of the panel (the temperature included).
NUMBER_SPECS = {
    row.name: number_spec(row) for row in (*CONFIG_TABLE, *DISPLAY_TABLE) if row.kind != "choice"
}


# --------------------------------------------------------------------------- numbers
def field_text(value: object, spec: NumberSpec) -> str:
    """Compact text of a field value (``0.001``, ``1e-6``, ``full batch``), in the
    plain characters a user types (``-``, ``1e+20``): it is the text the field edits."""
    if value == spec.special or (value is None and spec.special is None):
        return spec.special_text
    if spec.integer:
        return str(int(value))
    return format_number(float(value), 15, minus="-", exponent_plus=True)


def parse_number(text: str, spec: NumberSpec) -> object:
    """The value a typed text means; raises ``ValueError`` with a readable message.

    Non-finite and out-of-range numbers are returned as they are: the session refuses them.
    """
    clean = text.strip().replace("−", "-").replace("_", "")
    if spec.special_text and (
        not clean or clean.lower().startswith(spec.special_text.split()[0].lower())
    ):
        return spec.special
    try:
        value = float(clean)
    except ValueError:
        raise ValueError(f"{spec.label}: {text.strip()!r} is not a number") from None
    if not spec.integer:
        return value
    if not math.isfinite(value) or value != math.floor(value):
        raise ValueError(f"{spec.label}: {text.strip()!r} is not a whole number")
    if abs(value) > 1e15:
        raise ValueError(f"{spec.label}: {text.strip()!r} is far too large")
    return int(clean) if clean.lstrip("+-").isdigit() else int(value)


def _ladder_125(value: float, up: bool) -> float:
    """The next rung of ``1, 2, 5 × 10^k`` strictly above (or below) ``value > 0``."""
    e = math.floor(math.log10(value))
    rungs = [m * 10.0**k for k in range(e - 1, e + 2) for m in (1, 2, 5)]
    if up:
        return min(r for r in rungs if r > value * (1 + _REL))
    return max(r for r in rungs if r < value * (1 - _REL))


def stepped(value: float, steps: int, spec: NumberSpec) -> float:
    """``value`` moved by ``steps`` arrow presses along the field's scale, within ``lo..hi``."""
    v = float(value)
    for _ in range(abs(steps)):
        up = steps > 0
        if spec.step == "linear":
            v = round(v + (spec.size if up else -spec.size), 10)
        elif spec.step == "125":
            if v <= 0:
                v = spec.first if up else v
            else:
                v = _ladder_125(v, up)
                if not up and v < spec.first * (1 - _REL):
                    v = spec.lo
        elif spec.step == "pow2":
            if up:
                v = 1.0 if v < 1 else 2.0 ** (math.floor(math.log2(v) + _REL) + 1)
            else:
                v = 0.0 if v <= 1 else 2.0 ** (math.ceil(math.log2(v) - _REL) - 1)
        elif spec.step == "nines":
            rungs = [1.0 - 10.0**-k for k in range(13)]  # 0, 0.9, 0.99, ...
            if up:
                v = min((r for r in rungs if r > v + 1e-13), default=v)
            else:
                v = max((r for r in rungs if r < v - 1e-13), default=v)
        v = min(max(v, spec.lo), spec.hi)
    return round(v) if spec.integer else v


# --------------------------------------------------------------------------- widgets
class ValueSpinBox(QAbstractSpinBox):
    """A spin box with free text, committed on Enter/focus loss or by a step.

    Signals
    -------
    edited(object)
        The user committed a new value (parsed, not yet validated by the session).
    refused(str)
        The user committed a text that is not a number (the message says so).
    """

    edited = pyqtSignal(object)
    refused = pyqtSignal(str)

    def __init__(self, spec: NumberSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self._value: object = spec.lo
        self._shown = ""
        self._special_base = spec.lo
        self.setKeyboardTracking(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccelerated(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setToolTip(spec.tooltip)
        self.editingFinished.connect(self._on_editing_finished)

    # model -> view
    def value(self) -> object:
        """The value shown (the last one set or committed)."""
        return self._value

    def set_value(self, value: object) -> None:
        """Show ``value`` without emitting anything."""
        self._value = value
        self._shown = field_text(value, self.spec)
        if value is None and self.spec.special is None:
            self._shown += f" ({field_text(self._special_base, self.spec)})"
        if self.lineEdit().text() != self._shown:
            self.lineEdit().setText(self._shown)
        self.update()

    def show_blank(self) -> None:
        """Show no value (a disabled field that means nothing for the data shown); the
        value is kept, and nothing is committed."""
        self._shown = ""
        if self.lineEdit().text():
            self.lineEdit().setText("")
        self.update()

    def set_special_base(self, value: float) -> None:
        """Where stepping starts from the special value (e.g. the data set's default noise)."""
        self._special_base = value

    # view -> model
    def commit_text(self, text: str) -> None:
        """Behave as if the user typed ``text`` and pressed Enter."""
        self.lineEdit().setText(text)
        self._on_editing_finished()

    def _on_editing_finished(self) -> None:
        text = self.lineEdit().text()
        if text == self._shown:
            return  # focus moved on without an edit: nothing to commit
        try:
            value = parse_number(text, self.spec)
        except ValueError as exc:
            self.refused.emit(str(exc))
            return
        self.edited.emit(value)

    def _base(self) -> float:
        try:
            value = parse_number(self.lineEdit().text(), self.spec)
        except ValueError:
            value = self._value
        if value is None or value == self.spec.special:
            return self._special_base if self.spec.special is None else float(value or 0)
        if not isinstance(value, int | float) or not math.isfinite(value):
            return float(self.spec.lo)
        return float(value)

    # QAbstractSpinBox protocol
    def stepBy(self, steps: int) -> None:
        value = stepped(self._base(), steps, self.spec)
        if value == self._value:
            self.set_value(self._value)
            return
        self.set_value(value)
        self.edited.emit(value)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if not self.isEnabled():
            return flags
        v = self._base()
        if v < self.spec.hi:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if v > self.spec.lo:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def validate(self, text: str, pos: int):
        # Every text is acceptable while typing; the commit decides.
        return QValidator.State.Acceptable, text, pos

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # let the scroll area scroll past an unfocused field

    def _hint(self, sample: str):
        opt = QStyleOptionSpinBox()
        self.initStyleOption(opt)
        metrics = self.fontMetrics()
        content = QSize(metrics.horizontalAdvance(sample), metrics.height())
        size = self.style().sizeFromContents(QStyle.ContentsType.CT_SpinBox, opt, content, self)
        return size.expandedTo(QSize(0, super().sizeHint().height()))

    def sizeHint(self):
        return self._hint("0.000123456")

    def minimumSizeHint(self):
        return self._hint("0.0001")


class ChoiceCombo(QComboBox):
    """A combo box that ignores the wheel unless it has focus (the panel scrolls).

    It is as wide as its longest choice, so its text is never cut ("CS231n demo (9 poir"):
    the panel's form puts a row that does not fit beside its label under it instead.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def minimumSizeHint(self):
        return self.sizeHint()

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()
