"""Reading LaTeX back for the tests: its structure, its matrices and numbers, its compile."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

#: A control word, a control symbol, or one character.
TOKEN = re.compile(r"\\[A-Za-z]+|\\.|.", re.DOTALL)
ENGINES = ("pdflatex", "lualatex")
NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)(?: \\times 10\^\{(-?\d+)\})?$")


def strip_comments(text: str) -> str:
    """``text`` without its comments (an unescaped ``%`` to the end of its line)."""
    out = []
    for line in text.split("\n"):
        tokens = TOKEN.findall(line)
        kept = []
        for token in tokens:
            if token == "%":
                break
            kept.append(token)
        out.append("".join(kept))
    return "\n".join(out)


def check_structure(text: str) -> None:
    """Assert that ``text`` is well formed: ASCII; braces, environments, displays and
    inline maths balanced and properly nested; no paragraph break inside maths or a group.
    """
    assert text.isascii(), [c for c in text if not c.isascii()][:5]
    body = strip_comments(text)
    stack: list[str] = []
    blank = False
    line_start = True
    for token in TOKEN.findall(body):
        if token == "\n":
            if line_start:
                blank = True
            line_start = True
            continue
        if not token.isspace():
            if blank:
                # a blank line is a paragraph break: an error inside maths or a group
                assert not stack or stack[-1] == "document", f"paragraph break inside {stack}"
            blank = False
            line_start = False
        if token == "{":
            stack.append("{")
        elif token == "}":
            assert stack and stack[-1] == "{", f"unbalanced }} in {stack}"
            stack.pop()
        elif token in (r"\[", r"\("):
            assert not any(s in (r"\[", r"\(", "$") for s in stack), f"nested maths {stack}"
            stack.append(token)
        elif token in (r"\]", r"\)"):
            opener = r"\[" if token == r"\]" else r"\("
            assert stack and stack[-1] == opener, f"{token} closes {stack}"
            stack.pop()
        elif token == "$":
            if stack and stack[-1] == "$":
                stack.pop()
            else:
                stack.append("$")
    assert not stack, f"left open: {stack}"
    begins = re.findall(r"\\(begin|end)\{([^}]*)\}", body)
    envs: list[str] = []
    for kind, name in begins:
        if kind == "begin":
            envs.append(name)
        else:
            assert envs and envs[-1] == name, f"\\end{{{name}}} closes {envs}"
            envs.pop()
    assert not envs, f"environments left open: {envs}"


def matrices(text: str, env: str = "bmatrix") -> list[list[list[str]]]:
    """Every ``env`` of ``text`` as rows of stripped cell texts (split at the ``\\\\`` and
    ``&`` tokens, not at an escaped ``\\&``)."""
    found = re.findall(rf"\\begin\{{{env}\}}(.*?)\\end\{{{env}\}}", strip_comments(text), re.S)
    out = []
    for body in found:
        rows, row, cell = [], [], []
        for token in TOKEN.findall(body):
            if token in ("&", "\\\\"):
                row.append("".join(cell).strip())
                cell = []
                if token != "&":
                    rows.append(row)
                    row = []
            else:
                cell.append(token)
        row.append("".join(cell).strip())
        rows.append(row)
        out.append(rows)
    return out


def tex_value(cell: str) -> float | None:
    """The number a cell writes (``-1.5 \\times 10^{-7}``), or None for ``\\cdots``."""
    if cell == r"\cdots":
        return None
    if cell in (r"\infty", r"-\infty"):
        return float(cell.replace(r"\infty", "inf"))
    if cell == r"\text{undefined}":
        return float("nan")
    match = NUMBER.match(cell)
    assert match is not None, cell
    mantissa, exponent = match.groups()
    return float(mantissa + (f"e{exponent}" if exponent else ""))


def engines() -> list[str]:
    """The LaTeX engines installed here (none on a machine without TeX)."""
    return [e for e in ENGINES if shutil.which(e)]


def compile_tex(text: str, folder: Path, name: str = "doc") -> list[tuple[str, str]]:
    """Compile the document ``text`` with every installed engine; assert each succeeds.

    Returns ``(engine, pdftotext of the PDF or "")`` per engine run.
    """
    results = []
    for engine in engines():
        work = folder / engine
        work.mkdir(parents=True, exist_ok=True)
        (work / f"{name}.tex").write_text(text, encoding="ascii")
        run = subprocess.run(
            [engine, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", name],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=240,
        )
        log = (
            (work / f"{name}.log").read_text(errors="replace")
            if (work / f"{name}.log").exists()
            else ""
        )
        assert run.returncode == 0, f"{engine} failed:\n{run.stdout[-3000:]}"
        assert (work / f"{name}.pdf").stat().st_size > 0
        assert "Missing character" not in log, engine
        text_out = ""
        if shutil.which("pdftotext"):
            text_out = subprocess.run(
                ["pdftotext", "-layout", str(work / f"{name}.pdf"), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        results.append((engine, text_out))
    return results


def wrap_equations(equations: str) -> str:
    """The clipboard's bare equations in the least document they promise to need."""
    return (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        + equations
        + "\\end{document}\n"
    )
