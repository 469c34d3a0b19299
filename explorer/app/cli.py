"""Entry point of ``softmax-explorer``: the window, or the ``export`` / ``bench`` commands.

Qt is imported lazily, only once we know a window (or an offscreen render) is wanted,
so ``--version`` and ``--help`` are instant and option errors never start Qt.
"""

from __future__ import annotations

import sys
from pathlib import Path

SUBCOMMANDS = ("export", "bench")


def main(argv: list[str] | None = None) -> int:
    """Run the program; return the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "export":
        from explorer.app.export_command import run_export

        return run_export(argv[1:])
    if argv and argv[0] == "bench":
        from explorer.app.bench_command import run_bench

        return run_bench(argv[1:])
    from explorer.app.options import build_session, window_parser

    args = window_parser().parse_args(argv)
    session = build_session(args, "softmax-explorer")
    from explorer.app.application import run_window

    label = f"user data ({Path(args.csv).name})" if args.csv else None
    return run_window(session, play=args.play, data_label=label)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
