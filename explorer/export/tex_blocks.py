r"""The pieces LaTeX text is built from: sections, ``bmatrix`` displays, the class labels.

Every vector and matrix is a ``bmatrix``, one row per class; more than
:data:`MAX_COLUMNS` feature columns end in ``\cdots``. A cell is a number
(:func:`explorer.export.tex_escape.tex_number`) or, in a :class:`Cells` column, a fixed
text such as ``\text{active}``. :mod:`explorer.export.latex` assembles them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.export.tex_escape import DEFAULT_DIGITS, feature_tex, tex_number, tex_text

#: Feature columns written out before ``\cdots`` (amsmath's matrices take 10 columns).
MAX_COLUMNS = 6
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


@dataclass(frozen=True)
class Cells:
    """A column of ready LaTeX cells (math mode), one per class: texts, not numbers."""

    texts: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """A titled part of the text: its ``title`` (plain text) and its ``blocks``, each a
    LaTeX paragraph (a display ``\\[ ... \\]`` or a sentence)."""

    title: str
    blocks: tuple[str, ...]


def bmatrix(values, digits: int = DEFAULT_DIGITS) -> str:
    """A ``bmatrix`` of ``values`` ``(R,)`` (a column) or ``(R, K)``, a row per line;
    more than :data:`MAX_COLUMNS` columns end in ``\\cdots``. :class:`Cells` are written
    as they are."""
    if isinstance(values, Cells):
        return "\\begin{bmatrix}\n" + " \\\\\n".join(values.texts) + "\n\\end{bmatrix}"
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


def matrix_width(values, digits: int) -> int:
    """About how many characters wide the matrix of ``values`` is (its widest cells)."""
    if isinstance(values, Cells):
        return max(len(t.replace(r"\text", "")) - 2 for t in values.texts)
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


def columns_note(symbol: str, feature_names) -> str:
    """The sentence naming the feature columns of ``symbol`` (those written out)."""
    names = [f"\\({feature_tex(n)}\\)" for n in feature_names[:MAX_COLUMNS]]
    more = len(feature_names) - MAX_COLUMNS
    tail = f", \\ldots{{}} ({more} more, in the CSV export)" if more > 0 else ""
    return f"Columns of \\({symbol}\\): {', '.join(names)}{tail}."


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
