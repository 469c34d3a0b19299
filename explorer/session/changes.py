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


#: Every kind of change (what a view listening to everything declares).
EVERYTHING = ~Change(0)
#: What a restart of training (new history at step 0) always changes.
RESTART = Change.PARAMS | Change.HISTORY
