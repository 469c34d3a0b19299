"""Session snapshots for undo: restore puts every array back bit for bit, each kind of
action is recorded once with the snapshot from before it, and snapshots share what the
session never writes instead of copying it."""

import dataclasses
import gc
import hashlib

import numpy as np
import pytest

from explorer.core.datasets import make_dataset
from explorer.session import snapshots
from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.data import Data
from explorer.session.session import Session


def assert_same_state(a: dict, b: dict) -> None:
    """Two ``export_state`` dicts (data, config, live state, optimiser, generator,
    history, shown step, selection, temperature, reports) hold the same bits."""
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray), key
            assert (x.dtype, x.shape) == (y.dtype, y.shape), key
            assert np.array_equal(x.view(np.uint8), y.view(np.uint8)), key
        else:
            assert type(x) is type(y) and x == y, key


def busy_session(dtype=np.float32) -> Session:
    """Momentum on mini-batches (the generator matters), two training configurations in
    the history, shown in its middle with a sample selected and a temperature."""
    s = Session(Config(samples=90, optimizer="momentum", batch_size=16, lr=0.2), dtype=dtype)
    s.step(30)
    s.configure(s.config.replace(lr=0.05))
    s.step(40)
    s.seek(45)
    s.select(3)
    s.set_temperature(1.5)
    return s


def other_data() -> Data:
    X, y = make_dataset("moons", np.random.default_rng(5), samples=40)
    return Data(X, y, np.arange(40) % 5 == 0, ("left", "right"))


#: One call of each kind of session action, and the kind it is recorded as.
ACTIONS = {
    "add_point": ("add_point", lambda s: s.add_point([0.3, -0.2], 1)),
    "move_point": ("move_point", lambda s: s.move_point(5, [1.0, 1.0])),
    "delete_point": ("delete_point", lambda s: s.delete_point(2)),
    "set_params": ("set_params", lambda s: s.set_params(s.W * 2, s.b)),
    "lr": ("configure", lambda s: s.configure(s.config.replace(lr=0.4))),
    "optimizer": ("configure", lambda s: s.configure(s.config.replace(optimizer="adam"))),
    "dataset": ("configure", lambda s: s.configure(s.config.replace(dataset="moons"))),
    "features": ("configure", lambda s: s.configure(s.config.replace(features="rff"))),
    "reset": ("reset", lambda s: s.reset()),
    "regenerate": ("regenerate", lambda s: s.regenerate()),
    "set_data": ("set_data", lambda s: s.set_data(other_data(), refit=True)),
    "temperature": ("set_temperature", lambda s: s.set_temperature(3.0)),
}


def recording(session):
    actions = []
    session.actions.recorded.connect(actions.append)
    return actions


@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_is_recorded_once_and_restore_puts_back_before_and_after(name):
    kind, act = ACTIONS[name]
    s = busy_session()
    actions = recording(s)
    before = s.export_state()
    act(s)
    after = s.export_state()
    assert [a.kind for a in actions] == [kind]
    with pytest.raises(AssertionError):
        assert_same_state(before, after)  # the action changed something
    redo = s.snapshot()

    events = []
    s.changed.connect(events.append)
    s.restore(actions[0].before)
    assert len(events) == 1
    assert_same_state(before, s.export_state())
    assert s.step_index == 45 and s.selected == 3  # the shown step and the selection too

    s.restore(redo)
    assert_same_state(after, s.export_state())
    assert len(actions) == 1  # restoring is no action


@pytest.mark.parametrize("name", ["move_point", "lr", "features", "set_params"])
def test_training_after_an_undo_is_training_without_the_detour(name):
    _, act = ACTIONS[name]
    s, twin = busy_session(), busy_session()
    actions = recording(s)
    act(s)
    s.step(15)
    s.restore(actions[0].before)
    s.step(40)  # replays the history, then trains past its head
    twin.step(40)
    assert_same_state(twin.export_state(), s.export_state())


def test_undo_after_scrubbing_back_and_editing_brings_the_discarded_history_back():
    s = Session(Config(samples=90, optimizer="adam", batch_size=16))
    s.step(100)
    W100, b100 = s.W.copy(), s.b.copy()
    metrics = np.array(s.metrics.train_loss)
    actions = recording(s)
    s.seek(40)
    s.set_params(s.W + 0.5, s.b)
    assert s.head == 40
    s.restore(actions[0].before)
    assert (s.head, s.step_index) == (100, 40)
    np.testing.assert_array_equal(s.metrics.train_loss, metrics)
    s.seek(100)
    assert np.array_equal(s.W, W100) and np.array_equal(s.b, b100)


def test_a_divergence_report_comes_back_with_its_session():
    s = Session(Config(samples=60, lr=1e6))
    s.step(50)
    assert s.diverged is not None
    actions = recording(s)
    before = s.export_state()
    s.reset()
    assert s.diverged is None
    s.restore(actions[0].before)
    assert s.diverged is not None
    assert_same_state(before, s.export_state())


def test_restore_emits_what_changed():
    s = busy_session()
    actions = recording(s)
    events = []
    s.set_temperature(2.5)
    s.changed.connect(events.append)
    s.restore(actions[-1].before)
    assert events[-1] == Change.PARAMS | Change.HISTORY | Change.DISPLAY
    s.move_point(4, [0.0, 0.0])
    s.select(None)
    s.restore(actions[-1].before)
    assert events[-1] == Change.PARAMS | Change.HISTORY | Change.DATA | Change.SELECTION
    s.configure(s.config.replace(lr=0.7))
    s.restore(actions[-1].before)
    assert events[-1] == Change.PARAMS | Change.HISTORY | Change.CONFIG


def test_a_float64_snapshot_restores_into_a_float32_session():
    source = busy_session(np.float64)
    target = Session(Config(samples=30))
    target.restore(source.snapshot())
    assert target.dtype == np.float64
    assert_same_state(source.export_state(), target.export_state())
    source.step(30)
    target.step(30)
    assert_same_state(source.export_state(), target.export_state())


def test_the_trainer_is_rebuilt_bit_for_bit_when_it_is_gone():
    s = busy_session()
    before = s.export_state()
    snap = s.snapshot()
    s.move_point(1, [2.0, 2.0])
    s.numbers  # noqa: B018 - the views' read lets the old trainer's numbers go
    gc.collect()
    assert snap._setup() is None  # the snapshot does not keep the old trainer's buffers
    s.restore(snap)
    assert_same_state(before, s.export_state())
    again = dataclasses.replace(snap, _setup=lambda: None)
    s.step(20)
    features = s.train_probs().copy()
    s.restore(again)
    s.step(20)
    assert np.array_equal(s.train_probs(), features)


# ------------------------------------------------------------------------ recording
def test_without_a_listener_no_snapshot_is_taken(monkeypatch):
    taken = []
    real = snapshots.take
    monkeypatch.setattr(snapshots, "take", lambda *a: taken.append(1) or real(*a))
    s = busy_session()
    s.move_point(1, [0.5, 0.5])
    assert taken == []
    recording(s)
    s.move_point(1, [0.6, 0.5])
    assert taken == [1]


def test_refused_or_empty_edits_and_training_are_not_actions():
    s = busy_session()
    actions = recording(s)
    with pytest.raises(ValueError):
        s.move_point(10_000, [0.0, 0.0])
    with pytest.raises(ValueError):
        s.set_params(s.W[:1], s.b)
    s.configure(s.config)  # the same configuration: nothing happens
    s.step(5)
    s.seek(3)
    s.step_back()
    s.select(7)
    assert actions == []


def test_a_group_is_one_action_named_by_its_outermost_kind():
    s = busy_session()
    actions = recording(s)
    before = s.export_state()
    with s.actions.group("import_csv"):
        s.regenerate()
        s.step(5)
        s.move_point(0, [0.1, 0.1])
    assert [(a.kind, a.fields) for a in actions] == [("import_csv", frozenset())]
    s.restore(actions[0].before)
    assert_same_state(before, s.export_state())
    s.actions.begin("move_point")  # a drag: begun and ended by different calls
    for x in (0.2, 0.4, 0.6):
        s.move_point(2, [x, 0.0])
    s.actions.end()
    s.actions.end()  # one end too many does nothing
    assert [a.kind for a in actions] == ["import_csv", "move_point"]
    with s.actions.group("move_point"):
        s.select(4)  # a drag that only selected
    assert len(actions) == 2


def test_actions_name_what_they_change():
    s = busy_session()
    actions = recording(s)
    s.configure(s.config.replace(lr=0.3))
    s.configure(s.config.replace(lr=0.2, l2=0.01))
    s.set_params(s.W, s.b + 1)
    s.set_params(s.W + 1, s.b + 1)
    fields = [a.fields for a in actions]
    assert fields == [{"lr"}, {"lr", "l2"}, {"b"}, {"W", "b"}]


def test_the_context_rides_along_with_the_action():
    s = busy_session()
    actions = recording(s)
    state = {"name": "before"}
    s.actions.context = lambda: dict(state)
    with s.actions.group("import_csv"):
        state["name"] = "after"
        s.regenerate()
    assert actions[0].context == {"name": "before"}


# ------------------------------------------------------------------------ sharing
def _digest(snap) -> str:
    h = hashlib.sha256()
    arrays = [snap.data.X, snap.data.y, snap.data.is_test, *snap.metrics]
    for state in (*snap.checkpoints, snap.live):
        arrays += [state.W, state.b, state.rng, *state.opt.values()]
    for a in arrays:
        h.update(np.ascontiguousarray(a).view(np.uint8))
    return h.hexdigest()


def test_snapshots_share_the_history_checkpoints_and_nothing_writes_them():
    s = busy_session()
    snap = s.snapshot()
    assert all(a is b for a, b in zip(snap.checkpoints, s.history.checkpoints, strict=True))
    assert snap.data is s.data and snap.feature_map is s.feature_map
    digest = _digest(snap)
    s.step(100)  # training appends
    s.seek(10)
    s.step_back(3)  # replay out of the checkpoints
    s.seek(60)
    s.set_params(s.W + 1, s.b)  # truncates and overwrites the metrics at 60
    s.step(30)  # writes the metrics where the snapshot's steps were
    s.configure(s.config.replace(optimizer="adam"))
    s.step(10)
    s.move_point(0, [3.0, 3.0])
    s.restore(snap)
    s.step(40)
    assert _digest(snap) == digest


def test_metrics_pieces_are_shared_between_snapshots_until_history_is_rewritten(monkeypatch):
    monkeypatch.setattr(snapshots, "METRICS_CHUNK", 16)
    s = Session(Config(samples=60))
    s.step(100)
    first = s.snapshot()
    s.step(10)
    second = s.snapshot()
    assert len(first.metrics) == 7 and len(second.metrics) == 7
    assert all(a is b for a, b in zip(first.metrics[:6], second.metrics[:6], strict=True))
    assert first.metrics[6] is not second.metrics[6]  # it grew
    assert not any(piece.flags.writeable for piece in second.metrics)
    s.seek(50)
    s.configure(s.config.replace(lr=0.9))
    s.step(60)  # steps 51.. differ now
    third = s.snapshot()
    assert all(a is b for a, b in zip(second.metrics[:3], third.metrics[:3], strict=True))
    assert third.metrics[3] is not second.metrics[3]  # steps 48..63 hold new numbers
    total = {**first.pieces(), **second.pieces(), **third.pieces()}
    assert sum(total.values()) < first.nbytes + second.nbytes + third.nbytes
    s.restore(second)
    np.testing.assert_array_equal(
        s.metrics.train_loss, np.concatenate([p[0] for p in second.metrics])
    )
    assert s.head == 110
