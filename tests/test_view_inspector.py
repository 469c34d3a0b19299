"""The inspector: the selected sample's derivation, exactly the session's float64 numbers."""

import re

import numpy as np
import pytest

from explorer.session.config import Config
from explorer.session.session import Session
from explorer.views.inspector import InspectorView
from explorer.views.items.derivation import HINT
from explorer.views.palette import DARK
from explorer.views.qt_helpers import format_number

NO_NAN = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)


@pytest.fixture
def make_view(qtbot):
    def make(config=None, steps=15, show=True):
        session = Session(config or Config(samples=120))
        session.step(steps)
        view = InspectorView(session)
        session.changed.connect(view.refresh)
        qtbot.addWidget(view)
        if show:
            view.resize(900, 700)
            view.show()
            qtbot.waitExposed(view)
        return session, view

    return make


def text_of(view):
    return view.text()  # renders a pending update first


def page_columns(view):
    """How many columns the page is written in: 2 (side by side, a table) or 1."""
    from PyQt6.QtGui import QTextTable

    root = view.browser.document().rootFrame()
    return 2 if any(isinstance(f, QTextTable) for f in root.childFrames()) else 1


def formats_at(view, needle):
    """The character formats of the first occurrence of ``needle`` on the page."""
    from PyQt6.QtGui import QTextCursor

    doc = view.browser.document()
    found = doc.find(needle)
    assert not found.isNull(), needle
    out = []
    for pos in range(found.selectionStart(), found.selectionEnd()):
        cursor = QTextCursor(doc)
        cursor.setPosition(pos + 1)  # the format of the character before the cursor
        out.append(cursor.charFormat())
    return out


def assert_clean(view):
    assert not NO_NAN.search(text_of(view))
    assert not NO_NAN.search(view.caption.text())


def test_format_number():
    assert format_number(-0.0) == "0"
    assert format_number(-1.5) == "−1.5"
    assert format_number(0.123456) == "0.1235"
    assert format_number(3.2e-17, 1) == "3e−17"
    assert format_number(float("inf")) == "∞"
    assert format_number(float("-inf")) == "−∞"
    assert format_number(float("nan")) == "undefined"
    assert format_number(0.1, 0) == "0.1"
    assert float(format_number(np.pi, 0)) == np.pi


def test_hint_and_batch_part_without_selection(make_view):
    session, view = make_view()
    assert session.selected is None
    text = text_of(view)
    assert HINT in text
    assert view.shown_detail is None
    loss, dW, db = session.batch_grads()
    shown_loss, shown_dW, shown_db = view.shown_batch
    assert shown_loss == loss
    np.testing.assert_array_equal(shown_dW, dW)
    np.testing.assert_array_equal(shown_db, db)
    assert format_number(loss) in text
    for v in [*dW.ravel(), *db]:
        assert format_number(v) in text
    assert_clean(view)


def test_shows_the_selected_samples_numbers(make_view):
    session, view = make_view()
    session.select(7)
    d = view.shown_detail
    ref = session.sample_detail(7)
    assert view.shown_index == 7
    for name in ("x", "phi", "z", "p", "y", "dL_dp", "J", "jt_dl_dp", "dz", "dW", "db"):
        np.testing.assert_array_equal(getattr(d, name), getattr(ref, name))
        assert getattr(d, name).dtype == np.float64
    assert d.loss == ref.loss
    text = text_of(view)
    for name in ("z", "p", "dL_dp", "jt_dl_dp", "dz", "db", "x"):
        for v in getattr(d, name):
            assert format_number(v) in text, (name, v)
    for v in d.dW.ravel():
        assert format_number(v) in text
    assert format_number(d.loss) in text
    assert_clean(view)


def test_both_sides_of_the_chain_rule_are_shown(make_view):
    session, view = make_view()
    session.select(3)
    text = text_of(view)
    assert "JT(−y/p)" in text  # Jᵀ(−y/p), the T raised
    assert "p − y" in text
    from PyQt6.QtGui import QTextCharFormat

    j, t = formats_at(view, "JT(−y/p)")[:2]
    assert (
        j.fontItalic()
        and t.verticalAlignment() == QTextCharFormat.VerticalAlignment.AlignSuperScript
    )
    d = view.shown_detail
    diff = float(np.max(np.abs(d.jt_dl_dp - d.dz)))
    assert diff < 1e-12
    assert "agree" in text
    assert ("exactly" in text) if diff == 0 else (format_number(diff, 1) in text)
    # the two sides are written separately: every value appears (at least) twice
    for v in d.dz:
        assert text.count(format_number(v)) >= 2


def test_numbers_agree_with_an_independent_float64_recomputation(make_view):
    session, view = make_view(steps=30)
    i = 11
    session.select(i)
    d = view.shown_detail
    W = np.asarray(session.W, dtype=np.float64)
    b = np.asarray(session.b, dtype=np.float64)
    phi = session.feature_map.transform(session.data.X[:, i : i + 1], dtype=np.float64)[:, 0]
    z = W @ phi + b
    e = np.exp(z - z.max())
    p = e / e.sum()
    y = np.zeros_like(p)
    y[session.data.y[i]] = 1.0
    np.testing.assert_allclose(d.phi, phi, rtol=1e-12)
    np.testing.assert_allclose(d.z, z, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d.p, p, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(d.loss, -np.log(p[session.data.y[i]]), rtol=1e-12)
    np.testing.assert_allclose(d.jt_dl_dp, p - y, atol=1e-12)
    np.testing.assert_allclose(d.dW, np.outer(p - y, phi), atol=1e-12)
    np.testing.assert_allclose(d.db, p - y, atol=1e-12)


def test_follows_selection_and_steps(make_view):
    session, view = make_view()
    session.select(2)
    assert view.shown_index == 2
    z_before = view.shown_detail.z.copy()
    session.step(5)
    view.flush()
    assert view.shown_index == 2
    assert not np.array_equal(view.shown_detail.z, z_before)
    np.testing.assert_array_equal(view.shown_detail.z, session.sample_detail(2).z)
    session.select(None)
    assert view.shown_detail is None
    assert HINT in text_of(view)


def test_full_precision_toggle(make_view):
    session, view = make_view()
    session.select(4)
    p = view.shown_detail.p
    view.full_precision.setChecked(True)
    assert view.precision() == 0
    text = text_of(view)
    for v in p:
        assert format_number(v, 0) in text
    view.set_precision(4)
    assert not view.full_precision.isChecked()
    assert format_number(p[0]) in text_of(view)


def test_label_smoothing_uses_the_sum_form(make_view):
    session, view = make_view(Config(samples=90, label_smoothing=0.1))
    session.select(0)
    d = view.shown_detail
    assert d.y.max() < 1.0
    assert "−Σk yk log pk" in text_of(view)
    assert format_number(d.loss) in text_of(view)
    assert_clean(view)


def test_feature_map_shows_phi_and_truncates_wide_matrices(make_view):
    session, view = make_view(Config(samples=90, features="rff", rff_dim=20), steps=3)
    session.select(1)
    text = text_of(view)
    assert "φ(x)" in text
    assert "…" in text
    names = session.feature_map.names
    assert names[0] in text
    assert_clean(view)


def test_hidden_view_renders_on_demand(make_view):
    session, view = make_view(show=False)
    session.select(5)
    assert view.shown_detail is None  # hidden: nothing rendered yet
    text = view.text()  # renders now
    assert view.shown_index == 5
    assert format_number(view.shown_detail.loss) in text


def test_dark_theme_and_offscreen_render(make_view, tmp_path):
    session, view = make_view()
    session.select(9)
    view.set_theme(DARK)
    from PyQt6.QtGui import QColor

    loss = format_number(view.shown_detail.loss)
    assert {f.foreground().color().name() for f in formats_at(view, loss)} == {
        QColor(*DARK.foreground).name()
    }
    assert {f.foreground().color().name() for f in formats_at(view, "⎡")} == {
        QColor(*DARK.muted).name()
    }
    path = tmp_path / "inspector.png"
    assert view.export_widget().grab().save(str(path))
    assert_clean(view)


def test_in_place_updates_read_like_a_fresh_render(make_view, qtbot):
    session, view = make_view(steps=2)
    session.select(6)
    writes = []
    set_page = view._set_page
    view._set_page = lambda *a: writes.append(1) or set_page(*a)

    def fresh_text():
        other = InspectorView(session)
        qtbot.addWidget(other)
        other.resize(view.size())
        other.set_precision(view.precision())
        other.show()
        qtbot.waitExposed(other)
        return other.text()

    for _ in range(6):
        session.step(1)
        assert text_of(view) == fresh_text()
    assert writes == []  # numbers replaced in place, a column widened where needed
    view.set_precision(0)
    session.step(2)
    assert text_of(view) == fresh_text()
    assert not view.browser.document().isUndoAvailable()


def test_columns_stand_still_and_fit_every_number(make_view):
    """Numbers sit right-aligned on their column's tab stop, which only moves outwards."""
    session, view = make_view(steps=1)
    session.select(6)
    doc = view.browser.document()

    def right_edges():
        """x of the right end of every number in the class rows of the chain rule."""
        edges = []
        block = doc.begin()
        while block.isValid():
            if block.blockFormat().tabPositions() and block.text().count("\t") > 6:
                line = block.layout().lineAt(0)
                text = block.text()
                for k, ch in enumerate(text):
                    if ch == "\t" and k + 1 < len(text) and text[k + 1] not in "⎡⎢⎣⎤⎥⎦\t":
                        end = text.find("\t", k + 1)
                        end = len(text) if end < 0 else end
                        edges.append(round(line.cursorToX(end)[0], 1))
            block = block.next()
        return edges

    view.flush()
    before = right_edges()
    assert before
    tabs = [t.position for t in doc.begin().next().blockFormat().tabPositions()]
    for _ in range(5):
        session.step(3)
        view.flush()
        after = right_edges()
        # every number ends on a right tab stop of its row, and no stop moved inwards
        assert len(after) == len(before)
        assert all(a >= b - 0.01 for a, b in zip(after, before, strict=True))
        before = after
    assert tabs == [t.position for t in doc.begin().next().blockFormat().tabPositions()]


def test_temperature_is_shown(make_view):
    session, view = make_view(Config(samples=120, features="identity"))
    session.select(1)
    session.set_temperature(2.0)
    view.flush()
    np.testing.assert_array_equal(view.shown_detail.z, session.sample_detail(1).z)
    assert "z = (Wx + b) / T" in text_of(view)
    assert_clean(view)


def test_streamed_updates_catch_up_with_the_latest_state(make_view, qtbot):
    session, view = make_view()
    session.select(8)
    for _ in range(5):
        session.step(1)  # faster than the render interval
    latest = session.sample_detail(8)
    qtbot.waitUntil(lambda: np.array_equal(view.shown_detail.z, latest.z), timeout=2000)
    assert format_number(latest.loss) in view.browser.toPlainText()


def test_a_dock_tab_behind_another_does_not_render(qtbot):
    from PyQt6.QtCore import Qt
    from PyQt6.QtWidgets import QDockWidget, QLabel, QMainWindow

    session = Session(Config(samples=90))
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("centre"))
    view = InspectorView(session)
    session.changed.connect(view.refresh)
    docks = []
    for widget in (QLabel("other"), view):
        dock = QDockWidget("d", window)
        dock.setWidget(widget)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        docks.append(dock)
    window.tabifyDockWidget(docks[0], docks[1])
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    docks[0].raise_()
    qtbot.wait(20)
    session.select(4)
    assert view.shown_index is None  # behind the other tab: nothing rendered
    docks[1].raise_()
    qtbot.waitUntil(lambda: view.shown_index == 4, timeout=2000)
    np.testing.assert_array_equal(view.shown_detail.p, session.sample_detail(4).p)


def test_two_columns_when_wide_one_when_narrow(make_view, qtbot):
    session, view = make_view()
    session.select(3)
    view.resize(1800, 500)
    qtbot.waitUntil(lambda: page_columns(view) == 2, timeout=2000)
    assert "1 · Input" in text_of(view) and "5 · Batch" in text_of(view)
    view.resize(500, 500)
    qtbot.waitUntil(lambda: page_columns(view) == 1, timeout=2000)
    assert format_number(view.shown_detail.loss) in text_of(view)


def test_streamed_renders_are_spaced_by_their_own_cost(make_view, qtbot, monkeypatch):
    """A costly render is followed by a longer wait, still ending on the latest state."""
    import explorer.views.inspector as inspector

    session, view = make_view()
    session.select(3)
    clock = [1000.0]
    monkeypatch.setattr(inspector.time, "monotonic", lambda: clock[0])
    view._render_cost = 0.05  # as if the last render took 50 ms: wait 8 × 50 ms
    view._last_render = clock[0]
    renders = []
    render = view._render
    monkeypatch.setattr(view, "_render", lambda: renders.append(clock[0]) or render())
    clock[0] += inspector.MIN_INTERVAL_S + 0.01  # past 1/15 s, not past 0.4 s
    session.step(1)
    assert renders == [] and view._timer.isActive()
    clock[0] += 0.4
    session.step(1)
    assert renders == [clock[0]]
    assert np.array_equal(view.shown_detail.z, session.sample_detail(3).z)


def test_a_page_written_anew_does_not_hold_back_the_next_steps(make_view, monkeypatch):
    """The one-off cost of writing the page (a new selection) spaces out no later render."""
    import explorer.views.inspector as inspector

    session, view = make_view()
    clock = [1000.0]
    monkeypatch.setattr(inspector.time, "monotonic", lambda: clock[0])
    write = inspector.PageWriter.write

    def slow_write(self, *args):
        clock[0] += 0.05  # as if writing the whole page took 50 ms
        write(self, *args)

    monkeypatch.setattr(inspector.PageWriter, "write", slow_write)
    session.select(3)
    assert view.shown_index == 3
    assert view._render_cost < 0.01
    clock[0] += inspector.MIN_INTERVAL_S + 0.001  # past 1/15 s, far from 8 × 100 ms
    session.step(1)  # rendered at once
    assert not view._timer.isActive()
    np.testing.assert_array_equal(view.shown_detail.z, session.sample_detail(3).z)


def test_class_names_are_shown_as_text(make_view):
    """Names from a file may look like markup or hold a NUL: they are written literally."""
    from explorer.session.data import Data

    session, view = make_view(steps=2)
    d = session.data
    names = ("<b>a&amp;b</b>", "x\x001\x00y", "<table>")
    session.set_data(Data(d.X, d.y % 3, d.is_test, names))
    session.select(int(session.data.train_index[0]))
    text = text_of(view)
    assert "<b>a&amp;b</b>" in text and "<table>" in text
    assert "x\ufffd1\ufffdy" in text
    assert_clean(view)


def test_a_readers_selection_survives_new_steps(make_view):
    """Text selected (to copy) while training plays stays selected, over the new numbers."""
    from PyQt6.QtGui import QTextCursor
    from PyQt6.QtWidgets import QApplication

    session, view = make_view(steps=3)
    session.select(6)
    view.flush()
    cursor = view.browser.document().find("Forward pass")
    cursor.movePosition(QTextCursor.MoveOperation.Down, QTextCursor.MoveMode.KeepAnchor, 3)
    view.browser.setTextCursor(cursor)
    start = cursor.selectionStart()
    for _ in range(3):
        session.step(1)
        view.flush()
        selection = view.browser.textCursor()
        assert selection.selectionStart() == start
        text = selection.selectedText()
        assert text.startswith("Forward pass") and "softmax(z)" in text
        assert format_number(view.shown_detail.z[0]) in text
    view.browser.copy()
    assert format_number(view.shown_detail.z[0]) in QApplication.clipboard().text()
