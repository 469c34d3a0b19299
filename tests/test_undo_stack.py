"""The undo history's rules: push clears redo, undo keeps what it took away for redo, at
most 50 entries and a byte budget (shared pieces counted once), the oldest dropped
first, the newest always kept. Plain Python: no Qt."""

import numpy as np
import pytest

from explorer.app.undo_stack import BYTE_BUDGET, MAX_ACTIONS, Entry, UndoStack
from explorer.session.config import Config
from explorer.session.session import Session


class FakeSnapshot:
    """Holds the pieces ``{key: bytes}`` it is given."""

    def __init__(self, label, pieces):
        self.label = label
        self._pieces = dict(pieces)

    def pieces(self):
        return dict(self._pieces)


def entry(name, pieces=None):
    return Entry(name, "kind", FakeSnapshot(name, pieces or {id(name): 10}))


def test_push_undo_redo_and_new_work_clears_redo():
    stack = UndoStack()
    assert (stack.undo_name, stack.redo_name) == (None, None)
    stack.push(entry("A"))
    stack.push(entry("B"))
    now = FakeSnapshot("now", {1: 5})
    back = stack.undo(now, "ctx")
    assert back.snapshot.label == "B"
    assert (stack.undo_name, stack.redo_name) == ("A", "B")
    again = stack.redo(FakeSnapshot("then", {2: 5}))
    assert again.snapshot is now and again.context == "ctx"  # redo gives back what undo took
    assert (stack.undo_name, stack.redo_name) == ("B", None)
    stack.undo(FakeSnapshot("x", {3: 1}))
    stack.push(entry("C"))
    assert stack.undo_names() == ["A", "C"] and not stack.can_redo
    stack.undo(FakeSnapshot("y", {4: 1}))
    stack.clear_redo()
    assert stack.undo_names() == ["A"] and stack.redo_names() == []


def test_at_most_50_entries_the_oldest_dropped():
    stack = UndoStack()
    assert MAX_ACTIONS == 50
    for k in range(60):
        stack.push(entry(f"a{k}"))
    assert len(stack) == 50
    assert stack.undo_names()[0] == "a10" and stack.undo_names()[-1] == "a59"
    for k in range(20):  # undo and redo entries together stay at 50
        stack.undo(FakeSnapshot(f"n{k}", {1000 + k: 10}))
    assert len(stack) == 50 and len(stack.redo_names()) == 20


def test_the_byte_budget_counts_shared_pieces_once_and_drops_the_oldest():
    stack = UndoStack(budget=1000)
    shared = {1: 600}
    stack.push(entry("A", {**shared, 2: 100}))
    stack.push(entry("B", {**shared, 3: 100}))
    assert stack.nbytes == 800  # the 600 shared bytes once
    stack.push(entry("C", {4: 300}))
    assert stack.undo_names() == ["B", "C"] and stack.nbytes == 1000
    stack.push(entry("D", {5: 1}))
    assert stack.undo_names() == ["C", "D"] and stack.nbytes == 301  # B's pieces freed


def test_the_newest_entry_stays_even_over_the_budget():
    stack = UndoStack(budget=10)
    stack.push(entry("A", {1: 5}))
    stack.push(entry("huge", {2: 10_000}))
    assert stack.undo_names() == ["huge"]
    stack.undo(FakeSnapshot("now", {3: 20_000}))
    assert len(stack) == 1 and stack.redo_names() == ["huge"]


def test_bytes_are_freed_exactly_as_entries_go():
    stack = UndoStack()
    rng = np.random.default_rng(0)
    for k in range(40):
        keys = rng.choice(30, size=4, replace=False)
        stack.push(entry(f"e{k}", {int(key): int(key) * 10 + 1 for key in keys}))
        if k % 3 == 0:
            stack.undo(FakeSnapshot("u", {int(k) + 100: 7}))
    held = {}
    for e in [*stack._undo, *stack._redo]:
        held.update(e.snapshot.pieces())
    assert stack.nbytes == sum(held.values())
    stack.clear()
    assert stack.nbytes == 0 and len(stack) == 0


def test_snapshots_of_one_long_history_cost_little_more_than_one():
    s = Session(Config(samples=300))
    s.step(3000)
    stack = UndoStack()
    one = s.snapshot().nbytes
    for k in range(50):
        before = s.snapshot()
        s.set_temperature(1.0 + (k + 1) / 100)
        stack.push(Entry("Change Temperature", "set_temperature", before))
        s.step(20)
    assert len(stack) == 50
    # each further snapshot adds its live state and its last metrics piece, not a history
    assert stack.nbytes < one + 50 * 300_000
    assert stack.nbytes < BYTE_BUDGET


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        UndoStack(limit=0)
