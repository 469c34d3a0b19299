"""The undo history: entries of session snapshots, bounded in count and in bytes.

Why not ``QUndoStack``? Its commands redo on push, its limit can only be set while it
is empty and it cannot drop its oldest command to honour a byte budget; and here an
entry is a snapshot to go back to, not a command to run backwards. This stack is plain
Python (tested without Qt); :mod:`explorer.app.undo` wires it to the window.

Semantics
---------
- :meth:`UndoStack.push` records an action (the snapshot from before it) and clears the
  redo entries, as editors do.
- :meth:`UndoStack.undo` hands back the newest entry to restore and keeps, in its place
  on the redo side, the session as it was when undo was asked (so Redo gives back
  exactly what Undo took away, training after the action included).
- :meth:`UndoStack.clear_redo`: the window calls it when the user trains after an undo
  (new work: the redo entries would throw it away).

Limits
------
At most :data:`MAX_ACTIONS` entries (undo and redo together) and :data:`BYTE_BUDGET`
bytes of snapshots, counting once what snapshots share (the history's checkpoints, the
metrics pieces, the data: :meth:`SessionSnapshot.pieces`). Over either, the oldest undo
entries are dropped first (keeping the newest one), then the farthest redo entries; one
entry always stays, so the last action can always be undone however big it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

#: Entries kept (undo and redo together).
MAX_ACTIONS = 50
#: Bytes of snapshots kept, each shared piece counted once.
BYTE_BUDGET = 256 * 2**20


@dataclass(frozen=True)
class Entry:
    """One step of the undo history.

    Attributes
    ----------
    name : str
        The action's name ("Move Point").
    kind : str
        The action's kind (``Action.kind``: ``"move_point"``, ``"new"``...).
    snapshot : SessionSnapshot
        The session to go back to.
    context : object
        The window's own state beside the session at that moment.
    """

    name: str
    kind: str
    snapshot: object
    context: object = None


class UndoStack:
    """Undo and redo entries (see the module docstring).

    Parameters
    ----------
    limit : int
        Most entries kept (undo and redo together), at least 1.
    budget : int
        Most bytes of snapshots kept (shared pieces once); the newest entry always stays.
    """

    def __init__(self, limit: int = MAX_ACTIONS, budget: int = BYTE_BUDGET):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.budget = budget
        self._undo: list[Entry] = []
        self._redo: list[Entry] = []
        self._holders: Counter[int] = Counter()  # piece key -> entries holding it
        self._sizes: dict[int, int] = {}  # piece key -> bytes
        self._pieces: dict[int, dict[int, int]] = {}  # id(entry) -> its pieces
        self.nbytes = 0

    # ------------------------------------------------------------------ state
    @property
    def undo_name(self) -> str | None:
        """The name of the action Undo would undo, or None."""
        return self._undo[-1].name if self._undo else None

    @property
    def redo_name(self) -> str | None:
        """The name of the action Redo would redo, or None."""
        return self._redo[-1].name if self._redo else None

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_names(self) -> list[str]:
        """Names of the undo entries, oldest first."""
        return [e.name for e in self._undo]

    def redo_names(self) -> list[str]:
        """Names of the redo entries, the next to redo last."""
        return [e.name for e in self._redo]

    def __len__(self) -> int:
        return len(self._undo) + len(self._redo)

    # ------------------------------------------------------------------ changes
    def push(self, entry: Entry) -> None:
        """Record an action: ``entry`` holds the snapshot from before it. Clears redo."""
        self.clear_redo()
        self._add(entry)
        self._undo.append(entry)
        self._trim()

    def undo(self, now: object, context: object = None) -> Entry:
        """The entry to restore for Undo; ``now`` (the session's snapshot at this moment,
        with the window's ``context``) becomes the entry Redo restores."""
        entry = self._undo.pop()
        self._move(entry, self._redo, replace(entry, snapshot=now, context=context))
        return entry

    def redo(self, now: object, context: object = None) -> Entry:
        """The entry to restore for Redo; ``now`` becomes the entry Undo restores."""
        entry = self._redo.pop()
        self._move(entry, self._undo, replace(entry, snapshot=now, context=context))
        return entry

    def clear_redo(self) -> None:
        """Forget the redo entries (the user did something new)."""
        while self._redo:
            self._remove(self._redo.pop())

    def clear(self) -> None:
        """Forget everything."""
        self.clear_redo()
        while self._undo:
            self._remove(self._undo.pop())

    # ------------------------------------------------------------------ bytes
    def _move(self, old: Entry, side: list[Entry], new: Entry) -> None:
        self._add(new)  # first, so pieces both hold are never counted as freed
        self._remove(old)
        side.append(new)
        self._trim()

    def _add(self, entry: Entry) -> None:
        pieces = entry.snapshot.pieces()
        self._pieces[id(entry)] = pieces
        for key, size in pieces.items():
            if self._holders[key] == 0:
                self._sizes[key] = size
                self.nbytes += size
            self._holders[key] += 1

    def _remove(self, entry: Entry) -> None:
        for key in self._pieces.pop(id(entry)):
            self._holders[key] -= 1
            if self._holders[key] == 0:
                del self._holders[key]
                self.nbytes -= self._sizes.pop(key)

    def _trim(self) -> None:
        while len(self) > 1 and (len(self) > self.limit or self.nbytes > self.budget):
            if self._undo and (len(self._undo) > 1 or not self._redo):
                self._remove(self._undo.pop(0))
            else:
                self._remove(self._redo.pop(0))
