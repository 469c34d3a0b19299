"""The fuzz tests' budgets: small in the default run, larger under ``-m fuzz``.

Every fuzz property runs in the default suite with a few seconds' worth of examples;
``python -m pytest -m fuzz`` selects only the fuzz tests and gives each
:data:`LONG_FACTOR` times as many. A :class:`Tally` counts the cases (run, refused,
loaded) and prints them at the end of a test (``-s`` shows them).
"""

from __future__ import annotations

import collections

LONG_FACTOR = 25


def examples(request, n: int) -> int:
    """The number of examples for a property that runs ``n`` in the default suite."""
    long = "fuzz" in (request.config.option.markexpr or "")
    return n * LONG_FACTOR if long else n


class Tally(collections.Counter):
    """Counts of what the fuzz cases did, printed by :meth:`report`."""

    def report(self, name: str) -> None:
        print(f"\n{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(self.items())))
