"""Every control in the window says what it does."""

from PyQt6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QSlider,
    QToolButton,
)

from explorer.app.main_window import MainWindow
from explorer.session.config import Config
from explorer.session.session import Session

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QSlider)


def _is_qt_internal(widget) -> bool:
    """Qt's own parts: dock and table corner buttons, tab scrollers, a spin box's editor."""
    if widget.objectName().startswith("qt_") or widget.objectName().startswith("Scroll"):
        return True
    return isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox)


def test_every_control_has_a_tooltip(qtbot):
    window = MainWindow(Session(Config(samples=90)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    checked = 0
    missing = []
    for cls in CONTROLS:
        for widget in window.findChildren(cls):
            if _is_qt_internal(widget):
                continue
            tip = widget.toolTip()
            if isinstance(widget, QToolButton) and widget.defaultAction() is not None:
                tip = tip or widget.defaultAction().toolTip()
            checked += 1
            if not tip.strip():
                missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    assert checked > 40
    assert not missing
    window.file_actions.modified = False
