"""The field table: one row per Config field, and Config's checks and argparse made from it."""

import math
from dataclasses import fields

import pytest

from explorer.app.export_command import export_parser
from explorer.app.options import config_changes, window_parser
from explorer.session.config import (
    DATA_FIELDS,
    FEATURE_FIELDS,
    FIELD_NAMES,
    TRAINING_FIELDS,
    Config,
    ConfigError,
)
from explorer.session.config_table import (
    CONFIG_TABLE,
    DISPLAY_TABLE,
    GROUPS,
    KINDS,
    ROWS,
    STEPPINGS,
    features_option,
)

NUMBERS = [row for row in CONFIG_TABLE if row.kind != "choice"]
FLAGGED = [row for row in CONFIG_TABLE if row.flag is not None]


def _options(parser) -> dict[str, str]:
    """Option string → dest of every option of ``parser``."""
    return {s: a.dest for a in parser._actions for s in a.option_strings}


def _a_valid_other_value(row):
    """A value of ``row`` that is allowed and differs from its default."""
    if row.kind == "choice":
        return next(c for c in row.choices if c != row.default)
    if row.kind == "int":
        return row.lo + 1 if row.default != row.lo + 1 else row.lo
    hi = row.hi if row.hi is not None else row.lo + 2.0
    return row.lo + (hi - row.lo) / 4


# ---------------------------------------------------------------- the table itself
def test_every_config_field_has_exactly_one_row_in_order():
    names = [row.name for row in CONFIG_TABLE]
    assert names == [f.name for f in fields(Config)]
    assert len(set(names)) == len(names)
    assert set(ROWS) == set(names) | {row.name for row in DISPLAY_TABLE}
    assert not {row.name for row in DISPLAY_TABLE} & FIELD_NAMES


def test_defaults_and_groups_come_from_the_rows():
    config = Config()
    for row in CONFIG_TABLE:
        assert getattr(config, row.name) == row.default, row.name
    assert {r.name for r in CONFIG_TABLE if r.group == "data"} == DATA_FIELDS
    assert {r.name for r in CONFIG_TABLE if r.group == "features"} == FEATURE_FIELDS
    assert {r.name for r in CONFIG_TABLE if r.group == "training"} == TRAINING_FIELDS
    assert all(row.group == "display" for row in DISPLAY_TABLE)


@pytest.mark.parametrize("row", [*CONFIG_TABLE, *DISPLAY_TABLE], ids=lambda r: r.name)
def test_each_row_is_well_formed(row):
    assert row.kind in KINDS and row.group in GROUPS
    assert row.help.strip().endswith(".") and row.widget.label
    if row.kind == "choice":
        assert row.choices and row.default in row.choices
        assert set(row.widget.titles) <= set(row.choices)
        assert row.lo is None and row.hi is None
    else:
        assert not row.choices and row.lo is not None and row.widget.step in STEPPINGS
        if row.kind == "int":
            assert isinstance(row.lo, int) and isinstance(row.hi, int)
            assert not (row.lo_open or row.hi_open)
    if row.only_for is not None:
        other, values = row.only_for
        assert ROWS[other].kind == "choice" and set(values) <= set(ROWS[other].choices)
    if row.flag is not None:
        flag = row.flag
        assert flag.help and (flag.metavar is None) == (row.kind == "choice" and not flag.parse)
        if flag.help_before is not None:
            assert ROWS[flag.help_before].flag is not None


# ---------------------------------------------------------------- Config's checks from the rows
@pytest.mark.parametrize("row", NUMBERS, ids=lambda r: r.name)
def test_bounds_of_every_number_are_what_the_row_says(row):
    """Each bound is accepted unless open; just beyond it is refused, naming the field."""
    base = Config(dataset="moons")  # no samples >= classes rule in the way
    bounds = [(row.lo, row.lo_open, -1)]
    if row.hi is not None:
        bounds.append((row.hi, row.hi_open, +1))
    for bound, is_open, sign in bounds:
        outward = sign * (1 if row.kind == "int" else max(abs(bound), 1.0) * 1e-9)
        if is_open:
            with pytest.raises(ConfigError, match=f"^{row.name} must be"):
                base.replace(**{row.name: bound})
        else:
            assert getattr(base.replace(**{row.name: bound}), row.name) == bound
        with pytest.raises(ConfigError, match=f"^{row.name} must be"):
            base.replace(**{row.name: bound + outward})


@pytest.mark.parametrize("row", NUMBERS, ids=lambda r: r.name)
def test_none_only_where_the_row_is_optional(row):
    if row.kind == "optional real":
        assert Config().replace(**{row.name: None}).noise is None
    else:
        with pytest.raises(ConfigError, match=f"^{row.name} must be"):
            Config().replace(**{row.name: None})


# ---------------------------------------------------------------- argparse from the rows
@pytest.mark.parametrize("parser", [window_parser, export_parser])
def test_every_flagged_row_is_an_option_and_no_other_field_is(parser):
    options = _options(parser())
    for row in CONFIG_TABLE:
        if row.flag is None:
            assert row.option is None and row.name not in options.values(), row.name
        else:
            assert options[row.option] == row.name


@pytest.mark.parametrize("row", FLAGGED, ids=lambda r: r.name)
def test_each_option_sets_its_field(row):
    value = _a_valid_other_value(row)
    args = window_parser().parse_args([row.option, str(value)])
    changes = config_changes(args)
    assert changes == {row.name: value}
    assert getattr(Config().replace(**changes), row.name) == value


def test_no_option_no_change():
    assert config_changes(window_parser().parse_args([])) == {}


def test_features_option_sets_the_degree_unless_degree_is_given():
    parse = window_parser().parse_args
    assert config_changes(parse(["--features", " POLY4 "])) == {"features": "poly", "degree": 4}
    assert config_changes(parse(["--features", "poly4", "--degree", "2"])) == {
        "features": "poly",
        "degree": 2,
    }
    assert features_option("rff") == {"features": "rff"}
    with pytest.raises(ValueError, match=r"unknown feature map 'cubic' \(choose identity, poly"):
        features_option("Cubic")


def test_bad_option_texts_exit_with_the_usual_argparse_lines(capsys):
    for args, line in [
        (["--features", "cubic"], "argument --features: unknown feature map 'cubic'"),
        (["--classes", "x"], "argument --classes: 'x' is not a whole number (digits 0-9 only)"),
        (["--lr", "fast"], "argument --lr: invalid float value: 'fast'"),
        (["--dataset", "nope"], "argument --dataset: invalid choice: 'nope' (choose from 'blobs'"),
    ]:
        with pytest.raises(SystemExit) as exit_:
            window_parser().parse_args(args)
        assert exit_.value.code == 2
        assert line in capsys.readouterr().err


def test_a_nan_option_reaches_config_and_is_refused_there():
    changes = config_changes(window_parser().parse_args(["--noise", "nan"]))
    assert math.isnan(changes["noise"])
    with pytest.raises(ConfigError, match=r"noise must be a finite number in \[0, 100\] or None"):
        Config().replace(**changes)
