"""A tiny observer: the session's change notifications, without Qt.

Why not psygnal (or Qt signals)? The session must stay importable without Qt, and it
needs exactly one thing: call a few callbacks, in order, with one argument, once per
user-level call (``step(n)`` notifies once after ``n`` updates, not ``n`` times). That is
twenty lines; a dependency would add install weight, a compiled wheel for frozen builds,
and features we would have to avoid (queued/threaded emission, evented containers that
fire per field). Qt widgets connect plain methods; nothing needs to know this is not Qt.
"""

from __future__ import annotations

from collections.abc import Callable


class Signal:
    """A list of callbacks called synchronously, in connection order, by :meth:`emit`.

    Exceptions raised by a callback propagate to the caller of :meth:`emit` (a broken view
    should fail loudly in tests, not be swallowed).
    """

    def __init__(self) -> None:
        self._callbacks: list[Callable[..., object]] = []

    def connect(self, callback: Callable[..., object]) -> None:
        """Call ``callback(*args)`` on every :meth:`emit`; connecting twice is a no-op."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., object]) -> None:
        """Stop calling ``callback``; raises ``ValueError`` if it was not connected."""
        try:
            self._callbacks.remove(callback)
        except ValueError:
            raise ValueError(f"{callback!r} is not connected") from None

    def emit(self, *args: object) -> None:
        """Call every connected callback with ``args``."""
        # A copy, so a callback may connect or disconnect while we iterate.
        for callback in tuple(self._callbacks):
            callback(*args)

    def __len__(self) -> int:
        return len(self._callbacks)
