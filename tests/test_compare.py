"""Compare mode, session side: run B trains in lock step with run A, differing only in
the compared settings, and both runs save and load bit for bit.

The reference for B is always an independent session: ``Session(A's configuration with
the overrides)`` driven by the same commands directly (the same steps, the same edits at
the same steps). Its fresh start is A's (the same seed draws the same ``W``, ``b`` and
batch generator), so B must equal it bit for bit."""

import numpy as np
import pytest
from fuzz_budget import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from explorer.session.changes import Change
from explorer.session.compare import CompareError, Comparison, parse_spec, spec_text
from explorer.session.compare_io import load_comparison, save_comparison
from explorer.session.persist import SessionFileError, load_session, save_session, write_state
from explorer.session.session import Session

SPECS = ["loss=squared_error", "optimizer=adam,lr=0.01", "batch_size=16", "loss=svm-ww,l2=0.01"]


def _same(s, t) -> None:
    """``s`` and ``t`` show the same step with the same bits."""
    assert s.step_index == t.step_index
    assert np.array_equal(s.W, t.W) and np.array_equal(s.b, t.b)
    k = s.step_index
    assert s.metrics.train_loss[k] == t.metrics.train_loss[k]


def _state_equal(x: dict, y: dict) -> None:
    assert x.keys() == y.keys()
    for key in x:
        if isinstance(x[key], np.ndarray):
            assert x[key].dtype == y[key].dtype and np.array_equal(x[key], y[key]), key
        else:
            assert x[key] == y[key], key


@pytest.mark.parametrize("spec", SPECS)
def test_b_steps_steps_back_and_seeks_like_its_own_session(spec):
    overrides = parse_spec(spec)
    a = Session()
    c = Comparison(a, overrides)
    ref = Session(a.config.replace(**overrides))
    _same(c.b, ref)
    assert c.b.config == ref.config and c.b.config.changed_fields(a.config) == set(overrides)
    trained = {}
    for _ in range(3):
        c.step(7)
        ref.step(7)
        _same(c.b, ref)
        trained[ref.step_index] = (ref.W.copy(), ref.b.copy())
    assert c.step_back(5) == 5 and c.b.step_index == 16
    c.seek(7)
    assert np.array_equal(c.b.W, trained[7][0]) and np.array_equal(c.b.b, trained[7][1])
    c.seek(21)
    assert np.array_equal(c.b.W, trained[21][0])
    assert not np.array_equal(a.W, c.b.W)  # they really differ


def test_a_moved_directly_is_followed_on_sync():
    a = Session()
    c = Comparison(a, {"lr": 0.5})
    a.step(12)
    assert c.sync() == Change.PARAMS | Change.HISTORY and c.b.step_index == 12
    a.seek(3)
    c.sync()
    ref = Session(a.config.replace(lr=0.5))
    ref.step(3)
    _same(c.b, ref)
    assert c.sync() == Change(0)  # nothing to do: B emits nothing


@st.composite
def commands(draw):
    kind = draw(st.sampled_from(["step", "step", "back", "seek", "lr", "loss", "l2", "params"]))
    return kind, draw(st.integers(0, 40))


def _run(s, kind, n, overridden):
    if kind == "step":
        s.step(n + 1)
    elif kind == "back":
        s.step_back(n)
    elif kind == "seek":
        s.seek(n)
    elif kind == "lr":
        s.configure(s.config.replace(lr=(0.05, 0.2, 1.0)[n % 3]))
    elif kind == "l2":
        s.configure(s.config.replace(l2=(0.0, 0.01)[n % 2]))
    elif kind == "loss" and "loss" not in overridden:
        s.configure(s.config.replace(loss=("cross_entropy", "svm_ova")[n % 2]))
    elif kind == "params":
        rng = np.random.default_rng(n)
        s.set_params(s.W + 0.1 * rng.standard_normal(s.W.shape), s.b)


@fuzz_settings(25)
@given(st.sampled_from(SPECS), st.lists(commands(), max_size=10))
def test_b_follows_every_edit_of_a_like_its_own_session(spec, script):
    overrides = parse_spec(spec)
    a = Session()
    c = Comparison(a, overrides)
    ref = Session(a.config.replace(**overrides))
    for kind, n in script:
        if kind == "params":  # the same new parameters for both: A's edit
            rng = np.random.default_rng(n)
            W = a.W + 0.1 * rng.standard_normal(a.W.shape)
            a.set_params(W, a.b)
            c.sync()
            ref.set_params(W, a.b)
        else:
            _run(a, kind, n, ())
            c.sync()
            _run(ref, kind, n, overrides)  # B's own overrides are never replaced
        _same(c.b, ref)
        assert c.b.config.changed_fields(a.config) <= set(overrides)


def test_restart_reset_and_a_bad_start_at_step_0_remake_b_from_a():
    a = Session()
    c = Comparison(a, {"loss": "squared_error"})
    c.step(30)
    a.reset()
    assert c.sync() == Change.SESSION and c.b.head == 0  # a new run B
    W = np.full(a.W.shape, 0.0, dtype=np.float32)
    W[0] = 4.0
    a.set_params(W, a.b)  # at step 0: a new step 0
    c.sync()
    assert np.array_equal(c.b.W, W) and c.b.config.loss == "squared_error"
    a.configure(a.config.replace(dataset="moons"))  # new data: B trains on them
    c.sync()
    assert c.b.data.X is not a.data.X and np.array_equal(c.b.data.X, a.data.X)
    assert np.array_equal(c.b.W, a.W) and c.b.config.dataset == "moons"


def test_an_undo_of_an_edit_is_followed():
    a = Session()
    c = Comparison(a, {"loss": "squared_error"})
    c.step(10)
    before = a.snapshot()
    a.configure(a.config.replace(lr=1.0))
    c.step(10)
    assert c.b.config.lr == 1.0
    a.restore(before)
    c.sync()
    ref = Session(a.config.replace(loss="squared_error"))
    ref.step(10)
    _same(c.b, ref)
    assert c.b.config.lr == 0.1 and c.b.head == 10


def test_selection_and_temperature_are_as_in_a():
    a = Session()
    c = Comparison(a, {"l2": 0.1})
    a.select(5)
    a.set_temperature(2.0)
    c.sync()
    assert c.b.selected == 5 and c.b.temperature == 2.0


def test_b_diverging_stops_b_only():
    a = Session()
    c = Comparison(a, {"lr": 1e6})
    c.step(40)
    assert a.step_index == 40 and a.diverged is None
    assert c.b.diverged is not None and c.b.step_index < 40


def test_both_runs_save_and_load_bit_for_bit(tmp_path):
    a = Session()
    c = Comparison(a, parse_spec("optimizer=adam,lr=0.01"))
    c.step(30)
    a.configure(a.config.replace(l2=0.01))
    c.step(20)
    c.seek(37)
    a.select(3)
    c.sync()
    path = tmp_path / "pair.smx"
    save_comparison(c, path)
    back = load_comparison(path)
    _state_equal(back.a.export_state(), a.export_state())
    _state_equal(back.b.export_state(), c.b.export_state())
    assert back.overrides == {"optimizer": "adam", "lr": 0.01}
    # A comparison file is run A's session file: the plain loader reads run A.
    _state_equal(load_session(path).export_state(), a.export_state())
    # The loaded pair goes on as the original does.
    c.step(5)
    back.step(5)
    _same(back.b, c.b)
    _same(back.a, a)


def test_comparison_files_refuse_what_is_not_a_comparison(tmp_path):
    a = Session()
    single = tmp_path / "one.smx"
    save_session(a, single)
    with pytest.raises(SessionFileError, match="holds one run, not a comparison"):
        load_comparison(single)
    c = Comparison(a, {"loss": "squared_error"})
    c.step(3)
    from explorer.session.compare_io import pair_state

    state = pair_state(c)
    other = Session(a.config.replace(seed=4, loss="squared_error")).export_state()
    for key, value in other.items():  # run B of other data
        state["compare/b/" + key] = value
    bad = tmp_path / "bad.smx"
    write_state(bad, state)
    with pytest.raises(SessionFileError, match="not run A's comparison"):
        load_comparison(bad)
    state = pair_state(c)
    state["compare/overrides"] = '{"dataset": "moons"}'
    write_state(bad, state)
    with pytest.raises(SessionFileError, match="table of training settings"):
        load_comparison(bad)
    state = pair_state(c)
    del state["compare/b/live/W"]
    write_state(bad, state)
    with pytest.raises(SessionFileError):
        load_comparison(bad)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "needs FIELD=VALUE"),
        ("loss", "is not FIELD=VALUE"),
        ("=adam", "is not FIELD=VALUE"),
        ("loss=", "is not FIELD=VALUE"),
        ("dataset=moons", "dataset is a data setting"),
        ("features=poly3", "features is a features setting"),
        ("temperature=2", "unknown setting 'temperature'"),
        ("colour=red", "unknown setting 'colour'"),
        ("lr=-1", "lr must be a finite number"),
        ("lr=nan", "lr must be a finite number"),
        ("lr=fast", "lr must be a number"),
        ("batch_size=1.5", "batch_size must be an integer"),
        ("optimizer=adamw", "optimizer must be one of"),
        ("loss=hinge", "unknown loss 'hinge'"),
        ("lr=0.1,lr=0.2", "lr is given twice"),
    ],
)
def test_bad_specs_are_refused_with_one_sentence(spec, message):
    with pytest.raises(CompareError, match=message):
        parse_spec(spec)


def test_specs_take_each_field_s_own_spellings():
    assert parse_spec(" Loss = svm-ww , batch-size=32 ") == {"loss": "svm_ww", "batch_size": 32}
    assert parse_spec("lr=1e-2,optimizer=ADAM") == {"lr": 0.01, "optimizer": "adam"}
    assert parse_spec(spec_text({"lr": 0.01, "loss": "svm_ww"})) == {"lr": 0.01, "loss": "svm_ww"}


def test_a_b_that_a_s_settings_forbid_is_refused():
    a = Session(Session().config.replace(label_smoothing=0.1))
    with pytest.raises(CompareError, match="label_smoothing must be 0"):
        Comparison(a, parse_spec("loss=svm_ww"))
    with pytest.raises(CompareError, match="at least one setting"):
        Comparison(a, {})
    with pytest.raises(CompareError, match="not a training setting"):
        Comparison(a, {"seed": 3})
