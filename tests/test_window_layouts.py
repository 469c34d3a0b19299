"""The default layout and the View menu's presets: which views are shown together, and how
they rearrange (tabs) on a small screen instead of shrinking below readability."""

import pytest
from PyQt6.QtWidgets import QApplication

from explorer.app import layouts
from explorer.app.layouts import DEFAULT, MINIMUM_SIZES, PRESETS, plan

ALL_DOCKS = {
    "config",
    "jacobian",
    "bars",
    "curves",
    "inspector",
    "parameters",
    "samples",
    "landscape",
}
#: Client areas (logical pixels) of a window filling each screen: the menu, tool and
#: status bars come out of these; 911×452 and 683×324 are a 1366×768 screen at
#: QT_SCALE_FACTOR 1.5 and 2.
SIZES = [(1920, 1010), (1366, 698), (1280, 650), (1024, 710), (911, 452), (683, 324)]


# ------------------------------------------------------------------------ the plans
def test_the_default_at_1366x768_shows_the_inspector_beside_the_curves():
    layout = plan(DEFAULT, 1366, 698)
    assert set(layout.placed()) == ALL_DOCKS
    assert layout.visible_together("curves", "inspector", "jacobian", "bars")
    assert layout.bottom == (("curves",), ("inspector", "parameters", "samples", "landscape"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_default_places_every_view_at_every_size(size):
    layout = plan(DEFAULT, *size)
    placed = layout.placed()
    assert sorted(placed) == sorted(ALL_DOCKS)  # each once
    assert layout.group_of("jacobian")[0] == "jacobian"  # the Jacobian in front


def test_teach_shows_the_plane_the_jacobian_the_bars_and_the_curves():
    layout = plan("teach", 1366, 698)
    assert layout.visible_together("jacobian", "bars", "curves")
    assert set(layout.placed()) == {"config", "jacobian", "bars", "curves"}


def test_derive_gives_the_inspector_a_large_column():
    layout = plan("derive", 1366, 698)
    assert layout.right[0] == ("inspector",)
    assert layout.right_share >= 0.45
    assert layout.splits["right"][0] > layout.splits["right"][1]
    assert {"curves", "bars"}.isdisjoint(layout.placed())


def test_everything_shows_every_view_at_once_on_a_large_screen():
    layout = plan("everything", 1920, 1010)
    assert layout.visible_together(*sorted(ALL_DOCKS))


def test_a_short_window_moves_the_bottom_row_into_tabs_of_the_right_column():
    layout = plan(DEFAULT, 1366, 500)
    assert layout.bottom == ()
    assert set(layout.placed()) == ALL_DOCKS
    # as many groups as fit at their readable heights, and one more would not
    room = 500 - layouts.CHROME_HEIGHT
    n = len(layout.right)
    assert n == 1 or sum(map(layouts._group_height, layout.right)) <= room
    more = layouts._merge(plan(DEFAULT, 1366, 900).right + plan(DEFAULT, 1366, 900).bottom, n + 1)
    assert sum(map(layouts._group_height, more)) > room


def test_a_narrow_window_makes_the_configuration_a_tab():
    layout = plan(DEFAULT, 911, 452)
    assert layout.left == ()
    assert "config" in layout.right[0] and layout.right[0][0] == "jacobian"


def test_views_the_presets_do_not_know_are_shown_by_the_default_and_everything_only():
    assert layout_has(plan(DEFAULT, 1366, 698, ("new",)), "new")
    assert layout_has(plan("everything", 1920, 1010, ("new",)), "new")
    assert not layout_has(plan("teach", 1366, 698, ("new",)), "new")


def layout_has(layout, dock_id):
    return dock_id in layout.placed()


def test_merging_keeps_the_order_and_every_dock():
    groups = (("a",), ("b",), ("c",), ("d", "e"))
    assert layouts._merge(groups, 2) == (("a", "b"), ("c", "d", "e"))
    assert layouts._merge(groups, 1) == (("a", "b", "c", "d", "e"),)
    assert layouts._merge(groups, 0) == (("a", "b", "c", "d", "e"),)
    assert layouts._merge(groups, 9) == groups


# ----------------------------------------------------------------------- the window
@pytest.fixture
def window(qtbot):
    from explorer.app.main_window import MainWindow
    from explorer.session.session import Session

    w = MainWindow(Session())
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.file_actions.modified = False
    w.close()
    w.deleteLater()


def settle(qtbot):
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(10)


def in_front(dock) -> bool:
    """Shown and not behind another tab."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def sized(window, qtbot, w, h, preset=DEFAULT):
    """Resize ``window`` to ``w`` × ``h`` and lay it out for that size (more than once:
    the layout before may hold the window larger)."""
    for _ in range(3):
        window.resize(w, h)
        settle(qtbot)
        fits = (window.width(), window.height()) == (w, h)
        layouts.apply_layout(window, preset)
        settle(qtbot)
        if fits:
            break
    window.resize(w, h)
    settle(qtbot)


def test_at_1366x768_the_derivation_and_the_curves_show_together_without_sideways_scrolling(
    window, qtbot
):
    sized(window, qtbot, 1366, 698)
    assert window.size().width() == 1366 and window.size().height() == 698
    for dock_id in ("curves", "inspector", "jacobian", "bars", "config"):
        assert in_front(window.docks[dock_id]), dock_id
    inspector = window.views["inspector"]
    window.session.select(3)
    settle(qtbot)
    inspector.flush()
    settle(qtbot)
    assert inspector.browser.horizontalScrollBar().maximum() == 0


#: The plane's row of overlay check boxes alone needs ~460 px: 683 px does not hold it
#: beside a readable column.
WINDOW_SIZES = [size for size in SIZES if size[0] >= 900]


@pytest.mark.parametrize("size", WINDOW_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_layout_fits_the_window_and_no_view_is_shrunk_below_readable(window, qtbot, size):
    for preset in (*PRESETS, DEFAULT):
        sized(window, qtbot, *size, preset)
        hint = window.minimumSizeHint()
        assert hint.width() <= size[0] and hint.height() <= size[1], preset
        assert (window.width(), window.height()) == size, preset
        for dock_id, dock in window.docks.items():
            if in_front(dock):
                w, h = MINIMUM_SIZES[dock_id]
                view = dock.widget()
                assert view.width() >= w and view.height() >= h, (preset, dock_id, view.size())


def test_the_layout_menu_applies_the_presets_and_reset_layout_brings_the_default_back(
    window, qtbot
):
    sized(window, qtbot, 1366, 698)
    view_menu = window.menus["View"]
    sub = next(a.menu() for a in view_menu.actions() if a.menu() is not None)
    texts = [a.text() for a in sub.actions() if not a.isSeparator()]
    assert texts == ["&Teach", "&Derive", "&Everything", "Reset &Layout"]
    window.layout_actions["teach"].trigger()
    settle(qtbot)
    assert not window.docks["inspector"].isVisible()
    assert all(in_front(window.docks[d]) for d in ("jacobian", "bars", "curves"))
    window.layout_actions["derive"].trigger()
    settle(qtbot)
    assert in_front(window.docks["inspector"])
    assert window.docks["inspector"].width() >= 0.4 * window.width()
    assert not window.docks["curves"].isVisible()
    window.docks["jacobian"].setFloating(True)
    window.actions["reset_layout"].trigger()
    settle(qtbot)
    assert not window.docks["jacobian"].isFloating()
    behind = {"parameters", "samples", "landscape"}  # tabs behind the inspector
    for dock_id in ALL_DOCKS - behind:
        assert in_front(window.docks[dock_id]), dock_id
    assert all(window.docks[d].isVisible() for d in behind)


def test_a_first_start_lays_the_docks_out_for_the_size_it_opens_at(qtbot, monkeypatch):
    from explorer.app import geometry
    from explorer.app.geometry import Rect
    from explorer.app.main_window import MainWindow
    from explorer.session.session import Session

    monkeypatch.setattr(geometry, "available_rect", lambda window: Rect(0, 0, 911, 452))
    w = MainWindow(Session())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    settle(qtbot)
    assert (w.width(), w.height()) == (911, 452)
    assert w.dockWidgetArea(w.docks["config"]) == w.dockWidgetArea(w.docks["jacobian"])
    assert w.tabifiedDockWidgets(w.docks["jacobian"])  # tabs, not shrunk docks


def test_at_1366x768_the_bars_get_room_beside_a_jacobian_with_its_numbers(window, qtbot):
    # Split 4:3 for the Jacobian, with 30 px title rows, the bars' plots were under 1 px.
    from tests.test_view_jacobian_readable import drawn_numbers

    sized(window, qtbot, 1366, 698)
    bars = window.views["bars"]
    assert min(bars.top.getViewBox().height(), bars.bottom.getViewBox().height()) >= 18
    size, texts = drawn_numbers(window.views["jacobian"])
    assert len(texts) == 9 and size > 0
