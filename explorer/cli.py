"""Entry point of ``softmax-explorer``: the window, or the ``export`` / ``bench`` commands.

This module only dispatches. Each command is imported when it is chosen, so ``--version``
and ``--help`` are instant, option errors never start Qt, and the packages stay
independent: :mod:`explorer.app` (the window and ``export``) never imports
:mod:`explorer.bench`, which drives the app's window from above (the layers are
checked by the import-linter contracts in ``pyproject.toml``).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the program with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "export":
        from explorer.app.export_command import run_export

        return run_export(argv[1:])
    if argv and argv[0] == "bench":
        from explorer.bench.command import run_bench

        return run_bench(argv[1:])
    from explorer.app.window_command import run_window_command

    return run_window_command(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
