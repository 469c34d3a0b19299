"""The session's parts on their own: point edits, building, the timeline, the numbers of
one parameter version, and the reports the session gives instead of words."""

import inspect
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.app.messages import configured_text, divergence_text, history_full_text
from explorer.core import loss_and_grads
from explorer.core.datasets import CS231N_B, CS231N_W, DATASETS
from explorer.session import build, edits, numbers, state_io
from explorer.session.config import Config
from explorer.session.data import Data, make_data
from explorer.session.reports import Configured, Divergence, HistoryFull
from explorer.session.session import Session


def small_data() -> Data:
    X = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 0.0, 1.0]])
    return Data(X, [0, 1, 0, 1], [False, False, False, True], ("a", "b"))


# ------------------------------------------------------------------------ edits
def test_edits_return_new_data_and_leave_the_old_untouched():
    d = small_data()
    before = (d.X.copy(), d.y.copy(), d.is_test.copy())
    added, sel = edits.add_point(d, [5.0, 6.0], 1, True, 2)
    assert added.n_points == 5 and sel == 2
    assert np.array_equal(added.X[:, 4], [5.0, 6.0]) and added.y[4] == 1 and added.is_test[4]
    moved, sel = edits.move_point(d, 1, [9.0, 9.0], 1)
    assert np.array_equal(moved.X[:, 1], [9.0, 9.0]) and sel == 1
    deleted, sel = edits.delete_point(d, 3, None)
    assert deleted.n_points == 3 and sel is None
    assert np.array_equal(d.X, before[0]) and np.array_equal(d.y, before[1])
    assert np.array_equal(d.is_test, before[2])


@given(st.integers(0, 5), st.one_of(st.none(), st.integers(0, 5)))
def test_delete_keeps_the_selection_on_its_sample(i, selected):
    X = np.arange(12.0).reshape(2, 6)
    d = Data(X, [0, 1, 0, 1, 0, 1], [False] * 6, ("a", "b"))
    edited, sel = edits.delete_point(d, i, selected)
    if selected is None or selected == i:
        assert sel is None
    else:
        assert np.array_equal(edited.X[:, sel], d.X[:, selected])


def test_edits_refuse_bad_input_with_the_reason():
    d = small_data()
    with pytest.raises(ValueError, match="label"):
        edits.add_point(d, [0, 0], 2, False, None)
    with pytest.raises(ValueError, match="finite"):
        edits.move_point(d, 0, [np.inf, 0], None)
    with pytest.raises(ValueError, match="no point 4"):
        edits.delete_point(d, 4, None)
    two = Data(np.zeros((2, 3)), [0, 1, 0], [False, False, True], ("a", "b"))
    with pytest.raises(ValueError, match="at least 2 training points"):
        edits.delete_point(two, 0, None)


# ------------------------------------------------------------------------ build
def test_the_cs231n_spec_carries_the_demo_start_and_no_test_split():
    spec = DATASETS["cs231n"]
    assert spec.initial_params[0] is CS231N_W and spec.initial_params[1] is CS231N_B
    assert not spec.held_out and all(s.held_out for n, s in DATASETS.items() if n != "cs231n")
    config = Config(dataset="cs231n", features="identity")
    setup = build.build_setup(config, np.float32)
    W, b, _ = build.initial_params(config, setup, np.float32)
    assert np.array_equal(W, CS231N_W) and np.array_equal(b, CS231N_B)
    poly = config.replace(features="poly", degree=2)
    W, _, _ = build.initial_params(poly, build.build_setup(poly, np.float32), np.float32)
    assert W.shape == (3, 5) and np.abs(W).max() < 0.1  # small random start


def test_build_setup_refuses_before_anything_is_made():
    one_train = Data(np.zeros((2, 3)), [0, 1, 0], [False, True, True], ("a", "b"))
    with pytest.raises(ValueError, match="at least 2 training points"):
        build.build_setup(Config(), np.float32, one_train)
    far = Data(np.array([[0.0, 1e39], [0.0, 0.0]]), [0, 1], [False, False], ("a", "b"))
    with pytest.raises(ValueError, match="too far out"):
        build.build_setup(Config(features="identity"), np.float32, far)


def test_float64_features_are_kept_only_below_the_limit(monkeypatch):
    setup = build.build_setup(Config(samples=50, features="poly"), np.float32)
    F = setup.train_features64()
    expected = setup.feature_map.transform(setup.data.X[:, setup.train_index], np.float64)
    assert np.array_equal(F, expected) and not F.flags.writeable
    assert setup.train_features64() is F
    monkeypatch.setattr(build, "F64_CACHE_LIMIT", 0)
    fresh = build.build_setup(Config(samples=50, features="poly"), np.float32)
    assert fresh.train_features64() is not fresh.train_features64()


# --------------------------------------------------------------------- timeline
def test_the_timeline_version_follows_parameters_and_configuration():
    s = Session(Config(samples=60))
    t = s.timeline
    v = t.version
    s.seek(0)  # already there
    assert t.version == v
    s.step(2)
    assert t.version != v
    v = t.version
    s.select(3)
    s.set_temperature(2.0)
    assert t.version == v
    s.configure(s.config.replace(l2=0.01))
    assert t.version != v


def test_live_state_is_a_copy_of_the_shown_step():
    s = Session(Config(samples=60, optimizer="adam", batch_size=8))
    s.step(3)
    live = s.timeline.live_state()
    assert live.step == 3 and live.config is s.config
    assert np.array_equal(live.W, s.W) and live.W is not s.W
    s.step(1)
    assert not np.array_equal(live.W, s.W)


# ---------------------------------------------------------------------- numbers
def test_numbers_are_replaced_whole_when_what_they_belong_to_changes():
    s = Session(Config(samples=60))
    first = s.numbers
    assert s.numbers is first and s.train_probs() is first.probs
    s.select(2)
    assert s.numbers is first  # the selection is not in the numbers
    s.step(1)
    after_step = s.numbers
    assert after_step is not first
    s.set_temperature(3.0)
    assert s.numbers is not after_step and s.numbers.temperature == 3.0
    hot = s.numbers
    s.configure(s.config.replace(label_smoothing=0.1))
    assert s.numbers is not hot


def test_one_float64_pass_serves_the_gradients_and_the_jacobian(monkeypatch):
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return loss_and_grads(*args, **kwargs)

    monkeypatch.setattr(numbers, "loss_and_grads", counted)
    s = Session(Config(samples=200, classes=4))
    s.step(3)
    s.mean_jacobian()
    s.batch_grads()
    s.mean_jacobian()
    assert len(calls) == 1
    s.step(1)
    s.batch_grads()
    s.mean_jacobian()
    assert len(calls) == 2


def test_the_float64_scratch_outlives_the_versions():
    scratch = numbers.Scratch64()
    a = scratch.get((3, 10))
    assert scratch.get((3, 10)) is a and a.dtype == np.float64
    assert scratch.get((4, 10)).shape == (4, 10)


# ---------------------------------------------------------------------- reports
def test_divergence_reports_the_failed_step_the_problem_and_the_settings():
    s = Session(Config(samples=60, dataset="xor"))
    s.step(4)
    s.configure(s.config.replace(lr=1e6))
    s.step(10)
    d = s.diverged
    assert isinstance(d, Divergence) and d.step == s.head + 1
    assert d.lr == 1e6 and d.l2 == 0.0 and d.implicated == ("lr",)
    assert d.problem.startswith(("loss became", "logits reached", "the parameters"))
    assert divergence_text(d) == (
        f"Training diverged at step {d.step} ({d.problem}); the last finite state is kept. "
        "To go on, step back to before the loss blew up (Backspace or the timeline) and lower "
        "the learning rate 1e+06 there, or lower it and press Reset (Ctrl+Shift+R)."
    )
    assert divergence_text(d, cli=True) == (
        f"Training diverged at step {d.step} ({d.problem}); the last finite state is kept. "
        "Lower --lr 1e+06 and run again."
    )


def test_divergence_words_both_settings_when_l2_is_implicated():
    d = Divergence(12, "loss became inf", 0.5, 4.0, ("lr", "l2"))
    assert divergence_text(d) == (
        "Training diverged at step 12 (loss became inf); the last finite state is kept. "
        "To go on, step back to before the loss blew up (Backspace or the timeline) and lower "
        "the learning rate 0.5 or the L2 4 there, or lower one and press Reset (Ctrl+Shift+R)."
    )
    assert divergence_text(d, cli=True).endswith("Lower --lr 0.5 or --l2 4 and run again.")


def test_history_full_and_configure_outcomes_are_worded_as_before():
    assert history_full_text(HistoryFull(1_000_000)) == (
        "History is full (1,000,000 steps): training stopped. "
        "Reset, or change a setting at an earlier step, to continue."
    )
    s = Session(Config(samples=60, features="identity"))
    assert s.configure(s.config) is Configured.NOTHING
    assert s.configure(s.config.replace(lr=0.3)) is Configured.TRAINING
    assert s.configure(s.config.replace(features="poly")) is Configured.FEATURES
    assert s.configure(s.config.replace(seed=4)) is Configured.DATA
    assert [configured_text(c) for c in Configured] == [
        "",
        "",
        "Features changed: training restarted. Ctrl+Z undoes it.",
        "Data changed: training restarted. Ctrl+Z undoes it.",
    ]


# --------------------------------------------------------------------- state_io
def _diverged_session() -> Session:
    s = Session(Config(samples=60, dataset="xor", l2=2.0))
    s.step(3)
    s.configure(s.config.replace(lr=1e6))
    s.step(5)
    assert s.diverged is not None
    return s


def test_reports_survive_a_round_trip():
    s = _diverged_session()
    state = s.export_state()
    assert Session.from_state(state).diverged == s.diverged
    state["notice"] = '{"steps": 1000000}'
    assert Session.from_state(state).notice == HistoryFull(1_000_000)


def test_the_english_reports_of_earlier_files_are_read_back():
    s = _diverged_session()
    state = s.export_state()
    d = s.diverged
    text = (  # what earlier versions wrote into the file
        f"Training diverged at step {d.step} ({d.problem}); the last finite state is kept. "
        f"Lower the learning rate {d.lr:g} or the L2 {d.l2:g} and press Step."
    )
    state["diverged"] = text
    state["notice"] = history_full_text(HistoryFull(1_000_000))
    r = Session.from_state(state)
    assert r.diverged == s.diverged
    assert r.notice == HistoryFull(1_000_000)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("diverged", "Something else happened"),
        ("diverged", '{"step": 3}'),
        ("diverged", '{"step": 3, "problem": "x", "lr": 1, "l2": 0, "implicated": ["seed"]}'),
        ("notice", '{"steps": -1}'),
        ("notice", "[1, 2]"),
    ],
)
def test_malformed_reports_are_refused(key, value):
    state = _diverged_session().export_state()
    state[key] = value
    with pytest.raises(ValueError):
        Session.from_state(state)


def test_state_io_uses_only_the_public_api_of_the_session():
    source = inspect.getsource(state_io)
    assert not re.search(r"\b(s|session|cls)\._", source)
    assert "_restored" not in source


def test_a_restored_session_equals_one_built_the_ordinary_way():
    s = Session(Config(samples=60), data=make_data(Config(samples=70, seed=5)))
    s.step(7)
    r = Session.from_state(s.export_state())
    assert np.array_equal(r.train_probs(), s.train_probs())
    assert np.array_equal(r.batch_grads()[1], s.batch_grads()[1])
