"""The seeds' derivation, written out with the selected sample's live numbers.

Forward pass ``z = Wx + b``, ``p = softmax(z)``, ``L = −log p_y``; the chain rule
``∂L/∂p = −y/p``, ``Jᵀ(−y/p) = p − y`` with both sides computed separately; the sample's
``dW = (p − y) xᵀ``, ``db = p − y``; and the batch gradients. Every number comes from
``session.sample_detail(i)`` and ``session.batch_grads()`` (float64); the view only formats.

Vectors are drawn as bracketed columns whose rows line up with the classes, so one reads
a class across the whole derivation. The page is Qt rich text written by
:mod:`explorer.views.inspector_page` (no LaTeX, no web engine); from one step to the next
only the numbers that changed are replaced.
"""

from __future__ import annotations

import html
import math
import time

import numpy as np
from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QColor, QFont, QTextTable
from PyQt6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.core.chain_rule import chain_rule_gap
from explorer.views.base import SessionView
from explorer.views.inspector_page import (
    Columns,
    Group,
    Heading,
    Matrix,
    Operator,
    PageWriter,
    Paragraph,
    signature,
)
from explorer.views.palette import LIGHT, Theme, class_colors, hex_color
from explorer.views.qt_helpers import (
    SteadyLabel,
    follow_dock,
    format_number,
    on_screen,
    signals_blocked,
)

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
#: Matrix columns written out before "…".
MAX_COLUMNS = 6
#: Largest C for which the C×C Jacobian is written into the chain rule.
MAX_JACOBIAN_CLASSES = 5
#: Font size of the page (points).
POINT_SIZE = 10.0
HINT = "Click a point or a bar to inspect a sample"


def _tiny_number(value: float) -> str:
    """One significant digit, for "agree to 3e−17"."""
    return format_number(value, 1)


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
        self._vars: list[str] = []
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
            "The derivation of the softmax cross-entropy gradient (see Help) with the numbers of"
            " the selected sample, computed in float64"
        )
        layout.addWidget(self.browser, 1)
        self.refresh(frozenset({"session"}))

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

    def page_columns(self) -> int:
        """How many columns the page is written in: 2 (side by side) or 1."""
        root = self.browser.document().rootFrame()
        return 2 if any(isinstance(f, QTextTable) for f in root.childFrames()) else 1

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.refresh(frozenset({"session"}))

    def rebuild(self) -> None:
        self._dirty = True

    def update_view(self, kinds: frozenset[str]) -> None:
        """Mark the text out of date; render now, or soon while training runs.

        While updates stream in, the text is rendered at most every ``MIN_INTERVAL_S``,
        or ``RENDER_BUDGET_FACTOR`` times the last render's cost if that is longer (a
        timer brings the latest state). A new selection renders at once, with columns
        fitted to its numbers. Hidden views render when they are shown.
        """
        self._dirty = True
        new_page = "selection" in kinds or bool(kinds & self.REBUILD_KINDS)
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
        self._vars = []
        items = self._page()
        values = self._vars
        structure = signature(items)
        if structure == self._signature and self._writer is not None:
            self._writer.update(values)
            return
        self._set_page(items, values, structure)
        if self._two_columns and self.shown_detail is not None:
            needed = self.browser.document().idealWidth()
            if needed > self.browser.viewport().width():
                self._two_columns_width = needed  # too narrow: one column, until wide enough
                self._two_columns = False
                self._write()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.shown_detail is None:
            return
        width = self.browser.viewport().width()
        if self._two_columns and self.browser.document().idealWidth() > width:
            self._two_columns_width = self.browser.document().idealWidth()
            self._two_columns = False
        elif not self._two_columns and width >= self._two_columns_width:
            self._two_columns = True
        else:
            return
        self._write()

    def _set_page(self, items, values: list[str], structure: str) -> None:
        """Write the whole page anew, keeping the scroll position."""
        started = time.monotonic()
        bar = self.browser.verticalScrollBar()
        hbar = self.browser.horizontalScrollBar()
        keep, hkeep = bar.value(), hbar.value()
        doc = self.browser.document()
        font = QFont(self.browser.font())
        font.setPointSizeF(POINT_SIZE)
        doc.setDefaultFont(font)
        self._writer = PageWriter(doc, QColor(*self.theme.foreground), QColor(*self.theme.muted))
        self._writer.write(items, values)
        self._signature = structure
        bar.setValue(keep)
        hbar.setValue(hkeep)
        self._page_write_s += time.monotonic() - started

    # ------------------------------------------------------------ page pieces
    def _var(self, text: str) -> str:
        """A placeholder for text that changes from frame to frame (numbers, the step)."""
        self._vars.append(str(text))
        return f"\x00{len(self._vars) - 1}\x00"

    def _num(self, v: float) -> str:
        return self._var(format_number(v, self._digits))

    def _class_label(self, k: int) -> str:
        # a name is text, never markup, and never a value placeholder (NUL)
        name = html.escape(str(self.session.data.class_names[k])).replace("\x00", "\ufffd")
        color = hex_color(self._colors[k])
        return (
            f'<span style="color:{color}">■</span>&nbsp;'
            f'<span style="color:{color}"><b>{name}</b></span>'
        )

    def _muted_text(self, markup: str) -> str:
        return f'<span style="color:{self._muted}">{markup}</span>'

    def _page(self) -> list:
        """The page's items (:mod:`explorer.views.inspector_page`), values in ``_vars``."""
        s = self.session
        self._colors = class_colors(s.data.n_classes)
        self._muted = hex_color(self.theme.muted)
        identity = getattr(s.config, "features", "identity") == "identity"
        self._x = "x" if identity else "φ"
        self._labels = tuple(self._class_label(k) for k in range(s.data.n_classes))
        d = self.shown_detail
        if d is None:
            return [Paragraph(self._muted_text(f"<i>{HINT}</i>.")), *self._batch_section()]
        # Two columns (forward | backward, this sample | batch): the dock is wide and low.
        chunks = [*self._sample_sections(d, identity), self._batch_section()]
        if self._two_columns:
            return [Columns(((chunks[0], chunks[1]), (chunks[2], chunks[3])))]
        return [item for chunk in chunks for item in chunk]

    def _group(self, header: str, values, names=None, total_columns=None) -> Group:
        """A bracketed ``(C, k)`` group of numbers (at most ``MAX_COLUMNS`` columns)."""
        values = np.asarray(values)[:, :MAX_COLUMNS]
        cells = tuple(tuple(self._num(v) for v in row) for row in values)
        truncated = total_columns is not None and total_columns > values.shape[1]
        shown = tuple(str(n) for n in names[: values.shape[1]]) if names is not None else None
        return Group(header, cells, shown, truncated)

    def _matrix(self, *parts) -> Matrix:
        return Matrix(self._labels, tuple(parts))

    # ------------------------------------------------------------ sample part
    def _sample_sections(self, d, identity: bool) -> list[tuple]:
        """Input and forward pass | chain rule | this sample's gradients."""
        s = self.session
        x = self._x
        names = list(s.feature_map.names)
        forward = [self._h("1", "Input")]
        forward.append(
            Paragraph(
                "<i>x</i> = "
                + self._row_vector(d.x)
                + "<sup>T</sup>"
                + ("" if not identity else " (the raw coordinates; no feature map)")
            )
        )
        if not identity:
            forward.append(
                Paragraph(
                    f"<i>φ</i>(<i>x</i>) = {self._row_vector(d.phi)}<sup>T</sup> "
                    + self._muted_text(
                        f"({len(d.phi)} features: {html.escape(str(s.config.features))})"
                    )
                )
            )
        forward.append(self._h("2", "Forward pass"))
        T = float(getattr(s, "temperature", 1.0))
        if T == 1.0:
            z_header = f"<i>z</i> = <i>W</i><i>{x}</i> + <i>b</i>"
        else:  # the display temperature rescales the logits of everything shown
            z_header = f"<i>z</i> = (<i>W</i><i>{x}</i> + <i>b</i>) / <i>T</i>"
            forward.append(
                Paragraph(
                    self._muted_text(
                        f"Display temperature <i>T</i> = {self._num(T)}: the numbers of this"
                        " sample are those of the model (W/T, b/T)."
                    )
                )
            )
        forward.append(
            self._matrix(
                self._group(z_header, d.z[:, None]),
                Operator(),
                self._group("<i>p</i> = softmax(<i>z</i>)", d.p[:, None]),
                Operator(),
                self._group("<i>y</i> (target)", d.y[:, None]),
            )
        )
        label = int(d.label)
        smoothing = float(getattr(s.config, "label_smoothing", 0.0) or 0.0)
        if smoothing > 0:
            forward.append(
                Paragraph(
                    "<i>L</i> = −Σ<sub><i>k</i></sub> <i>y<sub>k</sub></i> log"
                    f" <i>p<sub>k</sub></i> = <b>{self._num(d.loss)}</b> "
                    + self._muted_text(
                        f"(label smoothing ε = {self._num(smoothing)}:"
                        " <i>y</i> = (1 − ε)·one-hot + ε/<i>C</i>)"
                    )
                )
            )
        else:
            forward.append(
                Paragraph(
                    f"<i>L</i> = −log <i>p<sub>y</sub></i> = −log {self._num(d.p[label])}"
                    f" = <b>{self._num(d.loss)}</b> "
                    + self._muted_text(f"(true class {self._class_label(label)})")
                )
            )
        chain = [self._h("3", "Backward: the chain rule")]
        C = len(d.p)
        dl_dp = self._group("∂<i>L</i>/∂<i>p</i> = −<i>y</i>/<i>p</i>", d.dL_dp[:, None])
        if C <= MAX_JACOBIAN_CLASSES:
            parts = [
                self._group(
                    "<i>J</i><sup>T</sup> = diag(<i>p</i>) − <i>p</i><i>p</i><sup>T</sup>", d.J
                ),
                Operator("·"),
                dl_dp,
            ]
        else:  # a 6×6 or larger matrix would not fit; the Jacobian view shows it
            parts = [Operator("<i>J</i><sup>T</sup> ·"), dl_dp]
        parts += [
            Operator("="),
            self._group("<i>J</i><sup>T</sup>(−<i>y</i>/<i>p</i>)", d.jt_dl_dp[:, None]),
            Operator("="),
            self._group("<i>p</i> − <i>y</i>", d.dz[:, None]),
        ]
        chain.append(self._matrix(*parts))
        diff = chain_rule_gap(d.jt_dl_dp, d.dz)
        # one placeholder for the whole phrase, so that the page's structure stays
        # the same when the difference flips between 0 and a rounding error
        if diff == 0:
            agree = "exactly: every entry is equal"
        else:
            agree = f"to {_tiny_number(diff)}, the largest difference between entries"
        chain.append(
            Paragraph(
                f"Both sides agree {self._var(agree)}.<br>"
                "Because Σ<i>y</i> = 1: <i>J</i><sup>T</sup>(−<i>y</i>/<i>p</i>) = "
                "<i>p</i>·Σ<i>y</i> − <i>y</i> = <i>p</i> − <i>y</i>, prediction minus truth."
            )
        )
        gradients = [self._h("4", "Gradients of this sample")]
        gradients.append(
            self._matrix(
                self._group(
                    f"∂<i>L</i>/∂<i>W</i> = (<i>p</i> − <i>y</i>) <i>{x}</i><sup>T</sup>",
                    d.dW,
                    names,
                    total_columns=d.dW.shape[1],
                ),
                Operator(),
                self._group("∂<i>L</i>/∂<i>b</i> = <i>p</i> − <i>y</i>", d.db[:, None]),
            )
        )
        return [tuple(forward), tuple(chain), tuple(gradients)]

    # ------------------------------------------------------------- batch part
    def _batch_section(self) -> tuple:
        s = self.session
        loss, dW, db = self.shown_batch
        n = len(s.data.train_index)
        x = self._x
        l2 = float(getattr(s.config, "l2", 0.0) or 0.0)
        reg_l = " + λ/2 ‖<i>W</i>‖²" if l2 > 0 else ""
        reg_w = " + λ<i>W</i>" if l2 > 0 else ""
        names = list(s.feature_map.names)
        return (
            self._h("5" if self.shown_detail is not None else "", "Batch"),
            Paragraph(
                f"Mean over the <i>N</i> = {self._var(n)} training samples at step "
                f"{self._var(s.step_index)}: "
                f"<i>L</i> = (1/<i>N</i>) Σ<sub><i>i</i></sub> <i>L<sub>i</sub></i>{reg_l}"
                f" = <b>{self._num(loss)}</b>" + (f" (λ = {self._num(l2)})" if l2 > 0 else "")
            ),
            self._matrix(
                self._group(
                    f"∂<i>L</i>/∂<i>W</i> = (1/<i>N</i>) (<i>P</i> − <i>Y</i>) "
                    f"<i>{x.upper() if x == 'x' else 'Φ'}</i><sup>T</sup>{reg_w}",
                    dW,
                    names,
                    total_columns=dW.shape[1],
                ),
                Operator(),
                self._group(
                    "∂<i>L</i>/∂<i>b</i> = (1/<i>N</i>) Σ<sub><i>i</i></sub> "
                    "(<i>p<sub>i</sub></i> − <i>y<sub>i</sub></i>)",
                    db[:, None],
                ),
            ),
        )

    # ------------------------------------------------------------ small pieces
    def _h(self, number: str, text: str) -> Heading:
        lead = f"{number} · " if number else ""
        return Heading(f"{lead}{text}")

    def _row_vector(self, values) -> str:
        shown = [self._num(v) for v in values[:MAX_COLUMNS]]
        if len(values) > MAX_COLUMNS:
            shown.append(f"… ({len(values) - MAX_COLUMNS} more)")
        return "[" + ", ".join(shown) + "]"
