"""Train → Compare…: choose what run B changes, or the lesson preset.

The settings are typed as on the command line, ``FIELD=VALUE[,FIELD=VALUE]``
(``--compare``), with the common choices listed and a field chooser that appends
``field=value`` (the field's current value of run A as a start). "Start from large wrong
logits" first gives run A, at step 0, parameters that score every point's true class
lowest (:func:`explorer.session.lesson.wrong_start`; undoable). The lesson preset
switches to the lesson's scene (three blobs, identity features) from that start and
compares cross-entropy with squared error. A refused choice is a message; the dialog
stays open and the session is unchanged.
"""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from explorer import APP_NAME
from explorer.session.compare import COMPARE_FIELDS, CompareError, Comparison, parse_spec
from explorer.session.lesson import LESSON, LESSON_CONFIG, LESSON_SPEC, wrong_start

#: The list's choices besides the lesson: (spec, what it shows).
PRESETS = (
    ("loss=squared_error", "squared error against this loss"),
    ("optimizer=adam,lr=0.01", "Adam at a small learning rate"),
    ("loss=svm_ww", "the Weston–Watkins SVM"),
    ("lr=1", "a ten times larger learning rate (from 0.1)"),
    ("batch_size=16", "mini-batches of 16"),
)
LESSON_TEXT = "lesson: cross-entropy against squared error from large wrong logits"
#: From this step on, starting a comparison says first that run B trains up to it.
CATCH_UP_NOTICE = 1000


def bad_start(session) -> None:
    """Run A from step 0 with :func:`wrong_start`'s parameters (one undoable action)."""
    with session.actions.group("bad_start"):
        session.seek(0)
        session.set_params(*wrong_start(session))


def lesson_start(session) -> dict:
    """Put ``session`` in the lesson's scene from the bad start; B's settings."""
    with session.actions.group("lesson"):
        session.configure(session.config.replace(**LESSON_CONFIG))
        session.seek(0)
        session.set_params(*wrong_start(session))
    return parse_spec(LESSON_SPEC)


class CompareDialog(QDialog):
    """Train → Compare…; ``controller`` is the window's :class:`~.compare.CompareController`."""

    def __init__(self, window, controller):
        super().__init__(window)
        self.window, self.controller = window, controller
        self.setWindowTitle("Compare two runs")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Run B trains beside the current run A on the same points from the same "
            "start, differing only in the settings below; Step, Play, Step back and the "
            "timeline move both."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.spec = QComboBox(self)
        self.spec.setEditable(True)
        self.spec.addItem(LESSON_TEXT, LESSON)
        for spec, tip in PRESETS:
            self.spec.addItem(spec, spec)
            self.spec.setItemData(self.spec.count() - 1, tip, 3)  # ToolTipRole
        self.spec.setCurrentIndex(1)
        self.spec.setToolTip(
            "FIELD=VALUE[,FIELD=VALUE], as --compare takes it; fields: " + ", ".join(COMPARE_FIELDS)
        )
        form.addRow("Run B changes", self.spec)
        row = QHBoxLayout()
        self.field = QComboBox(self)
        self.field.addItems(COMPARE_FIELDS)
        self.value = QLineEdit(self)
        self.value.setPlaceholderText("value")
        add = QPushButton("Add", self)
        add.setToolTip("Append field=value to run B's settings")
        add.clicked.connect(self._add_field)
        self.field.currentTextChanged.connect(self._field_chosen)
        row.addWidget(self.field)
        row.addWidget(self.value, 1)
        row.addWidget(add)
        form.addRow("Setting", row)
        self._field_chosen(self.field.currentText())
        layout.addLayout(form)
        self.wrong = QCheckBox("Start from large wrong logits (both runs, from step 0)", self)
        self.wrong.setToolTip(
            "Give run A, at step 0, weights that score every point's true class lowest: "
            "cross-entropy recovers fast from it, squared error stalls"
        )
        layout.addWidget(self.wrong)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Compare")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _field_chosen(self, name: str) -> None:
        value = getattr(self.window.session.config, name, "")
        self.value.setText("default" if value is None else f"{value}")

    def _add_field(self) -> None:
        text = self.spec.currentText().strip()
        if text == LESSON_TEXT:
            text = ""
        part = f"{self.field.currentText()}={self.value.text().strip()}"
        self.spec.setEditText(f"{text},{part}" if text else part)

    def spec_text(self) -> str:
        """The settings as typed (``lesson`` for the preset)."""
        text = self.spec.currentText().strip()
        return LESSON if text in (LESSON_TEXT, LESSON) else text

    def accept(self) -> None:
        """Start comparing; a refused choice says why and leaves everything as it was."""
        session = self.window.session
        text = self.spec_text()
        try:
            if text == LESSON:
                before = session.snapshot()
                try:
                    comparison = Comparison(session, lesson_start(session))
                except CompareError:
                    session.restore(before)
                    raise
            else:
                overrides = parse_spec(text)
                session.config.replace(**overrides)  # refused before anything changes
                if self.wrong.isChecked():
                    bad_start(session)
                elif session.step_index >= CATCH_UP_NOTICE:
                    self.window.show_message(
                        f"Training run B up to step {session.step_index:,}…", 0
                    )
                    QApplication.processEvents()
                comparison = Comparison(session, overrides)
        except (CompareError, ValueError) as exc:
            QMessageBox.warning(self, APP_NAME, f"Cannot compare: {exc}")
            return
        self.controller.start(comparison)
        super().accept()
