"""The inspector's and the parameters' LaTeX: exact text for a known state, structure always,
numbers that read back, hostile class names, and a compile when a LaTeX engine is here."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.export import latex
from explorer.export.latex import BatchNumbers, Facts, SampleNumbers
from explorer.export.tex_escape import feature_tex, tex_number, tex_text
from tests.tex_tools import (
    check_structure,
    compile_tex,
    engines,
    matrices,
    strip_comments,
    tex_value,
    wrap_equations,
)

NAMES = ("cat", "dog", "emu")
HOSTILE = (
    "a_b",
    "50%",
    "#1",
    "R&D",
    "{",
    "}",
    "}}\\end{bmatrix}",
    "~x^2",
    "\\end{document}",
    "\\",
    "$x$",
    "a\n\nb",
    "tab\there\x00nul",
    "caf\u00e9 na\u00efve",
    "\u4e2d\u6587",
    "\u03b1\u03b2 \u03a9",
    "emoji \U0001f600",
    "--''``!`?`",
    "<|>",
    "\u2028\u00a0\u200b",
)


def sample_state(names=NAMES, W=None, b=None, x=None, label=0, eps=0.0):
    """A sample computed here, independently of the session: z = Wx + b = (2, 1, 0)."""
    W = np.array([[0.5, 0.25], [0.25, 0.25], [-0.5, 0.0]]) if W is None else np.asarray(W)
    b = np.array([0.5, 0.0, 1.0]) if b is None else np.asarray(b)
    x = np.array([2.0, 2.0]) if x is None else np.asarray(x)
    C = W.shape[0]
    z = W @ x + b
    e = np.exp(z - z.max())
    p = e / e.sum()
    y = np.full(C, eps / C)
    y[label] += 1 - eps
    J = np.diag(p) - np.outer(p, p)
    dL_dp = np.where(y > 0, -y / p, 0.0)
    dz = p - y
    sample = SampleNumbers(
        x=x,
        phi=x,
        z=z,
        p=p,
        y=y,
        J=J,
        loss=float(-(y * np.log(p)).sum()),
        dL_dp=dL_dp,
        jt_dl_dp=J.T @ dL_dp,
        dz=dz,
        dW=np.outer(dz, x),
        db=dz.copy(),
        index=7,
        label=label,
        is_test=False,
    )
    batch = BatchNumbers(
        loss=0.125, dW=np.array([[0.5, -1e-7], [0.0, 2.5e12], [-3.0, 1.0]])[:C], db=-dz
    )
    facts = Facts(tuple(names), ("x1", "x2"), n_train=240, step=12)
    return facts, sample, batch


FORWARD = r"""\[
\begin{matrix}
\text{cat} \\
\text{dog} \\
\text{emu}
\end{matrix}
\quad
z = Wx + b = \begin{bmatrix}
2 \\
1 \\
0
\end{bmatrix},
\quad
p = \operatorname{softmax}(z) = \begin{bmatrix}
0.6652 \\
0.2447 \\
0.09003
\end{bmatrix},
\quad
y = \begin{bmatrix}
1 \\
0 \\
0
\end{bmatrix}
\]

\[
L = -\log p_y = -\log 0.6652 = 0.4076
\qquad \text{(true class cat)}
\]"""


def section_text(text: str, title: str) -> str:
    """The blocks under the comment ``% title`` of the bare equations."""
    start = text.index(f"% {title}\n") + len(f"% {title}\n")
    end = text.find("\n% ", start)
    return text[start : end if end >= 0 else len(text)].strip("\n")


def test_forward_pass_section_is_exactly_the_expected_text():
    facts, sample, batch = sample_state()
    text = latex.derivation_latex(facts, sample, batch)
    assert section_text(text, "2. Forward pass") == FORWARD
    assert text.startswith(
        "% Softmax Explorer: Sample 7 (train, class cat), step 12\n"
        "% (needs \\usepackage{amsmath})\n"
    )
    titles = [line[2:] for line in text.split("\n") if line.startswith("% ")][2:]
    assert titles == [
        "1. Input",
        "2. Forward pass",
        "3. Backward: the chain rule",
        "4. Gradients of this sample",
        "5. Batch",
    ]


def expected_matrices(sample, batch):
    """Every bmatrix of the derivation in order, as the arrays it writes."""
    return [
        sample.x[None, :],
        *(v[:, None] for v in (sample.z, sample.p, sample.y, sample.dL_dp)),
        sample.J,
        *(v[:, None] for v in (sample.jt_dl_dp, sample.dz)),
        sample.dW,
        sample.db[:, None],
        batch.dW,
        batch.db[:, None],
    ]


def read_back(found, expected, digits):
    """Assert that the bmatrices ``found`` write the arrays ``expected`` to ``digits``."""
    assert len(found) == len(expected)
    for cells, values in zip(found, expected, strict=True):
        assert len(cells) == values.shape[0]
        for row, numbers in zip(cells, values, strict=True):
            assert len(row) == len(numbers)
            for cell, v in zip(row, numbers, strict=True):
                shown = float(f"{v:.{digits}g}") if digits > 0 else float(v)
                assert tex_value(cell) == shown, (cell, v)


@pytest.mark.parametrize("digits", [4, 0])
def test_every_matrix_reads_back_with_c_rows(digits):
    facts, sample, batch = sample_state()
    text = latex.derivation_latex(facts, sample, batch, digits)
    check_structure(text)
    found = matrices(text)
    read_back(found, expected_matrices(sample, batch), digits)
    C = len(NAMES)
    assert [len(m) for m in found].count(C) == len(found) - 1  # all but x (a row)
    # the class names lead every display of per-class matrices, and only those
    labels = (
        "\\begin{matrix}\n\\text{cat} \\\\\n\\text{dog} \\\\\n\\text{emu}\n\\end{matrix}\n\\quad\n"
    )
    for shown in re.findall(r"\\\[\n(.*?)\\\]", text, re.S):
        per_class = any(len(m) == C for m in matrices(shown))
        assert shown.startswith(labels) == per_class, shown


def test_numbers_minus_exponents_and_special_values():
    assert tex_number(-0.0) == "0"
    assert tex_number(-1.5) == "-1.5"
    assert tex_number(1.5e-7) == r"1.5 \times 10^{-7}"
    assert tex_number(-2.5e12) == r"-2.5 \times 10^{12}"
    assert tex_number(0.123456) == "0.1235"
    assert tex_number(0.1 + 0.2, 0) == "0.30000000000000004"
    assert tex_number(1e16, 0) == r"1 \times 10^{16}"
    assert tex_number(math.inf) == r"\infty"
    assert tex_number(-math.inf) == r"-\infty"
    assert tex_number(math.nan) == r"\text{undefined}"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_full_precision_numbers_read_back_exactly(v):
    assert tex_value(tex_number(v, 0)) == (0.0 if v == 0 else v)


def test_feature_names_as_maths():
    assert feature_tex("x1") == "x_1"
    assert feature_tex("x1·x2") == "x_1 x_2"
    assert feature_tex("x1³x2²") == "x_1^{3} x_2^{2}"
    assert feature_tex("rff12") == r"\mathrm{rff}_{12}"
    assert feature_tex("a_b") == r"\text{a\_b}"


def test_text_escapes_every_special_character():
    assert tex_text("a_b #1 50% R&D {x} $y$") == r"a\_b \#1 50\% R\&D \{x\} \$y\$"
    assert tex_text("\\end{document}") == r"$\backslash$end\{document\}"
    assert tex_text("x^2~y") == r"x\^{}2\~{}y"
    assert tex_text("café") == r"caf\'{e}"
    assert tex_text("naïve") == r"na\"{\i{}}ve"
    assert tex_text("αΩ") == r"$\alpha$$\Omega$"
    assert tex_text("中") == "[U+4E2D]"
    assert tex_text("a\n\nb\x00") == "a  b "
    assert tex_text("--") == "-{}-"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_escaped_safely(text):
    escaped = tex_text(text)
    check_structure(rf"\[ \text{{{escaped}}} \]")
    body = escaped
    for safe in (r"\{", r"\}", r"\#", r"\$", r"\%", r"\&", r"\_", r"\^{}", r"\~{}"):
        body = body.replace(safe, "")
    assert not any(c in body for c in "#%&_\n\r\t\x00"), escaped
    assert "\\begin" not in escaped and "\\end" not in escaped and "\\par" not in escaped


@pytest.mark.parametrize("start", range(0, len(HOSTILE), 3))
def test_hostile_class_names_keep_the_structure(start):
    names = (HOSTILE + HOSTILE)[start : start + 3]
    facts, sample, batch = sample_state(names)
    for text in (
        latex.derivation_latex(facts, sample, batch),
        latex.derivation_latex(facts, sample, batch, document=True),
        latex.parameters_latex(facts, np.ones((3, 2)), np.zeros(3), document=True),
    ):
        check_structure(text)
        assert len(matrices(text, "matrix")) >= 1
        for m in matrices(text, "matrix"):
            assert len(m) == 3 and all(len(row) == 1 for row in m)  # a label per class


def variant_texts() -> dict[str, str]:
    """The derivation and the parameters in every shape the writer knows."""
    facts, sample, batch = sample_state()
    out = {
        "plain": latex.derivation_latex(facts, sample, batch),
        "full precision": latex.derivation_latex(facts, sample, batch, 0),
        "no sample": latex.derivation_latex(facts, None, batch),
        "parameters": latex.parameters_latex(
            facts, np.eye(3, 2), np.arange(3.0), batch.dW, batch.db
        ),
    }
    shown = Facts(
        NAMES, ("x1", "x2"), temperature=2.0, label_smoothing=0.1, l2=1e-3, n_train=9, step=3
    )
    _, s_sample, _ = sample_state(eps=0.1)
    out["temperature, smoothing, L2"] = latex.derivation_latex(shown, s_sample, batch)
    C, D = 9, 14  # no Jacobian matrix (C > 8), feature columns cut at MAX_COLUMNS
    rng = np.random.default_rng(5)
    W, b, x = rng.normal(size=(C, D)), rng.normal(size=C), rng.normal(size=D)
    names = tuple(f"class {k}" for k in range(C))
    poly = tuple(["x1", "x2", "x1²", "x1·x2", "x2²"] + [f"rff{k}" for k in range(D - 5)])
    facts9, s9, _ = sample_state(names, W=W, b=b, x=x, label=8)
    facts9 = Facts(names, poly, features="poly", n_train=50, step=1)
    batch9 = BatchNumbers(1.0, rng.normal(size=(C, D)), rng.normal(size=C))
    out["C = 9, D = 14"] = latex.derivation_latex(facts9, s9, batch9)
    under = SampleNumbers.of(s9)
    under = SampleNumbers(**{**vars(under), "underflow": True})
    out["underflow"] = latex.derivation_latex(facts9, under, batch9)
    return out


def test_every_variant_is_well_formed():
    texts = variant_texts()
    for name, text in texts.items():
        check_structure(text)
        for m in matrices(text):
            assert all(len(row) == len(m[0]) for row in m), name
            assert len(m[0]) <= 10, name  # amsmath's matrices take at most 10 columns
    assert r"\cdots" in texts["C = 9, D = 14"]
    assert r"\operatorname{diag}(p) - pp^\top" not in texts["C = 9, D = 14"]
    assert "(8 more, in the CSV export)" in texts["C = 9, D = 14"]
    assert "underflowed" in texts["underflow"] and "underflowed" not in texts["plain"]
    assert "% 5. Batch" not in texts["no sample"] and "% Batch" in texts["no sample"]
    assert "(W/T,\\ b/T)" in texts["temperature, smoothing, L2"]
    assert r"\lambda W" in texts["temperature, smoothing, L2"]
    assert r"\varepsilon = 0.1" in texts["temperature, smoothing, L2"]
    assert "% W, b and their batch gradients" in texts["parameters"]


def test_wide_lines_are_split_one_matrix_per_display():
    facts, sample, batch = sample_state()
    four = latex.derivation_latex(facts, sample, batch, 4)
    full = latex.derivation_latex(facts, sample, batch, 0)
    assert four.count(r"\[") < full.count(r"\[")
    assert len(matrices(four)) == len(matrices(full))


def test_it_compiles_or_at_least_is_well_formed(tmp_path):
    """The structure is always checked; with pdflatex or lualatex here, every variant and
    hostile names compile, both as a whole document and as the clipboard's equations."""
    texts = variant_texts()
    facts, sample, batch = sample_state(HOSTILE[:3])
    hostile = {
        f"hostile {i}": latex.derivation_latex(
            Facts(tuple((HOSTILE * 2)[i : i + 3]), facts.feature_names), sample, batch
        )
        for i in range(0, len(HOSTILE), 3)
    }
    bodies = []
    for name, text in {**texts, **hostile}.items():
        check_structure(text)
        bodies.append(f"% ---- {name}\n{text}\n\\clearpage\n")
    whole = latex.derivation_latex(facts, sample, batch, document=True)
    check_structure(whole)
    assert whole.startswith("\\documentclass{article}\n\\usepackage{amsmath}\n")
    assert whole.rstrip().endswith("\\end{document}")
    if not engines():
        return  # no TeX here: the structure above is what can be checked
    for _engine, pdf_text in compile_tex(wrap_equations("".join(bodies)), tmp_path, "equations"):
        if pdf_text:  # the names are printed as they are spelled
            assert "0.6652" in pdf_text and "R&D" in pdf_text and "\\end{document}" in pdf_text
    for _engine, pdf_text in compile_tex(whole, tmp_path, "document"):
        if pdf_text:
            assert "0.6652" in pdf_text and "2. Forward pass" in pdf_text


def test_document_names_only_amsmath():
    facts, sample, batch = sample_state()
    whole = latex.derivation_latex(facts, sample, batch, document=True)
    assert [line for line in whole.split("\n") if line.startswith("\\usepackage")] == [
        "\\usepackage{amsmath}"
    ]
    bare = latex.derivation_latex(facts, sample, batch)
    assert "\\documentclass" not in bare and "\\usepackage{amsmath}" in bare  # in a comment
    assert "\\usepackage" not in strip_comments(bare)
