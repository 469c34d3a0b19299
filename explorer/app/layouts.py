"""Where the docks go: the default layout, the View menu's presets, and how both fit a
small screen.

A layout is a plan (:class:`Layout`): for each dock area, a sequence of groups split
along the area (the right column from top to bottom, the bottom row from left to right),
each group a tuple of dock ids shown as tabs (the first one in front). The plans are pure
data, made for the window's size by :func:`plan` (tested without Qt);
:func:`apply_layout` puts the window's docks where a plan says.

Where space is short the docks are tabbed instead of shrunk below readability: a window
too short for a bottom row moves the bottom groups into the right column, a column too
short for its groups merges them into tabs, and a window too narrow for the
configuration beside the plane makes it a tab of the right column's first group.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

#: The View menu's presets: id -> menu text, tooltip.
PRESETS = {
    "teach": ("&Teach", "The plane, the Jacobian, the p − y bars and the curves"),
    "derive": ("&Derive", "The plane and the inspector's derivation, large"),
    "everything": ("&Everything", "Every view at once"),
}
#: The layout a first start and View → Reset Layout give.
DEFAULT = "default"

#: Below this client height the bottom row's groups go to the right column as tabs: the
#: right column's two groups and the bottom row at their readable heights need it.
SHORT_HEIGHT = 640
#: Below this client width the bottom row's groups go to the right column as tabs (the
#: inspector needs ~640 px to show its page without scrolling sideways).
NARROW_WIDTH = 1200
#: Below this client width the configuration joins the right column's first tab group
#: (beside it the plane's and the bars' own controls would need ~940 px).
TINY_WIDTH = 1000
#: The least share of the width presentation mode's right column takes.
PRESENT_RIGHT_SHARE = 0.44
#: What a window's menu, tool and status bars take of its height (pixels).
CHROME_HEIGHT = 90
#: A dock's title bar above a group's views, and the tab bar below a tabbed group (pixels).
TITLE_HEIGHT, TABS_HEIGHT = 22, 25
#: Readable minimum sizes (logical pixels) of each docked view; the compact layouts
#: still fit a 683×384 window (a 1366×768 screen at QT_SCALE_FACTOR=2).
MINIMUM_SIZES = {
    "config": (265, 160),
    "jacobian": (230, 180),
    "bars": (230, 160),
    "curves": (260, 130),
    "inspector": (280, 130),
    "parameters": (230, 120),
    "samples": (230, 130),
    "landscape": (230, 140),
}


@dataclass(frozen=True)
class Layout:
    """A plan for the docks.

    Attributes
    ----------
    left, right, bottom : tuple of tuple of str
        Each area's groups in order (top to bottom for the columns, left to right for the
        bottom row); each group's docks are tabbed, its first in front.
    left_share, right_share : float
        The columns' widths as a share of the window's width.
    bottom_share : float
        The bottom row's height as a share of the window's height.
    splits : dict str -> tuple of float
        The relative sizes of an area's groups (``"right"``: ``(2, 3)``), else equal.
    """

    left: tuple[tuple[str, ...], ...] = ()
    right: tuple[tuple[str, ...], ...] = ()
    bottom: tuple[tuple[str, ...], ...] = ()
    left_share: float = 0.22
    right_share: float = 0.3
    bottom_share: float = 0.3
    splits: dict = field(default_factory=dict)

    def placed(self) -> list[str]:
        """Every dock the plan shows, area by area."""
        return [d for area in (self.left, self.right, self.bottom) for g in area for d in g]

    def group_of(self, dock_id: str) -> tuple[str, ...] | None:
        """The tab group holding ``dock_id`` (None when the plan hides it)."""
        for area in (self.left, self.right, self.bottom):
            for group in area:
                if dock_id in group:
                    return group
        return None

    def visible_together(self, *dock_ids: str) -> bool:
        """Whether the docks are all shown at once: each placed, no two in one tab group."""
        groups = [self.group_of(d) for d in dock_ids]
        return all(g is not None for g in groups) and len({id(g) for g in groups}) == len(groups)


def _base(name: str) -> Layout:
    """The plan of ``name`` for a window with room to spare."""
    if name == "teach":
        return Layout(
            left=(("config",),),
            right=(("jacobian",), ("bars",)),
            bottom=(("curves",),),
            right_share=0.32,
            bottom_share=0.28,
        )
    if name == "derive":
        return Layout(
            left=(("config",),),
            right=(("inspector",), ("parameters", "jacobian")),
            right_share=0.46,
            splits={"right": (3, 1)},
        )
    if name == "everything":
        return Layout(
            left=(("config",),),
            right=(("jacobian",), ("bars",), ("landscape",)),
            bottom=(("curves",), ("inspector",), ("parameters",), ("samples",)),
            bottom_share=0.34,
            splits={"bottom": (2, 4, 2, 2)},
        )
    if name == DEFAULT:
        # The derivation beside the curves (not behind them): a lecture needs both.
        return Layout(
            left=(("config",),),
            right=(("jacobian",), ("bars",)),
            bottom=(("curves",), ("inspector", "parameters", "samples", "landscape")),
            right_share=0.3,
            bottom_share=0.3,
            splits={"bottom": (1, 2), "right": (1, 1)},
        )
    raise KeyError(name)


def _merge(groups: tuple[tuple[str, ...], ...], n: int) -> tuple[tuple[str, ...], ...]:
    """``groups`` merged, in order, into at most ``n`` tab groups, each of about as many
    of the original groups (so the first of each stays in front)."""
    n = max(1, n)
    if len(groups) <= n:
        return groups
    bounds = [round(k * len(groups) / n) for k in range(n + 1)]
    return tuple(tuple(d for g in groups[bounds[k] : bounds[k + 1]] for d in g) for k in range(n))


def _group_height(group: tuple[str, ...]) -> int:
    """The least height of a tab group: its tallest view's readable minimum and chrome."""
    tallest = max(MINIMUM_SIZES.get(d, (0, 150))[1] for d in group)
    return tallest + TITLE_HEIGHT + (TABS_HEIGHT if len(group) > 1 else 0)


def _group_width(group: tuple[str, ...]) -> int:
    """The least width of a tab group: its widest view's readable minimum."""
    return max(MINIMUM_SIZES.get(d, (200, 0))[0] for d in group)


def plan(
    name: str,
    width: int,
    height: int,
    extra: tuple[str, ...] = (),
    hide: tuple[str, ...] = (),
    presenting: bool = False,
) -> Layout:
    """The plan of preset ``name`` (or :data:`DEFAULT`) for a window of ``width`` ×
    ``height`` logical pixels.

    ``extra``: docks the presets do not know (a view added later); the default and
    *Everything* show them as a group of their own in the right column, the other
    presets hide them. ``hide``: docks left out (presentation mode's configuration).
    ``presenting``: presentation mode's plan, whose right column spans the window's
    height and takes a larger share (the texts in it are larger), and whose bottom row
    stays under the plane whatever the width.
    """
    layout = _base(name)
    if hide:

        def keep(area):
            groups = (tuple(d for d in g if d not in hide) for g in area)
            return tuple(g for g in groups if g)

        layout = replace(
            layout, left=keep(layout.left), right=keep(layout.right), bottom=keep(layout.bottom)
        )
    if extra and name in (DEFAULT, "everything"):
        layout = replace(layout, right=(*layout.right, tuple(extra)))
    right, bottom, left = layout.right, layout.bottom, layout.left
    if (height < SHORT_HEIGHT or (width < NARROW_WIDTH and not presenting)) and bottom:
        right, bottom = right + bottom, ()
    if width < TINY_WIDTH and left:
        right = ((*(right[0] if right else ()), *left[0]), *right[1:])
        left = ()
    # The bottom row spans the window but the configuration column: its groups merged
    # into tabs until their readable widths fit.
    room_w = width - (max(map(_group_width, left)) if left else 0) - 12
    if presenting:
        room_w = round(width * (1 - PRESENT_RIGHT_SHARE))
    n = len(bottom)
    while n > 1 and sum(map(_group_width, _merge(bottom, n))) + 6 * n > room_w:
        n -= 1
    bottom = _merge(bottom, n)
    # The right column stands above the bottom row: its groups, at their readable
    # heights, share what the bottom row leaves; merged into tabs until they fit.
    room = height - CHROME_HEIGHT - (max(map(_group_height, bottom)) if bottom else 0)
    if presenting:
        room = height
    n = len(right)
    while n > 1 and sum(map(_group_height, _merge(right, n))) > room:
        n -= 1
    right = _merge(right, n)
    splits = {
        area: weights
        for area, weights in layout.splits.items()
        if (right, bottom)[area == "bottom"] == (layout.right, layout.bottom)[area == "bottom"]
    }
    right_share = layout.right_share
    if not bottom and layout.bottom:
        right_share = max(right_share, 0.36)
    if not left:
        right_share = max(right_share, 0.42)
    if presenting:
        right_share = max(right_share, PRESENT_RIGHT_SHARE)
    return Layout(left, right, bottom, layout.left_share, right_share, layout.bottom_share, splits)


# --------------------------------------------------------------------------- Qt side
def apply_layout(window, name: str, hide: tuple[str, ...] = (), presenting: bool = False) -> Layout:
    """Put ``window.docks`` where :func:`plan` says for the window's current size; docks
    the plan leaves out are hidden in the right column (the View menu shows them).

    ``window.current_layout`` remembers ``name`` (presentation mode shows its views),
    unless ``hide`` leaves docks out."""
    from PyQt6.QtCore import Qt

    area = Qt.DockWidgetArea
    docks = window.docks
    known = set(_base(DEFAULT).placed())
    extra = tuple(d for d in docks if d not in known)
    size = window.size()
    layout = plan(name, size.width(), size.height(), extra, hide, presenting)
    if not hide:
        window.current_layout = name
    window.setCorner(Qt.Corner.BottomLeftCorner, area.LeftDockWidgetArea)
    right_corner = area.RightDockWidgetArea if presenting else area.BottomDockWidgetArea
    window.setCorner(Qt.Corner.BottomRightCorner, right_corner)
    for dock in docks.values():
        dock.setFloating(False)
        window.removeDockWidget(dock)
    sizes = []
    for where, groups, split in (
        (area.LeftDockWidgetArea, layout.left, Qt.Orientation.Vertical),
        (area.RightDockWidgetArea, layout.right, Qt.Orientation.Vertical),
        (area.BottomDockWidgetArea, layout.bottom, Qt.Orientation.Horizontal),
    ):
        leads = [docks[g[0]] for g in groups if g[0] in docks]
        for k, lead in enumerate(leads):
            if k == 0:
                window.addDockWidget(where, lead)
            else:
                window.splitDockWidget(leads[k - 1], lead, split)
        for group in groups:
            members = [docks[d] for d in group if d in docks]
            for other in members[1:]:
                window.tabifyDockWidget(members[0], other)
            for dock in members:
                dock.show()
            if members:
                members[0].raise_()
        sizes.append((leads, split))
    placed = set(layout.placed())
    for dock_id, dock in docks.items():
        if dock_id not in placed:
            window.addDockWidget(area.RightDockWidgetArea, dock)
            dock.hide()
    _resize(window, layout, sizes)
    whole_tab_titles(window)
    return layout


def whole_tab_titles(window) -> None:
    """Make the dock areas' tab bars show whole titles, scrolling when they do not fit
    (Fusion elides them to "Soft…", "Err…" in a narrow column). The main window makes
    its tab bars as it lays out the docks: done now and once more after that."""
    from PyQt6.QtCore import Qt, QTimer
    from PyQt6.QtWidgets import QTabBar

    def tidy():
        for bar in window.findChildren(QTabBar):
            if bar.parent() is window:
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(True)

    tidy()
    QTimer.singleShot(0, tidy)


def _resize(window, layout: Layout, sizes) -> None:
    """Give the areas and groups the plan's shares of the window."""
    from PyQt6.QtCore import Qt

    w, h = window.width(), window.height()
    (left, _), (right, _), (bottom, _) = sizes
    horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
    columns = [(left, layout.left_share), (right, layout.right_share)]
    leads = [group[0] for group, _ in columns if group]
    shares = [round(w * share) for group, share in columns if group]
    if leads:
        window.resizeDocks(leads, shares, horizontal)
    if bottom:
        window.resizeDocks([bottom[0]], [round(h * layout.bottom_share)], vertical)
        weights = layout.splits.get("bottom", (1,) * len(bottom))
        window.resizeDocks(bottom, [round(1000 * x) for x in weights], horizontal)
    if len(right) > 1:
        weights = layout.splits.get("right", (1,) * len(right))
        window.resizeDocks(right, [round(1000 * x) for x in weights], vertical)


def set_minimum_sizes(window, scale: float = 1.0) -> None:
    """Give each docked view its readable minimum size (:data:`MINIMUM_SIZES`) × ``scale``."""
    for dock_id, dock in window.docks.items():
        w, h = MINIMUM_SIZES.get(dock_id, (200, 150))
        dock.widget().setMinimumSize(round(w * scale), round(h * scale))


def lay_out_when_shown(window, name: str = DEFAULT) -> None:
    """Apply ``name`` when ``window`` is first shown, for the size it is shown at (a
    first start: no saved layout; the size is final only then)."""
    from PyQt6.QtCore import QEvent, QObject

    class _OnFirstShow(QObject):
        def eventFilter(self, watched, event):
            if watched is window and event.type() == QEvent.Type.Show:
                window.removeEventFilter(self)
                self.deleteLater()
                apply_layout(window, name)
            return False

    window.installEventFilter(_OnFirstShow(window))


def add_layout_menu(window, menu) -> dict:
    """Add View → Layout (the presets, then Reset Layout) to ``menu``; return the preset
    actions by id (also ``window.layout_actions``)."""
    from PyQt6.QtGui import QAction

    sub = menu.addMenu("&Layout")
    actions = {}
    for preset, (text, tip) in PRESETS.items():
        action = QAction(text, sub)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setObjectName(f"action_layout_{preset}")
        action.triggered.connect(lambda _=False, p=preset: apply_layout(window, p))
        sub.addAction(action)
        actions[preset] = action
    sub.addSeparator()
    reset = window.actions["reset_layout"]
    menu.removeAction(reset)
    sub.addAction(reset)
    window.layout_actions = actions
    return actions
