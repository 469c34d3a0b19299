"""At 1366×768 every table shows all its rows (C ≤ 5), every combo box its whole text, and
greyed configuration fields show the values in use (or nothing)."""

import numpy as np
import pytest
from PyQt6.QtWidgets import QApplication, QStyle, QStyleOptionComboBox

from explorer.app.main_window import MainWindow
from explorer.session.config import Config
from explorer.session.session import Session


@pytest.fixture
def make_window(qtbot):
    windows = []

    def make(config=None, size=(1366, 768)):
        window = MainWindow(Session(config or Config()))
        windows.append(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(50)
        return window

    yield make
    for window in windows:
        window.file_actions.modified = False
        window.close()
        window.deleteLater()
    qtbot.wait(1)


def fully_shown(table, view):
    """Whether every row of ``table`` lies inside its viewport and the table inside ``view``."""
    rows = table.model().rowCount()
    last = table.rowViewportPosition(rows - 1) + table.rowHeight(rows - 1)
    bottom = table.mapTo(view, table.rect().bottomLeft()).y()
    return (
        rows > 0
        and table.rowViewportPosition(0) >= 0
        and last <= table.viewport().height()
        and not table.verticalScrollBar().isVisible()
        and bottom <= view.height()
    )


@pytest.mark.parametrize(
    "config",
    [
        Config(dataset="cs231n"),
        Config(classes=5),
        Config(dataset="spiral", features="poly", degree=3),
    ],
    ids=["cs231n", "C5", "poly3"],
)
def test_both_parameter_tables_show_all_their_rows(make_window, qtbot, config):
    window = make_window(config)
    window.docks["parameters"].raise_()
    qtbot.wait(100)
    view = window.views["parameters"]
    view.flush()
    QApplication.processEvents()
    for table in (view.params_table, view.grads_table):
        assert fully_shown(table, view), (table.viewport().height(), view.height())


def combo_fits(combo) -> bool:
    """Whether the widest item's text fits the combo box's text field."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    metrics = combo.fontMetrics()
    widest = max(metrics.horizontalAdvance(combo.itemText(k)) for k in range(combo.count()))
    return widest <= field.width()


def test_every_configuration_combo_box_shows_its_whole_text(make_window):
    window = make_window()
    panel = window.views["config"]
    for name, control in panel.controls().items():
        if hasattr(control, "itemText") and control.isVisibleTo(panel):
            assert combo_fits(control), name


def test_the_jacobian_source_box_shows_its_whole_text(make_window):
    window = make_window()
    assert combo_fits(window.views["jacobian"].source_combo)


def test_greyed_fields_show_the_values_in_use(make_window):
    window = make_window(Config(dataset="cs231n"))
    panel = window.views["config"]
    c = panel.controls()
    assert not c["samples"].isEnabled() and not c["test_fraction"].isEnabled()
    assert c["samples"].text() == "9"  # the 9 points, not the configured 300
    assert c["test_fraction"].text() in ("0", "")  # no test split
    assert c["classes"].text() == "3"


def test_samples_show_the_current_count_after_edits(make_window):
    window = make_window()
    s = window.session
    c = window.views["config"].controls()
    n = s.data.n_points
    assert c["samples"].text() == str(n)
    s.add_point([0.1, 0.2], 0)
    s.add_point([0.3, 0.2], 1)
    assert c["samples"].text() == str(n + 2)
    s.delete_point(0)
    assert c["samples"].text() == str(n + 1)
    # asking for the configured count again draws the data set afresh
    c["samples"].commit_text(str(n))
    assert s.data.n_points == n
    np.testing.assert_array_equal(s.data.X, Session(Config()).data.X)


def test_csv_points_get_a_test_split_that_the_panel_changes(make_window, tmp_path, monkeypatch):
    from PyQt6.QtWidgets import QFileDialog

    source = Session(Config(dataset="moons", samples=200, seed=3))
    path = tmp_path / "points.csv"
    X, y = source.data.X, source.data.y
    path.write_text(
        "".join(
            f"{float(a)!r},{float(b)!r},{int(c)}\n" for a, b, c in zip(X[0], X[1], y, strict=True)
        )
    )
    window = make_window()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.import_csv()
    s = window.session
    field = window.views["config"].controls()["test_fraction"]
    assert s.data.n_points == 200 and s.data.is_test.any()  # split on import
    assert field.isEnabled()
    assert float(field.text()) == pytest.approx(s.data.is_test.mean(), abs=0.01)
    field.commit_text("0.5")
    assert s.data.is_test.mean() == pytest.approx(0.5, abs=0.02)
    # the same points, labels and class names: only the split changed
    order = np.lexsort(s.data.X)
    np.testing.assert_array_equal(s.data.X[:, order], X[:, np.lexsort(X)])
    assert window.views["config"].controls()["dataset"].currentText() == "user data (points.csv)"
    assert s.head == 0 and s.metrics.has_test
    field.commit_text("0")
    assert not s.data.is_test.any() and field.text() == "0"


def test_choosing_the_9_point_set_shows_its_demo_weights(make_window):
    """The default scene has quadratic features; the CS231n demo's W and b weigh x1, x2."""
    from explorer.core.datasets import CS231N_B, CS231N_W

    window = make_window()
    assert window.session.config.features != "identity"
    combo = window.views["config"].controls()["dataset"]
    combo.setCurrentIndex(combo.findData("cs231n"))
    s = window.session
    assert s.config.dataset == "cs231n" and s.config.features == "identity"
    np.testing.assert_array_equal(s.W, CS231N_W.astype(np.float32))
    np.testing.assert_array_equal(s.b, CS231N_B.astype(np.float32))
    assert window.views["config"].controls()["features"].currentData() == "identity"
