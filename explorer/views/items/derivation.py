"""The inspector's derivation as page items, written with one sample's numbers.

The steps every loss shares: the input ``x`` (and ``φ(x)``), the scores ``z = Wx + b``,
the sample's ``dW = ∂L/∂z xᵀ`` and ``db = ∂L/∂z``, and the batch gradients; between them
the chosen loss's own loss line and backward pass (:mod:`.derivation_losses`: for
cross-entropy ``∂L/∂p = −y/p`` and ``Jᵀ(−y/p) = p − y`` with both sides computed
separately). The numbers are those of the session's ``SampleDetail`` and
``batch_grads()`` (float64), formatted here; each is a placeholder whose text is in
:attr:`Derivation.values`, so that from one step to the next only the numbers are
replaced (:mod:`explorer.views.items.inspector_page`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from explorer.views.items.derivation_losses import LossSteps, dz_markup
from explorer.views.items.page_items import Columns, Group, Heading, Matrix, Operator, Paragraph
from explorer.views.palette import class_colors, hex_color
from explorer.views.qt_helpers import format_number

#: Matrix columns written out before "…".
MAX_COLUMNS = 6
HINT = "Click a point or a bar to inspect a sample"


@dataclass(frozen=True)
class PageFacts:
    """What the page says besides the sample's and the batch's numbers.

    Attributes
    ----------
    class_names : tuple of str, length C
    features : str
        The configuration's feature map (``"identity"``, ``"poly"``, ``"rff"``).
    feature_names : tuple of str, length D
    temperature : float
        The display temperature ``T`` (1 when off).
    label_smoothing, l2 : float
        The configuration's ε and λ (0 when off).
    n_train : int
        Training samples ``N`` of the batch.
    step : int
        The step shown.
    loss : str
        The loss, a name of :data:`explorer.core.LOSSES`.
    l1 : float
        The L1 penalty's λ₁ (0 when off).
    """

    class_names: tuple[str, ...]
    features: str
    feature_names: tuple[str, ...]
    temperature: float
    label_smoothing: float
    l2: float
    n_train: int
    step: int
    loss: str = "cross_entropy"
    l1: float = 0.0


class Derivation(LossSteps):
    """Writes the page's items (:meth:`page`) and collects their values (:attr:`values`).

    Parameters
    ----------
    facts : PageFacts
    digits : int
        Significant digits; ``<= 0`` for every digit.
    muted : (int, int, int)
        The theme's muted colour (asides).
    """

    def __init__(self, facts: PageFacts, digits: int, muted):
        self.facts = facts
        self.digits = digits
        self._muted = hex_color(muted)
        self._numbered = False
        #: The placeholders' texts, in order.
        self.values: list[str] = []

    def _var(self, text: str) -> str:
        """A placeholder for text that changes from frame to frame (numbers, the step)."""
        self.values.append(str(text))
        return f"\x00{len(self.values) - 1}\x00"

    def _num(self, v: float) -> str:
        return self._var(format_number(v, self.digits))

    def _class_label(self, k: int) -> str:
        # a name is text, never markup, and never a value placeholder (NUL)
        name = html.escape(str(self.facts.class_names[k])).replace("\x00", "\ufffd")
        color = hex_color(self._colors[k])
        return (
            f'<span style="color:{color}">■</span>&nbsp;'
            f'<span style="color:{color}"><b>{name}</b></span>'
        )

    def _muted_text(self, markup: str) -> str:
        return f'<span style="color:{self._muted}">{markup}</span>'

    def page(self, d, batch, two_columns: bool) -> list:
        """The page's items for the sample detail ``d`` (or None) and the ``batch``
        gradients; the values of their placeholders are then in :attr:`values`."""
        C = len(self.facts.class_names)
        self._colors = class_colors(C)
        identity = self.facts.features == "identity"
        self._x = "x" if identity else "φ"
        self._labels = tuple(self._class_label(k) for k in range(C))
        if d is None:
            return [Paragraph(self._muted_text(f"<i>{HINT}</i>.")), *self._batch_section(batch)]
        # Two columns (forward | backward, this sample | batch): the dock is wide and low.
        self._numbered = True
        chunks = [*self._sample_sections(d, identity), self._batch_section(batch)]
        if two_columns:
            return [Columns(((chunks[0], chunks[1]), (chunks[2], chunks[3])))]
        return [item for chunk in chunks for item in chunk]

    def _group(self, header: str, values, names=None, total_columns=None) -> Group:
        """A bracketed ``(C, k)`` group of numbers (at most ``MAX_COLUMNS`` columns)."""
        values = np.asarray(values)[:, :MAX_COLUMNS]
        cells = tuple(tuple(self._num(v) for v in row) for row in values)
        truncated = total_columns is not None and total_columns > values.shape[1]
        shown = tuple(str(n) for n in names[: values.shape[1]]) if names is not None else None
        return Group(header, cells, shown, truncated)

    def _group_of_cells(self, header: str, cells) -> Group:
        """A bracketed group of ready cells ``(C, k)`` of placeholders."""
        return Group(header, tuple(tuple(row) for row in cells))

    def _matrix(self, *parts) -> Matrix:
        return Matrix(self._labels, tuple(parts))

    # ------------------------------------------------------------ sample part
    def _sample_sections(self, d, identity: bool) -> list[tuple]:
        """Input and forward pass | chain rule | this sample's gradients."""
        facts = self.facts
        x = self._x
        names = list(facts.feature_names)
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
                        f"({len(d.phi)} features: {html.escape(str(facts.features))})"
                    )
                )
            )
        forward.append(self._h("2", "Forward pass"))
        T = facts.temperature
        if T == 1.0:
            self._z_header = f"<i>z</i> = <i>W</i><i>{x}</i> + <i>b</i>"
        else:  # the display temperature rescales the logits of everything shown
            self._z_header = f"<i>z</i> = (<i>W</i><i>{x}</i> + <i>b</i>) / <i>T</i>"
            forward.append(
                Paragraph(
                    self._muted_text(
                        f"Display temperature <i>T</i> = {self._num(T)}: the numbers of this"
                        " sample are those of the model (W/T, b/T)."
                    )
                )
            )
        forward += self._loss_items(d)
        chain = self._chain_items(d)
        return [tuple(forward), tuple(chain), tuple(self._sample_gradients(d, x, names))]

    def _sample_gradients(self, d, x, names) -> list:
        gradients = [self._h("4", "Gradients of this sample")]
        dz = dz_markup(d.loss_name)
        gradients.append(
            self._matrix(
                self._group(
                    f"∂<i>L</i>/∂<i>W</i> = {_bracketed(dz)} <i>{x}</i><sup>T</sup>",
                    d.dW,
                    names,
                    total_columns=d.dW.shape[1],
                ),
                Operator(),
                self._group(f"∂<i>L</i>/∂<i>b</i> = {dz}", d.db[:, None]),
            )
        )
        return gradients

    # ------------------------------------------------------------- batch part
    def _batch_section(self, batch) -> tuple:
        facts = self.facts
        loss, dW, db = batch
        n = facts.n_train
        x = self._x
        l2, l1 = facts.l2, facts.l1
        reg_l = (" + λ/2 ‖<i>W</i>‖²" if l2 > 0 else "") + (
            " + λ<sub>1</sub> Σ|<i>W</i>|" if l1 > 0 else ""
        )
        reg_w = (" + λ<i>W</i>" if l2 > 0 else "") + (
            " + λ<sub>1</sub> sign(<i>W</i>)" if l1 > 0 else ""
        )
        lambdas = []  # placeholders only for what is written: one value per slot
        if l2 > 0:
            lambdas.append(f"λ = {self._num(l2)}")
        if l1 > 0:
            lambdas.append(f"λ<sub>1</sub> = {self._num(l1)}")
        names = list(facts.feature_names)
        X = x.upper() if x == "x" else "Φ"
        if facts.loss == "cross_entropy":
            dZ, dz_i = "(<i>P</i> − <i>Y</i>)", "(<i>p<sub>i</sub></i> − <i>y<sub>i</sub></i>)"
            note = ()
        else:
            dZ, dz_i = "<i>dZ</i>", "∂<i>L<sub>i</sub></i>/∂<i>z<sub>i</sub></i>"
            each = (
                f"{dz_markup(facts.loss)} for this loss"
                if facts.loss == "squared_error"
                else "its subgradient from the margins"
            )
            note = (
                Paragraph(
                    self._muted_text(
                        "Column <i>i</i> of <i>dZ</i> is sample <i>i</i>’s ∂<i>L</i>/∂<i>z</i>"
                        f" ({each})."
                    )
                ),
            )
        return (
            self._h("5" if self._numbered else "", "Batch"),
            Paragraph(
                f"Mean over the <i>N</i> = {self._var(n)} training samples at step "
                f"{self._var(facts.step)}: "
                f"<i>L</i> = (1/<i>N</i>) Σ<sub><i>i</i></sub> <i>L<sub>i</sub></i>{reg_l}"
                f" = <b>{self._num(loss)}</b>" + (f" ({', '.join(lambdas)})" if lambdas else "")
            ),
            self._matrix(
                self._group(
                    f"∂<i>L</i>/∂<i>W</i> = (1/<i>N</i>) {dZ} <i>{X}</i><sup>T</sup>{reg_w}",
                    dW,
                    names,
                    total_columns=dW.shape[1],
                ),
                Operator(),
                self._group(
                    f"∂<i>L</i>/∂<i>b</i> = (1/<i>N</i>) Σ<sub><i>i</i></sub> {dz_i}",
                    db[:, None],
                ),
            ),
            *note,
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


def _bracketed(markup: str) -> str:
    """``markup`` in parentheses unless it is one symbol or already ends in one."""
    return markup if markup.startswith("∂") or markup.endswith(")") else f"({markup})"
