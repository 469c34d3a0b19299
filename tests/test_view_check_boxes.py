"""Every check box of the views can be seen in both appearances: its box stands out from
the panel (WCAG's 3:1 for the parts of a control), checked or not."""

import pytest
from PyQt6.QtWidgets import QApplication, QCheckBox, QStyle, QStyleOptionButton

from explorer.app.appearance import apply_palette
from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.bars import BarsView
from explorer.views.curves import CurvesView
from explorer.views.palette import DARK, LIGHT, contrast_ratio
from explorer.views.regions import RegionsView


@pytest.fixture
def appearance():
    yield apply_palette
    apply_palette(LIGHT)  # leave the application as the other tests expect it


def indicator_contrast(box: QCheckBox, background) -> float:
    """The largest contrast between a pixel of the box's indicator and ``background``."""
    option = QStyleOptionButton()
    box.initStyleOption(option)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image = box.window().grab().toImage()
    ratio = box.window().devicePixelRatioF()
    origin = box.mapTo(box.window(), rect.topLeft())
    best = 1.0
    for dy in range(rect.height()):
        for dx in range(rect.width()):
            c = image.pixelColor(int((origin.x() + dx) * ratio), int((origin.y() + dy) * ratio))
            best = max(best, contrast_ratio((c.red(), c.green(), c.blue()), background))
    return best


def boxes_of(view):
    return [box for box in view.findChildren(QCheckBox) if box.isVisibleTo(view)]


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("kind", [RegionsView, BarsView, CurvesView])
@pytest.mark.parametrize("checked", [False, True])
def test_check_boxes_stand_out_in_both_appearances(qtbot, appearance, theme, kind, checked):
    appearance(theme)
    view = kind(Session(Config(samples=60)))
    qtbot.addWidget(view)
    view.set_theme(theme)
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    boxes = boxes_of(view)
    assert boxes
    for box in boxes:
        if box.isEnabled():
            box.setChecked(checked)
        QApplication.processEvents()
        background = QApplication.palette().window().color().getRgb()[:3]
        assert indicator_contrast(box, background) >= 3.0, (kind.__name__, box.text())
