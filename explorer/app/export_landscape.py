"""The landscape in ``softmax-explorer export``: ``--views landscape``, ``--plane`` and a
recording of the path growing (``--animation gif --animation-view landscape``).

A still shows the plane ``--plane`` names through the last step, its ranges fitted to
the whole path. A recording trains every step first, fixes the surface of the last step
(its plane and ranges hold the whole path), then replays the history frame by frame over
it, the path drawn up to the step shown: the path grows on one surface.
"""

from __future__ import annotations

from contextlib import contextmanager

VIEW = "landscape"
#: Size (width, height) of the exported landscape figure.
FIGURE_SIZE = (760, 560)


def add_option(group) -> None:
    """``--plane`` in the export's option group."""
    group.add_argument(
        "--plane",
        metavar="PLANE",
        help="the landscape's plane: two entries (W[0,0],b[1]), pca, gradient, or flat "
        "(flat:b or flat:D, then ,NAME for the other axis); default W[0,0],W[0,1]",
    )


def plane_choice(args, session, fail):
    """The ``--plane`` choice for the session's ``W``, or None; ``fail(message)`` (exit 2)
    with the reason when it does not fit."""
    if args.plane is None:
        return None
    from explorer.session.landscape_choice import parse_plane

    try:
        return parse_plane(args.plane, session.W.shape)
    except ValueError as exc:
        fail(f"--plane {args.plane}: {exc}")
        raise  # pragma: no cover - fail exits


def prepare(window, choice) -> None:
    """Put the plane ``choice`` (None: the default) in the window's landscape view."""
    if choice is not None:
        window.views[VIEW].set_choice(choice)


@contextmanager
def replaying(window, session, steps: int, train):
    """Around a recording of the landscape: train ``steps`` with ``train(steps)``, hold the
    surface of the last step, go back to the first step, and yield; the view then draws
    the path up to the step shown. Afterwards the view follows the session again."""
    view = window.views[VIEW]
    start = session.step_index
    train(steps)
    view.flush()  # the plane and ranges of the whole path
    view.model.hold, view.show_future = True, False
    session.seek(start)
    try:
        yield
    finally:
        view.model.hold, view.show_future = False, True
