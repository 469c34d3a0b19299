"""Session file versions: version 2 carries the loss settings, version 1 files still load.

``tests/data/session-v1.smx`` was written by the code of ``main`` before the losses of
issue 18 (format version 1, app 0.1.0), in a worktree of that commit::

    s = Session(Config(dataset="cs231n", optimizer="momentum", lr=0.05, l2=0.01, seed=3))
    s.step(30); s.configure(s.config.replace(lr=0.02)); s.step(10)
    s.seek(35); s.select(4); save_session(s, "session-v1.smx")

The file stores every array it needs (loading reads them bit for bit), so these tests
compare with the file's own arrays and never with numbers recomputed on this machine.
"""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from explorer.core import HINGE_LOSSES, LOSSES
from explorer.session import file_checks, file_consistency, persist
from explorer.session.config import Config
from explorer.session.persist import SessionFileError, load_session, read_state, save_session
from explorer.session.session import Session
from explorer.session.state_io import LOSS_FIELDS, STATE_VERSION

V1_FILE = Path(__file__).parent / "data" / "session-v1.smx"


def assert_same_state(a: dict, b: dict) -> None:
    """Two ``export_state`` dicts hold the same keys, types and bit-identical arrays."""
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray), key
            assert (x.dtype, x.shape) == (y.dtype, y.shape), key
            assert x.tobytes() == y.tobytes(), key
        else:
            assert type(x) is type(y) and x == y, key


def header_of(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("header.json"))


# ---------------------------------------------------------------- version 1
def test_the_fixture_is_a_version_1_file_without_loss_settings():
    header = header_of(V1_FILE)
    assert header["version"] == 1 and header["values"]["state_version"] == 1
    for text in (header["values"]["config"], header["values"]["history/configs"]):
        assert '"loss"' not in text and '"margin"' not in text and '"l1"' not in text


def test_a_version_1_file_loads_as_cross_entropy_with_its_own_arrays():
    raw = read_state(V1_FILE)
    s = load_session(V1_FILE)
    assert (s.config.loss, s.config.margin, s.config.l1) == ("cross_entropy", 1.0, 0.0)
    saved = json.loads(raw["config"])
    assert {k: getattr(s.config, k) for k in saved} == saved
    assert (s.config.dataset, s.config.optimizer, s.config.lr) == ("cs231n", "momentum", 0.02)
    assert (s.step_index, s.head, s.selected) == (35, 40, 4)
    np.testing.assert_array_equal(s.W, raw["live/W"])
    np.testing.assert_array_equal(s.b, raw["live/b"])
    metrics = raw["history/metrics"]
    np.testing.assert_array_equal(s.metrics.train_loss, metrics[0])
    np.testing.assert_array_equal(s.metrics.test_acc, metrics[3])
    for k, step in enumerate(raw["history/steps"]):  # each checkpoint, as stored
        s.seek(int(step))
        np.testing.assert_array_equal(s.W, raw["history/W"][k])
        np.testing.assert_array_equal(s.b, raw["history/b"][k])
        assert s.config.loss == "cross_entropy"
    assert [st.config.lr for st in s.history.checkpoints] == [0.05, 0.05, 0.02]


def test_a_version_1_file_saves_again_as_version_2(tmp_path):
    s = load_session(V1_FILE)
    out = save_session(s, tmp_path / "again.smx")
    header = header_of(out)
    assert header["version"] == persist.VERSION == 2
    assert header["values"]["state_version"] == STATE_VERSION == 2
    assert json.loads(header["values"]["config"])["loss"] == "cross_entropy"
    assert_same_state(s.export_state(), load_session(out).export_state())


def test_a_version_1_state_trains_on_and_can_take_a_new_loss():
    s = load_session(V1_FILE)
    s.configure(s.config.replace(loss="svm_ww"))
    assert s.head == 35 and s.step(5) == 5 and s.config.loss == "svm_ww"


def test_unknown_state_versions_are_refused():
    state = Session(Config(samples=40)).export_state()
    for version in (0, 3):
        with pytest.raises(ValueError):
            Session.from_state(dict(state, state_version=version))
    assert Session.from_state(dict(state, state_version=1)).config == Config(samples=40)


# ---------------------------------------------------------------- version 2
def trained(loss: str) -> Session:
    """Every loss setting away from its default, a change of loss in the history."""
    smoothing = 0.1 if loss not in HINGE_LOSSES else 0.0
    s = Session(
        Config(samples=80, loss=loss, margin=0.7, l1=0.003, l2=0.01, label_smoothing=smoothing)
    )
    s.step(12)
    other = "svm_ova" if loss != "svm_ova" else "squared_error"
    s.configure(s.config.replace(loss=other, label_smoothing=0.0, margin=1.3))
    s.step(9)
    s.seek(15)
    s.select(3)
    return s


@pytest.mark.parametrize("loss", LOSSES)
def test_version_2_round_trips_bit_for_bit_with_every_loss(tmp_path, loss):
    s = trained(loss)
    path = save_session(s, tmp_path / f"{loss}.smx")
    t = load_session(path)
    assert_same_state(s.export_state(), t.export_state())
    assert t.config == s.config and t.config.loss != loss
    for k in (0, 5, 12, 21):
        s.seek(k)
        t.seek(k)
        assert t.config == s.config
        np.testing.assert_array_equal(t.W, s.W)
    assert t.history.checkpoints[0].config.loss == loss
    assert t.history.checkpoints[0].config.margin == 0.7
    s.step(4)
    t.step(4)  # training on continues exactly
    np.testing.assert_array_equal(t.W, s.W)
    np.testing.assert_array_equal(t.metrics.train_loss, s.metrics.train_loss)


def test_a_file_from_a_newer_format_is_refused(tmp_path):
    path = save_session(Session(Config(samples=40)), tmp_path / "s.smx")
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    header = json.loads(members["header.json"])
    header["version"] = persist.VERSION + 1
    members["header.json"] = json.dumps(header).encode()
    newer = tmp_path / "newer.smx"
    with zipfile.ZipFile(newer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(SessionFileError, match="format version 3, this one reads up to 2"):
        load_session(newer)


# ---------------------------------------------------------------- the loading checks
def _without_loss_fields(state: dict) -> dict:
    state = dict(state)
    table = json.loads(state["config"])
    tables = json.loads(state["history/configs"])
    for t in (table, *tables):
        for name in LOSS_FIELDS:
            del t[name]
    state["config"], state["history/configs"] = json.dumps(table), json.dumps(tables)
    return state


def test_version_1_configurations_hold_no_loss_settings():
    state = dict(Session(Config(samples=40)).export_state(), state_version=1)
    with pytest.raises(ValueError, match=r"^config holds l1, loss, margin, unknown to its version"):
        file_checks.check_state(state)
    file_checks.check_state(_without_loss_fields(state))  # what a version-1 writer wrote


def test_version_2_configurations_name_the_loss_settings():
    state = _without_loss_fields(Session(Config(samples=40)).export_state())
    with pytest.raises(ValueError, match=r"^config lacks l1, loss, margin"):
        file_checks.check_state(state)


def test_stored_metrics_are_checked_under_the_loss_in_effect_at_each_step():
    state = trained("svm_ww").export_state()  # svm_ww to step 12, then svm_ova
    file_checks.check_state(state)
    file_consistency.check_session(Session.from_state(state), state)
    tables = json.loads(state["history/configs"])
    assert tables[0]["loss"] == "svm_ww"
    tables[0]["loss"] = "cross_entropy"  # a file claiming the first steps had another loss
    forged = dict(state, **{"history/configs": json.dumps(tables)})
    file_checks.check_state(forged)
    with pytest.raises(ValueError, match="the stored train loss at step 0"):
        file_consistency.check_session(Session.from_state(forged), forged)
