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
Add one :class:`Field` row (the parts are in :mod:`explorer.session.config_rows`) to
:data:`CONFIG_TABLE` where the panel should show it; the ``l1`` row is a worked example:
``Field("l1", "real", 0.0, "training", "<tooltip>", Widget("L1 (λ₁)", "regularisation",
step="125", hi=100.0, first=1e-5), lo=0.0, hi=MAX_L1, flag=Flag("L1 penalty on W",
"LAMBDA"))``. ``Config`` then has the field with its default and its check, the panel its
control, and ``--l1`` exists (a row without ``flag`` has no option). What remains is the
code that uses the value. A choice takes its values from the core registry it selects in
(``OPTIMIZERS``, ``LOSSES``...); a field that matters only for some values of another
gives ``only_for``, and the panel disables (with ``widget.hide``: hides) it otherwise.
A rule across fields (label smoothing needs a loss of the probabilities) lives in
:class:`Config`'s checks.
"""

from __future__ import annotations

from explorer.core.datasets import DATASETS
from explorer.core.features import FEATURE_KINDS, MAX_DEGREE
from explorer.core.loss import HINGE_LOSSES, LOSSES, PROBABILISTIC_LOSSES, cli_loss_name, loss_name
from explorer.core.optimizers import OPTIMIZERS
from explorer.core.schedules import SCHEDULES
from explorer.session.config_rows import (  # noqa: F401 (the rows' parts, for importers)
    GROUPS,
    KINDS,
    NO_SPECIAL,
    STEPPINGS,
    Field,
    Flag,
    Widget,
)

MAX_CLASSES = 50
MAX_SAMPLES = 1_000_000
MAX_SEED = 2**32 - 1
MAX_LR = 1e6
#: Upper bounds of otherwise open-ended fields: beyond them some number of the session
#: (data, features, the L2 term of the loss) overflows float32 and turns into NaN.
MAX_NOISE = 100.0
MAX_RFF_GAMMA = 1e4
MAX_L2 = 1e6
MAX_L1 = 1e6
MAX_MARGIN = 1e6
#: Longest schedule period (step schedule's ``step_every``, cosine's period), in steps.
MAX_PERIOD = 10**7
MAX_RFF_FEATURES = 2000


def features_option(text: str) -> dict[str, object]:
    """``--features``: ``identity``, ``rff``, ``poly`` or ``polyK`` (K = the degree)."""
    text = text.strip().lower()
    if text.startswith("poly") and text[4:].isascii() and text[4:].isdigit():
        return {"features": "poly", "degree": int(text[4:])}
    if text in FEATURE_KINDS:
        return {"features": text}
    raise ValueError(
        f"unknown feature map {text!r} (choose identity, poly, polyK with K = 1..{MAX_DEGREE}, "
        "or rff)"
    )


def loss_option(text: str) -> dict[str, object]:
    """``--loss``: a loss by either spelling (``svm-ww`` or ``svm_ww``)."""
    return {"loss": loss_name(text.strip().lower())}


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
    # ------------------------------------------------------------------ loss
    Field(
        "loss", "choice", "cross_entropy", "training",
        "What each sample costs, the number training lowers: cross-entropy −log p_y, "
        "squared error on p, or a multiclass SVM's hinge on the scores z; changing it "
        "takes effect at once.",
        Widget(
            "Loss", "loss",
            titles={
                "cross_entropy": "cross-entropy", "squared_error": "squared error",
                "svm_ww": "SVM (Weston–Watkins)", "svm_ova": "SVM (one-vs-all)",
                "svm_structured": "SVM (structured)",
            },
            item_tips={
                "cross_entropy": "L = −log p_y; its gradient ∂L/∂z = p − y never fades "
                "while the sample is wrong.",
                "squared_error": "L = ½ Σ (p_k − y_k)²; its gradient Jᵀ(p − y) fades when "
                "p saturates, even on a confidently wrong sample.",
                "svm_ww": "Σ over wrong classes j of max(0, z_j − z_y + Δ): every class "
                "scoring within Δ of the true one costs (the CS231n demo's default).",
                "svm_ova": "Σ over classes of max(0, Δ − s_j z_j): one yes/no SVM per "
                "class, the true class's score above Δ, the others' below −Δ.",
                "svm_structured": "max(0, max_{j≠y} z_j − z_y + Δ): only the best wrong "
                "class costs (Crammer–Singer).",
            },
        ),
        choices=LOSSES,
        flag=Flag(
            "loss: " + ", ".join(cli_loss_name(n) for n in LOSSES) + " (default cross-entropy)",
            "NAME", parse=loss_option,
        ),
    ),
    Field(
        "margin", "real", 1.0, "training",
        "The SVM losses' margin Δ: a sample costs nothing once its true score beats the "
        "others by at least Δ (one-vs-all: each score is beyond ±Δ).",
        Widget("Margin (Δ)", "loss", step="125", lo=0.01, hi=100.0, first=0.01,
               limit=MAX_MARGIN, hide=True),
        lo=0.0, hi=MAX_MARGIN, lo_open=True,
        flag=Flag("margin Δ of the SVM losses (default 1)", "DELTA"),
        only_for=("loss", HINGE_LOSSES),
    ),
    # ------------------------------------------------------------------ regularisation
    Field(
        "l2", "real", 0.0, "training",
        "Weight decay: adds λ/2·‖W‖² to the loss, pulling the weights towards zero.",
        Widget("L2 (λ)", "regularisation", step="125", hi=100.0, first=1e-5, limit=MAX_L2),
        lo=0.0, hi=MAX_L2,
        flag=Flag("L2 penalty on W", "LAMBDA"),
    ),
    Field(
        "l1", "real", 0.0, "training",
        "Adds λ₁·Σ|W| to the loss: every step pulls each weight towards zero by the same "
        "amount, λ₁·sign(w), however small it is.",
        Widget("L1 (λ₁)", "regularisation", step="125", hi=100.0, first=1e-5, limit=MAX_L1),
        lo=0.0, hi=MAX_L1,
        flag=Flag("L1 penalty on W", "LAMBDA"),
    ),
    Field(
        "label_smoothing", "real", 0.0, "training",
        "Moves ε of each target's probability evenly to all classes, so y is no longer "
        "one-hot (cross-entropy and squared error; the SVM losses need hard labels).",
        Widget("Label smoothing", "regularisation", hi=0.5, size=0.05),
        **_FRACTION,
        flag=Flag("label smoothing in [0, 1)", "EPS"),
        only_for=("loss", PROBABILISTIC_LOSSES),
    ),
)

#: Display-only settings: shown in the panel, never part of a configuration.
DISPLAY_TABLE: tuple[Field, ...] = (
    Field(
        "temperature", "real", 1.0, "display",
        "Display only: every view divides the scores by T (softmax(z / T); for the SVM "
        "losses their margins of z / T), sharper below 1, softer above; it does not affect "
        "training.",
        Widget("Temperature", "display", step="125", first=0.05),
        lo=0.05, hi=20.0,
    ),
)
# fmt: on

#: Every row by field name.
ROWS: dict[str, Field] = {row.name: row for row in (*CONFIG_TABLE, *DISPLAY_TABLE)}
