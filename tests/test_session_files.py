"""Session files from the window: save → open is bit for bit, history and Step back work
after loading, every bad file is refused with its message while the shown session stays
exactly as it was, the unsaved-changes question on close, and New and Open without a
question (Edit → Undo brings the replaced session back)."""

import io
import json
import re
import zipfile

import numpy as np
import pytest
from PyQt6.QtWidgets import QApplication, QFileDialog, QMessageBox

from explorer.app.main_window import MainWindow
from explorer.core.csvdata import LabelledPoints
from explorer.session.config import Config
from explorer.session.data import data_from_points
from explorer.session.persist import VERSION, load_session, save_session
from explorer.session.session import Session

Button = QMessageBox.StandardButton


# ---------------------------------------------------------------------------- helpers
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


def rich_session() -> Session:
    """Named classes, a test split, polynomial features, mini-batches, three training
    configurations (SGD, a new learning rate, Adam) in its history, a selection and a
    temperature, shown in the middle of its history."""
    rng = np.random.default_rng(3)
    centres = np.array([[-2.0, 0.0], [2.0, 0.5], [0.0, 2.5]])
    y = np.repeat(np.arange(3), 30)
    X = (centres[y] + 0.6 * rng.standard_normal((90, 2))).T
    points = LabelledPoints(X, y, ("cat", "dog", "bird"))
    s = Session(Config(samples=90, features="poly", degree=2, batch_size=16, lr=0.3))
    s.set_data(data_from_points(points, 0.25, 7), refit=True)
    s.step(40)
    s.configure(s.config.replace(lr=0.05))
    s.step(35)
    s.configure(s.config.replace(optimizer="adam", lr=0.01))
    s.step(30)
    s.seek(60)
    s.select(4)
    s.set_temperature(2.0)
    return s


def _answer_with(monkeypatch, owner, name: str, value):
    """Make the static dialog ``owner.name`` return ``value``; returns its calls' args."""
    calls = []

    def answer(*args, **kwargs):
        calls.append(args)
        return value

    monkeypatch.setattr(owner, name, staticmethod(answer))
    return calls


def open_answer(monkeypatch, path):
    return _answer_with(
        monkeypatch, QFileDialog, "getOpenFileName", (str(path) if path else "", "")
    )


def save_answer(monkeypatch, path):
    return _answer_with(
        monkeypatch, QFileDialog, "getSaveFileName", (str(path) if path else "", "")
    )


def question_answer(monkeypatch, button):
    return _answer_with(monkeypatch, QMessageBox, "question", button)


def record_errors(monkeypatch, window):
    errors = []
    monkeypatch.setattr(window, "show_error", errors.append)
    return errors


@pytest.fixture
def make_window(qtbot):
    windows = []  # held until teardown, so the GC never deletes a window mid-paint

    def make(session=None):
        window = MainWindow(session or Session(Config(samples=80)))
        windows.append(window)
        window.resize(1100, 750)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        window.file_actions.modified = False  # leave without the unsaved-changes question
        window.close()
        window.deleteLater()
    qtbot.wait(1)


# ------------------------------------------------------------------ round trips
def test_save_load_is_bit_identical_including_history(tmp_path):
    s = rich_session()
    path = save_session(s, tmp_path / "rich.smx")
    t = load_session(path)
    assert_same_state(s.export_state(), t.export_state())
    assert t.data.class_names == ("cat", "dog", "bird")
    assert t.config == s.config
    assert (t.step_index, t.head, t.selected, t.temperature) == (60, 105, 4, 2.0)
    np.testing.assert_array_equal(t.data.X, s.data.X)
    np.testing.assert_array_equal(t.data.is_test, s.data.is_test)
    for name in ("train_loss", "train_acc", "test_loss", "test_acc"):
        assert getattr(t.metrics, name).tobytes() == getattr(s.metrics, name).tobytes()
    assert t.history.checkpoints[-1].config == s.history.checkpoints[-1].config


def test_after_loading_every_step_back_and_seek_matches_the_original(tmp_path):
    s = rich_session()
    t = load_session(save_session(s, tmp_path / "rich.smx"))
    for session in (s, t):
        session.step_back(1)
    assert (s.step_index, t.step_index) == (59, 59)
    assert s.W.tobytes() == t.W.tobytes() and s.b.tobytes() == t.b.tobytes()
    for k in (0, 1, 24, 25, 39, 40, 41, 75, 76, 99, 105):
        s.seek(k)
        t.seek(k)
        assert s.W.tobytes() == t.W.tobytes(), k
        assert s.b.tobytes() == t.b.tobytes(), k
        assert s.config == t.config, k


def test_training_on_after_loading_continues_exactly(tmp_path):
    s = rich_session()
    s.seek(s.head)
    t = load_session(save_session(s, tmp_path / "end.smx"))
    s.step(20)
    t.step(20)
    assert s.head == t.head == 125
    assert s.W.tobytes() == t.W.tobytes()  # same optimiser state and batch generator
    assert_same_state(s.export_state(), t.export_state())


def test_a_session_without_test_points_round_trips(tmp_path):
    s = Session(Config(samples=40, test_fraction=0.0))
    s.step(5)
    t = load_session(save_session(s, tmp_path / "t.smx"))
    assert_same_state(s.export_state(), t.export_state())


def test_save_then_open_through_the_window(make_window, monkeypatch, tmp_path):
    window = make_window(rich_session())
    original = window.session.export_state()
    path = tmp_path / "lecture"
    save_answer(monkeypatch, path)
    window.actions["save"].trigger()
    saved = tmp_path / "lecture.smx"  # the suffix is added
    assert saved.exists()
    assert not window.file_actions.modified
    assert window.windowTitle().startswith("lecture.smx —")

    window.session.step(30)  # change it, then throw the change away by opening the file
    window.file_actions.modified = False
    open_answer(monkeypatch, saved)
    window.actions["open"].trigger()
    assert_same_state(original, window.session.export_state())
    s = window.session
    assert all(view.session is s for view in window.views.values())
    assert window.timeline.maximum() == s.head == 105
    assert window.timeline.value() == s.step_index == 60
    assert "step 60" in window.status_metrics.text()

    reference = rich_session()
    window.actions["step_back"].trigger()  # steps/frame is 1 by default
    reference.step_back(window.player.steps_per_frame)
    assert s.step_index == reference.step_index
    assert s.W.tobytes() == reference.W.tobytes()
    window.timeline.setValue(30)
    reference.seek(30)
    assert s.W.tobytes() == reference.W.tobytes()
    assert window.file_actions.recent_files()[0] == str(saved.resolve())


# ------------------------------------------------------------------ bad files
def _good_file(tmp_path) -> bytes:
    s = Session(Config(samples=40, optimizer="momentum", features="identity"))
    s.step(30)
    return save_session(s, tmp_path / "good.smx").read_bytes()


def _members(data: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    return json.loads(members["header.json"]), members


def _rezip(header: dict, members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.json", json.dumps(header))
        for name, blob in members.items():
            if name != "header.json":
                zf.writestr(name, blob)
    return out.getvalue()


def _npy(array, allow_pickle=False) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def _load_array(members, name) -> np.ndarray:
    return np.lib.format.read_array(io.BytesIO(members[f"arrays/{name}.npy"]))


def _replace_array(data: bytes, name: str, array: np.ndarray, allow_pickle=False) -> bytes:
    header, members = _members(data)
    header["arrays"][name] = {"dtype": array.dtype.str, "shape": list(array.shape)}
    members[f"arrays/{name}.npy"] = _npy(array, allow_pickle)
    return _rezip(header, members)


def not_a_zip(data):
    return b"Softmax Explorer? no, just some text\n" * 20


def empty(data):
    return b""


def truncated_half(data):
    return data[: len(data) // 2]


def truncated_tail(data):
    return data[:-30]


def corrupt_member(data):
    # Flip bytes in the middle of the largest deflated member: its CRC no longer matches.
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = max(zf.infolist(), key=lambda i: i.compress_size)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size // 2
    blob = bytearray(data)
    for k in range(middle, middle + 8):
        blob[k] ^= 0xFF
    return bytes(blob)


def newer_version(data):
    header, members = _members(data)
    header["version"] = VERSION + 1
    return _rezip(header, members)


def foreign_format(data):
    header, members = _members(data)
    header["format"] = "someone-elses-format"
    return _rezip(header, members)


def header_not_json(data):
    _, members = _members(data)
    members["header.json"] = b"{this is not json"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    return out.getvalue()


def huge_declared_size(data):
    header, members = _members(data)
    header["arrays"]["history/W"]["shape"] = [10**6, 10**6, 3]
    return _rezip(header, members)


def huge_npy_header(data):
    # The JSON declaration is honest, the member's own .npy header claims 10^11 numbers.
    header, members = _members(data)
    spec = header["arrays"]["data/X"]
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": spec["dtype"], "fortran_order": False, "shape": (10**11,)}
    )
    members["arrays/data/X.npy"] = buf.getvalue() + b"\x00" * 64
    return _rezip(header, members)


def nan_weights(data):
    _, members = _members(data)
    W = _load_array(members, "live/W").copy()
    W[0, 0] = np.nan
    return _replace_array(data, "live/W", W)


def inf_history(data):
    _, members = _members(data)
    W = _load_array(members, "history/W").copy()
    W[-1, 1, 1] = np.inf
    return _replace_array(data, "history/W", W)


def nan_points(data):
    _, members = _members(data)
    X = _load_array(members, "data/X").copy()
    X[1, 5] = np.nan
    return _replace_array(data, "data/X", X)


def wrong_shape(data):
    _, members = _members(data)
    W = _load_array(members, "live/W")
    return _replace_array(data, "live/W", np.zeros((W.shape[0] + 1, W.shape[1]), W.dtype))


def wrong_labels(data):
    _, members = _members(data)
    y = _load_array(members, "data/y").copy()
    y[0] = 17
    return _replace_array(data, "data/y", y)


def missing_array(data):
    header, members = _members(data)
    del header["arrays"]["live/b"]
    del members["arrays/live/b.npy"]
    return _rezip(header, members)


def missing_member(data):
    header, members = _members(data)
    del members["arrays/history/W.npy"]
    return _rezip(header, members)


def missing_value(data):
    header, members = _members(data)
    del header["values"]["config"]
    return _rezip(header, members)


def bad_config(data):
    header, members = _members(data)
    header["values"]["config"] = json.dumps({"lr": -5.0})
    return _rezip(header, members)


def step_out_of_range(data):
    header, members = _members(data)
    header["values"]["step_index"] = 10**9
    return _rezip(header, members)


def pickle_array(data):
    # An object array is a pickle: loading it could run code, so it is never read.
    header, members = _members(data)
    header["arrays"]["live/W"] = {"dtype": "|O", "shape": [1]}
    members["arrays/live/W.npy"] = _npy(np.array([print], dtype=object), allow_pickle=True)
    return _rezip(header, members)


def pickle_disguised(data):
    # Declared as float64, but the member is a pickled object array.
    header, members = _members(data)
    spec = header["arrays"]["live/W"]
    members["arrays/live/W.npy"] = _npy(
        np.array([print] * int(np.prod(spec["shape"])), dtype=object).reshape(spec["shape"]),
        allow_pickle=True,
    )
    return _rezip(header, members)


def plain_pickle(data):
    import pickle

    return pickle.dumps({"W": np.zeros(3)})


def zero_generator(data):
    # It loaded, and the first Step never returned (numpy's choice looped for ever).
    return _replace_array(data, "live/rng", np.zeros(6, np.uint64))


def nested_config(data):
    header, members = _members(data)
    header["values"]["config"] = "[" * 100_000 + "]" * 100_000
    return _rezip(header, members)


def huge_step_count(data):
    header, members = _members(data)
    header["values"]["live/opt/steps"] = 2**70
    return _rezip(header, members)


def damaged_version_needed(data):
    blob = bytearray(data)
    start = 0
    while (start := blob.find(b"PK\x01\x02", start)) >= 0:
        blob[start + 6 : start + 8] = b"\xff\xff"
        start += 4
    return bytes(blob)


def tiny_temperature(data):
    header, members = _members(data)
    header["values"]["temperature"] = 1e-300
    return _rezip(header, members)


def tampered_head_loss(data):
    _, members = _members(data)
    metrics = _load_array(members, "history/metrics").copy()
    metrics[0, -1] = 123.0
    return _replace_array(data, "history/metrics", metrics)


def huge_declared_metrics(data):
    header, members = _members(data)
    header["arrays"]["history/metrics"]["shape"] = [4, 33_500_000]
    return _rezip(header, members)


BAD_FILES = [
    (not_a_zip, "not a Softmax Explorer session file"),
    (empty, "not a Softmax Explorer session file"),
    (plain_pickle, "not a Softmax Explorer session file"),
    (truncated_half, "not a Softmax Explorer session file|truncated or corrupt"),
    (truncated_tail, "not a Softmax Explorer session file|truncated or corrupt"),
    (corrupt_member, "truncated or corrupt"),
    (newer_version, "newer Softmax Explorer"),
    (foreign_format, "not a Softmax Explorer session file"),
    (header_not_json, "header is not valid JSON"),
    (huge_declared_size, "implausible size"),
    (huge_npy_header, "does not match its declaration"),
    (nan_weights, "live/W contains NaN"),
    (inf_history, "history/W contains NaN or infinity"),
    (nan_points, "data/X contains NaN"),
    (wrong_shape, r"live/W must have shape \(3, 2\)"),
    (wrong_labels, "labels must lie in"),
    (missing_array, "entry 'live/b' is missing"),
    (missing_member, "'history/W' is missing"),
    (missing_value, "entry 'config' is missing"),
    (bad_config, "lr must be a finite number"),
    (step_out_of_range, "step_index must be an integer"),
    (pickle_array, "forbidden type"),
    (pickle_disguised, "does not match its declaration"),
    (zero_generator, "live/rng is not a valid generator state"),
    (nested_config, "config is nested too deeply"),
    (huge_step_count, "live/opt/steps must be an integer"),
    (damaged_version_needed, "truncated or corrupt"),
    (tiny_temperature, "temperature must be a finite number in"),
    (tampered_head_loss, "stored train loss at step 30 is 123"),
    (huge_declared_metrics, "history/metrics.*(implausible size|must have 4 rows)"),
]


@pytest.mark.parametrize(("spoil", "message"), BAD_FILES, ids=[f.__name__ for f, _ in BAD_FILES])
def test_bad_file_is_refused_and_the_session_is_untouched(
    make_window, monkeypatch, tmp_path, spoil, message
):
    window = make_window()
    window.session.step(12)
    window.session.select(3)
    session = window.session
    before = session.export_state()
    title = window.windowTitle()
    path = tmp_path / "bad.smx"
    path.write_bytes(spoil(_good_file(tmp_path)))
    errors = record_errors(monkeypatch, window)
    open_answer(monkeypatch, path)

    window.actions["open"].trigger()  # no unsaved-changes question: Open can be undone

    assert len(errors) == 1
    assert errors[0].startswith("Could not open the session:")
    assert "bad.smx" in errors[0]
    assert re.search(message, errors[0]), errors[0]
    assert window.session is session
    assert all(view.session is session for view in window.views.values())
    assert_same_state(before, session.export_state())
    assert window.windowTitle() == title
    assert window.file_actions.modified  # still unsaved: the refused file replaced nothing
    assert window.file_actions.recent_files() == []
    window.actions["step"].trigger()  # and it still works
    assert session.step_index == 13


def test_a_good_file_after_the_bad_ones_opens(make_window, monkeypatch, tmp_path):
    data = _good_file(tmp_path)
    expected = load_session(tmp_path / "good.smx").export_state()
    window = make_window()
    errors = record_errors(monkeypatch, window)
    for spoil in (truncated_half, nan_weights):
        (tmp_path / "bad.smx").write_bytes(spoil(data))
        open_answer(monkeypatch, tmp_path / "bad.smx")
        window.actions["open"].trigger()
    assert len(errors) == 2
    open_answer(monkeypatch, tmp_path / "good.smx")
    window.actions["open"].trigger()
    assert len(errors) == 2
    assert_same_state(expected, window.session.export_state())


def test_cancelled_open_dialog_changes_nothing(make_window, monkeypatch):
    window = make_window()
    session = window.session
    calls = open_answer(monkeypatch, None)
    window.actions["open"].trigger()
    assert len(calls) == 1
    assert window.session is session


def test_failed_save_says_why_and_keeps_the_session_unsaved(make_window, monkeypatch, tmp_path):
    window = make_window()
    window.session.step(3)
    assert window.file_actions.modified
    errors = record_errors(monkeypatch, window)
    save_answer(monkeypatch, tmp_path / "no such folder" / "s.smx")
    window.actions["save"].trigger()
    assert len(errors) == 1 and "Could not save the session" in errors[0]
    assert window.file_actions.modified
    assert window.file_actions.path is None


# ------------------------------------------------------------ unsaved changes
def _modified(window):
    window.session.step(5)
    assert window.file_actions.modified
    assert window.windowTitle().startswith("Untitled *")
    return window.session


def test_new_replaces_an_unsaved_session_without_asking_and_undo_brings_it_back(make_window):
    window = make_window()
    session = _modified(window)
    before = session.export_state()
    window.actions["new"].trigger()  # QMessageBox.question would fail the test
    assert window.session is not session
    assert window.session.step_index == 0 and window.session.head == 0
    assert not window.file_actions.modified
    assert window.windowTitle().startswith("Untitled —")
    assert window.statusBar().currentMessage().endswith("Ctrl+Z undoes it.")
    window.session.step(1)  # the new session is watched: changes mark it unsaved again
    assert window.file_actions.modified
    assert window.actions["undo"].text() == "&Undo New Session"
    window.actions["undo"].trigger()
    assert_same_state(before, window.session.export_state())
    assert window.file_actions.modified
    assert window.windowTitle().startswith("Untitled *")


def test_new_without_changes_does_not_ask(make_window):
    window = make_window()
    session = window.session
    window.actions["new"].trigger()  # QMessageBox.question would fail the test
    assert window.session is not session


def test_open_replaces_an_unsaved_session_without_asking_and_undo_brings_it_back(
    make_window, monkeypatch, tmp_path
):
    path = save_session(rich_session(), tmp_path / "rich.smx")
    window = make_window()
    before = _modified(window).export_state()
    open_answer(monkeypatch, path)
    window.actions["open"].trigger()  # QMessageBox.question would fail the test
    assert_same_state(load_session(path).export_state(), window.session.export_state())
    assert not window.file_actions.modified
    assert window.file_actions.path == path
    assert window.actions["undo"].text() == "&Undo Open Session"
    window.actions["undo"].trigger()
    assert_same_state(before, window.session.export_state())
    assert window.file_actions.path is None and window.file_actions.modified
    assert window.windowTitle().startswith("Untitled *")
    window.actions["redo"].trigger()
    assert_same_state(load_session(path).export_state(), window.session.export_state())
    assert window.file_actions.path == path and not window.file_actions.modified
    assert window.windowTitle().startswith("rich.smx —")


def test_close_cancel_keeps_the_window_open(make_window, monkeypatch):
    window = make_window()
    session = _modified(window)
    asked = question_answer(monkeypatch, Button.Cancel)
    window.close()
    assert len(asked) == 1
    assert window.isVisible()
    assert window.session is session


def test_close_discard_closes(make_window, monkeypatch):
    window = make_window()
    _modified(window)
    question_answer(monkeypatch, Button.Discard)
    window.close()
    assert not window.isVisible()


def test_close_save_saves_then_closes(make_window, monkeypatch, tmp_path):
    window = make_window()
    session = _modified(window)
    before = session.export_state()
    question_answer(monkeypatch, Button.Save)
    save_answer(monkeypatch, tmp_path / "closing.smx")
    window.close()
    assert not window.isVisible()
    assert_same_state(before, load_session(tmp_path / "closing.smx").export_state())


def test_saved_session_needs_no_question_until_it_changes(make_window, monkeypatch, tmp_path):
    window = make_window()
    _modified(window)
    save_answer(monkeypatch, tmp_path / "s.smx")
    window.actions["save"].trigger()
    window.session.select(2)  # selection alone is not a change to the file
    assert not window.file_actions.modified
    window.close()  # no question
    assert not window.isVisible()
    QApplication.processEvents()


# ---------------------------------------------------------------------- CSV import
def test_import_csv_loads_the_points(make_window, monkeypatch, tmp_path):
    path = tmp_path / "three.csv"
    rows = ["x1,x2,label"]
    rng = np.random.default_rng(1)
    for k, name in enumerate(("red", "green", "blue", "grey")):
        for _ in range(10):
            x, y = rng.normal(3 * k, 0.4, size=2)
            rows.append(f"{x:.6f},{y:.6f},{name}")
    path.write_text("\n".join(rows) + "\n")
    window = make_window(Session(Config(samples=80, features="poly", degree=2)))
    window.session.step(10)
    errors = record_errors(monkeypatch, window)
    open_answer(monkeypatch, path)
    window.actions["import_csv"].trigger()
    s = window.session
    assert errors == []
    assert s.data.class_names == ("blue", "green", "grey", "red")  # sorted by name
    assert s.data.X.shape == (2, 40)
    assert (s.step_index, s.head) == (0, 0)
    assert s.W.shape[0] == 4
    # the feature map was fitted to the new points (polynomial features standardise x)
    fresh = Session(s.config, data=s.data)
    np.testing.assert_array_equal(s.feature_map.state()["mean"], fresh.feature_map.state()["mean"])
    np.testing.assert_array_equal(
        s.feature_map.transform(s.data.X), fresh.feature_map.transform(s.data.X)
    )
    combo = window.views["config"].controls()["dataset"]
    assert combo.currentText() == "user data (three.csv)"
    assert "three.csv" in window.statusBar().currentMessage()
    assert window.edit_class.count() == 4


@pytest.mark.parametrize(
    "text",
    ["x1,x2,label\n1,2,a\n", "x1,x2,label\n1,nan,a\n3,4,b\n", "not,a\ncsv", "", "1,2,a\n1,2,a\n"],
)
def test_import_of_a_bad_csv_shows_the_error_and_changes_nothing(
    make_window, monkeypatch, tmp_path, text
):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    window = make_window()
    window.session.step(4)
    session = window.session
    before = session.export_state()
    errors = record_errors(monkeypatch, window)
    open_answer(monkeypatch, path)
    window.actions["import_csv"].trigger()  # no unsaved-changes question: nothing is replaced
    assert len(errors) == 1 and errors[0].startswith(f"Could not import {path}")
    assert window.session is session
    assert_same_state(before, session.export_state())
