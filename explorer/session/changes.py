"""What changed: the one argument of every :attr:`Session.changed` event.

A session emits exactly one :class:`Change` per user-level call (``step(n)`` emits once
after ``n`` updates), the union of everything that call changed. A view tests it with
``&``: ``if changes & (Change.PARAMS | Change.DISPLAY): ...``. ``Change(0)`` means
nothing; ``~Change(0)`` is every member.
"""

from __future__ import annotations

import enum


class Change(enum.Flag):
    """Kinds of session change, combined with ``|``.

    ``PARAMS``     W, b or the shown step changed
    ``DATA``       the points, or their features (feature map / dimension), changed
    ``CONFIG``     the configuration in effect at the shown step changed
    ``SELECTION``  the selected sample changed
    ``HISTORY``    steps were added, or history was truncated or restarted
    ``DISPLAY``    the display temperature changed
    ``DIVERGED``   training diverged, or a divergence report was cleared
    ``SESSION``    never emitted by a session: the window sends it to its views when the
                   whole session (File → New / Open) or the theme is replaced
    """

    PARAMS = enum.auto()
    DATA = enum.auto()
    CONFIG = enum.auto()
    SELECTION = enum.auto()
    HISTORY = enum.auto()
    DISPLAY = enum.auto()
    DIVERGED = enum.auto()
    SESSION = enum.auto()

    # Each frame combines and tests flags a few dozen times (the step, every view, the
    # window): these look the result up among all 256 values instead of going through
    # enum's generic operators, ~0.15 instead of ~0.8 µs each (~20 µs a frame).
    def __or__(self, other):
        try:
            return _ALL_VALUES[self._value_ | other._value_]
        except AttributeError:
            return NotImplemented

    def __and__(self, other):
        try:
            return _ALL_VALUES[self._value_ & other._value_]
        except AttributeError:
            return NotImplemented

    def __invert__(self):
        return _ALL_VALUES[self._value_ ^ _EVERY_BIT]

    def __contains__(self, other):
        try:
            return other._value_ & self._value_ == other._value_
        except AttributeError:
            raise TypeError(f"{other!r} is not a Change") from None

    def __bool__(self):
        return self._value_ != 0

    __ror__ = __or__
    __rand__ = __and__


_EVERY_BIT = sum(member._value_ for member in Change)
_ALL_VALUES = tuple(enum.Flag.__or__(Change(0), Change(v)) for v in range(_EVERY_BIT + 1))

#: Every kind of change (what a view listening to everything declares).
EVERYTHING = _ALL_VALUES[_EVERY_BIT]
#: What a restart of training (new history at step 0) always changes.
RESTART = Change.PARAMS | Change.HISTORY
