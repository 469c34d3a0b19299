"""The fuzz tests' budgets: a small one in the default run, a large one under ``-m fuzz``.

Each fuzz property has a test with its default budget (derandomized, so the default run
is repeatable) and a ``*_large`` twin marked ``fuzz`` with :data:`LARGE_FACTOR` times as
many random examples, which ``tests/conftest.py`` leaves out unless ``-m`` names
``fuzz``. A :class:`Tally` counts the cases (run, refused, loaded) and prints them at the
end of a test (``-s`` shows them).
"""

from __future__ import annotations

import collections

from hypothesis import HealthCheck, settings

LARGE_FACTOR = 25


def fuzz_settings(n: int, large: bool = False) -> settings:
    """Hypothesis settings for ``n`` examples (``n * LARGE_FACTOR`` random ones if large)."""
    return settings(
        max_examples=n * LARGE_FACTOR if large else n,
        deadline=None,
        derandomize=not large,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class Tally(collections.Counter):
    """Counts of what the fuzz cases did, printed by :meth:`report`."""

    def report(self, name: str) -> None:
        print(f"\n{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(self.items())))
