"""Shared helpers of the single-view tests."""

from __future__ import annotations


def show_view(qtbot, view_class, session, size, held: list):
    """A ``view_class`` on ``session``, shown at ``size`` and following its changes.

    ``held`` keeps the view until teardown: otherwise, once the test returns, a view is
    reachable only through its view <-> session cycle and the garbage collector can destroy
    it while pytest-qt is still painting it (segfault).
    """
    view = view_class(session)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    session.changed.connect(view.refresh)
    held.append(view)
    return view
