"""The configuration panel: one control per field of the session's :class:`Config`.

Both directions, never looping (napari's pattern):

- view → model: a committed control builds ``session.config.replace(field=value)`` and
  calls ``session.configure``; what it did goes out through :attr:`ConfigPanel.configured`
  (the window words it), a refusal's text through :attr:`ConfigPanel.message`, and a
  refused value reverts to the session's. No slot ever raises.
- model → view: :meth:`ConfigPanel.update_view` sets every control from
  ``session.config`` with the controls' signals blocked, so showing a value never
  configures it back.

Numeric fields commit on Enter or focus loss (typing ``0.05`` does not configure ``0``
first) and at once on arrow steps; combo boxes commit on selection. The temperature is
display-only (``session.set_temperature``) and never touches training.

The controls are made from the rows of ``explorer.session.config_table`` (the fields of
``CONFIG_TABLE``, then the temperature of ``DISPLAY_TABLE``): each row's ``widget.box``
picks its group box, a choice becomes a combo box and a number a :class:`ValueSpinBox`; a
row with ``only_for`` is disabled (or hidden) while it does not apply. The panel's own
rules: the seed's row carries the Regenerate button, and the data fields a data set or
user data make meaningless are disabled.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QStandardItemModel
from PyQt6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from explorer.core.datasets import DATASETS
from explorer.session.changes import Change
from explorer.session.config import DATA_FIELDS, MAX_SEED
from explorer.session.config_table import CONFIG_TABLE, DISPLAY_TABLE, ROWS
from explorer.session.data import data_from_points
from explorer.session.reports import Configured
from explorer.views.base import SessionView
from explorer.views.config_fields import NUMBER_SPECS, ChoiceCombo, ValueSpinBox
from explorer.views.palette import LIGHT, Theme
from explorer.views.qt_helpers import signals_blocked

#: Session changes after which the configuration controls are re-read.
CONFIG_CHANGES = Change.CONFIG | Change.DATA | Change.SESSION
#: ... and after which the temperature is re-read.
DISPLAY_CHANGES = Change.DISPLAY | Change.SESSION
#: Item data of the dataset combo's "user data" entry.
USER_DATA = "__user__"
#: The group boxes, top to bottom, by the ``widget.box`` of the table's rows.
BOXES = {
    "data": "Data",
    "features": "Features",
    "optimiser": "Optimiser",
    "loss": "Loss",
    "regularisation": "Regularisation",
    "display": "Display only",
}
#: The rows that depend on another field (``only_for``): disabled, or hidden, otherwise.
_DEPENDENT = tuple(row for row in CONFIG_TABLE if row.only_for is not None)


class ConfigPanel(SessionView):
    """A compact, scrollable form for every field of the configuration, plus temperature.

    Signals
    -------
    message(str)
        A note for the status bar after a change, or the reason a value was refused.
    configured(Configured)
        What ``session.configure`` did with a committed value.

    Attributes
    ----------
    regenerate_button : QPushButton
        Draws new data with the next seed.
    """

    view_id = "config"
    title = "Configuration"
    LISTENS_TO = CONFIG_CHANGES | DISPLAY_CHANGES
    REBUILD_ON = Change(0)

    #: Emitted with the :class:`~explorer.session.reports.Configured` of a change.
    configured = pyqtSignal(object)

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self._controls: dict[str, QWidget] = {}
        self._forms: dict[str, QFormLayout] = {}
        self._row_of: dict[QWidget, tuple[QFormLayout, QWidget]] = {}
        self._user_data: str | None = None
        #: The test fraction asked for the user's points (they are split with it).
        self._user_fraction = 0.0
        self._shown_config = None
        self._build()
        self.update_view(Change.SESSION)

    # ================================================================ building
    def _build(self) -> None:
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(8)

        for key, title in BOXES.items():
            form = self._group(column, key, title)
            for row in (*CONFIG_TABLE, *DISPLAY_TABLE):
                if row.widget.box != key:
                    continue
                if row.kind == "choice":
                    self._combo(form, row)
                elif row.name == "seed":  # with its Regenerate button
                    self._seed_row(form, NUMBER_SPECS["seed"])
                else:
                    self._number(form, NUMBER_SPECS[row.name])
        column.addStretch(1)

        # One label column width for all groups, so the fields line up down the panel.
        labels = [
            f.itemAt(r, QFormLayout.ItemRole.LabelRole).widget()
            for f in self._forms.values()
            for r in range(f.rowCount())
        ]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.scroll_area = scroll

    def _group(self, column: QVBoxLayout, key: str, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setContentsMargins(8, 6, 8, 6)
        form.setVerticalSpacing(4)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # a field too wide to stand beside its label (a long data set name) goes under it
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        column.addWidget(box)
        self._forms[key] = form
        return form

    def _add_row(self, form: QFormLayout, label: str, field: QWidget, tip: str, widget=None):
        form.addRow(label + ":", field)
        form.labelForField(field).setToolTip(tip)
        self._row_of[widget or field] = (form, field)

    def _combo(self, form: QFormLayout, row) -> ChoiceCombo:
        combo = ChoiceCombo()
        for value in row.choices:
            combo.addItem(row.widget.titles.get(value, value), value)
            if value in row.widget.item_tips:
                combo.setItemData(
                    combo.count() - 1, row.widget.item_tips[value], Qt.ItemDataRole.ToolTipRole
                )
        combo.setToolTip(row.help)
        combo.currentIndexChanged.connect(lambda _i, n=row.name: self._on_choice(n))
        self._add_row(form, row.widget.label, combo, row.help)
        self._controls[row.name] = combo
        return combo

    def _number(self, form: QFormLayout, spec) -> ValueSpinBox:
        box = ValueSpinBox(spec)
        box.edited.connect(lambda value, n=spec.name: self._commit(n, value))
        box.refused.connect(self._refuse)
        self._add_row(form, spec.label, box, spec.tooltip)
        self._controls[spec.name] = box
        return box

    def _seed_row(self, form: QFormLayout, spec) -> None:
        box = ValueSpinBox(spec)
        box.edited.connect(lambda value: self._commit("seed", value))
        box.refused.connect(self._refuse)
        button = QPushButton("Regenerate")
        button.setToolTip("Draw new points with the next seed (training restarts at step 0).")
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.clicked.connect(self.regenerate)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box, 1)
        layout.addWidget(button)
        self._add_row(form, spec.label, row, spec.tooltip, widget=box)
        self._controls["seed"] = box
        self.regenerate_button = button

    # ================================================================ public API
    def controls(self) -> dict[str, QWidget]:
        """Field name → control: every config field, ``"temperature"`` and ``"regenerate"``.

        Numeric fields are :class:`ValueSpinBox` (``commit_text``, ``stepBy``), choices
        are combo boxes whose item data are the field values, ``"regenerate"`` is a button.
        """
        return {**self._controls, "regenerate": self.regenerate_button}

    def figure_controls(self) -> list[QWidget]:
        """None: the panel's controls are what an export of it shows."""
        return []

    def shown_value(self, name: str) -> object:
        """The value control ``name`` shows (a config field or ``"temperature"``)."""
        control = self._controls[name]
        if isinstance(control, ValueSpinBox):
            return control.value()
        return control.currentData()

    def set_user_data(self, label: str | None) -> None:
        """Say that the points came from outside the configuration (e.g. a CSV file).

        The dataset box then shows a disabled entry ``label`` (e.g. ``"user data"``), and
        the fields that only describe generated data are disabled; choosing a data set,
        regenerating or any data change through the configuration clears it.
        """
        self._user_data = label
        data = self.session.data
        # the share the points were split with (as near as a per-class split gives it)
        self._user_fraction = round(float(data.is_test.mean()), 2) if data.n_points else 0.0
        self._show_config()

    @property
    def user_data(self) -> str | None:
        """The name shown for points from outside the configuration, or None."""
        return self._user_data

    def regenerate(self) -> None:
        """Draw new data with the next seed (the seed box shows it)."""
        seed = self.session.config.seed
        with self.session.actions.group("regenerate"):  # undone as "Regenerate Data"
            self._commit("seed", 0 if seed >= MAX_SEED else seed + 1)

    def is_row_visible(self, name: str) -> bool:
        """Whether the row of field ``name`` is shown (schedule parameters hide)."""
        form, field = self._row_of[self._controls[name]]
        return form.isRowVisible(field)

    # ================================================================ view -> model
    def _on_choice(self, name: str) -> None:
        value = self._controls[name].currentData()
        if name == "dataset" and value == USER_DATA:
            return
        if name == "dataset" and self._user_data and value == self.session.config.dataset:
            self._run(self._regenerate_from_config)
            return
        self._commit(name, value)

    def _regenerate_from_config(self) -> str:
        self.session.regenerate()
        self._user_data = None
        return "Data regenerated: training restarted at step 0"

    def _commit(self, name: str, value: object) -> None:
        """Send one field's new value to the session; never raises."""
        if name == "temperature":
            self._run(lambda: self._set_temperature(value))
        else:
            self._run(lambda: self._configure(name, value))

    def _set_temperature(self, T) -> str:
        lo, hi = ROWS["temperature"].lo, ROWS["temperature"].hi
        if not isinstance(T, int | float) or not lo <= T <= hi:
            raise ValueError(f"temperature must be a number in {lo:g}..{hi:g} (got {T})")
        self.session.set_temperature(T)
        return ""

    def _configure(self, name: str, value: object) -> str | Configured:
        config = self.session.config
        if name == "test_fraction" and self._user_data is not None:
            return self._split_user_data(value)
        # after point edits the data hold another count than asked: asking again redraws
        redraw = name == "samples" and value != self.session.data.n_points
        if getattr(config, name) == value and not (
            name in DATA_FIELDS and (self._user_data or redraw)
        ):
            return ""
        limit = ROWS[name].widget.limit
        if limit is not None and isinstance(value, float) and value > limit:
            raise ValueError(f"{name} must be at most {limit:g} (got {value:g})")
        changes = {name: value}
        if name == "dataset" and value == "cs231n":
            # the demo's W and b are weights of x1, x2: show them with identity features
            changes["features"] = "identity"
        new = config.replace(**changes)
        if new == config:  # a data field re-chosen over user data: draw it again
            return self._regenerate_from_config()
        note = self.session.configure(new)
        if name in DATA_FIELDS:
            self._user_data = None
        return note

    def _split_user_data(self, fraction: object) -> str:
        """Split the user's points (a CSV's) anew with ``fraction`` held out for testing."""
        row = ROWS["test_fraction"]
        if not isinstance(fraction, int | float) or not row.lo <= fraction <= row.hi:
            raise ValueError(f"test fraction must lie in {row.lo:g}..{row.hi:g} (got {fraction})")
        if fraction == self._user_fraction:
            return ""
        data = data_from_points(self.session.data, float(fraction), self.session.config.seed)
        self.session.set_data(data, refit=True)
        self._user_fraction = float(fraction)
        n = int(data.is_test.sum())
        return f"Test split changed: {n} of {data.n_points} points held out, training restarted"

    def _run(self, action) -> None:
        """Run a change; show its note, or revert the controls and show why it failed."""
        try:
            note = action()
        except ValueError as exc:  # ConfigError included: the session is unchanged
            self._show_all()
            self.message.emit(str(exc))
            return
        self._show_all()
        if isinstance(note, Configured):
            self.configured.emit(note)
        elif note:
            self.message.emit(note)

    def _refuse(self, text: str) -> None:
        self._show_all()
        self.message.emit(text)

    # ================================================================ model -> view
    def update_view(self, changes: Change) -> None:
        if changes & Change.SESSION:
            self._user_data = None
        if changes & CONFIG_CHANGES:
            self._show_config()
        if changes & DISPLAY_CHANGES:
            self._show_temperature()

    def _show_all(self) -> None:
        self._show_config()
        self._show_temperature()

    def _quiet(self):
        """Block every control's signals so showing a value never commits it."""
        return signals_blocked(*self._controls.values())

    def _show_config(self) -> None:
        config = self.session.config
        old = self._shown_config
        if old is not None and old.changed_fields(config) & DATA_FIELDS:
            self._user_data = None  # the data now come from the configuration again
        self._shown_config = config
        spec = DATASETS[config.dataset]
        user = self._user_data is not None
        with self._quiet():
            self._show_dataset(config.dataset)
            for name, control in self._controls.items():
                if name in ("dataset", "temperature"):
                    continue
                value = getattr(config, name)
                if name == "noise":
                    control.set_special_base(spec.default_noise)
                if isinstance(control, ValueSpinBox):
                    control.set_value(value)
                else:
                    control.setCurrentIndex(control.findData(value))
            self._show_values_in_use(config, spec, user)
        fixed_set = config.dataset == "cs231n"
        enabled = {
            "classes": spec.has_classes and not user,
            "samples": not (fixed_set or user),
            "noise": not (fixed_set or user),
            "test_fraction": not fixed_set,  # user points are split too
        }
        for row in _DEPENDENT:
            other, values = row.only_for
            on = getattr(config, other) in values
            if row.widget.hide:
                form, field = self._row_of[self._controls[row.name]]
                form.setRowVisible(field, on)
            else:
                enabled[row.name] = on
        for name, on in enabled.items():
            self._set_row_enabled(name, on)

    def _show_values_in_use(self, config, spec, user: bool) -> None:
        """Data fields show what the points shown have, not only what was asked: the
        count after edits, the 9-point set's 9 points and no test split, the classes of
        a fixed set or of user data, and no noise for user data."""
        data = self.session.data
        c = self._controls
        c["samples"].set_value(data.n_points)
        if user:
            c["classes"].set_value(data.n_classes)
            c["noise"].show_blank()
            c["test_fraction"].set_value(self._user_fraction)
        elif not spec.has_classes:
            c["classes"].set_value(spec.fixed_classes or config.classes)
        if config.dataset == "cs231n" and not user:
            c["test_fraction"].set_value(round(float(data.is_test.mean()), 2))

    def _show_dataset(self, name: str) -> None:
        combo = self._controls["dataset"]
        index = combo.findData(USER_DATA)
        if self._user_data is None:
            if index >= 0:
                combo.removeItem(index)
            combo.setCurrentIndex(combo.findData(name))
            return
        if index < 0:
            combo.addItem(self._user_data, USER_DATA)
            index = combo.count() - 1
            model = combo.model()
            if isinstance(model, QStandardItemModel):
                model.item(index).setEnabled(False)
        combo.setItemText(index, self._user_data)
        combo.setItemData(index, self._user_data, Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(index)

    def _set_row_enabled(self, name: str, on: bool) -> None:
        form, field = self._row_of[self._controls[name]]
        field.setEnabled(on)
        label = form.labelForField(field)
        if label is not None:
            label.setEnabled(on)

    def _show_temperature(self) -> None:
        control = self._controls["temperature"]
        with self._quiet():
            control.set_value(float(self.session.temperature))
