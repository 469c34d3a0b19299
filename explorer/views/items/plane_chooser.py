"""The landscape's plane chooser: the kind of plane and the entries or direction it uses.

Four combo boxes in a row: the kind (two coordinates, PCA of the path, gradient and last
update, a flat direction), the first and second coordinate by name, and the flat
direction (the same added to every ``b_c``, or to every ``W[c,d]`` of one feature). Only
those the kind uses are shown. :attr:`PlaneChooser.chosen` carries the
:class:`~explorer.session.landscape_choice.PlaneChoice` a user's change makes.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from explorer.core.parameters import parameter_names
from explorer.session.landscape_choice import CHOICE_KINDS, PlaneChoice
from explorer.views.qt_helpers import signals_blocked

KIND_TEXTS = {
    "coordinates": "Two coordinates",
    "pca": "PCA of the path",
    "gradient": "Gradient, last update",
    "flat": "Flat direction",
}


class PlaneChooser(QWidget):
    """The combo boxes of a plane choice (module docstring)."""

    chosen = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.kind_combo = QComboBox(self)
        for kind in CHOICE_KINDS:
            self.kind_combo.addItem(KIND_TEXTS[kind], kind)
        self.kind_combo.setToolTip(
            "The plane through parameter space: two entries of W and b (the others held at\n"
            "the shown step), the path's two principal directions, the gradient and the\n"
            "last update, or a flat direction of the softmax against one entry"
        )
        self.first_combo, self.second_combo, self.flat_combo = (QComboBox(self) for _ in "abc")
        self.first_combo.setToolTip("The horizontal axis: an entry of W or b")
        self.second_combo.setToolTip("The vertical axis: an entry of W or b")
        self.flat_combo.setToolTip("The flat direction: the same amount added to every class")
        for combo in (self.kind_combo, self.first_combo, self.flat_combo, self.second_combo):
            combo.currentIndexChanged.connect(self._on_change)
            # narrow docks: the boxes may shrink below their longest item
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14 if combo is self.kind_combo else 6)
            row.addWidget(combo)

    @property
    def combos(self) -> tuple[QComboBox, ...]:
        return self.kind_combo, self.first_combo, self.second_combo, self.flat_combo

    def fill(self, shape) -> None:
        """The entries and flat directions of a model whose ``W`` has shape ``(C, D)``."""
        flats = [("b", "same to every b[c]")]
        flats += [(str(d), f"same to every W[c,{d}]") for d in range(int(shape[1]))]
        with signals_blocked(*self.combos):
            for combo in (self.first_combo, self.second_combo):
                combo.clear()
                combo.addItems(parameter_names(shape))
            self.flat_combo.clear()
            for key, text in flats:
                self.flat_combo.addItem(text, key)

    def show_choice(self, choice: PlaneChoice) -> None:
        """Show ``choice`` (no signal), and only the boxes its kind uses."""
        with signals_blocked(*self.combos):
            self.kind_combo.setCurrentIndex(CHOICE_KINDS.index(choice.kind))
            self.first_combo.setCurrentText(choice.first)
            self.second_combo.setCurrentText(choice.second)
            self.flat_combo.setCurrentIndex(max(0, self.flat_combo.findData(choice.flat)))
        self.first_combo.setVisible(choice.kind == "coordinates")
        self.second_combo.setVisible(choice.kind in ("coordinates", "flat"))
        self.flat_combo.setVisible(choice.kind == "flat")

    def _on_change(self, *_args) -> None:
        self.chosen.emit(
            PlaneChoice(
                self.kind_combo.currentData(),
                self.first_combo.currentText(),
                self.second_combo.currentText(),
                self.flat_combo.currentData() or "b",
            )
        )
