r"""The inspector's derivation and the parameters as LaTeX, with the live numbers.

The sections are the inspector's, for the chosen loss (``docs/maths.md``): the input
``x`` (and ``\phi(x)``); the forward pass and the loss (cross-entropy ``L = -\log p_y``,
squared error ``\tfrac12\sum_k (p_k - y_k)^2``, or an SVM loss with its margin terms and
which are active); the backward pass (cross-entropy: ``\partial L/\partial p = -y/p``,
``J = \operatorname{diag}(p) - pp^\top`` and ``J^\top(-y/p)`` beside ``p - y``; squared
error: ``J^\top(p - y)`` beside cross-entropy's ``p - y``; an SVM loss: ``\partial
L/\partial z`` straight from the margins, no softmax); the sample's gradients
``\partial L/\partial z\, x^\top`` and ``\partial L/\partial z``; the batch's; and, on their
own, the parameters ``W``, ``b`` with their gradients. The loss's own blocks are
:mod:`explorer.export.latex_losses`; the matrices are :mod:`explorer.export.tex_blocks`.

Every vector and matrix is a ``bmatrix``, one row per class, led by a plain ``matrix`` of
the class names; more than six feature columns end in ``\cdots``. The numbers are the
inspector's: 4 significant digits, or every digit (the shortest text that reads back
exactly); ``-`` in math mode is the minus sign, and ``1.5e-07`` is written
``1.5 \times 10^{-7}``.

:func:`derivation_latex` and :func:`parameters_latex` give the bare equations, for the
clipboard: paste them into a document that has ``\usepackage{amsmath}`` (``bmatrix``,
``\text``, ``\operatorname``, ``\lVert``); nothing else is needed. :func:`latex_document`
wraps them in a whole ``article``. The text is ASCII only, with every class name escaped
(:func:`tex_text`), so a name can never break the document, and no engine needs
Unicode support (pdflatex and lualatex are tested). Nothing here knows the session:
``explorer.app.numbers`` fills :class:`Facts`, :class:`SampleNumbers` and
:class:`BatchNumbers` from it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from explorer.export.latex_losses import LossBlocks, dz_tex
from explorer.export.tex_blocks import (
    LINE_BUDGET,
    Section,
    bmatrix,
    columns_note,
    display,
    equations,
    labels_matrix,
    latex_document,
    matrix_width,
    row_bmatrix,
)
from explorer.export.tex_escape import DEFAULT_DIGITS, tex_number, tex_text
from explorer.export.text_file import write_text

#: Between two penalty weights in one parenthesis.
JOIN = r",\ "


# ------------------------------------------------------------------ the input
@dataclass(frozen=True)
class Facts:
    """What the text says besides the numbers (the inspector's page facts).

    Attributes
    ----------
    class_names : tuple of str, length C
    feature_names : tuple of str, length D
    features : str
        The feature map's kind: ``"identity"``, ``"poly"``, ``"rff"``.
    temperature : float
        The display temperature ``T`` (1 when off).
    label_smoothing, l2 : float
        ε and λ (0 when off).
    n_train : int
        Training samples ``N`` of the batch.
    step : int
        The step of the numbers.
    loss : str
        The loss of the batch, a name of :data:`explorer.core.LOSSES`.
    l1 : float
        The L1 penalty's λ₁ (0 when off).
    """

    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    features: str = "identity"
    temperature: float = 1.0
    label_smoothing: float = 0.0
    l2: float = 0.0
    n_train: int = 0
    step: int = 0
    loss: str = "cross_entropy"
    l1: float = 0.0


@dataclass(frozen=True, eq=False)
class SampleNumbers:
    """One sample's numbers, float64 (the fields of the session's ``SampleDetail``).

    Attributes
    ----------
    x : (2,)
    phi : (D,)
    z, p, y : (C,)
    J : (C, C)
    loss : float
    dL_dp, jt_dl_dp : (C,) or None
        ``∂L/∂p`` and ``J^T ∂L/∂p`` computed as the product: ``-y/p`` (cross-entropy),
        ``p - y`` (squared error); None for an SVM loss.
    dz : (C,)
        ``∂L/∂z``: ``p - y``, ``J^T(p - y)`` (closed form) or the hinge subgradient.
    dW : (C, D)
    db : (C,)
    index, label : int
    is_test : bool
    underflow : bool
        ``p_y`` underflowed: ``dL_dp`` is clipped and ``jt_dl_dp`` is its limit.
    loss_name : str
        The sample's loss, a name of :data:`explorer.core.LOSSES`.
    margin : float
        ``Δ`` of the SVM losses.
    p_minus_y : (C,) or None
        Cross-entropy's ``p - y``, beside squared error's ``J^T(p - y)``.
    active, hinge_has_term : bool (C,) or None
        An SVM loss's active margins, and which classes have a margin term.
    hinge_terms : (C,) or None
        Each class's margin term before ``max(0, ·)`` (0 where it has none).
    """

    x: np.ndarray
    phi: np.ndarray
    z: np.ndarray
    p: np.ndarray
    y: np.ndarray
    J: np.ndarray
    loss: float
    dL_dp: np.ndarray | None
    jt_dl_dp: np.ndarray | None
    dz: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    index: int
    label: int
    is_test: bool = False
    underflow: bool = False
    loss_name: str = "cross_entropy"
    margin: float = 1.0
    p_minus_y: np.ndarray | None = None
    active: np.ndarray | None = None
    hinge_terms: np.ndarray | None = None
    hinge_has_term: np.ndarray | None = None

    @classmethod
    def of(cls, detail) -> SampleNumbers:
        """The numbers of any object with these attributes (a ``SampleDetail``)."""
        return cls(**{f.name: getattr(detail, f.name) for f in fields(cls)})


@dataclass(frozen=True, eq=False)
class BatchNumbers:
    """The batch objective and its gradients: ``loss``, ``dW (C, D)``, ``db (C,)``."""

    loss: float
    dW: np.ndarray
    db: np.ndarray


# ------------------------------------------------------------------ sections
class _Writer(LossBlocks):
    """The sections of one text, in the inspector's order and words."""

    def __init__(self, facts: Facts, digits: int):
        self.facts = facts
        self.digits = digits
        identity = facts.features == "identity"
        self.identity = identity
        #: The features of a sample and of the batch, as the formulas write them.
        self.x = "x" if identity else r"\phi(x)"
        self.X = "X" if identity else r"\Phi"

    def num(self, v) -> str:
        return tex_number(v, self.digits)

    def bm(self, values) -> str:
        return bmatrix(values, self.digits)

    def by_class(self, *groups: tuple[str, object]) -> str:
        """A display of ``(formula, values)`` groups beside the class names; one display
        per group when together they would be wider than a page (:data:`LINE_BUDGET`)."""
        labels = [labels_matrix(self.facts.class_names), r"\quad"]
        if len(groups) > 1 and sum(matrix_width(v, self.digits) for _, v in groups) > LINE_BUDGET:
            return "\n\n".join(self.by_class(group) for group in groups)
        parts = list(labels)
        for i, (formula, values) in enumerate(groups):
            if i:
                parts[-1] += ","
                parts.append(r"\quad")
            parts.append(f"{formula} = {self.bm(values)}")
        return display(*parts)

    def columns_note(self, symbol: str) -> str:
        return columns_note(symbol, self.facts.feature_names)

    # ------------------------------------------------------------ one sample
    def sample(self, d: SampleNumbers) -> list[Section]:
        return [self.input(d), self.forward(d), self.chain(d), self.gradients(d)]

    def input(self, d: SampleNumbers) -> Section:
        if self.identity:
            blocks = [
                display(
                    rf"x = {row_bmatrix(d.x, self.digits)}^\top"
                    r" \qquad \text{(the raw coordinates; no feature map)}"
                )
            ]
        else:
            kind = tex_text(self.facts.features)
            blocks = [
                display(rf"x = {row_bmatrix(d.x, self.digits)}^\top"),
                display(
                    rf"\phi(x) = {row_bmatrix(d.phi, self.digits)}^\top"
                    rf" \qquad \text{{({len(d.phi)} features: {kind})}}"
                ),
                self.columns_note(r"\phi(x)^\top"),
            ]
        return Section("1. Input", tuple(blocks))

    def forward(self, d: SampleNumbers) -> Section:
        f = self.facts
        x = "x" if self.identity else r"\phi(x)"
        blocks = []
        if f.temperature == 1.0:
            z = f"z = W{x} + b"
        else:  # the display temperature rescales the logits of everything shown
            z = f"z = (W{x} + b)/T"
            blocks.append(
                f"Display temperature \\(T = {self.num(f.temperature)}\\): the numbers of this"
                " sample are those of the model \\((W/T,\\ b/T)\\)."
            )
        blocks += self.loss_blocks(d, z)
        return Section("2. Forward pass", tuple(blocks))

    def gradients(self, d: SampleNumbers) -> Section:
        dz = dz_tex(d.loss_name)
        bracketed = dz if dz.startswith(("\\frac", "J")) else f"({dz})"
        return Section(
            "4. Gradients of this sample",
            (
                self.by_class(
                    (rf"\frac{{\partial L}}{{\partial W}} = {bracketed}\,{self.x}^\top", d.dW),
                    (rf"\frac{{\partial L}}{{\partial b}} = {dz}", d.db),
                ),
                self.columns_note(r"\partial L/\partial W"),
            ),
        )

    # ---------------------------------------------------------------- batch
    def batch(self, batch: BatchNumbers, numbered: bool) -> Section:
        f = self.facts
        l2, l1 = f.l2, f.l1
        reg_l = (r" + \frac{\lambda}{2}\lVert W\rVert^2" if l2 > 0 else "") + (
            r" + \lambda_1 \sum \lvert W\rvert" if l1 > 0 else ""
        )
        reg_w = (r" + \lambda W" if l2 > 0 else "") + (
            r" + \lambda_1 \operatorname{sign}(W)" if l1 > 0 else ""
        )
        lambdas = [rf"\lambda = {self.num(l2)}"] if l2 > 0 else []
        lambdas += [rf"\lambda_1 = {self.num(l1)}"] if l1 > 0 else []
        lam = rf" \qquad ({JOIN.join(lambdas)})" if lambdas else ""
        if f.loss == "cross_entropy":
            dZ, dz_i, note = "(P - Y)", "(p_i - y_i)", ()
        else:
            dZ, dz_i = "\\,dZ\\,", r"\frac{\partial L_i}{\partial z_i}"
            each = "its subgradient from the margins"
            if f.loss == "squared_error":
                each = f"\\({dz_tex(f.loss)}\\) for this loss"
            note = (
                f"Column \\(i\\) of \\(dZ\\) is sample \\(i\\)'s \\(\\partial L/\\partial z\\)"
                f" ({each}).",
            )
        return Section(
            "5. Batch" if numbered else "Batch",
            (
                f"Mean over the \\(N = {int(f.n_train)}\\) training samples at step"
                f" \\({int(f.step)}\\):",
                display(rf"L = \frac{{1}}{{N}} \sum_i L_i{reg_l} = {self.num(batch.loss)}{lam}"),
                self.by_class(
                    (
                        rf"\frac{{\partial L}}{{\partial W}} = \frac{{1}}{{N}}{dZ}"
                        rf"{self.X}^\top{reg_w}",
                        batch.dW,
                    ),
                    (
                        rf"\frac{{\partial L}}{{\partial b}} = \frac{{1}}{{N}} \sum_i {dz_i}",
                        batch.db,
                    ),
                ),
                *note,
                self.columns_note(r"\partial L/\partial W"),
            ),
        )

    # ------------------------------------------------------------ parameters
    def parameters(self, W, b, dW=None, db=None) -> Section:
        blocks = [self.by_class(("W", W), ("b", b))]
        gradients = dW is not None and db is not None
        if gradients:
            blocks.append(
                self.by_class(
                    (r"\frac{\partial L}{\partial W}", dW),
                    (r"\frac{\partial L}{\partial b}", db),
                )
            )
        blocks.append(self.columns_note("W"))
        title = "W, b and their batch gradients" if gradients else "W and b"
        return Section(title, tuple(blocks))


def derivation_sections(
    facts: Facts,
    sample: SampleNumbers | None,
    batch: BatchNumbers,
    digits: int = DEFAULT_DIGITS,
) -> list[Section]:
    """The inspector's sections: the sample's four (when there is one), then the batch."""
    writer = _Writer(facts, digits)
    sections = writer.sample(sample) if sample is not None else []
    return [*sections, writer.batch(batch, numbered=sample is not None)]


def parameters_sections(
    facts: Facts, W, b, dW=None, db=None, digits: int = DEFAULT_DIGITS
) -> list[Section]:
    """``W (C, D)``, ``b (C,)`` and, when given, their gradients ``dW``, ``db``."""
    return [_Writer(facts, digits).parameters(W, b, dW, db)]


def sample_caption(facts: Facts, sample: SampleNumbers | None) -> str:
    """The inspector's caption, as plain text: the sample shown and the step."""
    if sample is None:
        return f"No sample selected, step {int(facts.step)}"
    part = "test" if sample.is_test else "train"
    name = facts.class_names[int(sample.label)]
    return f"Sample {int(sample.index)} ({part}, class {name}), step {int(facts.step)}"


def derivation_latex(
    facts: Facts,
    sample: SampleNumbers | None,
    batch: BatchNumbers,
    digits: int = DEFAULT_DIGITS,
    *,
    document: bool = False,
) -> str:
    """The inspector as LaTeX: bare equations, or a whole document with ``document``."""
    sections = derivation_sections(facts, sample, batch, digits)
    caption = sample_caption(facts, sample)
    return (latex_document if document else equations)(sections, caption)


def parameters_latex(
    facts: Facts, W, b, dW=None, db=None, digits: int = DEFAULT_DIGITS, *, document=False
) -> str:
    """The parameters (and gradients) as LaTeX: bare equations, or a whole document."""
    sections = parameters_sections(facts, W, b, dW, db, digits)
    caption = f"Parameters at step {int(facts.step)}"
    return (latex_document if document else equations)(sections, caption)


def save_tex(path, text: str):
    """Write LaTeX ``text`` to ``path`` atomically; return the path."""
    return write_text(path, text)
