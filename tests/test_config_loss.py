"""The loss settings: Config's rows and rule, the command line, and the panel's controls."""

import numpy as np
import pytest
from PyQt6.QtWidgets import QComboBox, QFormLayout, QGroupBox

from explorer.app.options import build_session, config_changes, window_parser
from explorer.core import HINGE_LOSSES, LOSSES, PROBABILISTIC_LOSSES, cli_loss_name, loss_and_grads
from explorer.session.config import TRAINING_FIELDS, Config, ConfigError
from explorer.session.config_table import ROWS, loss_option
from explorer.session.session import Session
from explorer.views.config_panel import BOXES, ConfigPanel


# ---------------------------------------------------------------- Config
def test_defaults_are_todays_training():
    c = Config()
    assert (c.loss, c.margin, c.l1) == ("cross_entropy", 1.0, 0.0)
    assert {"loss", "margin", "l1"} <= TRAINING_FIELDS
    assert ROWS["loss"].choices == LOSSES


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"loss": "hinge"}, r"^loss must be one of cross_entropy, squared_error, svm_ww"),
        ({"loss": "svm-ww"}, r"^loss must be one of"),  # Config holds the Python names
        ({"margin": 0.0}, r"^margin must be a finite number in \(0, 1e\+06\]"),
        ({"margin": float("nan")}, r"^margin must be a finite number"),
        ({"l1": -0.1}, r"^l1 must be a finite number in \[0, 1e\+06\]"),
        ({"l1": float("inf")}, r"^l1 must be a finite number"),
    ],
)
def test_bad_values_are_refused_naming_the_field(changes, message):
    with pytest.raises(ConfigError, match=message):
        Config().replace(**changes)


@pytest.mark.parametrize("loss", HINGE_LOSSES)
def test_label_smoothing_with_a_hinge_loss_is_refused_either_way_round(loss):
    with pytest.raises(ConfigError, match=rf"^label_smoothing must be 0 with the {loss} loss"):
        Config(label_smoothing=0.1).replace(loss=loss)
    with pytest.raises(ConfigError, match="hard labels"):
        Config(loss=loss).replace(label_smoothing=0.1)
    assert Config(loss=loss, label_smoothing=0.0).loss == loss


@pytest.mark.parametrize("loss", PROBABILISTIC_LOSSES)
def test_label_smoothing_is_allowed_with_the_losses_of_p(loss):
    assert Config(loss=loss, label_smoothing=0.2).label_smoothing == 0.2


def test_loss_option_takes_either_spelling():
    for name in LOSSES:
        assert loss_option(name) == {"loss": name}
        assert loss_option(cli_loss_name(name).upper()) == {"loss": name}
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'; choose one of cross-entropy"):
        loss_option("hinge")


# ---------------------------------------------------------------- command line
def test_loss_margin_and_l1_reach_the_trainer():
    args = window_parser().parse_args(
        ["--loss", "svm-ww", "--margin", "2", "--l1", "0.01", "--samples", "60", "--lr", "0.5"]
    )
    assert {"loss": "svm_ww", "margin": 2.0, "l1": 0.01}.items() <= config_changes(args).items()
    s = build_session(args, "softmax-explorer")
    forward = s.timeline.forward()
    assert (forward.objective.loss, forward.objective.margin, forward.objective.l1) == (
        "svm_ww",
        2.0,
        0.01,
    )
    # One SGD step moves W by −lr · the float64 gradient of that very objective.
    W0, b0 = s.W.astype(np.float64), s.b.astype(np.float64)
    X = s.feature_map.transform(s.data.X[:, s.train_index], dtype=np.float64)
    y = s.data.y[s.train_index]
    _, dW, db = loss_and_grads(W0, b0, X, y, loss="svm_ww", margin=2.0, l1=0.01)
    s.step()
    np.testing.assert_allclose(s.W, W0 - 0.5 * dW, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s.b, b0 - 0.5 * db, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "argv, line",
    [
        (["--loss", "hinge"], "argument --loss: unknown loss 'hinge'; choose one of cross-entropy"),
        (["--margin", "x"], "argument --margin: invalid float value: 'x'"),
        (["--l1", "much"], "argument --l1: invalid float value: 'much'"),
    ],
)
def test_bad_option_texts_exit_2_with_one_line(capsys, argv, line):
    with pytest.raises(SystemExit) as exit_:
        window_parser().parse_args(argv)
    assert exit_.value.code == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert line in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--margin", "0"], "margin must be a finite number in (0, 1e+06] (got 0.0)"),
        (["--margin", "nan"], "margin must be a finite number"),
        (["--l1", "-1"], "l1 must be a finite number in [0, 1e+06] (got -1.0)"),
        (
            ["--label-smoothing", "0.1", "--loss", "svm-ww"],
            "label_smoothing must be 0 with the svm_ww loss",
        ),
    ],
)
def test_bad_values_exit_2_with_one_line(capsys, argv, message):
    args = window_parser().parse_args(argv)
    with pytest.raises(SystemExit) as exit_:
        build_session(args, "softmax-explorer")
    assert exit_.value.code == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert err.startswith("softmax-explorer: error: ") and message in err


# ---------------------------------------------------------------- panel
@pytest.fixture
def panel_on(qtbot):
    def make(**changes):
        session = Session(Config(samples=60, **changes))
        panel = ConfigPanel(session)
        qtbot.addWidget(panel)
        session.changed.connect(panel.refresh)
        messages = []
        panel.message.connect(messages.append)
        return session, panel, messages

    return make


def _rows_of_box(panel, title):
    for box in panel.findChildren(QGroupBox):
        if box.title() == title:
            form = box.layout()
            return [
                form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget().text()
                for r in range(form.rowCount())
            ]
    raise AssertionError(f"no box {title!r}")


def test_the_panel_has_a_loss_box_and_l1_beside_l2(panel_on):
    _, panel, _ = panel_on()
    assert _rows_of_box(panel, BOXES["loss"]) == ["Loss:", "Margin (Δ):"]
    regularisation = _rows_of_box(panel, BOXES["regularisation"])
    assert regularisation == ["L2 (λ):", "L1 (λ₁):", "Label smoothing:"]
    combo = panel.controls()["loss"]
    assert isinstance(combo, QComboBox)
    assert [combo.itemData(i) for i in range(combo.count())] == list(LOSSES)
    assert combo.itemText(0) == "cross-entropy"


@pytest.mark.parametrize("loss", LOSSES)
def test_margin_shows_for_the_hinge_losses_only_and_smoothing_for_the_others(panel_on, loss):
    _, panel, _ = panel_on(loss=loss)
    assert panel.is_row_visible("margin") == (loss in HINGE_LOSSES)
    assert panel.controls()["label_smoothing"].isEnabled() == (loss in PROBABILISTIC_LOSSES)


def test_choosing_a_loss_in_the_panel_configures_the_session(panel_on):
    session, panel, _ = panel_on()
    session.step(3)
    combo = panel.controls()["loss"]
    combo.setCurrentIndex(combo.findData("svm_ova"))
    assert session.config.loss == "svm_ova" and session.step_index == 3
    assert panel.is_row_visible("margin")
    panel.controls()["margin"].commit_text("0.5")
    panel.controls()["l1"].commit_text("0.001")
    assert (session.config.margin, session.config.l1) == (0.5, 0.001)


def test_the_panel_shows_why_a_hinge_loss_is_refused_with_label_smoothing(panel_on):
    session, panel, messages = panel_on(label_smoothing=0.1)
    before = session.config
    combo = panel.controls()["loss"]
    combo.setCurrentIndex(combo.findData("svm_ww"))
    assert session.config == before
    assert combo.currentData() == "cross_entropy"  # the refused choice reverts
    assert messages and messages[-1].startswith("label_smoothing must be 0 with the svm_ww loss")
