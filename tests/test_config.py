"""Configuration: defaults, normalisation, refusals with clear messages, JSON round trip."""

import math

import numpy as np
import pytest

from explorer.session.config import (
    DATA_FIELDS,
    FEATURE_FIELDS,
    FIELD_NAMES,
    TRAINING_FIELDS,
    Config,
    ConfigError,
)
from explorer.session.session import Session

BAD_VALUES = [
    ("dataset", "nope", "dataset must be one of"),
    ("dataset", 3, "dataset must be one of"),
    ("classes", 0, "classes must be an integer in 2..50"),
    ("classes", 1, "classes must be an integer in 2..50"),
    ("classes", 51, "classes must be an integer in 2..50"),
    ("classes", 3.0, "classes must be an integer"),
    ("classes", True, "classes must be an integer"),
    ("samples", 1, "samples must be an integer in 2..1000000"),
    ("samples", 1_000_001, "samples must be an integer in 2..1000000"),
    ("noise", -0.1, r"noise must be a finite number in \[0, 100\] or None \(got -0.1\)"),
    ("noise", 100.5, r"noise must be a finite number in \[0, 100\] or None \(got 100.5\)"),
    ("noise", 1e300, r"noise must be a finite number in \[0, 100\]"),
    ("noise", "big", "noise must be a finite number"),
    ("seed", -1, "seed must be an integer in 0..4294967295"),
    ("seed", 2**32, "seed must be an integer in 0..4294967295"),
    ("test_fraction", -0.1, r"test_fraction must be a finite number in \[0, 0.9\]"),
    ("test_fraction", 0.95, r"test_fraction must be a finite number in \[0, 0.9\]"),
    ("features", "cubic", "features must be one of identity, poly, rff"),
    ("degree", 0, "degree must be an integer in 1..6"),
    ("degree", 99, "degree must be an integer in 1..6"),
    ("rff_dim", 0, "rff_dim must be an integer in 1..2000"),
    ("rff_dim", 2001, "rff_dim must be an integer in 1..2000"),
    ("rff_gamma", 0.0, r"rff_gamma must be a finite number in \(0, 10000\] \(got 0.0\)"),
    ("rff_gamma", 1.5e4, r"rff_gamma must be a finite number in \(0, 10000\] \(got 15000.0\)"),
    ("optimizer", "lbfgs", "optimizer must be one of sgd, momentum, nesterov, adam"),
    ("momentum", 1.0, r"momentum must be a finite number in \[0, 1\)"),
    ("momentum", -0.5, r"momentum must be a finite number in \[0, 1\)"),
    ("beta1", 1.0, "beta1 must be"),
    ("beta2", -0.1, "beta2 must be"),
    ("lr", -1, r"lr must be a finite number in \(0, 1e\+06\] \(got -1\)"),
    ("lr", 0, "lr must be a finite number"),
    ("lr", 2e6, "lr must be a finite number"),
    ("schedule", "linear", "schedule must be one of constant, step, cosine"),
    ("step_every", 0, "step_every must be an integer in 1..10000000"),
    ("step_every", 10**7 + 1, "step_every must be an integer in 1..10000000"),
    ("step_gamma", 0.0, "step_gamma must be a finite number in"),
    ("step_gamma", 1.5, "step_gamma must be a finite number in"),
    ("cosine_period", 0, "cosine_period must be an integer in 1..10000000"),
    ("cosine_period", 10**12, "cosine_period must be an integer in 1..10000000"),
    ("batch_size", -1, "batch_size must be an integer in 0..1000000"),
    ("l2", -0.001, r"l2 must be a finite number in \[0, 1e\+06\] \(got -0.001\)"),
    ("l2", 2e6, r"l2 must be a finite number in \[0, 1e\+06\] \(got 2000000.0\)"),
    ("batch_size", 10**6 + 1, "batch_size must be an integer in 0..1000000"),
    ("lr", 1e300, r"lr must be a finite number in \(0, 1e\+06\]"),
    ("label_smoothing", 1.0, r"label_smoothing must be a finite number in \[0, 1\)"),
    ("label_smoothing", -0.1, "label_smoothing must be"),
]

FLOAT_FIELDS = [
    "noise",
    "test_fraction",
    "rff_gamma",
    "momentum",
    "beta1",
    "beta2",
    "lr",
    "step_gamma",
    "l2",
    "label_smoothing",
]


def test_defaults_match_the_contract():
    c = Config()
    assert (c.dataset, c.classes, c.samples, c.noise, c.seed) == ("rings", 3, 300, None, 0)
    assert (c.features, c.degree, c.optimizer, c.lr, c.batch_size) == ("poly", 2, "sgd", 0.1, 0)
    assert DATA_FIELDS | FEATURE_FIELDS | TRAINING_FIELDS == FIELD_NAMES
    assert not DATA_FIELDS & FEATURE_FIELDS
    assert {"lr", "optimizer", "batch_size", "l2", "label_smoothing"} <= TRAINING_FIELDS


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES)
def test_each_bad_value_is_refused_with_its_field_and_range(field, value, message):
    c = Config(lr=0.25)
    with pytest.raises(ConfigError, match=message):
        c.replace(**{field: value})
    assert c == Config(lr=0.25)


@pytest.mark.parametrize("field", FLOAT_FIELDS)
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_inf_are_refused_in_every_float_field(field, value):
    with pytest.raises(ConfigError, match=f"{field} must be a finite number"):
        Config().replace(**{field: value})


def test_samples_must_cover_the_classes_where_classes_count():
    with pytest.raises(ConfigError, match="samples must be >= classes"):
        Config(classes=10, samples=5)
    assert Config(dataset="moons", classes=10, samples=5).samples == 5


def test_unknown_field_is_refused():
    with pytest.raises(ConfigError, match="unknown setting"):
        Config().replace(learning_rate=0.1)


def test_values_are_normalised():
    c = Config(lr=1, noise=0, l2=0)
    assert isinstance(c.lr, float) and isinstance(c.noise, float) and isinstance(c.l2, float)
    assert Config(batch_size=0).batch_size == 0


def test_json_round_trip_and_bad_json():
    c = Config(dataset="spiral", classes=5, features="poly", degree=4, lr=0.03, noise=0.3)
    assert Config.from_json(c.to_json()) == c
    with pytest.raises(ConfigError, match="not valid JSON"):
        Config.from_json("{nope")
    with pytest.raises(ConfigError, match="lr must be"):
        Config.from_json('{"lr": -3}')


def test_changed_fields():
    a = Config()
    assert a.changed_fields(a.replace(lr=0.2, l2=0.01)) == {"lr", "l2"}


def test_refused_configure_leaves_session_unchanged():
    s = Session(Config(samples=60))
    s.step(3)
    before = (s.config, s.W.copy(), s.head, s.step_index)
    with pytest.raises(ConfigError):
        s.configure(s.config.replace(lr=math.nan))
    with pytest.raises(ConfigError):
        s.configure({"lr": 0.1})
    assert (s.config, s.head, s.step_index) == (before[0], before[2], before[3])
    assert np.array_equal(s.W, before[1])


def test_largest_allowed_values_are_accepted():
    c = Config(noise=100.0, rff_gamma=1e4, l2=1e6, lr=1e6, step_every=10**7, cosine_period=10**7)
    assert (c.noise, c.rff_gamma, c.l2, c.lr) == (100.0, 1e4, 1e6, 1e6)


@pytest.mark.parametrize(
    "changes",
    [
        {"noise": 100.0},
        {"noise": 100.0, "features": "poly", "degree": 6},
        {"noise": 100.0, "features": "rff", "rff_gamma": 1e4},
        {"l2": 1e6},
        {"l2": 1e6, "lr": 1e6, "optimizer": "adam"},
        {"optimizer": "adam", "beta1": 0.999999999, "beta2": 0.999999999},
        {"optimizer": "nesterov", "momentum": 0.99999999, "lr": 1e6},
        {"dataset": "spiral", "noise": 100.0, "lr": 1e6, "l2": 1e6, "features": "poly"},
    ],
)
def test_extreme_allowed_values_never_give_nan(changes):
    s = Session(Config(samples=80).replace(**changes))
    s.step(20)
    k = s.step_index
    assert np.isfinite(s.W).all() and np.isfinite(s.b).all()
    assert np.isfinite(s.train_probs()).all()
    assert np.isfinite(s.train_true_error()).all()
    assert math.isfinite(s.metrics.train_loss[k]) and math.isfinite(s.metrics.train_acc[k])
    detail = s.sample_detail(0)
    assert np.isfinite(detail.p).all()
    loss, dW, db = s.batch_grads()
    assert math.isfinite(loss) and np.isfinite(dW).all() and np.isfinite(db).all()
