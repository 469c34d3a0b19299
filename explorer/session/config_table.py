"""The one table of configuration fields: each row says everything about one setting.

A :class:`Field` gives a setting's type, range, default and choices (from which
:class:`explorer.session.config.Config` is built and validated), the sentence a student
reads (the panel's tooltip), its command-line option (:class:`Flag`, from which
``explorer.app.options`` makes the argparse options) and how the configuration panel shows
it (:class:`Widget`, from which ``explorer.views.config_panel`` makes its spin boxes and
combo boxes). Nothing here imports Qt or argparse.

:data:`CONFIG_TABLE` holds the fields of :class:`Config`, in the order the panel shows them;
:data:`DISPLAY_TABLE` holds the panel's display-only setting (the temperature), which is
not part of a configuration: the session keeps it apart and training never reads it.

Adding a field
--------------
Add one :class:`Field` row to :data:`CONFIG_TABLE` where the panel should show it, e.g.
``Field("l1", "real", 0.0, "training", "<tooltip>", Widget("L1", "regularisation",
step="125", hi=100.0, first=1e-5), lo=0.0, hi=MAX_L2, flag=Flag("L1 penalty on W",
"LAMBDA"))``. ``Config`` then has the field with its default and its check, the panel its
control, and ``--l1`` exists (a row without ``flag`` has no option). What remains is the
code that uses the value. A choice takes its values from the core registry it selects in
(``OPTIMIZERS``...); a field that matters only for some values of another gives
``only_for``, and the panel disables (with ``widget.hide``: hides) it otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from explorer.core.datasets import DATASETS
from explorer.core.features import FEATURE_KINDS, MAX_DEGREE
from explorer.core.optimizers import OPTIMIZERS
from explorer.core.schedules import SCHEDULES

MAX_CLASSES = 50
MAX_SAMPLES = 1_000_000
MAX_SEED = 2**32 - 1
MAX_LR = 1e6
#: Upper bounds of otherwise open-ended fields: beyond them some number of the session
#: (data, features, the L2 term of the loss) overflows float32 and turns into NaN.
MAX_NOISE = 100.0
MAX_RFF_GAMMA = 1e4
MAX_L2 = 1e6
#: Longest schedule period (step schedule's ``step_every``, cosine's period), in steps.
MAX_PERIOD = 10**7
MAX_RFF_FEATURES = 2000

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


def features_option(text: str) -> dict[str, object]:
    """``--features``: ``identity``, ``rff``, ``poly`` or ``polyK`` (K = the degree)."""
    text = text.strip().lower()
    if text.startswith("poly") and text[4:].isdigit():
        return {"features": "poly", "degree": int(text[4:])}
    if text in FEATURE_KINDS:
        return {"features": text}
    raise ValueError(
        f"unknown feature map {text!r} (choose identity, poly, polyK with K = 1..{MAX_DEGREE}, "
        "or rff)"
    )


_FRACTION = {"lo": 0.0, "hi": 1.0, "hi_open": True}  # [0, 1)
_ADAM = ("optimizer", ("adam",))

# fmt: off
CONFIG_TABLE: tuple[Field, ...] = (
    # ------------------------------------------------------------------ data
    Field(
        "dataset", "choice", "rings", "data",
        "Which toy data set the points are drawn from; changing it restarts training.",
        Widget(
            "Dataset", "data",
            titles={name: spec.title for name, spec in DATASETS.items()},
            item_tips={name: spec.description for name, spec in DATASETS.items()},
        ),
        choices=tuple(DATASETS),
        flag=Flag("built-in data set (default rings)", sort_choices=True),
    ),
    Field(
        "classes", "int", 3, "data",
        "How many classes the data set draws (fixed for two moons, XOR and the 9-point set).",
        Widget("Classes", "data"),
        lo=2, hi=MAX_CLASSES,
        flag=Flag("number of classes", "C"),
    ),
    Field(
        "samples", "int", 300, "data",
        "How many points to draw in all, training and test together.",
        Widget("Samples", "data", step="125"),
        lo=2, hi=MAX_SAMPLES,
        flag=Flag("number of points", "N"),
    ),
    Field(
        "noise", "optional real", None, "data",
        "How much the points scatter around their ideal shape; 'default' uses the data "
        "set's own amount.",
        Widget(
            "Noise", "data", hi=5.0, size=0.05,
            special=None, special_text="default", limit=MAX_NOISE,
        ),
        lo=0.0, hi=MAX_NOISE,
        flag=Flag("noise scale of the data set", "S"),
    ),
    Field(
        "seed", "int", 0, "data",
        "Random seed of the data, the train/test split and the initial weights: the same "
        "seed gives the same run.",
        Widget("Seed", "data"),
        lo=0, hi=MAX_SEED,
        flag=Flag("random seed (data, init, batches)", "K"),
    ),
    Field(
        "test_fraction", "real", 0.2, "data",
        "Share of the points held out as a test set (hollow markers) that training never sees.",
        Widget("Test fraction", "data", size=0.05),
        lo=0.0, hi=0.9,
        flag=Flag("share held out for testing", "F"),
    ),
    # ------------------------------------------------------------------ features
    Field(
        "features", "choice", "poly", "features",
        "How each point x becomes the feature vector φ(x) that the linear "
        "classifier z = Wφ + b sees.",
        Widget(
            "Features", "features",
            titles={"identity": "identity (x1, x2)", "poly": "polynomial", "rff": "random Fourier"},
        ),
        choices=FEATURE_KINDS,
        flag=Flag(
            "feature map: identity, poly, polyK (degree K) or rff", "MAP", parse=features_option
        ),
    ),
    Field(
        "degree", "int", 2, "features",
        "Highest total power of the polynomial features (x1, x2, x1², x1x2, ...).",
        Widget("Degree", "features"),
        lo=1, hi=MAX_DEGREE,
        flag=Flag(f"polynomial degree 1..{MAX_DEGREE}", "K"),
        only_for=("features", ("poly",)),
    ),
    Field(
        "rff_dim", "int", 100, "features",
        "Number of random Fourier features cos(ωᵀx + β) the classifier sees.",
        Widget("RFF features", "features", step="125"),
        lo=1, hi=MAX_RFF_FEATURES,
        only_for=("features", ("rff",)),
    ),
    Field(
        "rff_gamma", "real", 1.0, "features",
        "Width of the random Fourier features: larger gamma makes wigglier decision boundaries.",
        Widget("RFF gamma", "features", step="125", lo=1e-3, hi=1e3, first=1e-3,
               limit=MAX_RFF_GAMMA),
        lo=0.0, hi=MAX_RFF_GAMMA, lo_open=True,
        only_for=("features", ("rff",)),
    ),
    # ------------------------------------------------------------------ training
    Field(
        "optimizer", "choice", "sgd", "training",
        "The update rule that turns the gradient dW into a step of W; changing it "
        "takes effect at once.",
        Widget(
            "Optimiser", "optimiser",
            titles={"sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov", "adam": "Adam"},
        ),
        choices=OPTIMIZERS,
        flag=Flag("optimiser (default sgd)"),
    ),
    Field(
        "lr", "real", 0.1, "training",
        "Step size η of each update W ← W − η·dW; type values like 1e-3, arrows move along "
        "1, 2, 5, 10.",
        Widget("Learning rate", "optimiser", step="125", lo=1e-6, first=1e-6),
        lo=0.0, hi=MAX_LR, lo_open=True,
        flag=Flag("learning rate", "RATE"),
    ),
    Field(
        "momentum", "real", 0.9, "training",
        "Fraction of the previous update carried into the next one (momentum and Nesterov).",
        Widget("Momentum", "optimiser", hi=0.99, size=0.05),
        **_FRACTION,
        flag=Flag("momentum coefficient", "MU"),
        only_for=("optimizer", ("momentum", "nesterov")),
    ),
    Field(
        "beta1", "real", 0.9, "training",
        "Adam's decay rate of the running mean of the gradients.",
        Widget("Adam β₁", "optimiser", hi=0.99, size=0.05),
        **_FRACTION,
        only_for=_ADAM,
    ),
    Field(
        "beta2", "real", 0.999, "training",
        "Adam's decay rate of the running mean of the squared gradients.",
        Widget("Adam β₂", "optimiser", step="nines", hi=0.9999),
        **_FRACTION,
        only_for=_ADAM,
    ),
    Field(
        "schedule", "choice", "constant", "training",
        "How the learning rate changes as training goes on.",
        Widget(
            "Schedule", "optimiser",
            titles={"constant": "constant", "step": "step decay", "cosine": "cosine"},
        ),
        choices=SCHEDULES,
        flag=Flag("learning-rate schedule", help_before="momentum"),
    ),
    Field(
        "step_every", "int", 100, "training",
        "Number of steps after which the step schedule multiplies the learning rate by its factor.",
        Widget("Decay every", "optimiser", step="125", hide=True),
        lo=1, hi=MAX_PERIOD,
        only_for=("schedule", ("step",)),
    ),
    Field(
        "step_gamma", "real", 0.5, "training",
        "Factor by which the step schedule multiplies the learning rate each time.",
        Widget("Decay factor", "optimiser", lo=0.05, size=0.05, hide=True),
        lo=0.0, hi=1.0, lo_open=True,
        only_for=("schedule", ("step",)),
    ),
    Field(
        "cosine_period", "int", 1000, "training",
        "Number of steps over which the cosine schedule lowers the learning rate to its minimum.",
        Widget("Cosine period", "optimiser", step="125", hide=True),
        lo=1, hi=MAX_PERIOD,
        only_for=("schedule", ("cosine",)),
    ),
    Field(
        "batch_size", "int", 0, "training",
        "Training points per step, drawn at random; 'full batch' uses all of them every step.",
        Widget("Batch size", "optimiser", step="pow2", special=0, special_text="full batch"),
        lo=0, hi=MAX_SAMPLES,
        flag=Flag("mini-batch size (0 = full batch)", "B"),
    ),
    Field(
        "l2", "real", 0.0, "training",
        "Weight decay: adds λ/2·‖W‖² to the loss, pulling the weights towards zero.",
        Widget("L2 (λ)", "regularisation", step="125", hi=100.0, first=1e-5, limit=MAX_L2),
        lo=0.0, hi=MAX_L2,
        flag=Flag("L2 penalty on W", "LAMBDA"),
    ),
    Field(
        "label_smoothing", "real", 0.0, "training",
        "Moves ε of each target's probability evenly to all classes, so y is no longer one-hot.",
        Widget("Label smoothing", "regularisation", hi=0.5, size=0.05),
        **_FRACTION,
        flag=Flag("label smoothing in [0, 1)", "EPS"),
    ),
)

#: Display-only settings: shown in the panel, never part of a configuration.
DISPLAY_TABLE: tuple[Field, ...] = (
    Field(
        "temperature", "real", 1.0, "display",
        "Display only: shows softmax(z / T) of the trained model, sharper below 1, softer "
        "above; it does not affect training.",
        Widget("Temperature", "display", step="125", first=0.05),
        lo=0.05, hi=20.0,
    ),
)
# fmt: on

#: Every row by field name.
ROWS: dict[str, Field] = {row.name: row for row in (*CONFIG_TABLE, *DISPLAY_TABLE)}
