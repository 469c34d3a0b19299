"""Typed change events: one Change per user-level call, what each call says changed, and
the views' declared contract (what they listen to, message, flush, edit_mode)."""

import enum

import numpy as np
import pytest

from explorer.app.main_window import MainWindow
from explorer.session.changes import EVERYTHING, Change
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.base import SessionView

RESTART = Change.PARAMS | Change.HISTORY


def test_the_flag_has_the_eight_kinds():
    assert [m.name for m in Change] == [
        "PARAMS",
        "DATA",
        "CONFIG",
        "SELECTION",
        "HISTORY",
        "DISPLAY",
        "DIVERGED",
        "SESSION",
    ]
    assert all(m in EVERYTHING for m in Change)
    assert ~(Change.SELECTION | Change.DISPLAY) & Change.SESSION


def test_the_fast_operators_agree_with_enums_own():
    values = [Change(v) for v in range(2 ** len(Change))]
    for x in values:
        assert ~x == enum.Flag.__invert__(x)
        assert bool(x) == (x.value != 0)
        for y in values[::5]:
            assert x | y == enum.Flag.__or__(x, y) and x & y == enum.Flag.__and__(x, y)
            assert (y in x) == enum.Flag.__contains__(x, y)
    with pytest.raises(TypeError):
        Change.PARAMS | 1
    with pytest.raises(TypeError):
        assert "params" in Change.PARAMS  # a string is no Change


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda s: s.step(3), Change.PARAMS | Change.HISTORY),
        (lambda s: s.step_back(1), Change.PARAMS),
        (lambda s: s.seek(0), Change.PARAMS),
        (lambda s: s.reset(), RESTART),
        (lambda s: s.regenerate(), RESTART | Change.DATA | Change.SELECTION),
        (lambda s: s.configure(s.config.replace(lr=0.3)), Change.CONFIG | Change.HISTORY),
        (
            lambda s: s.configure(s.config.replace(features="poly")),
            RESTART | Change.CONFIG | Change.DATA,
        ),
        (
            lambda s: s.configure(s.config.replace(samples=70)),
            RESTART | Change.CONFIG | Change.DATA | Change.SELECTION,
        ),
        (lambda s: s.set_params(np.ones((3, 2)), np.zeros(3)), Change.PARAMS | Change.HISTORY),
        (lambda s: s.add_point([0.0, 0.0], 1), RESTART | Change.DATA | Change.SELECTION),
        (lambda s: s.move_point(0, [0.1, 0.2]), RESTART | Change.DATA | Change.SELECTION),
        (lambda s: s.delete_point(0), RESTART | Change.DATA | Change.SELECTION),
        (lambda s: s.select(2), Change.SELECTION),
        (lambda s: s.set_temperature(2.0), Change.DISPLAY),
    ],
)
def test_each_call_emits_once_with_what_it_changed(call, expected):
    s = Session(Config(samples=60, features="identity"))
    s.step(4)
    events = []
    s.changed.connect(events.append)
    call(s)
    assert events == [expected]
    assert all(isinstance(e, Change) for e in events)


def test_a_call_that_clears_a_divergence_says_so():
    s = Session(Config(samples=60, dataset="xor", lr=1e6))
    s.step(5)
    assert s.diverged
    events = []
    s.changed.connect(events.append)
    s.reset()
    assert events == [RESTART | Change.DIVERGED]


def test_the_same_configuration_emits_nothing():
    s = Session(Config(samples=60))
    events = []
    s.changed.connect(events.append)
    s.configure(s.config)
    assert events == []


@pytest.fixture
def window(qtbot):
    w = MainWindow(Session(Config(samples=80)))
    w.resize(1100, 750)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.file_actions.modified = False  # leave without the unsaved-changes question
    w.close()
    w.deleteLater()
    qtbot.wait(1)


def test_every_view_declares_the_contract_the_window_uses(window):
    for view in window.views.values():
        assert isinstance(view, SessionView)
        assert isinstance(view.LISTENS_TO, Change) and Change.SESSION in view.LISTENS_TO
        assert isinstance(view.REBUILD_ON, Change)
        assert callable(view.flush) and isinstance(view.edit_mode, bool)
        view.message.emit("hello from a view")
        assert window.statusBar().currentMessage() == "hello from a view"
    window.actions["edit_mode"].setChecked(True)
    assert window.regions.edit_mode and not window.regions.allows_context_menu()


def test_views_that_do_not_listen_are_skipped(window, monkeypatch):
    calls = {view_id: [] for view_id in window.views}
    for view_id, view in window.views.items():
        monkeypatch.setattr(view, "update_view", calls[view_id].append)
    window.session.select(3)
    heard = {view_id for view_id, got in calls.items() if got}
    expected = {
        view_id for view_id, view in window.views.items() if Change.SELECTION & view.LISTENS_TO
    }
    assert heard == expected
    assert "curves" not in heard and "parameters" not in heard and "config" not in heard
    assert {"regions", "bars", "jacobian", "inspector"} <= heard
    window.session.step(1)
    stepped = {v: got[-1] for v, got in calls.items() if v != "config"}
    assert set(stepped.values()) == {Change.PARAMS | Change.HISTORY}
