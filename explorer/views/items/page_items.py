"""The items of the inspector's page: what :class:`~explorer.views.items.inspector_page.PageWriter`
writes, and how two pages are compared.

A page is a list of :class:`Heading`, :class:`Paragraph`, :class:`Matrix` and
:class:`Columns`; their texts are the inline markup of
:mod:`explorer.views.items.inline_markup`, with placeholders ``"\\x00k\\x00"`` for the
numbers that change from frame to frame. No Qt here: the items are plain values, so two
pages with the same :func:`signature` differ only in their numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    """A section heading (bold)."""

    markup: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline markup (placeholders allowed)."""

    markup: str


@dataclass(frozen=True)
class Group:
    """One bracketed ``(C, k)`` array of a :class:`Matrix`.

    Attributes
    ----------
    header : str
        Markup centred above the brackets.
    cells : tuple of tuple of str, shape (C, k)
        Placeholders (or fixed texts) of the numbers, one row per class.
    names : tuple of str or None
        Names of the ``k`` columns, written small above them.
    truncated : bool
        Whether more columns exist than are written (an "…" column follows).
    """

    header: str
    cells: tuple[tuple[str, ...], ...]
    names: tuple[str, ...] | None = None
    truncated: bool = False


@dataclass(frozen=True)
class Operator:
    """A column between groups: ``markup`` on the middle row ("=", "·"), or a gap ("")."""

    markup: str = ""


@dataclass(frozen=True)
class Matrix:
    """Groups and operators side by side, one row per class, labelled by ``labels``."""

    labels: tuple[str, ...]
    parts: tuple[Group | Operator, ...]


@dataclass(frozen=True)
class Columns:
    """Pairs of item lists written side by side (a two-column page)."""

    rows: tuple[tuple[tuple, tuple], ...]


def signature(items) -> str:
    """A text equal for two pages exactly when they have the same structure.

    Placeholders are compared by index, not by value: two pages with one signature
    differ only in the texts of their slots.
    """
    return repr(items)
