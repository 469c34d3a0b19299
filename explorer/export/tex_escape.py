r"""Text and numbers made safe for LaTeX: class names, numbers, feature names.

:func:`tex_text` escapes any text for text mode, ASCII only, so that no class name can
break a document; :func:`tex_number` writes a number for math mode as the inspector shows
it; :func:`feature_tex` writes a feature's name (``x1³x2²``) as math (``x_1^{3} x_2^{2}``).
"""

from __future__ import annotations

import math
import unicodedata

from explorer.export.tables import monomial_factors

DEFAULT_DIGITS = 4

_TEXT_ESCAPES = {
    "\\": r"$\backslash$",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
    "<": r"$<$",
    ">": r"$>$",
    "|": r"$|$",
}
#: Combining accents that every font encoding has a command for (OT1 too).
_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0327": "c",
}
_LETTERS = {
    "ß": r"\ss{}",
    "æ": r"\ae{}",
    "Æ": r"\AE{}",
    "œ": r"\oe{}",
    "Œ": r"\OE{}",
    "ø": r"\o{}",
    "Ø": r"\O{}",
    "ł": r"\l{}",
    "Ł": r"\L{}",
    "ı": r"\i{}",
    "\u00a0": "~",
    "–": "--",
    "—": "---",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "·": r"$\cdot$",
    "×": r"$\times$",
    "−": "$-$",
    "±": r"$\pm$",
    "µ": r"$\mu$",
    "°": r"$^\circ$",
    "…": r"\ldots{}",
}
_GREEK_SMALL = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
]
_GREEK_CAPITALS = [
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Pi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
]
_GREEK_LATIN_CAPITALS = dict(
    zip(
        [
            "Alpha",
            "Beta",
            "Epsilon",
            "Zeta",
            "Eta",
            "Iota",
            "Kappa",
            "Mu",
            "Nu",
            "Omicron",
            "Rho",
            "Tau",
            "Chi",
        ],
        "ABEZHIKMNOPTX",
        strict=True,
    )
)
#: Characters that make a TeX ligature with the next one ("--", "''", "!`").
_LIGATURE_START = set("-'`!?")
_LIGATURE_NEXT = set("-'`")


def _greek(ch: str) -> str | None:
    """A Greek letter as math (``$\\alpha$``), or the Latin capital it looks like."""
    name = unicodedata.name(ch, "").replace("LAMDA", "LAMBDA")
    if name.startswith("GREEK SMALL LETTER "):
        letter = name.removeprefix("GREEK SMALL LETTER ").lower()
        if letter == "final sigma":
            return r"$\varsigma$"
        if letter == "omicron":
            return "o"
        return f"$\\{letter}$" if letter in _GREEK_SMALL else None
    if name.startswith("GREEK CAPITAL LETTER "):
        letter = name.removeprefix("GREEK CAPITAL LETTER ").capitalize()
        if letter in _GREEK_CAPITALS:
            return f"$\\{letter}$"
        return _GREEK_LATIN_CAPITALS.get(letter)
    return None


def _non_ascii(ch: str) -> str:
    """Safe text-mode LaTeX for one non-ASCII character (``[U+XXXX]`` if none is known)."""
    if ch in _LETTERS:
        return _LETTERS[ch]
    if unicodedata.category(ch).startswith("Z"):
        return " "
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    if marks and base.isascii() and base.isalpha() and all(m in _ACCENTS for m in marks):
        text = r"\i{}" if base == "i" else base
        for mark in marks:
            text = f"\\{_ACCENTS[mark]}{{{text}}}"
        return text
    greek = _greek(base if marks else ch)  # a Greek letter's marks are left out
    if greek is not None:
        return greek
    return f"[U+{ord(ch):04X}]"


def tex_text(text: str) -> str:
    """``text`` as safe text-mode LaTeX (inside ``\\text{}``, a heading or a comment).

    Every special character is escaped, control characters become spaces, and a
    character outside ASCII becomes an accent command, a letter command or a Greek
    letter when it has one, else ``[U+XXXX]``: the result is ASCII, its braces balance,
    and no input can end a group, an environment or the document.
    """
    out = []
    text = str(text)
    for i, ch in enumerate(text):
        if ch in _TEXT_ESCAPES:
            piece = _TEXT_ESCAPES[ch]
        elif ch.isascii():
            piece = ch if ch.isprintable() else " "
        else:
            piece = " " if unicodedata.category(ch).startswith("C") else _non_ascii(ch)
        out.append(piece)
        if ch in _LIGATURE_START and text[i + 1 : i + 2] in _LIGATURE_NEXT:
            out.append("{}")
    return "".join(out)


def tex_number(value: float, digits: int = DEFAULT_DIGITS) -> str:
    """A number for math mode: ``digits`` significant digits (``<= 0``: every digit).

    ``-`` is math mode's minus sign; an exponent is written ``\\times 10^{k}``; ``-0`` is
    ``0``; infinities are ``\\infty`` and NaN ``\\text{undefined}`` (as the inspector).
    """
    v = float(value)
    if math.isnan(v):
        return r"\text{undefined}"
    if math.isinf(v):
        return r"\infty" if v > 0 else r"-\infty"
    if v == 0.0:
        return "0"
    text = repr(v) if digits <= 0 else f"{v:.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def feature_tex(name: str) -> str:
    """A feature's name in math: ``x1³x2²`` → ``x_1^{3} x_2^{2}``, ``rff7`` →
    ``\\mathrm{rff}_{7}``; any other name as escaped ``\\text{}``."""
    factors = monomial_factors(name)
    if factors is not None:
        return " ".join(f"x_{v}" if p == 1 else f"x_{v}^{{{p}}}" for v, p in factors)
    if name.startswith("rff") and name[3:].isdigit() and name[3:].isascii():
        return rf"\mathrm{{rff}}_{{{name[3:]}}}"
    return rf"\text{{{tex_text(name)}}}"
