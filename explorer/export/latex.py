r"""The inspector's derivation and the parameters as LaTeX, with the live numbers.

The sections are the inspector's (``docs/maths.md``): the input ``x`` (and ``\phi(x)``),
the forward pass ``z = Wx + b``, ``p = \operatorname{softmax}(z)``, ``L = -\log p_y``; the
chain rule ``\partial L/\partial p = -y/p``, ``J = \operatorname{diag}(p) - pp^\top`` and
``J^\top(-y/p)`` beside ``p - y``; the sample's gradients ``(p - y)x^\top`` and ``p - y``;
the batch's; and, on their own, the parameters ``W``, ``b`` with their gradients.

Every vector and matrix is a ``bmatrix``, one row per class, led by a plain ``matrix`` of
the class names; more than :data:`MAX_COLUMNS` feature columns end in ``\cdots``. The
numbers are the inspector's: 4 significant digits, or every digit (the shortest text that
reads back exactly); ``-`` in math mode is the minus sign, and ``1.5e-07`` is written
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

from explorer.core.chain_rule import chain_rule_gap
from explorer.export.tex_escape import DEFAULT_DIGITS, feature_tex, tex_number, tex_text
from explorer.export.text_file import write_text

#: Feature columns written out before ``\cdots`` (amsmath's matrices take 10 columns).
MAX_COLUMNS = 6
#: Largest C for which the C x C Jacobian is written out (amsmath's 10-column limit).
MAX_JACOBIAN_CLASSES = 8
#: Characters of numbers (the widest cell of each column, summed over a line's matrices)
#: that fit on one line of the page beside the formulas; a wider line is split.
LINE_BUDGET = 50
PREAMBLE = r"""\documentclass{article}
\usepackage{amsmath}
% One-inch margins without a package: rows of full-precision numbers are wide.
\setlength{\textwidth}{\paperwidth}
\addtolength{\textwidth}{-2in}
\setlength{\oddsidemargin}{0pt}
\setlength{\evensidemargin}{0pt}
\setlength{\parindent}{0pt}
\setlength{\arraycolsep}{4pt}
\begin{document}
"""


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
    """

    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    features: str = "identity"
    temperature: float = 1.0
    label_smoothing: float = 0.0
    l2: float = 0.0
    n_train: int = 0
    step: int = 0


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
    dL_dp, jt_dl_dp, dz : (C,)
        ``-y/p``, ``J^T(-y/p)`` (computed as the product) and ``p - y``.
    dW : (C, D)
    db : (C,)
    index, label : int
    is_test : bool
    underflow : bool
        ``p_y`` underflowed: ``dL_dp`` is clipped and ``jt_dl_dp`` is its limit.
    """

    x: np.ndarray
    phi: np.ndarray
    z: np.ndarray
    p: np.ndarray
    y: np.ndarray
    J: np.ndarray
    loss: float
    dL_dp: np.ndarray
    jt_dl_dp: np.ndarray
    dz: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    index: int
    label: int
    is_test: bool = False
    underflow: bool = False

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


@dataclass(frozen=True)
class Section:
    """A titled part of the text: its ``title`` (plain text) and its ``blocks``, each a
    LaTeX paragraph (a display ``\\[ ... \\]`` or a sentence)."""

    title: str
    blocks: tuple[str, ...]


def bmatrix(values, digits: int = DEFAULT_DIGITS) -> str:
    """A ``bmatrix`` of ``values`` ``(R,)`` (a column) or ``(R, K)``, a row per line;
    more than :data:`MAX_COLUMNS` columns end in ``\\cdots``."""
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    more = a.shape[1] > MAX_COLUMNS
    rows = []
    for row in a[:, :MAX_COLUMNS]:
        cells = [tex_number(v, digits) for v in row] + ([r"\cdots"] if more else [])
        rows.append(" & ".join(cells))
    return "\\begin{bmatrix}\n" + " \\\\\n".join(rows) + "\n\\end{bmatrix}"


def row_bmatrix(values, digits: int = DEFAULT_DIGITS) -> str:
    """A vector ``(K,)`` as a one-row ``bmatrix`` (transpose it for a column)."""
    return bmatrix(np.asarray(values, dtype=np.float64)[None, :], digits).replace("\n", " ")


def labels_matrix(class_names) -> str:
    """The class names as a plain ``matrix``: the row labels of a line of ``bmatrix``."""
    rows = [rf"\text{{{tex_text(n)}}}" for n in class_names]
    return "\\begin{matrix}\n" + " \\\\\n".join(rows) + "\n\\end{matrix}"


def _width(values, digits: int) -> int:
    """About how many characters wide the matrix of ``values`` is (its widest cells)."""
    a = np.asarray(values, dtype=np.float64)
    a = a[:, None] if a.ndim == 1 else a
    shown = a[:, :MAX_COLUMNS]
    widest = [
        max(len(tex_number(v, digits).replace(r" \times 10^", "e")) for v in column)
        for column in shown.T
    ]
    return sum(widest) + 2 * (a.shape[1] > MAX_COLUMNS)


def display(*parts: str) -> str:
    """A display ``\\[ ... \\]`` of ``parts``, one per line."""
    return "\\[\n" + "\n".join(parts) + "\n\\]"


def _columns_note(symbol: str, feature_names) -> str:
    names = [f"\\({feature_tex(n)}\\)" for n in feature_names[:MAX_COLUMNS]]
    more = len(feature_names) - MAX_COLUMNS
    tail = f", \\ldots{{}} ({more} more, in the CSV export)" if more > 0 else ""
    return f"Columns of \\({symbol}\\): {', '.join(names)}{tail}."


# ------------------------------------------------------------------ sections
class _Writer:
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
        if len(groups) > 1 and sum(_width(v, self.digits) for _, v in groups) > LINE_BUDGET:
            return "\n\n".join(self.by_class(group) for group in groups)
        parts = list(labels)
        for i, (formula, values) in enumerate(groups):
            if i:
                parts[-1] += ","
                parts.append(r"\quad")
            parts.append(f"{formula} = {self.bm(values)}")
        return display(*parts)

    def columns_note(self, symbol: str) -> str:
        return _columns_note(symbol, self.facts.feature_names)

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
        blocks.append(self.by_class((z, d.z), (r"p = \operatorname{softmax}(z)", d.p), ("y", d.y)))
        if f.label_smoothing > 0:
            blocks.append(
                display(
                    rf"L = -\sum_k y_k \log p_k = {self.num(d.loss)}",
                    rf"\qquad \text{{(label smoothing }} \varepsilon = "
                    rf"{self.num(f.label_smoothing)}\text{{: }}"
                    r"y = (1 - \varepsilon)\,\text{one-hot} + \varepsilon/C)",
                )
            )
        else:
            name = tex_text(f.class_names[int(d.label)])
            blocks.append(
                display(
                    rf"L = -\log p_y = -\log {self.num(d.p[int(d.label)])} = {self.num(d.loss)}",
                    rf"\qquad \text{{(true class {name})}}",
                )
            )
        return Section("2. Forward pass", tuple(blocks))

    def chain(self, d: SampleNumbers) -> Section:
        groups = [(r"\frac{\partial L}{\partial p} = -y/p", d.dL_dp)]
        if len(d.p) <= MAX_JACOBIAN_CLASSES:
            groups.append((r"J = \operatorname{diag}(p) - pp^\top", d.J))
        blocks = [
            self.by_class(*groups),
            self.by_class((r"J^\top(-y/p)", d.jt_dl_dp), ("p - y", d.dz)),
        ]
        gap = chain_rule_gap(d.jt_dl_dp, d.dz)
        if gap == 0:
            agree = "Both sides agree exactly: every entry is equal."
        else:
            agree = (
                f"Both sides agree to \\({tex_number(gap, 1)}\\), the largest difference"
                " between entries."
            )
        blocks.append(
            agree + " Because \\(\\sum_k y_k = 1\\): \\(J^\\top(-y/p) = p \\sum_k y_k - y"
            " = p - y\\), prediction minus truth."
        )
        if d.underflow:
            blocks.append(
                "\\(p_y\\) underflowed in float64: \\(-y/p\\) is shown clipped to the largest"
                " float, and \\(J^\\top(-y/p)\\) is its limit \\(p \\sum_k y_k - y\\)."
            )
        return Section("3. Backward: the chain rule", tuple(blocks))

    def gradients(self, d: SampleNumbers) -> Section:
        return Section(
            "4. Gradients of this sample",
            (
                self.by_class(
                    (rf"\frac{{\partial L}}{{\partial W}} = (p - y)\,{self.x}^\top", d.dW),
                    (r"\frac{\partial L}{\partial b} = p - y", d.db),
                ),
                self.columns_note(r"\partial L/\partial W"),
            ),
        )

    # ---------------------------------------------------------------- batch
    def batch(self, batch: BatchNumbers, numbered: bool) -> Section:
        f = self.facts
        l2 = f.l2
        reg_l = r" + \frac{\lambda}{2}\lVert W\rVert^2" if l2 > 0 else ""
        reg_w = r" + \lambda W" if l2 > 0 else ""
        lam = rf" \qquad (\lambda = {self.num(l2)})" if l2 > 0 else ""
        return Section(
            "5. Batch" if numbered else "Batch",
            (
                f"Mean over the \\(N = {int(f.n_train)}\\) training samples at step"
                f" \\({int(f.step)}\\):",
                display(rf"L = \frac{{1}}{{N}} \sum_i L_i{reg_l} = {self.num(batch.loss)}{lam}"),
                self.by_class(
                    (
                        rf"\frac{{\partial L}}{{\partial W}} = \frac{{1}}{{N}}(P - Y)"
                        rf"{self.X}^\top{reg_w}",
                        batch.dW,
                    ),
                    (r"\frac{\partial L}{\partial b} = \frac{1}{N} \sum_i (p_i - y_i)", batch.db),
                ),
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


# --------------------------------------------------------------------- texts
def equations(sections: list[Section], caption: str = "") -> str:
    """The bare equations of ``sections``, each under a comment with its title.

    Paste them into a document with ``\\usepackage{amsmath}``.
    """
    lines = ["% Softmax Explorer" + (f": {tex_text(caption)}" if caption else "")]
    lines.append(r"% (needs \usepackage{amsmath})")
    for section in sections:
        lines += ["", f"% {tex_text(section.title)}"]
        for block in section.blocks:
            lines += [block, ""]
        lines.pop()
    return "\n".join(lines) + "\n"


def latex_document(sections: list[Section], caption: str = "") -> str:
    """A whole ``article`` of ``sections`` (amsmath only), titled by ``caption``."""
    lines = [PREAMBLE.rstrip("\n")]
    if caption:
        lines.append(f"\\section*{{{tex_text(caption)}}}")
    for section in sections:
        lines += ["", f"\\subsection*{{{tex_text(section.title)}}}"]
        for block in section.blocks:
            lines += ["", block]
    lines += ["", r"\end{document}"]
    return "\n".join(lines) + "\n"


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
