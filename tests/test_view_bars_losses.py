"""The bars under every loss: each sample's ∂L/∂z at the true class and the selected
sample's full ∂L/∂z, against the issue's closed forms written out here in float64 from
the session's own data and parameters (no core loss function is used)."""

import numpy as np
import pytest
from loss_forms import closed_form_dz, near_a_kink

from explorer.core import LOSSES
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.bars import BarsView
from explorer.views.items.signal_texts import signal_texts
from tests.view_tools import show_view

DELTA = 0.8


@pytest.fixture
def make_view(qtbot):
    made = []  # held until teardown (tests/view_tools.show_view says why)

    def make(loss, **config):
        session = Session(Config(**{"samples": 120, "loss": loss, "margin": DELTA, **config}))
        return show_view(qtbot, BarsView, session, (500, 400), made), session

    yield make


def scores64(s: Session) -> tuple[np.ndarray, np.ndarray]:
    """``Z (C, Nt)`` in float64 and the labels ``(Nt,)`` of the training points."""
    F = s.feature_map.transform(s.data.X[:, s.train_index], dtype=np.float64)
    Z = s.W.astype(np.float64) @ F + s.b.astype(np.float64)[:, None]
    return Z, s.data.y[s.train_index]


@pytest.mark.parametrize("loss", LOSSES)
def test_bars_are_the_chosen_losss_true_class_signal(make_view, loss):
    view, session = make_view(loss)
    session.step(5)
    np.testing.assert_array_equal(view.bar_heights, session.train_error_signal())
    Z, y = scores64(session)
    expected = np.array([closed_form_dz(Z[:, n], y[n], loss, DELTA) for n in range(y.size)])
    keep = np.array([not near_a_kink(Z[:, n], y[n], loss, DELTA) for n in range(y.size)])
    assert keep.mean() > 0.9
    np.testing.assert_allclose(
        view.bar_heights[keep], expected[keep, y[keep]], rtol=1e-4, atol=2e-5
    )
    # The upward bars: cross-entropy's largest wrong p_k, else the largest wrong dz_k.
    view.set_show_max_wrong(True)
    wrong = np.where(np.arange(Z.shape[0])[None, :] == y[:, None], -np.inf, expected)
    if loss == "cross_entropy":
        P = np.exp(Z - Z.max(axis=0))
        P /= P.sum(axis=0)
        wrong = np.where(np.arange(Z.shape[0])[:, None] == y[None, :], -np.inf, P).T
    np.testing.assert_allclose(
        view.max_wrong_heights[keep], wrong.max(axis=1)[keep], rtol=1e-4, atol=2e-5
    )
    assert np.all(view.max_wrong_heights >= -1e-6)  # the wrong classes are pushed down


@pytest.mark.parametrize("loss", LOSSES)
def test_the_selected_samples_full_dz_and_the_words_per_loss(make_view, loss):
    view, session = make_view(loss)
    session.step(4)
    session.select(7)
    Z, y = scores64(session)
    n = int(np.flatnonzero(session.train_index == 7)[0])
    texts = signal_texts(loss)
    assert tuple(view.detail_values) == texts.series == tuple(view.detail_items)
    dz = view.detail_values[texts.series[-1]]
    np.testing.assert_allclose(dz, closed_form_dz(Z[:, n], y[n], loss, DELTA), atol=1e-12)
    np.testing.assert_array_equal(view.detail_values["y"], np.eye(Z.shape[0])[y[n]])
    for name, item in view.detail_items.items():
        np.testing.assert_array_equal(item.opts["height"], view.detail_values[name])
    assert texts.signal in view.top.titleLabel.text
    assert view.top.getViewBox().toolTip() == texts.top_tip
    assert view.bottom.getViewBox().toolTip() == texts.detail_tip


def test_weston_watkins_ranges_down_to_minus_c_minus_1(make_view, qtbot):
    """A Weston–Watkins bar can reach −(C − 1): the axes reach it too, and follow a
    change of loss while the view is open."""
    view, session = make_view("cross_entropy", dataset="blobs", classes=5)
    assert view.floor == -1.0
    session.configure(session.config.replace(loss="svm_ww"))
    assert view.loss == "svm_ww" and view.floor == -4.0
    (_, _), (y0, _) = view.top.getViewBox().viewRange()
    assert y0 <= -4.0
    (_, _), (d0, d1) = view.bottom.getViewBox().viewRange()
    assert d0 <= -4.0 and d1 >= 1.0
    assert min(view.tick_fitters[0].values) == -4.0
    np.testing.assert_array_equal(view.bar_heights, session.train_error_signal())
    assert view.bar_heights.min() >= -4.0
    session.configure(session.config.replace(loss="cross_entropy"))
    assert view.floor == -1.0 and view.wrong_check.text() == "Largest wrong p_k"
