"""Light and dark application palettes (Fusion style), matching the views' themes."""

from __future__ import annotations

from PyQt6.QtGui import QColor, QPalette
from PyQt6.QtWidgets import QApplication

from explorer.views.palette import Theme


def apply_palette(theme: Theme) -> None:
    """Set the application palette to ``theme`` (light restores the style's own palette)."""
    app = QApplication.instance()
    if app is None:
        return
    if theme.name == "light":
        app.setPalette(app.style().standardPalette())
        return
    p = QPalette()
    bg, fg = QColor(*theme.background), QColor(*theme.foreground)
    base = QColor(bg).lighter(115)
    role = QPalette.ColorRole
    for r, c in (
        (role.Window, bg),
        (role.WindowText, fg),
        (role.Base, base),
        (role.AlternateBase, bg),
        (role.Text, fg),
        (role.Button, base),
        (role.ButtonText, fg),
        (role.ToolTipBase, base),
        (role.ToolTipText, fg),
        (role.Highlight, QColor(0x56, 0xB4, 0xE9)),
        (role.HighlightedText, QColor(0, 0, 0)),
        (role.PlaceholderText, QColor(*theme.muted)),
    ):
        p.setColor(r, c)
    # Disabled text (labels of switched-off fields, greyed actions) must stay readable:
    # the muted grey keeps >= 3:1 on the window and field backgrounds, yet differs from
    # the normal text so it still looks disabled.
    disabled = QColor(*theme.muted)
    for r in (role.WindowText, role.Text, role.ButtonText, role.PlaceholderText):
        p.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    p.setColor(QPalette.ColorGroup.Disabled, role.HighlightedText, disabled)
    p.setColor(QPalette.ColorGroup.Disabled, role.Highlight, base.lighter(130))
    app.setPalette(p)
