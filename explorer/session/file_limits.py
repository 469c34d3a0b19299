"""The limits a session file is held to, and the checked readers of its plain values.

Every number in a session file obeys the bounds the window itself keeps (the
configuration's, :data:`~explorer.session.history.MAX_STEPS`, the display temperature's),
and the container has its own:

=======================  ==================================================================
:data:`MAX_HEADER_BYTES`  ``header.json``, 4 MiB
:data:`MAX_JSON_DEPTH`    nesting of any JSON text (the header, a configuration), 8
:data:`MAX_ARRAY_BYTES`   one array, 512 MiB; all arrays :data:`MAX_TOTAL_BYTES`, 1 GiB
:data:`MAX_EXPANSION`     declared array bytes per byte of file (beyond
                          :data:`FREE_BYTES`, 64 MiB): deflate packs zeros ~1000:1, a real
                          session's arrays (points, weights, losses) less than ~10:1
:data:`MAX_TEXT_CHARS`    a status text (``diverged``, ``notice``), 2,000 characters
=======================  ==================================================================

Each reader raises ``ValueError`` naming the entry and what is allowed; none of them
converts a value before its type is known (``True`` is not an integer, ``1e308`` is not a
step count, ``10**400`` is compared exactly, never turned into a float).
"""

from __future__ import annotations

import json
import math

MAX_HEADER_BYTES = 4 * 2**20
MAX_JSON_DEPTH = 8
MAX_ARRAY_BYTES = 512 * 2**20
MAX_TOTAL_BYTES = 2**30
MAX_EXPANSION = 50
FREE_BYTES = 64 * 2**20
MAX_TEXT_CHARS = 2000
#: Longest array dimension and most dimensions a declaration may give.
MAX_DIM = 2**40
MAX_NDIM = 4


def shown(value) -> str:
    """``repr(value)`` for a message, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _constant(name: str):
    raise ValueError(f"holds {name}, which is not a finite number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"holds the number {shown(text)}, beyond the float range")
    return value


def _depth(value, limit: int) -> int:
    """The nesting depth of a parsed JSON value, without recursion; raises past ``limit``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                raise ValueError(f"is nested more than {limit} levels deep")
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def loads(text: str, what: str, depth: int = MAX_JSON_DEPTH):
    """Parse JSON ``text``: no NaN or infinities, numbers in range, nesting bounded.

    Raises
    ------
    ValueError
        ``"<what> is not valid JSON (...)"`` and the like.
    """
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a JSON text, got {type(text).__name__}")
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, a huge integer, NaN...
        raise ValueError(f"{what} is not valid JSON ({shown(str(exc))[1:-1]})") from None
    try:
        _depth(value, depth)
    except ValueError as exc:
        raise ValueError(f"{what} {exc}") from None
    return value


def integer(value, what: str, lo: int, hi: int) -> int:
    """A JSON integer (not a bool, not a float) in ``lo..hi``."""
    if type(value) is not int or not lo <= value <= hi:
        raise ValueError(f"{what} must be an integer in {lo}..{hi} (got {shown(value)})")
    return value


def real(value, what: str, lo: float, hi: float) -> float:
    """A JSON number (not a bool) in ``[lo, hi]``, compared exactly before conversion."""
    if type(value) not in (int, float) or not lo <= value <= hi:
        raise ValueError(f"{what} must be a finite number in [{lo:g}, {hi:g}] (got {shown(value)})")
    return float(value)


def text(value, what: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """A string of at most ``max_chars`` characters."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string (got {shown(value)})")
    if len(value) > max_chars:
        raise ValueError(f"{what} is longer than {max_chars:,} characters")
    return value


def flag(value, what: str) -> bool:
    if type(value) is not bool:
        raise ValueError(f"{what} must be true or false (got {shown(value)})")
    return value
