"""The seeds' derivation, written out with the selected sample's live numbers.

Forward pass ``z = Wx + b``, ``p = softmax(z)``, ``L = −log p_y``; the chain rule
``∂L/∂p = −y/p``, ``Jᵀ(−y/p) = p − y`` with both sides computed separately; the sample's
``dW = (p − y) xᵀ``, ``db = p − y``; and the batch gradients. Every number comes from
``session.sample_detail(i)`` and ``session.batch_grads()`` (float64); the view only formats.

Vectors are drawn as bracketed columns whose rows line up with the classes, so one reads
a class across the whole derivation. The HTML is Qt rich text (no LaTeX, no web engine).
"""

from __future__ import annotations

import html
import math
import re
import time

import numpy as np
from PyQt6.QtCore import QPoint, QRect, QTimer
from PyQt6.QtGui import QTextCursor
from PyQt6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.views.base import SessionView
from explorer.views.palette import LIGHT, Theme, class_colors, hex_color
from explorer.views.steady_label import SteadyLabel

#: Significant digits by default; ``FULL_PRECISION`` means the shortest exact repr.
DEFAULT_DIGITS = 4
FULL_PRECISION = 0
#: Shortest time between two renders while updates stream in (training, scrubbing).
MIN_INTERVAL_S = 1 / 15
#: While updates stream in, a render waits at least this many times its own last cost:
#: the text then takes at most about 1/8 of the time. A selected sample's page costs
#: ~10 ms to lay out again (it is mostly tables), which at 15 renders a second was the
#: largest part of a frame with a sample selected.
RENDER_BUDGET_FACTOR = 8.0
#: Matrix columns written out before "…".
MAX_COLUMNS = 6
#: Largest C for which the C×C Jacobian is written into the chain rule.
MAX_JACOBIAN_CLASSES = 5
HINT = "Click a point or a bar to inspect a sample"
MINUS = "−"
_NOWRAP = "white-space:nowrap"
_SECTION_BREAK = "<!--section-->"
_PLACEHOLDER = re.compile("\x00([0-9]+)\x00")
_NUMBER = "padding:0 4px; white-space:nowrap"


def format_number(value: float, digits: int = DEFAULT_DIGITS) -> str:
    """A compact, readable number: ``digits`` significant digits, "−" as minus sign.

    ``digits <= 0`` gives the shortest text that reads back to the same float64.
    Never returns "nan" or "inf": those become "undefined" and "∞".
    """
    v = float(value)
    if math.isnan(v):
        return "undefined"
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    if v == 0.0:
        return "0"  # also for −0.0, which only confuses
    text = repr(v) if digits <= 0 else f"{v:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def on_screen(widget: QWidget) -> bool:
    """Whether ``widget`` can be seen: shown, and not on a dock tab behind another.

    Qt 6 keeps every dock of a tab group "visible" and moves the unselected ones out of the
    window, so ``isVisible()`` alone would have hidden tabs render every frame.
    """
    if not widget.isVisible():
        return False
    window = widget.window()
    if window is widget:
        return True
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()).intersects(window.rect())


def follow_dock(widget: QWidget, on_shown) -> None:
    """Call ``on_shown()`` soon after the dock holding ``widget`` comes into view.

    Call it from ``showEvent``; it connects once. Without a dock it does nothing.
    """
    dock = widget.parentWidget()
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    if dock is None or getattr(widget, "_followed_dock", None) is dock:
        return
    widget._followed_dock = dock
    # The signal comes before the dock is moved into place: look once the layout settled.
    dock.visibilityChanged.connect(lambda seen: seen and QTimer.singleShot(0, on_shown))


def _utf16_len(text: str) -> int:
    """Length in Qt's string units (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _tiny_number(value: float) -> str:
    """One significant digit, for "agree to 3e−17"."""
    return format_number(value, 1)


def _bracket(row: int, rows: int, left: bool) -> str:
    """The bracket piece drawn at ``row`` of a ``rows``-tall column."""
    if rows == 1:
        return "[" if left else "]"
    if row == 0:
        return "⎡" if left else "⎤"
    if row == rows - 1:
        return "⎣" if left else "⎦"
    return "⎢" if left else "⎥"


class _Block:
    """One column group of a class-aligned table: a bracketed (C, k) array or an operator."""

    def __init__(self, header="", values=None, columns=None, op="", total_columns=None):
        self.header = header
        self.values = values  # (C, k) float64 or None for an operator
        self.columns = columns  # k column names or None
        self.op = op
        self.truncated = (
            total_columns is not None and values is not None and (total_columns > values.shape[1])
        )


class InspectorView(SessionView):
    """Rich-text derivation for the selected sample, plus the batch gradients.

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
        #: Seconds the last render took (it spaces out the renders of streamed updates).
        self._render_cost = 0.0
        self._two_columns = True
        self._two_columns_width = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._render_if_visible)
        self._html = ""
        self._vars: list[str] = []
        self._skeleton: str | None = None
        self._shown_values: list[str] = []
        self._cursors: list = []
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
        # Tables keep their natural width (a horizontal scroll bar beats wrapped numbers).
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
            self.full_precision.blockSignals(True)
            self.full_precision.setChecked(full)
            self.full_precision.blockSignals(False)
        self._dirty = True
        self._render_if_visible()

    def precision(self) -> int:
        return self._digits

    def html(self) -> str:
        """The HTML of the derivation (rendered now if out of date)."""
        self.flush()
        return self._html

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.refresh(frozenset({"session"}))

    def rebuild(self) -> None:
        self._dirty = True

    def update_view(self, kinds: frozenset[str]) -> None:
        """Mark the text out of date; render now, or soon while training runs.

        Laying out the changed numbers costs a few ms, and numbers changing 60 times a
        second cannot be read anyway: while updates stream in, the text is rendered at
        most every ``MIN_INTERVAL_S``, or ``RENDER_BUDGET_FACTOR`` times the last
        render's cost if that is longer (always ending on the latest state). A new
        selection renders at once. Hidden views render when they are shown.
        """
        self._dirty = True
        if not on_screen(self):
            return
        interval = max(MIN_INTERVAL_S, RENDER_BUDGET_FACTOR * self._render_cost)
        wait = self._last_render + interval - time.monotonic()
        if wait <= 0 or "selection" in kinds or kinds & self.REBUILD_KINDS:
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
        try:
            self._render()
        finally:
            self._render_cost = time.monotonic() - started

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

    def _write(self) -> None:
        """Build the text; edit the numbers in place if the structure is unchanged."""
        self._vars = []
        skeleton = self._document()
        values = self._vars
        self._html = _PLACEHOLDER.sub(lambda m: html.escape(values[int(m.group(1))]), skeleton)
        if skeleton == self._skeleton and len(self._cursors) == len(values):
            self._update_in_place(values)
            return
        self._set_document(skeleton, values)
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

    def _set_document(self, skeleton: str, values: list[str]) -> None:
        """Parse the HTML afresh and find every variable text in the laid-out document."""
        anchored = _PLACEHOLDER.sub(
            lambda m: f'<a name="v{m.group(1)}">{html.escape(values[int(m.group(1))])}</a>',
            skeleton,
        )
        bar = self.browser.verticalScrollBar()
        hbar = self.browser.horizontalScrollBar()
        keep, hkeep = bar.value(), hbar.value()
        self.browser.setHtml(anchored)
        doc = self.browser.document()
        doc.setUndoRedoEnabled(False)  # in-place edits must not pile up undo history
        bar.setValue(keep)
        hbar.setValue(hkeep)
        # Qt keeps a named anchor as a mark on the first character of its text only;
        # the length is that of the value written there.
        found = {}
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                fmt = frag.charFormat()
                names = fmt.anchorNames()
                if names and names[0].startswith("v") and names[0][1:].isdigit():
                    fmt.setAnchor(False)
                    fmt.setAnchorNames([])
                    found[int(names[0][1:])] = (frag.position(), fmt)
                it += 1
            block = block.next()
        self._skeleton = skeleton
        self._shown_values = list(values)
        self._cursors = []
        if sorted(found) != list(range(len(values))):
            self._skeleton = None  # could not map every value: re-parse next time
            return
        for k in range(len(values)):
            start, fmt = found[k]
            cursor = QTextCursor(doc)
            cursor.setPosition(start)
            cursor.setPosition(start + _utf16_len(values[k]), QTextCursor.MoveMode.KeepAnchor)
            self._cursors.append((cursor, fmt))

    def _update_in_place(self, values: list[str]) -> None:
        """Same document structure: replace only the numbers that changed.

        Re-parsing rich text costs ~10 ms a frame; editing the changed runs through cursors
        (which follow the edits around them) costs a fraction of that.
        """
        changed = [k for k, v in enumerate(values) if v != self._shown_values[k]]
        if not changed:
            return
        master = QTextCursor(self.browser.document())
        master.beginEditBlock()
        for k in changed:
            cursor, fmt = self._cursors[k]
            text = values[k]
            cursor.insertText(text, fmt)
            end = cursor.position()
            cursor.setPosition(end - _utf16_len(text))
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            self._shown_values[k] = text
        master.endEditBlock()

    def _var(self, text: str) -> str:
        """A placeholder for text that changes from frame to frame (numbers, the step)."""
        self._vars.append(str(text))
        return f"\x00{len(self._vars) - 1}\x00"

    def _num(self, v: float) -> str:
        return self._var(format_number(v, self._digits))

    def _class_label(self, k: int) -> str:
        name = html.escape(str(self.session.data.class_names[k]))
        color = hex_color(self._colors[k])
        return f'<span style="color:{color}">■</span>&nbsp;<b style="color:{color}">{name}</b>'

    def _document(self) -> str:
        s = self.session
        self._colors = class_colors(s.data.n_classes)
        fg = hex_color(self.theme.foreground)
        muted = hex_color(self.theme.muted)
        identity = getattr(s.config, "features", "identity") == "identity"
        self._x = "x" if identity else "φ"
        self._muted = muted
        parts = [
            f'<html><body style="color:{fg}; font-size:10pt">',
        ]
        d = self.shown_detail
        if d is None:
            parts.append(f'<p style="color:{muted}"><i>{HINT}</i>.</p>')
            parts += self._batch_section()
        else:
            # Two columns (forward | backward, this sample | batch): the dock is wide and low.
            chunks = "".join(self._sample_sections(d, identity)).split(_SECTION_BREAK)
            chunks.append("".join(self._batch_section()))
            if self._two_columns:
                parts.append('<table cellspacing="0" cellpadding="0">')
                for left, right in ((chunks[0], chunks[1]), (chunks[2], chunks[3])):
                    parts.append(
                        f'<tr><td valign="top">{left}</td><td width="32"></td>'
                        f'<td valign="top">{right}</td></tr><tr><td height="6"></td></tr>'
                    )
                parts.append("</table>")
            else:
                parts += chunks
        parts.append("</body></html>")
        return "".join(parts)

    # ------------------------------------------------------------ sample part
    def _sample_sections(self, d, identity: bool) -> list[str]:
        s = self.session
        x = self._x
        names = list(s.feature_map.names)
        out = [self._h("1", "Input")]
        out.append(
            "<p><i>x</i> = "
            + self._row_vector(d.x, ["x₁", "x₂"])
            + "<sup>T</sup>"
            + ("" if not identity else "  (the raw coordinates; no feature map)")
            + "</p>"
        )
        if not identity:
            out.append(
                f"<p><i>φ</i>(<i>x</i>) = {self._row_vector(d.phi, names)}<sup>T</sup> "
                f'<span style="color:{self._muted}">({len(d.phi)} features: '
                f"{html.escape(str(s.config.features))})</span></p>"
            )
        out.append(self._h("2", "Forward pass"))
        T = float(getattr(s, "temperature", 1.0))
        if T == 1.0:
            z_header = f"<i>z</i> = <i>W</i><i>{x}</i> + <i>b</i>"
        else:  # the display temperature rescales the logits of everything shown
            z_header = f"<i>z</i> = (<i>W</i><i>{x}</i> + <i>b</i>) / <i>T</i>"
            out.append(
                f'<p style="color:{self._muted}">Display temperature <i>T</i> = {self._num(T)}:'
                " the numbers of this sample are those of the model (W/T, b/T).</p>"
            )
        out.append(
            self._aligned(
                [
                    _Block(z_header, d.z[:, None]),
                    _Block(op=""),
                    _Block("<i>p</i> = softmax(<i>z</i>)", d.p[:, None]),
                    _Block(op=""),
                    _Block("<i>y</i> (target)", d.y[:, None]),
                ]
            )
        )
        label = int(d.label)
        smoothing = float(getattr(s.config, "label_smoothing", 0.0) or 0.0)
        if smoothing > 0:
            out.append(
                "<p><i>L</i> = −Σ<sub><i>k</i></sub> <i>y<sub>k</sub></i> log <i>p<sub>k</sub></i>"
                f" = <b>{self._num(d.loss)}</b> "
                f'<span style="color:{self._muted}">(label smoothing ε = {self._num(smoothing)}:'
                " <i>y</i> = (1 − ε)·one-hot + ε/<i>C</i>)</span></p>"
            )
        else:
            out.append(
                f"<p><i>L</i> = −log <i>p<sub>y</sub></i> = −log {self._num(d.p[label])}"
                f" = <b>{self._num(d.loss)}</b>  "
                f'<span style="color:{self._muted}">(true class {self._class_label(label)})'
                "</span></p>"
            )
        out.append(_SECTION_BREAK)
        out.append(self._h("3", "Backward: the chain rule"))
        C = len(d.p)
        dl_dp = _Block("∂<i>L</i>/∂<i>p</i> = −<i>y</i>/<i>p</i>", d.dL_dp[:, None])
        if C <= MAX_JACOBIAN_CLASSES:
            blocks = [
                _Block("<i>J</i><sup>T</sup> = diag(<i>p</i>) − <i>p</i><i>p</i><sup>T</sup>", d.J),
                _Block(op="·"),
                dl_dp,
            ]
        else:  # a 6×6 or larger matrix would not fit; the Jacobian view shows it
            blocks = [_Block(op="<i>J</i><sup>T</sup> ·"), dl_dp]
        blocks += [
            _Block(op="="),
            _Block("<i>J</i><sup>T</sup>(−<i>y</i>/<i>p</i>)", d.jt_dl_dp[:, None]),
            _Block(op="="),
            _Block("<i>p</i> − <i>y</i>", d.dz[:, None]),
        ]
        out.append(self._aligned(blocks))
        diff = float(np.max(np.abs(np.asarray(d.jt_dl_dp) - np.asarray(d.dz))))
        # one placeholder for the whole phrase, so that the page's layout stays
        # the same when the difference flips between 0 and a rounding error
        if diff == 0:
            agree = "exactly: every entry is equal"
        else:
            agree = f"to {_tiny_number(diff)}, the largest difference between entries"
        out.append(
            f"<p>Both sides agree {self._var(agree)}.<br>"
            "Because Σ<i>y</i> = 1: <i>J</i><sup>T</sup>(−<i>y</i>/<i>p</i>) = "
            "<i>p</i>·Σ<i>y</i> − <i>y</i> = <i>p</i> − <i>y</i>, prediction minus truth.</p>"
        )
        out.append(_SECTION_BREAK)
        out.append(self._h("4", "Gradients of this sample"))
        D = d.dW.shape[1]
        out.append(
            self._aligned(
                [
                    _Block(
                        f"∂<i>L</i>/∂<i>W</i> = (<i>p</i> − <i>y</i>) <i>{x}</i><sup>T</sup>",
                        d.dW[:, :MAX_COLUMNS],
                        names[:MAX_COLUMNS],
                        total_columns=D,
                    ),
                    _Block(op=""),
                    _Block("∂<i>L</i>/∂<i>b</i> = <i>p</i> − <i>y</i>", d.db[:, None]),
                ]
            )
        )
        return out

    # ------------------------------------------------------------- batch part
    def _batch_section(self) -> list[str]:
        s = self.session
        loss, dW, db = self.shown_batch
        n = len(s.data.train_index)
        x = self._x
        l2 = float(getattr(s.config, "l2", 0.0) or 0.0)
        reg_l = " + λ/2 ‖<i>W</i>‖²" if l2 > 0 else ""
        reg_w = " + λ<i>W</i>" if l2 > 0 else ""
        names = list(s.feature_map.names)
        out = [self._h("5" if self.shown_detail is not None else "", "Batch")]
        out.append(
            f"<p>Mean over the <i>N</i> = {self._var(n)} training samples at step "
            f"{self._var(s.step_index)}: "
            f"<i>L</i> = (1/<i>N</i>) Σ<sub><i>i</i></sub> <i>L<sub>i</sub></i>{reg_l}"
            f" = <b>{self._num(loss)}</b>" + (f" (λ = {self._num(l2)})" if l2 > 0 else "") + "</p>"
        )
        out.append(
            self._aligned(
                [
                    _Block(
                        f"∂<i>L</i>/∂<i>W</i> = (1/<i>N</i>) (<i>P</i> − <i>Y</i>) "
                        f"<i>{x.upper() if x == 'x' else 'Φ'}</i><sup>T</sup>{reg_w}",
                        dW[:, :MAX_COLUMNS],
                        names[:MAX_COLUMNS],
                        total_columns=dW.shape[1],
                    ),
                    _Block(op=""),
                    _Block(
                        "∂<i>L</i>/∂<i>b</i> = (1/<i>N</i>) Σ<sub><i>i</i></sub> "
                        "(<i>p<sub>i</sub></i> − <i>y<sub>i</sub></i>)",
                        db[:, None],
                    ),
                ]
            )
        )
        return out

    # ------------------------------------------------------------ HTML pieces
    def _h(self, number: str, text: str) -> str:
        lead = f"{number} · " if number else ""
        return f'<h4 style="margin-top:10px; margin-bottom:2px">{lead}{text}</h4>'

    def _row_vector(self, values, names) -> str:
        shown = [self._num(v) for v in values[:MAX_COLUMNS]]
        if len(values) > MAX_COLUMNS:
            shown.append(f"… ({len(values) - MAX_COLUMNS} more)")
        return "[" + ", ".join(shown) + "]"

    def _aligned(self, blocks: list[_Block]) -> str:
        """A table whose rows are the classes; each block a bracketed column group."""
        C = self.session.data.n_classes
        muted = self._muted
        has_names = any(b.columns is not None for b in blocks)
        rows = ['<table cellspacing="0" cellpadding="1" style="margin-left:6px">', "<tr><td></td>"]
        for b in blocks:
            if b.values is None:
                rows.append("<td></td>")
            else:
                span = b.values.shape[1] + 2 + (1 if b.truncated else 0)
                rows.append(
                    f'<td colspan="{span}" align="center" style="padding:2px 10px; {_NOWRAP}">'
                    f"{b.header}</td>"
                )
        rows.append("</tr>")
        if has_names:
            rows.append("<tr><td></td>")
            for b in blocks:
                if b.values is None:
                    rows.append("<td></td>")
                    continue
                rows.append("<td></td>")
                for c in range(b.values.shape[1]):
                    name = html.escape(str(b.columns[c])) if b.columns is not None else ""
                    rows.append(
                        f'<td align="right" style="color:{muted}; font-size:8pt; '
                        f'padding:0 4px">{name}</td>'
                    )
                rows.append("<td></td>" * (2 if b.truncated else 1))
            rows.append("</tr>")
        middle = (C - 1) // 2
        for k in range(C):
            rows.append(f'<tr><td style="padding-right:6px">{self._class_label(k)}</td>')
            for b in blocks:
                if b.values is None:
                    op = b.op if k == middle else ""
                    rows.append(f'<td align="center" style="padding:0 8px">{op}</td>')
                    continue
                rows.append(f'<td style="color:{muted}">{_bracket(k, C, True)}</td>')
                for v in b.values[k]:
                    rows.append(f'<td align="right" style="{_NUMBER}">{self._num(v)}</td>')
                if b.truncated:
                    rows.append('<td style="padding:0 4px">…</td>')
                rows.append(f'<td style="color:{muted}">{_bracket(k, C, False)}</td>')
            rows.append("</tr>")
        rows.append("</table>")
        return "".join(rows)
