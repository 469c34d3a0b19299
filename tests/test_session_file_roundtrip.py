"""What the program writes, it reads: sessions made by any sequence of window actions
(training, seeking, every kind of configuration change, edits of parameters and points,
imported data, divergence) save and load bit for bit, however strict the file checks."""

import numpy as np
import pytest
from fuzz_budget import Tally, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from smx_tools import named_points

from explorer.session import file_checks
from explorer.session.config import Config, ConfigError
from explorer.session.data import data_from_points
from explorer.session.persist import load_session, save_session
from explorer.session.session import Session

TRAINING = {
    "lr": st.sampled_from([0.01, 0.1, 0.5, 2.0]),
    "optimizer": st.sampled_from(["sgd", "momentum", "nesterov", "adam"]),
    "batch_size": st.sampled_from([0, 4, 16]),
    "schedule": st.sampled_from(["constant", "step", "cosine"]),
    "l2": st.sampled_from([0.0, 0.01]),
    "label_smoothing": st.sampled_from([0.0, 0.1]),
    "momentum": st.sampled_from([0.5, 0.9]),
}
FEATURES = {
    "features": st.sampled_from(["identity", "poly", "rff"]),
    "degree": st.integers(1, 4),
    "rff_dim": st.integers(2, 16),
    "rff_gamma": st.sampled_from([0.5, 1.0, 3.0]),
}
DATA = {
    "dataset": st.sampled_from(["blobs", "moons", "spiral", "xor", "cs231n"]),
    "classes": st.integers(2, 5),
    "samples": st.integers(20, 60),
    "seed": st.integers(0, 9),
}


@st.composite
def actions(draw):
    kind = draw(
        st.sampled_from(
            [
                *("step", "step", "seek", "back", "training", "features", "data", "params"),
                *("add", "move", "delete", "import", "reset", "select", "temperature", "diverge"),
            ]
        )
    )
    if kind in ("training", "features", "data"):
        fields = {"training": TRAINING, "features": FEATURES, "data": DATA}[kind]
        name = draw(st.sampled_from(sorted(fields)))
        return kind, {name: draw(fields[name])}
    return kind, draw(st.integers(0, 2**31))


def apply(s: Session, kind: str, arg) -> None:
    rng = np.random.default_rng(arg if isinstance(arg, int) else 0)
    if kind == "step":
        s.step(int(rng.integers(1, 60)))
    elif kind == "seek":
        s.seek(int(rng.integers(0, s.head + 1)))
    elif kind == "back":
        s.step_back(int(rng.integers(1, 30)))
    elif kind in ("training", "features", "data"):
        s.configure(s.config.replace(**arg))
    elif kind == "params":
        s.set_params(s.W * rng.uniform(0.5, 2.0), s.b + rng.normal(0, 0.1, s.b.shape))
    elif kind == "add":
        s.add_point(rng.normal(0, 2, 2), int(rng.integers(0, s.n_classes)), bool(arg % 2))
    elif kind == "move":
        s.move_point(int(rng.integers(0, s.data.n_points)), rng.normal(0, 2, 2))
    elif kind == "delete":
        s.delete_point(int(rng.integers(0, s.data.n_points)))
    elif kind == "import":
        s.set_data(data_from_points(named_points(arg % 7), 0.25, arg % 5), refit=bool(arg % 2))
    elif kind == "reset":
        s.reset()
    elif kind == "select":
        s.select(None if arg % 5 == 0 else int(rng.integers(0, s.data.n_points)))
    elif kind == "temperature":
        s.set_temperature(float(rng.choice([0.001, 0.5, 1.0, 4.0, 1000.0])))
    elif kind == "diverge":
        s.configure(s.config.replace(lr=1e6, optimizer="sgd"))
        s.step(5)


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key, x in a.items():
        y = b[key]
        if isinstance(x, np.ndarray):
            assert (x.dtype, x.shape) == (y.dtype, y.shape), key
            assert x.tobytes() == y.tobytes(), key
        else:
            assert type(x) is type(y) and x == y, key


def sessions_by_actions_round_trip(tmp_path, n: int, large: bool = False) -> None:
    tally = Tally()

    @fuzz_settings(n, large)
    @given(
        dtype=st.sampled_from([np.float32, np.float64]),
        steps=st.lists(actions(), min_size=1, max_size=8),
    )
    def run(dtype, steps):
        s = Session(Config(samples=40), dtype=dtype)
        for kind, arg in steps:
            try:
                apply(s, kind, arg)
            except (ValueError, ConfigError):
                tally["actions refused"] += 1  # the window refuses it too: nothing changes
            tally["actions"] += 1
        before = s.export_state()
        path = save_session(s, tmp_path / "any.smx")
        t = load_session(path)
        assert_same(before, t.export_state())
        t.step()
        t.step_back()
        tally["sessions"] += 1

    run()
    tally.report("sessions by actions")


def test_sessions_made_by_any_actions_save_and_load(tmp_path):
    sessions_by_actions_round_trip(tmp_path, 25)


@pytest.mark.fuzz
def test_sessions_made_by_any_actions_save_and_load_large(tmp_path):
    sessions_by_actions_round_trip(tmp_path, 25, large=True)


def test_a_thinned_history_saves_and_loads(tmp_path, monkeypatch):
    # The stride doubles when regular checkpoints outgrow their budget: shrink the
    # budget (in the session and in the check) so that it happens in a few steps.
    budget = 40_000
    monkeypatch.setattr(file_checks, "CHECKPOINT_BUDGET", budget)
    s = Session(Config(samples=40, optimizer="adam", batch_size=8))
    s.history.budget = budget
    s.step(1500)
    assert s.history.stride > 25
    s.seek(1001)
    t = load_session(save_session(s, tmp_path / "thin.smx"))
    assert_same(s.export_state(), t.export_state())
