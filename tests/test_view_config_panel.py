"""The configuration panel: both directions, refusals, dependent controls, temperature."""

import math

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel

from explorer.app.messages import configured_text
from explorer.core.datasets import DATASETS
from explorer.session.config import Config
from explorer.session.config_table import CONFIG_TABLE, DISPLAY_TABLE
from explorer.session.data import make_data
from explorer.session.session import Session
from explorer.views.config_fields import (
    NUMBER_SPECS,
    ValueSpinBox,
    field_text,
    parse_number,
    stepped,
)
from explorer.views.config_panel import BOXES, USER_DATA, ConfigPanel

ADAM = {"optimizer": "adam"}

#: (field, a new value, the configuration that makes the field relevant)
EDITS = [
    ("dataset", "spiral", {}),
    ("classes", 4, {}),
    ("samples", 80, {}),
    ("noise", 0.3, {}),
    ("seed", 7, {}),
    ("test_fraction", 0.3, {}),
    ("features", "poly", {}),
    ("degree", 4, {"features": "poly"}),
    ("rff_dim", 20, {"features": "rff"}),
    ("rff_gamma", 0.5, {"features": "rff"}),
    ("optimizer", "adam", {}),
    ("momentum", 0.5, {"optimizer": "momentum"}),
    ("beta1", 0.8, ADAM),
    ("beta2", 0.99, ADAM),
    ("lr", 0.05, {}),
    ("schedule", "cosine", {}),
    ("step_every", 50, {"schedule": "step"}),
    ("step_gamma", 0.25, {"schedule": "step"}),
    ("cosine_period", 500, {"schedule": "cosine"}),
    ("batch_size", 16, {}),
    ("l2", 1e-3, {}),
    ("label_smoothing", 0.1, {}),
]

#: Texts no field accepts as given (not numbers, non-finite, far out of range, negative).
ABSURD = ["-1", "nan", "inf", "-inf", "1e300", "-1e300", "abc", "1e-400x", "0x10", "½"]


class ConfigureSpy:
    """Counts calls of ``session.configure`` (and still calls it)."""

    def __init__(self, session):
        self.calls = []
        original = session.configure

        def configure(config):
            self.calls.append(config)
            return original(config)

        session.configure = configure


@pytest.fixture
def make_panel(qtbot):
    """A panel on a small session, wired like the main window, with its messages."""

    def make(**changes):
        # blobs in the plane, as the tests were written for (the default is rings, poly2)
        config = {"samples": 60, "dataset": "blobs", "features": "identity", **changes}
        session = Session(Config(**config))
        panel = ConfigPanel(session)
        qtbot.addWidget(panel)
        session.changed.connect(panel.refresh)
        messages = []
        panel.message.connect(messages.append)
        # What the window says for a configuration change (explorer/app/messages.py).
        panel.configured.connect(
            lambda outcome: messages.extend(filter(None, [configured_text(outcome)]))
        )
        return session, panel, messages

    return make


def user_sets(panel, name, value):
    """What a user does to put ``value`` into control ``name``."""
    control = panel.controls()[name]
    if isinstance(control, ValueSpinBox):
        control.commit_text(field_text(value, control.spec))
    else:
        index = control.findData(value)
        assert index >= 0
        control.setCurrentIndex(index)


def state_of(session):
    return (session.config, session.step_index, session.head, session.W.copy(), session.b.copy())


def assert_same_state(session, before):
    config, step, head, W, b = before
    assert session.config == config
    assert (session.step_index, session.head) == (step, head)
    np.testing.assert_array_equal(session.W, W)
    np.testing.assert_array_equal(session.b, b)


# ---------------------------------------------------------------- both directions
@pytest.mark.parametrize(("name", "value", "base"), EDITS, ids=[e[0] for e in EDITS])
def test_control_changes_session(make_panel, name, value, base):
    session, panel, messages = make_panel(**base)
    spy = ConfigureSpy(session)
    assert getattr(session.config, name) != value
    assert panel.controls()[name].isEnabled()
    user_sets(panel, name, value)
    assert getattr(session.config, name) == value
    assert len(spy.calls) == 1
    assert panel.shown_value(name) == value
    assert not [m for m in messages if "must" in m]


@pytest.mark.parametrize(("name", "value", "base"), EDITS, ids=[e[0] for e in EDITS])
def test_session_change_shows_in_control(make_panel, name, value, base):
    session, panel, messages = make_panel(**base)
    spy = ConfigureSpy(session)
    session.configure(session.config.replace(**{name: value}))
    assert len(spy.calls) == 1  # showing the value did not configure it back
    assert panel.shown_value(name) == value
    assert messages == []


def test_every_control_shows_the_initial_config(make_panel):
    session, panel, _ = make_panel(optimizer="adam", features="rff", lr=0.003, batch_size=32)
    for name in Config.__dataclass_fields__:
        assert panel.shown_value(name) == getattr(session.config, name), name
    controls = panel.controls()
    assert controls["lr"].text() == "0.003"
    assert controls["batch_size"].text() == "32"
    assert panel.shown_value("temperature") == 1.0


def test_special_texts(make_panel):
    session, panel, _ = make_panel()
    controls = panel.controls()
    assert controls["batch_size"].text() == "full batch"
    assert controls["noise"].text() == f"default ({DATASETS['blobs'].default_noise:g})"
    user_sets(panel, "noise", 0.25)
    assert session.config.noise == 0.25
    controls["noise"].commit_text("default")
    assert session.config.noise is None
    user_sets(panel, "batch_size", 8)
    controls["batch_size"].commit_text("full")
    assert session.config.batch_size == 0


def test_typing_commits_once_on_enter_and_arrow_keys_apply(make_panel, qtbot):
    session, panel, _ = make_panel()
    spy = ConfigureSpy(session)
    box = panel.controls()["lr"]
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "0.05")
    assert spy.calls == []  # nothing while typing: not 0, not 0.0
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert [c.lr for c in spy.calls] == [0.05]
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert session.config.lr == 0.1
    qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert session.config.lr == 0.02
    assert box.text() == "0.02"
    assert len(spy.calls) == 4


def test_focus_loss_without_edit_configures_nothing(make_panel):
    session, panel, _ = make_panel(lr=0.123456789)
    spy = ConfigureSpy(session)
    for control in panel.controls().values():
        if isinstance(control, ValueSpinBox):
            control.editingFinished.emit()
    assert spy.calls == []
    assert session.config.lr == 0.123456789


def test_data_and_feature_changes_reset_training_changes_keep_the_step(make_panel):
    session, panel, messages = make_panel()
    session.step(5)
    user_sets(panel, "lr", 0.2)
    assert (session.step_index, session.config.lr) == (5, 0.2)
    user_sets(panel, "optimizer", "momentum")
    assert session.step_index == 5
    user_sets(panel, "samples", 90)
    assert session.step_index == 0
    assert messages[-1] == "Data changed: training restarted. Ctrl+Z undoes it."
    session.step(3)
    user_sets(panel, "features", "poly")
    assert session.step_index == 0
    assert messages[-1].startswith("Features changed")


def test_regenerate_uses_the_next_seed(make_panel, qtbot):
    session, panel, messages = make_panel(seed=4)
    X = session.data.X.copy()
    qtbot.mouseClick(panel.regenerate_button, Qt.MouseButton.LeftButton)
    assert session.config.seed == 5
    assert panel.shown_value("seed") == 5
    assert not np.array_equal(session.data.X, X)
    assert messages[-1].startswith("Data changed")


def test_seek_shows_the_config_of_that_step(make_panel):
    session, panel, _ = make_panel()
    session.step(3)
    user_sets(panel, "lr", 0.02)
    session.step(3)
    session.seek(1)
    assert panel.shown_value("lr") == 0.1


# ---------------------------------------------------------------- refusals
@pytest.mark.parametrize("text", [*ABSURD, "0", "1e7"])
def test_absurd_learning_rate_is_refused(make_panel, text):
    session, panel, messages = make_panel()
    session.step(2)
    before = state_of(session)
    panel.controls()["lr"].commit_text(text)
    assert_same_state(session, before)
    assert panel.controls()["lr"].text() == "0.1"
    assert len(messages) == 1 and messages[0]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("classes", "1"),
        ("classes", "1000"),
        ("classes", "2.5"),
        ("samples", "1"),
        ("seed", "-3"),
        ("seed", str(2**40)),
        ("test_fraction", "0.95"),
        ("beta2", "1"),
        ("momentum", "1.5"),
        ("batch_size", "-4"),
        ("rff_dim", "100000"),
        ("step_gamma", "0"),
        ("label_smoothing", "1"),
    ],
)
def test_out_of_range_values_are_refused(make_panel, name, text):
    base = {"optimizer": "adam"} if name == "beta2" else {}
    base = {"optimizer": "momentum"} if name == "momentum" else base
    session, panel, messages = make_panel(**base)
    before = state_of(session)
    shown = panel.controls()[name].text()
    panel.controls()[name].commit_text(text)
    assert_same_state(session, before)
    assert panel.controls()[name].text() == shown
    assert len(messages) == 1


def test_no_absurd_text_anywhere_raises_or_leaves_nan(make_panel):
    session, panel, messages = make_panel(optimizer="adam", features="rff", schedule="step")
    before = state_of(session)
    for name, control in panel.controls().items():
        if not isinstance(control, ValueSpinBox):
            continue
        for text in ABSURD:
            control.commit_text(text)
            assert control.text() == field_text(control.value(), control.spec) or (name == "noise")
    assert_same_state(session, before)
    assert session.temperature == 1.0
    assert len(messages) >= len(ABSURD) * 10
    for name in Config.__dataclass_fields__:
        value = getattr(session.config, name)
        assert not (isinstance(value, float) and math.isnan(value))


def test_refused_choice_reverts_the_combo(make_panel, monkeypatch):
    session, panel, messages = make_panel()

    def refuse(config):
        raise ValueError("no such luck")

    monkeypatch.setattr(session, "configure", refuse)
    user_sets(panel, "optimizer", "adam")
    assert panel.shown_value("optimizer") == "sgd"
    assert messages == ["no such luck"]


# ---------------------------------------------------------------- dependent controls
def test_dependent_controls_follow_the_choices(make_panel):
    session, panel, _ = make_panel()
    c = panel.controls()
    assert not c["degree"].isEnabled() and not c["rff_dim"].isEnabled()
    user_sets(panel, "features", "poly")
    assert c["degree"].isEnabled() and not c["rff_gamma"].isEnabled()
    user_sets(panel, "features", "rff")
    assert c["rff_dim"].isEnabled() and c["rff_gamma"].isEnabled() and not c["degree"].isEnabled()

    assert not any(c[n].isEnabled() for n in ("momentum", "beta1", "beta2"))
    for optimizer, on in [("momentum", {"momentum"}), ("nesterov", {"momentum"})]:
        user_sets(panel, "optimizer", optimizer)
        assert {n for n in ("momentum", "beta1", "beta2") if c[n].isEnabled()} == on
    user_sets(panel, "optimizer", "adam")
    assert {n for n in ("momentum", "beta1", "beta2") if c[n].isEnabled()} == {"beta1", "beta2"}

    rows = ("step_every", "step_gamma", "cosine_period")
    assert not any(panel.is_row_visible(n) for n in rows)
    user_sets(panel, "schedule", "step")
    assert [panel.is_row_visible(n) for n in rows] == [True, True, False]
    session.configure(session.config.replace(schedule="cosine"))
    assert [panel.is_row_visible(n) for n in rows] == [False, False, True]


def test_fixed_class_data_sets_disable_classes(make_panel):
    session, panel, _ = make_panel()
    c = panel.controls()
    user_sets(panel, "dataset", "moons")
    assert not c["classes"].isEnabled()
    assert c["classes"].value() == 2 == session.data.n_classes
    user_sets(panel, "dataset", "cs231n")
    assert not any(c[n].isEnabled() for n in ("classes", "samples", "noise", "test_fraction"))
    user_sets(panel, "dataset", "spiral")
    assert all(c[n].isEnabled() for n in ("classes", "samples", "noise", "test_fraction"))
    assert c["classes"].value() == session.config.classes


def test_user_data_entry(make_panel):
    session, panel, messages = make_panel()
    combo = panel.controls()["dataset"]
    n_items = combo.count()
    session.add_point([0.5, 0.5], 0)  # stand-in for the main window's CSV import
    panel.set_user_data("user data")
    assert combo.currentData() == USER_DATA and combo.currentText() == "user data"
    assert not combo.model().item(combo.currentIndex()).isEnabled()
    assert not panel.controls()["samples"].isEnabled()
    # choosing the configured data set again draws it afresh
    user_sets(panel, "dataset", "blobs")
    np.testing.assert_array_equal(session.data.X, make_data(session.config).X)
    assert combo.count() == n_items and combo.currentData() == "blobs"
    assert panel.controls()["samples"].isEnabled()
    assert messages[-1].startswith("Data regenerated")
    # a data change from outside (the main window's Regenerate) clears it too
    panel.set_user_data("user data")
    session.configure(session.config.replace(seed=3))
    assert combo.currentData() == "blobs" and combo.count() == n_items


# ---------------------------------------------------------------- temperature
def test_temperature_is_display_only(make_panel):
    session, panel, messages = make_panel()
    session.step(4)
    spy = ConfigureSpy(session)
    before = state_of(session)
    losses = session.metrics.train_loss.copy()
    user_sets(panel, "temperature", 2.0)
    assert session.temperature == 2.0
    assert_same_state(session, before)
    np.testing.assert_array_equal(session.metrics.train_loss, losses)
    assert spy.calls == [] and messages == []
    session.set_temperature(0.5)
    assert panel.shown_value("temperature") == 0.5
    panel.controls()["temperature"].stepBy(1)
    assert session.temperature == 1.0
    assert "does not affect training" in panel.controls()["temperature"].toolTip()


@pytest.mark.parametrize("text", [*ABSURD, "0", "0.01", "100"])
def test_absurd_temperature_is_refused(make_panel, text):
    session, panel, messages = make_panel()
    panel.controls()["temperature"].commit_text(text)
    assert session.temperature == 1.0
    assert panel.controls()["temperature"].text() == "1"
    assert len(messages) == 1


# ---------------------------------------------------------------- whole panel
def test_new_session_is_shown(make_panel, qtbot):
    _, panel, _ = make_panel()
    other = Session(Config(dataset="rings", samples=50, lr=0.02, optimizer="nesterov"))
    panel.set_session(other)
    assert panel.shown_value("dataset") == "rings"
    assert panel.shown_value("lr") == 0.02
    assert panel.controls()["momentum"].isEnabled()


def test_every_control_and_label_has_a_tooltip(make_panel):
    _, panel, _ = make_panel()
    assert set(panel.controls()) == set(Config.__dataclass_fields__) | {
        "temperature",
        "regenerate",
    }
    for name, control in panel.controls().items():
        assert control.toolTip().strip(), name
    for form in panel.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            assert isinstance(label, QLabel) and label.toolTip().strip()


def test_every_row_of_the_table_makes_its_control(make_panel):
    """Each row: its group box, in table order, its label, tooltip and kind of control."""
    _, panel, _ = make_panel()
    rows = (*CONFIG_TABLE, *DISPLAY_TABLE)
    controls = panel.controls()
    assert set(controls) == {row.name for row in rows} | {"regenerate"}
    shown = []  # (box title, label text, label tooltip) down the panel
    for box in panel.findChildren(QGroupBox):
        form = box.layout()
        for r in range(form.rowCount()):
            label = form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget()
            shown.append((box.title(), label.text(), label.toolTip()))
    expected = [(BOXES[row.widget.box], row.widget.label + ":", row.help) for row in rows]
    assert shown == expected
    for row in rows:
        control = controls[row.name]
        assert control.toolTip() == row.help, row.name
        if row.kind == "choice":
            assert isinstance(control, QComboBox)
            assert [control.itemData(i) for i in range(control.count())] == list(row.choices)
            for i, value in enumerate(row.choices):
                assert control.itemText(i) == row.widget.titles.get(value, value)
                tip = control.itemData(i, Qt.ItemDataRole.ToolTipRole)
                assert tip == row.widget.item_tips.get(value), (row.name, value)
        else:
            assert isinstance(control, ValueSpinBox) and control.spec == NUMBER_SPECS[row.name]
            assert control.spec.integer == (row.kind == "int")
            assert control.spec.label == row.widget.label


def test_dependent_rows_follow_only_for(make_panel):
    """A row with ``only_for`` is enabled (or, with ``hide``, shown) exactly when it holds."""
    choices = {row.name: row.choices for row in CONFIG_TABLE}
    for row in CONFIG_TABLE:
        if row.only_for is None:
            continue
        other, values = row.only_for
        for value in choices[other]:
            _, panel, _ = make_panel(**{other: value})
            on = value in values
            if row.widget.hide:
                assert panel.is_row_visible(row.name) == on, (row.name, value)
            else:
                assert panel.controls()[row.name].isEnabled() == on, (row.name, value)


def test_dataset_titles(make_panel):
    _, panel, _ = make_panel()
    combo: QComboBox = panel.controls()["dataset"]
    assert [combo.itemText(i) for i in range(combo.count())] == [s.title for s in DATASETS.values()]


def test_fits_a_narrow_dock(make_panel, qtbot):
    _, panel, _ = make_panel(optimizer="adam", schedule="step", features="poly")
    panel.resize(320, 800)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.scroll_area.widget().minimumSizeHint().width() <= 320
    assert panel.scroll_area.widget().width() <= panel.scroll_area.viewport().width()


# ---------------------------------------------------------------- field helpers
@pytest.mark.parametrize(
    ("name", "value", "up", "down"),
    [
        ("lr", 0.5, 1.0, 0.2),
        ("lr", 0.3, 0.5, 0.2),
        ("lr", 1e-6, 2e-6, 1e-6),
        ("lr", 1e6, 1e6, 5e5),
        ("l2", 0.0, 1e-5, 0.0),
        ("l2", 1e-5, 2e-5, 0.0),
        ("beta2", 0.999, 0.9999, 0.99),
        ("beta2", 0.95, 0.99, 0.9),
        ("batch_size", 0, 1, 0),
        ("batch_size", 3, 4, 2),
        ("batch_size", 1, 2, 0),
        ("samples", 300, 500, 200),
        ("momentum", 0.9, 0.95, 0.85),
        ("classes", 2, 3, 2),
        ("temperature", 0.05, 0.1, 0.05),
    ],
)
def test_steps_follow_the_field_scale(name, value, up, down):
    spec = NUMBER_SPECS[name]
    assert stepped(value, 1, spec) == pytest.approx(up)
    assert stepped(value, -1, spec) == pytest.approx(down)
    if spec.integer:
        assert isinstance(stepped(value, 1, spec), int)


def test_parse_and_format():
    lr, seed = NUMBER_SPECS["lr"], NUMBER_SPECS["seed"]
    assert parse_number(" 1e-3 ", lr) == 0.001
    assert parse_number("−2", lr) == -2.0  # the session refuses it, with its own message
    assert math.isnan(parse_number("nan", lr))
    assert parse_number(str(2**32 - 1), seed) == 2**32 - 1
    assert parse_number("1e3", seed) == 1000
    for text in ("2.5", "nan", "1e300", "x"):
        with pytest.raises(ValueError, match="Seed"):
            parse_number(text, seed)
    assert field_text(1e-6, lr) == "1e-6"
    assert field_text(1e6, lr) == "1000000"
    assert field_text(0.1 + 0.2, lr) == "0.3"
    assert parse_number(field_text(0.123456789, lr), lr) == 0.123456789
