"""The inspector: the derivation of the chosen loss's gradient, written out with the
selected sample's live numbers, and the batch gradients.

Every number comes from ``session.sample_detail(i)`` and ``session.batch_grads()``
(float64); the page's text is :mod:`explorer.views.items.derivation`, laid out as Qt
rich text by :mod:`explorer.views.items.inspector_page` (no LaTeX, no web engine). From
one step to the next only the numbers that changed are replaced, at a readable rate.

Why not simply ``setHtml`` with tables on each render (measured A/B on a busy two-core
machine, noisy): with a sample selected a render cost ~22 ms at W1 and 54–86 ms at W3
that way, against 2 ms and 15–19 ms here (the page's part 1.2 and 6–7 ms); a frame that
brings every view up to date, one window swapping the two writers, went from 8 to 20 ms
at W1 (target 8 ms) and from 25 to 65 ms at W3; the benchmark's W1 frame from 7.3 to
12.9 ms; and every write dropped the reader's text selection.
"""

from __future__ import annotations

import math
import time

from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QColor, QFont
from PyQt6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.session.changes import Change
from explorer.views.base import SessionView
from explorer.views.items.derivation import Derivation, PageFacts
from explorer.views.items.inspector_page import PageWriter
from explorer.views.items.page_items import signature
from explorer.views.palette import LIGHT, Theme
from explorer.views.qt_helpers import SteadyLabel, follow_dock, on_screen, signals_blocked

#: Significant digits by default; ``FULL_PRECISION`` means the shortest exact repr.
DEFAULT_DIGITS = 4
FULL_PRECISION = 0
#: Shortest time between two renders while updates stream in (training, scrubbing):
#: numbers changing faster than 15 times a second cannot be read anyway.
MIN_INTERVAL_S = 1 / 15
#: While updates stream in, a render also waits this many times its own last cost (the
#: exact batch gradient over 80 000 samples costs ~10 ms where numpy's float64 ``exp``
#: has no SIMD path): the text then takes at most about 1/8 of the time.
RENDER_BUDGET_FACTOR = 8.0
#: Font size of the page (points).
POINT_SIZE = 10.0


class InspectorView(SessionView):
    """The derivation for the selected sample, plus the batch gradients.

    Attributes
    ----------
    shown_index : int or None
        Sample shown (``session.selected`` at the last render).
    shown_detail : SampleDetail or None
        The object returned by ``session.sample_detail`` that the text was written from.
    shown_batch : tuple (float, ndarray (C, D), ndarray (C,)) or None
        ``session.batch_grads()`` at the last render.
    """

    view_id = "inspector"
    title = "Inspector"

    def __init__(self, session, parent: QWidget | None = None, theme: Theme = LIGHT):
        super().__init__(session, parent, theme)
        self._digits = DEFAULT_DIGITS
        self._dirty = True
        self._last_render = -math.inf
        #: Seconds the last render took, less any whole-page write (a one-off after a new
        #: selection): it spaces out costly renders of streamed updates.
        self._render_cost = 0.0
        self._page_write_s = 0.0
        self._two_columns = True
        self._two_columns_width = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._render_if_visible)
        #: The structure of the page on screen, and the writer that wrote it.
        self._signature: str | None = None
        self._writer: PageWriter | None = None
        self.shown_index: int | None = None
        self.shown_detail = None
        self.shown_batch = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        bar = QHBoxLayout()
        # Fixed size: a new step number repaints the caption alone (a free-size label
        # relays out the dock and then the whole main window at every render).
        self.caption = SteadyLabel("")
        self.caption.setToolTip("The sample shown and the training step")
        self.full_precision = QCheckBox("Full precision")
        self.full_precision.setToolTip(
            "Show every digit of the float64 numbers (the shortest text that reads back exactly)"
            " instead of 4 significant digits"
        )
        self.full_precision.toggled.connect(
            lambda on: self.set_precision(FULL_PRECISION if on else DEFAULT_DIGITS)
        )
        bar.addWidget(self.caption)
        bar.addStretch(1)
        bar.addWidget(self.full_precision)
        layout.addLayout(bar)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        # Rows keep their natural width (a horizontal scroll bar beats wrapped numbers).
        self.browser.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        self.browser.setToolTip(
            "The derivation of the chosen loss's gradient (see Help) with the numbers of the"
            " selected sample, computed in float64"
        )
        layout.addWidget(self.browser, 1)
        self.refresh(Change.SESSION)

    # -------------------------------------------------------------- public API
    def set_precision(self, digits: int) -> None:
        """Significant digits shown; ``0`` (``FULL_PRECISION``) for every digit."""
        self._digits = int(digits)
        full = self._digits <= 0
        if self.full_precision.isChecked() != full:
            with signals_blocked(self.full_precision):
                self.full_precision.setChecked(full)
        self._forget_page()
        self._dirty = True
        self._render_if_visible()

    def precision(self) -> int:
        return self._digits

    def text(self) -> str:
        """The page as plain text (rendered now if out of date); tabs separate columns."""
        self.flush()
        return self.browser.toPlainText()

    def rebuild(self) -> None:
        self._dirty = True

    def update_view(self, changes: Change) -> None:
        """Mark the text out of date; render now, or soon while training runs.

        While updates stream in, the text is rendered at most every ``MIN_INTERVAL_S``,
        or ``RENDER_BUDGET_FACTOR`` times the last render's cost if that is longer (a
        timer brings the latest state). A new selection renders at once, with columns
        fitted to its numbers. Hidden views render when they are shown.
        """
        self._dirty = True
        new_page = bool(changes & (Change.SELECTION | self.REBUILD_ON))
        if new_page:
            self._forget_page()
        if not on_screen(self):
            return
        interval = max(MIN_INTERVAL_S, RENDER_BUDGET_FACTOR * self._render_cost)
        wait = self._last_render + interval - time.monotonic()
        if new_page or wait <= 0:
            self._timer.stop()
            self._ensure_rendered()
        elif not self._timer.isActive():
            self._timer.start(max(1, math.ceil(wait * 1000)))

    def flush(self) -> None:
        """Render a pending update now (export, tests)."""
        self._timer.stop()
        self._ensure_rendered()

    def export_widget(self) -> QWidget:
        self.flush()
        return self

    def showEvent(self, event) -> None:
        super().showEvent(event)
        follow_dock(self, self._render_if_visible)
        self._render_if_visible()

    # ---------------------------------------------------------------- rendering
    def _render_if_visible(self) -> None:
        if on_screen(self):
            self._ensure_rendered()

    def _ensure_rendered(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self._last_render = started = time.monotonic()
        self._page_write_s = 0.0
        try:
            self._render()
        finally:
            self._render_cost = time.monotonic() - started - self._page_write_s

    def _render(self) -> None:
        s = self.session
        i = s.selected
        if i is not None and not 0 <= i < s.data.X.shape[1]:
            i = None
        self.shown_index = i
        self.shown_detail = s.sample_detail(i) if i is not None else None
        self.shown_batch = s.batch_grads()
        self._write()
        if i is None:
            self.caption.setText(f"No sample selected · step {s.step_index}")
        else:
            part = "test" if s.data.is_test[i] else "train"
            name = s.data.class_names[int(s.data.y[i])]
            self.caption.setText(f"Sample {i} ({part}, class {name}) · step {s.step_index}")

    def _forget_page(self) -> None:
        """The next render writes the page anew, with columns fitted to its numbers."""
        self._signature = None

    def _write(self) -> None:
        """Write the page; replace only the numbers if its structure is unchanged."""
        s = self.session
        facts = PageFacts(
            class_names=tuple(str(n) for n in s.data.class_names),
            features=str(s.config.features),
            feature_names=tuple(s.feature_map.names),
            temperature=float(s.temperature),
            label_smoothing=float(s.config.label_smoothing),
            l2=float(s.config.l2),
            n_train=len(s.data.train_index),
            step=s.step_index,
            loss=str(s.config.loss),
            l1=float(s.config.l1),
        )
        derivation = Derivation(facts, self._digits, self.theme.muted)
        items = derivation.page(self.shown_detail, self.shown_batch, self._two_columns)
        values = derivation.values
        structure = signature(items)
        if structure == self._signature and self._writer is not None:
            self._writer.update(values)
            return
        self._set_page(items, values, structure)
        if self._two_columns and self._columns_changed():
            self._write()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._columns_changed():
            self._write()

    def _columns_changed(self) -> bool:
        """Choose one or two page columns for the viewport's width; True if that changed.

        Two while they fit; once too narrow, one until the viewport is as wide as the two
        needed. A page without a sample has one column anyway.
        """
        if self.shown_detail is None:
            return False
        width = self.browser.viewport().width()
        if self._two_columns:
            needed = self.browser.document().idealWidth()
            if needed <= width:
                return False
            self._two_columns_width = needed
        elif width < self._two_columns_width:
            return False
        self._two_columns = not self._two_columns
        return True

    def _set_page(self, items, values: list[str], structure: str) -> None:
        """Write the whole page anew, keeping the scroll position."""
        started = time.monotonic()
        bar = self.browser.verticalScrollBar()
        hbar = self.browser.horizontalScrollBar()
        keep, hkeep = bar.value(), hbar.value()
        doc = self.browser.document()
        font = QFont(self.browser.font())
        font.setPointSizeF(POINT_SIZE * self.scale)  # presentation mode scales it
        doc.setDefaultFont(font)
        self._writer = PageWriter(doc, QColor(*self.theme.foreground), QColor(*self.theme.muted))
        self._writer.write(items, values)
        self._signature = structure
        bar.setValue(keep)
        hbar.setValue(hkeep)
        self._page_write_s += time.monotonic() - started
