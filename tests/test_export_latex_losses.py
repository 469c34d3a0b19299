"""The inspector's LaTeX under every loss: its own derivation, numbers that read back, the
labels per loss, a compile with pdflatex (and lualatex) for each, and the copy and the
command-line export following the session's loss.

The samples are computed here from the closed forms of ``docs/maths.md`` ("Losses"),
independently of the session and the core's loss functions.
"""

from __future__ import annotations

import numpy as np
import pytest

from explorer.app import numbers
from explorer.core import HINGE_LOSSES, LOSSES
from explorer.export import latex
from explorer.export.latex import BatchNumbers, Facts, SampleNumbers
from explorer.export.latex_losses import ACTIVE, INACTIVE, KINK, NO_SOFTMAX, NO_TERM
from explorer.export.tex_escape import tex_number
from explorer.session.config import Config
from explorer.session.session import Session
from tests.tex_tools import (
    check_structure,
    compile_tex,
    engines,
    matrices,
    tex_value,
    wrap_equations,
)

NAMES = ("cat", "dog", "emu")
W = np.array([[0.5, 0.25], [0.25, 0.25], [-0.5, 0.0]])
B = np.array([0.5, 0.0, 1.0])


def sample(loss, x=(2.0, 2.0), label=1, margin=1.0):
    """One sample under ``loss`` from its closed forms: ``z = Wx + b = (2, 1, 0)``."""
    x = np.asarray(x, dtype=np.float64)
    z = W @ x + B
    C = z.size
    e = np.exp(z - z.max())
    p = e / e.sum()
    y = np.eye(C)[label]
    J = np.diag(p) - np.outer(p, p)
    extra = {"dL_dp": None, "jt_dl_dp": None}
    if loss == "cross_entropy":
        value, dz = -np.log(p[label]), p - y
        extra = {"dL_dp": -y / np.where(y > 0, p, 1.0), "jt_dl_dp": J.T @ (-y / p)}
    elif loss == "squared_error":
        value, dz = 0.5 * np.sum((p - y) ** 2), J @ (p - y)
        extra = {"dL_dp": p - y, "jt_dl_dp": J.T @ (p - y)}
    else:
        has = np.ones(C, dtype=bool)
        if loss == "svm_ova":
            s = np.where(np.arange(C) == label, 1.0, -1.0)
            terms = margin - s * z
            active = terms > 0
            dz = -s * active
        else:
            terms = z - z[label] + margin
            has[label] = False
            if loss == "svm_structured":
                runner = max((j for j in range(C) if j != label), key=lambda j: z[j])
                has[:] = False
                has[runner] = True
            active = has & (terms > 0)
            dz = active.astype(float)
            dz[label] = -active.sum()
        terms = np.where(has, terms, 0.0)
        value = float(np.sum(np.maximum(terms[has], 0.0)))
        extra.update(active=active, hinge_terms=terms, hinge_has_term=has)
    return SampleNumbers(
        x=x, phi=x, z=z, p=p, y=y, J=J, loss=float(value), dz=dz, dW=np.outer(dz, x),
        db=dz.copy(), index=4, label=label, loss_name=loss, margin=margin,
        p_minus_y=p - y, **extra,
    )  # fmt: skip


def text_of(loss, digits=4, document=False, **facts):
    facts = Facts(NAMES, ("x1", "x2"), n_train=30, step=9, loss=loss, **facts)
    batch = BatchNumbers(0.5, np.array([[0.1, -0.2], [0.0, 0.3], [-0.1, -0.1]]), np.zeros(3))
    return latex.derivation_latex(facts, sample(loss), batch, digits, document=document)


def expected_matrices(d, batch_dW, batch_db):
    """Every bmatrix the derivation writes for ``d``'s loss, in order (None: a text)."""
    col = [v[:, None] for v in (d.z, d.p, d.y)]
    if d.loss_name == "cross_entropy":
        middle = [*col, d.dL_dp[:, None], d.J, d.jt_dl_dp[:, None], d.dz[:, None]]
    elif d.loss_name == "squared_error":
        middle = [*col, d.dL_dp[:, None], d.J, d.jt_dl_dp[:, None], d.p_minus_y[:, None]]
    else:
        terms = np.where(d.hinge_has_term, d.hinge_terms, np.nan)[:, None]
        middle = [d.z[:, None], terms, None, d.dz[:, None]]
    return [d.x[None, :], *middle, d.dW, d.db[:, None], batch_dW, batch_db[:, None]]


@pytest.mark.parametrize("digits", [4, 0])
@pytest.mark.parametrize("loss", LOSSES)
def test_every_matrix_reads_back_under_each_loss(loss, digits):
    text = text_of(loss, digits)
    check_structure(text)
    d = sample(loss)
    found = matrices(text)
    expected = expected_matrices(d, np.array([[0.1, -0.2], [0.0, 0.3], [-0.1, -0.1]]), np.zeros(3))
    assert len(found) == len(expected)
    for cells, values in zip(found, expected, strict=True):
        if values is None:  # the margin column: a text per class
            states = [ACTIVE if a else INACTIVE for a in d.active]
            want = [s if h else NO_TERM for s, h in zip(states, d.hinge_has_term, strict=True)]
            assert [row[0] for row in cells] == want
            continue
        assert len(cells) == values.shape[0]
        for row, nums in zip(cells, values, strict=True):
            for cell, v in zip(row, nums, strict=True):
                if np.isnan(v):
                    assert cell == NO_TERM
                    continue
                shown = float(f"{v:.{digits}g}") if digits > 0 else float(v)
                assert tex_value(cell) == shown, (cell, v)


LABELS = {
    "cross_entropy": ([r"= -y/p", r"J^\top(-y/p)", "Both sides agree", r"L = -\log p_y"], []),
    "squared_error": (
        [r"\frac{\partial L}{\partial p} = p - y", r"\frac{\partial L}{\partial z} = J^\top(p - y)",
         "(cross-entropy's)", "shrinks the signal", r"\tfrac{1}{2} \sum_k (p_k - y_k)^2",
         r"\frac{\partial L}{\partial W} = J^\top(p - y)\,x^\top", r"\frac{1}{N}\,dZ\,X^\top"],
        ["-y/p", NO_SOFTMAX, "(P - Y)"],
    ),
    "svm_ww": ([r"\max(0,\ z_j - z_y + \Delta)", "Weston-Watkins", "minus their count",
                r"\frac{\partial L}{\partial W} = \frac{\partial L}{\partial z}\,x^\top"],
               [r"\partial p", r"J^\top", r"\operatorname{diag}"]),
    "svm_ova": ([r"\max(0,\ \Delta - s_j z_j)", "one-vs-all", r"\(s_j = +1\)"],
                [r"\partial p", r"J^\top"]),
    "svm_structured": ([r"\max_{j \ne y} z_j", "runner-up, class cat", "Crammer-Singer"],
                       [r"\partial p", r"J^\top"]),
}  # fmt: skip


@pytest.mark.parametrize("loss", LOSSES)
def test_each_loss_has_its_own_labels(loss):
    text = text_of(loss)
    present, absent = LABELS[loss]
    for label in present:
        assert label in text, label
    for label in absent:
        assert label not in text, label
    hinge = loss in HINGE_LOSSES
    assert (NO_SOFTMAX in text) == hinge and (KINK in text) == hinge
    titles = [line[2:] for line in text.split("\n") if line.startswith("% ")][2:]
    chain = "dL/dz straight from the margins" if hinge else "the chain rule"
    assert titles == [
        "1. Input", "2. Forward pass", f"3. Backward: {chain}", "4. Gradients of this sample",
        "5. Batch",
    ]  # fmt: skip
    if loss == "squared_error":
        d = sample(loss)
        ratio = np.linalg.norm(d.jt_dl_dp) / np.linalg.norm(d.p - d.y)
        assert f"= {float(f'{ratio:.3g}'):g}\\,\\lVert p - y\\rVert" in text


def test_penalties_are_written_with_l1():
    text = text_of("svm_ww", l2=0.01, l1=0.002)
    assert r"+ \frac{\lambda}{2}\lVert W\rVert^2 + \lambda_1 \sum \lvert W\rvert" in text
    assert r"+ \lambda W + \lambda_1 \operatorname{sign}(W)" in text
    assert r"(\lambda = 0.01,\ \lambda_1 = 0.002)" in text
    assert r"(\lambda = 0.01)" in text_of("cross_entropy", l2=0.01)  # as before L1


def test_every_loss_compiles(tmp_path):
    """pdflatex (and lualatex) compile every loss's text as the clipboard's equations, and
    an SVM loss's as a whole document; the PDF says what the text says."""
    assert engines(), "pdflatex is installed on the project's machines"
    bodies = [f"% ---- {loss}\n{text_of(loss, digits)}\n\\clearpage\n"
              for loss in LOSSES for digits in (4, 0)]  # fmt: skip
    for _engine, pdf in compile_tex(wrap_equations("".join(bodies)), tmp_path, "equations"):
        if pdf:
            assert "No softmax in this loss" in pdf and "shrinks the signal" in pdf
            assert "inactive" in pdf and "runner-up" in pdf
    whole = text_of("svm_ova", document=True, l2=0.01, l1=0.001)
    check_structure(whole)
    for loss in LOSSES:
        check_structure(text_of(loss, document=True, l1=0.001))
    for _engine, pdf in compile_tex(whole, tmp_path, "document"):
        if pdf:
            assert "5. Batch" in pdf and "one-vs-all" in pdf


@pytest.mark.parametrize("loss", LOSSES)
def test_the_copy_follows_the_sessions_loss(loss):
    session = Session(Config(samples=90, loss=loss, features="identity"))
    session.step(5)
    i = int(session.data.train_index[2])
    session.select(i)
    text = numbers.inspector_latex(session)
    check_structure(text)
    d = session.sample_detail(i)
    hinge = loss in HINGE_LOSSES
    assert (NO_SOFTMAX in text) == hinge
    assert ("shrinks the signal" in text) == (loss == "squared_error")
    assert tex_number(d.loss) in text
    found = matrices(text)
    dz_shown = [
        m
        for m in found
        if len(m) == d.dz.size and len(m[0]) == 1 and not any("\\text" in r[0] for r in m)
    ]
    assert any([tex_value(r[0]) for r in m] == [float(f"{v:.4g}") for v in d.dz] for m in dz_shown)


def test_export_command_writes_the_losss_tex(tmp_path, qapp):
    """``export --views inspector --format tex`` (run in this process) follows ``--loss``."""
    from explorer.app.export_command import run_export

    for loss, marker in (("svm-structured", "runner-up"), ("squared-error", "shrinks")):
        out = tmp_path / loss
        argv = ["--samples", "90", "--loss", loss, "--steps", "4", "--select", "3",
                "--views", "inspector", "--format", "tex", "--out", str(out)]  # fmt: skip
        assert run_export(argv) == 0
        text = (out / "inspector.tex").read_text(encoding="ascii")
        check_structure(text)
        assert marker in text and text.startswith("\\documentclass")


def test_the_windows_copy_follows_a_change_of_loss(qtbot):
    """Edit → Copy Derivation as LaTeX writes the loss in effect, and the status bar names it."""
    from PyQt6.QtWidgets import QApplication

    from explorer.app.main_window import MainWindow

    session = Session(Config(samples=90, loss="svm_ova"))
    session.step(3)
    session.select(int(session.data.train_index[1]))
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    try:
        win.actions["copy_latex"].trigger()
        copied = QApplication.clipboard().text()
        assert copied == numbers.inspector_latex(session, 4)
        assert NO_SOFTMAX in copied and "one-vs-all" in copied
        assert "svm-ova derivation" in win.statusBar().currentMessage()
        session.configure(session.config.replace(loss="squared_error"))
        win.actions["copy_latex"].trigger()
        copied = QApplication.clipboard().text()
        assert "shrinks the signal" in copied and NO_SOFTMAX not in copied
        assert "squared-error derivation" in win.statusBar().currentMessage()
    finally:
        win.file_actions.modified = False
        win.close()
