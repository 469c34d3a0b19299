"""The regions view's axes read the data's own numbers, whatever their range."""

import pytest

from explorer.session.changes import Change
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.palette import DARK, LIGHT
from explorer.views.regions import RegionsView


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_axes_of_data_within_one_are_not_rescaled(qtbot, show_view, theme):
    # The 9-point set lies within ±1: pyqtgraph would label x₂ in thousandths (0.8 → 800).
    view = show_view(RegionsView(Session(Config(dataset="cs231n"))), 560, 560)
    view.session.step(3)
    # Zoomed in to within ±0.4 when the theme is (re)applied, pyqtgraph picks "milli".
    view.view_box.setRange(xRange=(-0.4, 0.4), yRange=(-0.4, 0.4), padding=0.0)
    view.set_theme(theme)
    qtbot.wait(1)
    plot = view.plot_widget.getPlotItem()
    for side in ("bottom", "left"):
        axis = plot.getAxis(side)
        assert axis.autoSIPrefixScale == 1.0
        assert axis.labelUnitPrefix == ""
        strings = axis.tickStrings([-0.2, 0.0, 0.2], axis.scale * axis.autoSIPrefixScale, 0.2)
        assert strings == ["-0.2", "0", "0.2"]


def test_curves_of_a_two_class_loss_are_not_rescaled(qtbot, show_view):
    # Two classes start at a loss of ln 2 ≈ 0.69: pyqtgraph would write 690 "(x0.001)".
    from explorer.views.curves import CurvesView

    view = show_view(CurvesView(Session(Config(dataset="moons"))), 800, 400)
    view.session.step(20)
    view.refresh(Change.HISTORY)
    qtbot.wait(1)
    for plot in (view.loss_plot, view.acc_plot):
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            assert axis.autoSIPrefixScale == 1.0, side
            assert "0.001" not in axis.labelString()
