"""``softmax-explorer`` without a command: parse the window's options and open the window.

Qt is imported only after the options parsed, so option errors never start Qt.
"""

from __future__ import annotations

from pathlib import Path


def run_window_command(argv: list[str]) -> int:
    """Open the window on the session ``argv`` describes; return the exit code."""
    from explorer.app.compare_cli import build_run
    from explorer.app.options import window_parser

    args = window_parser().parse_args(argv)
    session, comparison = build_run(args, "softmax-explorer")
    from explorer.app.application import run_window

    label = f"user data ({Path(args.csv).name})" if args.csv else None
    return run_window(
        session, play=args.play, data_label=label, comparison=comparison, present=args.present
    )
