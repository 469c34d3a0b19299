"""The inspector under every loss: its own derivation, with numbers recomputed here.

Each loss's numbers are checked against the closed forms of ``docs/maths.md`` ("Losses"),
written out below in float64 from the session's parameters and data without the core's
loss functions; the page's labels are checked per loss, and so is the Jacobian view's
note that under an SVM loss its matrix is not part of the gradient.
"""

import re

import numpy as np
import pytest

from explorer.core import HINGE_LOSSES, LOSSES
from explorer.session.config import Config
from explorer.session.data import Data
from explorer.session.session import Session
from explorer.views.inspector import InspectorView
from explorer.views.items.derivation_losses import ACTIVE, INACTIVE, KINK, NO_SOFTMAX, NO_TERM
from explorer.views.jacobian import JacobianView
from explorer.views.qt_helpers import format_number

NO_NAN = re.compile(r"\b(nan|inf|infinity|undefined)\b", re.IGNORECASE)
MARKUP = re.compile(r"<[^>]+>")


def plain(markup: str) -> str:
    """A markup constant as the page's plain text shows it (a line break is a newline)."""
    lines = MARKUP.sub("", markup.replace("<br>", "\n")).replace("&gt;", ">").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines)


@pytest.fixture
def make_view(qtbot):
    def make(loss, steps=12, **config):
        session = Session(Config(**{"samples": 120, "loss": loss, **config}))
        session.step(steps)
        view = InspectorView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        view.resize(900, 700)
        view.show()
        qtbot.waitExposed(view)
        return session, view

    return make


def closed_forms(session, i):
    """The sample's numbers under the session's loss, float64, from the definitions."""
    c = session.config
    W = np.asarray(session.W, dtype=np.float64)
    b = np.asarray(session.b, dtype=np.float64)
    phi = session.feature_map.transform(session.data.X[:, i : i + 1], dtype=np.float64)[:, 0]
    z = W @ phi + b
    C = z.size
    label = int(session.data.y[i])
    y = np.zeros(C)
    y[label] = 1.0
    e = np.exp(z - z.max())
    p = e / e.sum()
    J = np.diag(p) - np.outer(p, p)
    out = {"z": z, "phi": phi, "p_minus_y": p - y}
    delta = c.margin
    if c.loss == "cross_entropy":
        out.update(loss=-np.log(p[label]), dz=p - y)
    elif c.loss == "squared_error":
        out.update(loss=0.5 * np.sum((p - y) ** 2), dL_dp=p - y, dz=J @ (p - y))
    elif c.loss == "svm_ww":
        m = z - z[label] + delta
        m[label] = -np.inf
        on = m > 0
        dz = on.astype(float)
        dz[label] = -on.sum()
        out.update(loss=np.sum(np.maximum(0, m[on])), dz=dz, active=on, terms=m)
    elif c.loss == "svm_ova":
        s = -np.ones(C)
        s[label] = 1.0
        m = delta - s * z
        on = m > 0
        out.update(loss=np.sum(np.maximum(0, m)), dz=-s * on, active=on, terms=m)
    else:
        others = [j for j in range(C) if j != label]
        runner = others[int(np.argmax(z[others]))]
        m = z[runner] - z[label] + delta
        dz = np.zeros(C)
        on = np.zeros(C, dtype=bool)
        if m > 0:
            dz[runner], dz[label], on[runner] = 1.0, -1.0, True
        terms = np.full(C, -np.inf)
        terms[runner] = m
        out.update(loss=max(0.0, m), dz=dz, active=on, terms=terms, runner=runner)
    out["dW"] = np.outer(out["dz"], phi)
    return out


@pytest.mark.parametrize("loss", LOSSES)
def test_each_losss_numbers_match_its_closed_forms(make_view, loss):
    session, view = make_view(loss)
    for i in map(int, session.data.train_index[[0, 5, 17, 40]]):
        session.select(i)
        text = view.text()
        d = view.shown_detail
        ref = closed_forms(session, i)
        assert d.loss_name == loss
        np.testing.assert_allclose(d.z, ref["z"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(d.loss, ref["loss"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(d.dz, ref["dz"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(d.dW, ref["dW"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(d.db, ref["dz"], rtol=1e-12, atol=1e-12)
        # what the page writes is those numbers
        assert format_number(d.loss) in text
        for v in [*d.z, *d.dz, *d.dW[:, :6].ravel()]:
            assert format_number(v) in text, v
        if loss == "squared_error":
            np.testing.assert_allclose(d.dL_dp, ref["dL_dp"], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(d.jt_dl_dp, ref["dz"], rtol=1e-12, atol=1e-15)
            for v in [*d.dL_dp, *d.jt_dl_dp, *d.p_minus_y]:
                assert format_number(v) in text, v
            ratio = np.linalg.norm(ref["dz"]) / np.linalg.norm(ref["p_minus_y"])
            assert f"is {format_number(ratio, 3)} × ‖p − y‖,\ncross-entropy’s" in text
            assert ratio <= 0.5
        if loss in HINGE_LOSSES:
            np.testing.assert_array_equal(d.active, ref["active"])
            has = np.isfinite(ref["terms"])
            np.testing.assert_array_equal(d.hinge_has_term, has)
            np.testing.assert_allclose(d.hinge_terms[has], ref["terms"][has], rtol=1e-12)
            for t in d.hinge_terms[has]:
                assert format_number(t) in text
            states = [ACTIVE if a else INACTIVE for a in ref["active"][has]]
            assert text.count(f"\t{ACTIVE}\t") == states.count(ACTIVE)
            assert text.count(f"\t{INACTIVE}\t") == states.count(INACTIVE)
            assert text.count(f"\t{NO_TERM}\t") == 2 * int((~has).sum())  # term and state
        assert not NO_NAN.search(text)


def test_the_batch_part_matches_an_independent_objective_per_loss(make_view):
    """The batch loss and db written for each loss, with L2 and L1, from the definitions."""
    for loss in LOSSES:
        session, view = make_view(loss, steps=6, l2=0.01, l1=0.002)
        text = view.text()
        X = session.feature_map.transform(session.data.X[:, session.train_index], np.float64)
        labels = session.data.y[session.train_index]
        W = np.asarray(session.W, dtype=np.float64)
        losses, dzs = [], []
        for n in range(labels.size):
            i = int(session.train_index[n])
            ref = closed_forms(session, i)
            losses.append(ref["loss"])
            dzs.append(ref["dz"])
        objective = np.mean(losses) + 0.005 * np.sum(W**2) + 0.002 * np.sum(np.abs(W))
        db = np.mean(dzs, axis=0)
        shown_loss, _, shown_db = view.shown_batch
        np.testing.assert_allclose(shown_loss, objective, rtol=1e-9)
        np.testing.assert_allclose(shown_db, db, rtol=1e-9, atol=1e-12)
        assert format_number(shown_loss) in text
        assert "λ1 Σ|W|" in text and "λ1 sign(W)" in text and "λ/2 ‖W‖²" in text
        assert ("(P − Y)" in text) == (loss == "cross_entropy")
        assert X.shape[1] == labels.size


LABELS = {
    "cross_entropy": (["∂L/∂p = −y/p", "JT(−y/p)", "Both sides agree", "L = −log py"], []),
    "squared_error": (
        ["∂L/∂p = p − y", "squared error: ∂L/∂z", "cross-entropy: p − y", "shrinks the signal"],
        ["−y/p", NO_SOFTMAX[:20]],
    ),
    "svm_ww": (
        ["Σj≠y max(0, zj − zy + Δ)", "(scores)", "\nand at y minus their count", "Weston"],
        ["∂L/∂p", "JT", "p − y"],
    ),
    "svm_ova": (["Σj max(0, Δ − sj zj)", "−sj where", "one-vs-all"], ["∂L/∂p", "JT"]),
    "svm_structured": (["maxj≠y zj − zy + Δ", "runner-up", "Crammer–Singer"], ["∂L/∂p", "JT"]),
}


@pytest.mark.parametrize("loss", LOSSES)
def test_each_loss_has_its_own_labels(make_view, loss):
    session, view = make_view(loss)
    session.select(int(session.data.train_index[3]))
    text = view.text()
    present, absent = LABELS[loss]
    for label in present:
        assert label in text, label
    for label in absent:
        assert label not in text, label
    hinge = loss in HINGE_LOSSES
    assert (plain(NO_SOFTMAX) in text) == hinge
    assert (plain(KINK) in text) == hinge
    assert ("3 · Backward: the chain rule" in text) != hinge
    if loss == "svm_structured":
        runner = closed_forms(session, session.selected)["runner"]
        assert f"class {session.data.class_names[runner]}" in text


def test_a_changed_loss_rewrites_the_page_while_selected(make_view):
    session, view = make_view("cross_entropy")
    session.select(int(session.data.train_index[2]))
    assert "JT(−y/p)" in view.text()
    session.configure(session.config.replace(loss="svm_ww"))
    text = view.text()
    assert plain(NO_SOFTMAX) in text and "JT(−y/p)" not in text
    session.configure(session.config.replace(loss="squared_error"))
    assert "shrinks the signal" in view.text()


@pytest.mark.parametrize("loss", ["squared_error", "svm_ww", "svm_ova", "svm_structured"])
def test_steps_replace_numbers_in_place_under_every_loss(make_view, qtbot, loss):
    """Margins switching on and off and a new runner-up change slots, not the structure."""
    session, view = make_view(loss, steps=0, lr=0.5)
    session.select(int(session.data.train_index[6]))
    writes = []
    set_page = view._set_page
    view._set_page = lambda *a: writes.append(1) or set_page(*a)
    states = set()
    for _ in range(8):
        session.step(2)
        text = view.text()
        other = InspectorView(session)
        qtbot.addWidget(other)
        other.resize(view.size())
        other.show()
        assert text == other.text()
        if view.shown_detail.active is not None:
            states.add(tuple(view.shown_detail.active))
    assert writes == []
    if loss in HINGE_LOSSES:
        assert states  # the margin column was written each time


def test_a_kink_counts_as_inactive(make_view):
    """Scores exactly at the margin: every term 0, none active, ∂L/∂z = 0 (subgradient 0)."""
    X = np.array([[0.0, 1.0, -1.0, 0.5], [0.0, 0.5, 1.0, -1.0]])
    data = Data(X, np.array([1, 0, 2, 1]), np.zeros(4, dtype=bool), ("a", "b", "c"))
    session = Session(Config(loss="svm_ww", features="identity"), data=data)
    session.set_params(np.zeros((3, 2)), np.array([0.0, 1.0, 0.0]))  # z = b: z_j − z_1 + 1 = 0
    view = InspectorView(session)
    session.changed.connect(view.refresh)
    view.resize(900, 700)
    view.show()
    session.select(0)
    d = view.shown_detail
    np.testing.assert_array_equal(d.hinge_terms[[0, 2]], [0.0, 0.0])
    assert not d.active.any() and d.loss == 0.0 and not d.dz.any()
    text = view.text()
    assert text.count(f"\t{INACTIVE}\t") == 2 and f"\t{ACTIVE}\t" not in text
    assert "0 active, so ∂L/∂zy = 0" in text
    view.close()


@pytest.mark.parametrize("loss", LOSSES)
def test_the_jacobian_is_labelled_outside_a_hinge_losss_gradient(qtbot, loss):
    session = Session(Config(samples=90, loss=loss))
    view = JacobianView(session)
    qtbot.addWidget(view)
    session.changed.connect(view.refresh)
    view.resize(500, 400)
    view.show()
    session.step(3)
    i = int(session.data.train_index[1])
    session.select(i)
    hinge = loss in HINGE_LOSSES
    # still the softmax Jacobian of the scores
    np.testing.assert_array_equal(view.matrix, session.sample_detail(i).J)
    assert view.outside_gradient == hinge
    assert view.loss_label.isVisible() == hinge
    assert ("not part of the" in view.source_title) == hinge
    if hinge:
        assert loss.replace("_", "-") in view.loss_label.text()
    # and it follows a change of loss
    other = "cross_entropy" if hinge else "svm_ova"
    session.configure(session.config.replace(loss=other))
    assert view.outside_gradient != hinge
    assert view.loss_label.isVisible() != hinge


def test_squared_error_with_label_smoothing_and_many_classes(make_view):
    """Smoothed targets reach squared error's numbers; above five classes the Jacobian is
    left to its view and the product is written Jᵀ · (p − y)."""
    session, view = make_view(
        "squared_error", label_smoothing=0.1, dataset="blobs", classes=7, samples=140
    )
    i = int(session.data.train_index[4])
    session.select(i)
    d = view.shown_detail
    text = view.text()
    C = d.z.size
    e = np.exp(d.z - d.z.max())
    p = e / e.sum()
    y = np.full(C, 0.1 / C)
    y[int(session.data.y[i])] += 0.9
    J = np.diag(p) - np.outer(p, p)
    np.testing.assert_allclose(d.y, y, rtol=1e-15)
    np.testing.assert_allclose(d.loss, 0.5 * np.sum((p - y) ** 2), rtol=1e-12)
    np.testing.assert_allclose(d.dz, J @ (p - y), rtol=1e-10, atol=1e-15)
    assert "label smoothing ε = 0.1" in text
    assert "JT ·" in text and "diag(p)" not in text
    for v in [*d.dz, *d.p_minus_y]:
        assert format_number(v) in text
    assert not NO_NAN.search(text)
