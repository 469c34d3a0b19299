"""The parts of a configuration row: :class:`Field`, its :class:`Flag` and :class:`Widget`.

A row of :data:`explorer.session.config_table.CONFIG_TABLE` is a :class:`Field`: a
setting's type, range, default and choices, the sentence a student reads, its
command-line option (:class:`Flag`) and how the configuration panel shows it
(:class:`Widget`). Nothing here imports Qt or argparse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

#: The kinds of field: whole numbers, finite floats, finite floats or None, names.
KINDS = ("int", "real", "optional real", "choice")
#: The groups, by what a change does: new data and restart, new features and restart, take
#: effect at the shown step; ``"display"`` settings are not part of a configuration.
GROUPS = ("data", "features", "training", "display")
#: Arrow stepping of a number box: a fixed step, the 1-2-5 ladder, doubling, adding a nine.
STEPPINGS = ("linear", "125", "pow2", "nines")
#: ``Widget.special`` of a field with no special value.
NO_SPECIAL = "<none>"


@dataclass(frozen=True)
class Flag:
    """A field's command-line option, ``--`` and the field's name with dashes.

    Attributes
    ----------
    help : str
        Its line in ``--help``.
    metavar : str or None
        Placeholder of the value in ``--help``; None for a choice (argparse lists them).
    sort_choices : bool
        Offer the choices in alphabetical order rather than the field's.
    parse : callable or None
        For an option whose text is not simply the value: ``parse(text)`` returns the
        configuration changes it means (``{"features": "poly", "degree": 4}``) or raises
        ``ValueError`` with the message to print. An option given for one of the other
        fields wins over what ``parse`` says about it.
    help_before : str or None
        List the option in ``--help`` just before the option of this field.
    """

    help: str
    metavar: str | None = None
    sort_choices: bool = False
    parse: Callable[[str], dict[str, object]] | None = None
    help_before: str | None = None


@dataclass(frozen=True)
class Widget:
    """How the configuration panel shows a field.

    Attributes
    ----------
    label : str
        Form label.
    box : str
        Group box of the panel (``"data"``, ``"optimiser"``...: the panel's ``BOXES``).
    step : str
        Arrow stepping of a number, one of :data:`STEPPINGS`.
    lo, hi : float or None
        Range reached by stepping (None: the field's bound); typed values are not held to it.
    size : float
        Step of ``"linear"`` stepping.
    first : float
        Smallest non-zero rung of a ``"125"`` ladder (stepping up from 0 lands there).
    special, special_text
        A value shown as a text (None for noise: ``"default"``; 0 for batch size:
        ``"full batch"``); typing the text (or its first word, or nothing) gives the value.
    limit : float or None
        Largest number the panel sends (a larger one is refused with "at most").
    titles : mapping
        Menu text of each choice (missing: the choice itself).
    item_tips : mapping
        Tooltip of each choice's menu entry.
    hide : bool
        Hide the row, rather than disable it, when ``only_for`` does not hold.
    """

    label: str
    box: str
    step: str = "linear"
    lo: float | None = None
    hi: float | None = None
    size: float = 1.0
    first: float = 1.0
    special: object = NO_SPECIAL
    special_text: str = ""
    limit: float | None = None
    titles: Mapping[str, str] = field(default_factory=dict)
    item_tips: Mapping[str, str] = field(default_factory=dict)
    hide: bool = False


@dataclass(frozen=True)
class Field:
    """One setting: its value, its check, its option and its control.

    Attributes
    ----------
    name : str
        Attribute of :class:`Config` (the option is ``--name`` with dashes).
    kind : str
        One of :data:`KINDS`.
    default : object
        Value of a new configuration.
    group : str
        One of :data:`GROUPS`.
    help : str
        One sentence for a student: the panel's tooltip.
    widget : Widget
        The panel's control.
    lo, hi, lo_open, hi_open
        Bounds of a number (integers for an ``"int"``; ``hi`` None: none) and whether each
        is itself excluded (``lr`` in ``(0, 1e+06]``).
    choices : tuple of str
        The allowed values of a ``"choice"``, in the order messages and menus list them.
    flag : Flag or None
        The command-line option; None: the field has none.
    only_for : (str, tuple of str) or None
        ``(other field, its values)`` for which this field matters, e.g. ``momentum`` only
        for the optimisers ``momentum`` and ``nesterov``.
    """

    name: str
    kind: str
    default: object
    group: str
    help: str
    widget: Widget
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[str, ...] = ()
    flag: Flag | None = None
    only_for: tuple[str, tuple[str, ...]] | None = None

    @property
    def option(self) -> str | None:
        """The command-line option (``--batch-size``), or None."""
        return None if self.flag is None else "--" + self.name.replace("_", "-")
