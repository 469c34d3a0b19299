"""Each loss's own steps of the inspector's derivation: its loss line and its backward pass.

Mixed into :class:`explorer.views.items.derivation.Derivation`, which writes the steps
every loss shares (the input, the scores, the sample's and the batch's gradients). As
``docs/maths.md`` ("Losses") derives them:

- cross-entropy: ``L = −log p_y``; ``∂L/∂p = −y/p`` and ``Jᵀ(−y/p)`` beside ``p − y``;
- squared error: ``L = ½ Σ (p − y)²``; ``∂L/∂p = p − y`` and ``Jᵀ(p − y)``, with how much
  of cross-entropy's ``p − y`` the factor ``J`` leaves;
- the SVM losses: the margin terms of the scores and which are active, and ``∂L/∂z``
  straight from them (no softmax in these losses, and the page says so).

Every phrase whose words change with the numbers (an agreement, a count, the runner-up)
is one placeholder, so the page's structure, hence its slots, stays put from step to step.
"""

from __future__ import annotations

import html

from explorer.core.chain_rule import chain_rule_gap, signal_ratio
from explorer.views.items.page_items import Operator, Paragraph
from explorer.views.qt_helpers import format_number

#: Largest C for which the C×C Jacobian is written into the chain rule.
MAX_JACOBIAN_CLASSES = 5
#: The ``∂L/∂z`` of each loss as the gradient headers write it.
DZ_MARKUP = {
    "cross_entropy": "<i>p</i> − <i>y</i>",
    "squared_error": "<i>J</i><sup>T</sup>(<i>p</i> − <i>y</i>)",
}
DZ_HINGE = "∂<i>L</i>/∂<i>z</i>"
#: Each SVM loss: its name, its loss, and the header of its margin terms.
HINGE_TEXTS = {
    "svm_ww": (
        "Weston–Watkins SVM",
        "<i>L</i> = Σ<sub><i>j</i>≠<i>y</i></sub> max(0, <i>z<sub>j</sub></i> −"
        " <i>z<sub>y</sub></i> + Δ)",
        "<i>z<sub>j</sub></i> − <i>z<sub>y</sub></i> + Δ",
    ),
    "svm_ova": (
        "one-vs-all SVM",
        "<i>L</i> = Σ<sub><i>j</i></sub> max(0, Δ − <i>s<sub>j</sub></i> <i>z<sub>j</sub></i>)",
        "Δ − <i>s<sub>j</sub></i> <i>z<sub>j</sub></i>",
    ),
    "svm_structured": (
        "structured (Crammer–Singer) SVM",
        "<i>L</i> = max(0, max<sub><i>j</i>≠<i>y</i></sub> <i>z<sub>j</sub></i> −"
        " <i>z<sub>y</sub></i> + Δ)",
        "<i>z<sub>j*</sub></i> − <i>z<sub>y</sub></i> + Δ",
    ),
}
SIGNS = "; <i>s<sub>j</sub></i> = +1 at <i>y</i>, −1 elsewhere"
#: The texts of the margin column: active, inactive, and a class without a term.
ACTIVE, INACTIVE, NO_TERM = "active", "inactive", "—"
NO_SOFTMAX = (
    "No softmax in this loss: it reads the scores <i>z</i> directly,<br>so <i>p</i> ="
    " softmax(<i>z</i>) and its Jacobian <i>J</i> play no part in its gradient."
)
KINK = (
    "A term exactly 0 counts as inactive (strict inequality):<br>at the kink the"
    " subgradient taken is 0."
)


def dz_markup(loss: str) -> str:
    """How the page writes ``∂L/∂z`` of ``loss`` in its gradient formulas."""
    return DZ_MARKUP.get(loss, DZ_HINGE)


class LossSteps:
    """The loss line and the backward pass of the sample's loss (a mixin of Derivation)."""

    def _loss_items(self, d) -> list:
        """The forward pass's matrix and loss line for ``d.loss_name``."""
        if d.dL_dp is None:
            return self._hinge_forward(d)
        items = [self._scores_matrix(d)]
        smoothing = self.facts.label_smoothing
        aside = ""
        if smoothing > 0:
            aside = self._muted_text(
                f" (label smoothing ε = {self._num(smoothing)}:"
                " <i>y</i> = (1 − ε)·one-hot + ε/<i>C</i>)"
            )
        if d.loss_name == "squared_error":
            items.append(
                Paragraph(
                    "<i>L</i> = ½ Σ<sub><i>k</i></sub> (<i>p<sub>k</sub></i> −"
                    f" <i>y<sub>k</sub></i>)² = <b>{self._num(d.loss)}</b>"
                    + (aside or " " + self._muted_text("(squared error on the probabilities)"))
                )
            )
        elif smoothing > 0:
            items.append(
                Paragraph(
                    "<i>L</i> = −Σ<sub><i>k</i></sub> <i>y<sub>k</sub></i> log"
                    f" <i>p<sub>k</sub></i> = <b>{self._num(d.loss)}</b>" + aside
                )
            )
        else:
            label = int(d.label)
            items.append(
                Paragraph(
                    f"<i>L</i> = −log <i>p<sub>y</sub></i> = −log {self._num(d.p[label])}"
                    f" = <b>{self._num(d.loss)}</b> "
                    + self._muted_text(f"(true class {self._class_label(label)})")
                )
            )
        return items

    def _scores_matrix(self, d):
        return self._matrix(
            self._group(self._z_header, d.z[:, None]),
            Operator(),
            self._group("<i>p</i> = softmax(<i>z</i>)", d.p[:, None]),
            Operator(),
            self._group("<i>y</i> (target)", d.y[:, None]),
        )

    def _chain_items(self, d) -> list:
        """Section 3: the backward pass of ``d.loss_name`` down to ``∂L/∂z``."""
        if d.dL_dp is None:
            return self._hinge_backward(d)
        chain = [self._h("3", "Backward: the chain rule")]
        squared = d.loss_name == "squared_error"
        dl_dp_text = "<i>p</i> − <i>y</i>" if squared else "−<i>y</i>/<i>p</i>"
        dl_dp = self._group(f"∂<i>L</i>/∂<i>p</i> = {dl_dp_text}", d.dL_dp[:, None])
        if len(d.p) <= MAX_JACOBIAN_CLASSES:
            parts = [
                self._group(
                    "<i>J</i><sup>T</sup> = diag(<i>p</i>) − <i>p</i><i>p</i><sup>T</sup>", d.J
                ),
                Operator("·"),
                dl_dp,
            ]
        else:  # a 6×6 or larger matrix would not fit; the Jacobian view shows it
            parts = [Operator("<i>J</i><sup>T</sup> ·"), dl_dp]
        product = f"<i>J</i><sup>T</sup>({dl_dp_text})"
        parts += [Operator("="), self._group(product, d.jt_dl_dp[:, None])]
        if not squared:
            parts += [Operator("="), self._group("<i>p</i> − <i>y</i>", d.dz[:, None])]
        chain.append(self._matrix(*parts))
        if squared:  # the two losses' signals side by side, in a matrix of their own
            chain.append(
                self._matrix(
                    self._group("squared error: ∂<i>L</i>/∂<i>z</i>", d.dz[:, None]),
                    Operator("vs"),
                    self._group("cross-entropy: <i>p</i> − <i>y</i>", d.p_minus_y[:, None]),
                )
            )
        diff = chain_rule_gap(d.jt_dl_dp, d.dz)
        # one placeholder for the whole phrase, so that the page's structure stays
        # the same when the difference flips between 0 and a rounding error
        if diff == 0:
            agree = "exactly: every entry is equal"
        else:
            agree = f"to {format_number(diff, 1)}, the largest difference between entries"
        if squared:
            ratio = signal_ratio(d.dz, d.p_minus_y)
            chain.append(
                Paragraph(
                    "The factor <i>J</i> shrinks the signal: ‖<i>J</i><sup>T</sup>(<i>p</i> −"
                    f" <i>y</i>)‖ is {self._var(format_number(ratio, 3))} × ‖<i>p</i> −"
                    " <i>y</i>‖,<br>cross-entropy’s ∂<i>L</i>/∂<i>z</i> (at most ½). As <i>p</i>"
                    " saturates, right or wrong,<br><i>J</i> → 0 and the signal vanishes.<br>"
                    f"Product and closed form agree {self._var(agree)}."
                )
            )
        else:
            chain.append(
                Paragraph(
                    f"Both sides agree {self._var(agree)}.<br>"
                    "Because Σ<i>y</i> = 1: <i>J</i><sup>T</sup>(−<i>y</i>/<i>p</i>) = "
                    "<i>p</i>·Σ<i>y</i> − <i>y</i> = <i>p</i> − <i>y</i>, prediction minus"
                    " truth."
                )
            )
        return chain

    # ----------------------------------------------------------- hinge losses
    def _hinge_forward(self, d) -> list:
        name, loss_text, term_header = HINGE_TEXTS[d.loss_name]
        terms = tuple(
            (format_number(t, self.digits) if has else NO_TERM)
            for t, has in zip(d.hinge_terms, d.hinge_has_term, strict=True)
        )
        states = tuple(
            (ACTIVE if on else INACTIVE) if has else NO_TERM
            for on, has in zip(d.active, d.hinge_has_term, strict=True)
        )
        items = [
            self._matrix(
                self._group(f"{self._z_header} (scores)", d.z[:, None]),
                Operator(),
                self._text_group(term_header, terms),
                Operator(),
                self._text_group("margin (term &gt; 0)", states),
            ),
            Paragraph(
                f"{loss_text} = <b>{self._num(d.loss)}</b> "
                + self._muted_text(
                    f"(Δ = {self._num(d.margin)}; true class {self._class_label(int(d.label))}"
                    + (SIGNS if d.loss_name == "svm_ova" else "")
                    + f"; {html.escape(name)})"
                )
            ),
            Paragraph(self._muted_text(NO_SOFTMAX)),
        ]
        return items

    def _hinge_backward(self, d) -> list:
        chain = [self._h("3", "Backward: ∂L/∂z straight from the margins")]
        chain.append(self._matrix(self._group("∂<i>L</i>/∂<i>z</i>", d.dz[:, None])))
        n = int(d.active.sum())
        label = int(d.label)
        if d.loss_name == "svm_ww":
            rule = (
                "+1 at each class <i>j</i> ≠ <i>y</i> whose margin is active,<br>and at"
                f" <i>y</i> minus their count: {self._var(n)} active, so ∂<i>L</i>/∂<i>z"
                f"<sub>y</sub></i> = {self._num(d.dz[label])}."
            )
        elif d.loss_name == "svm_ova":
            rule = (
                "−<i>s<sub>j</sub></i> where the margin of class <i>j</i> is active:<br>−1 raises"
                " the true score towards Δ, +1 lowers another towards −Δ;"
                f" {self._var(n)} active."
            )
        else:
            runner = int(d.hinge_has_term.argmax())
            if n:
                state = f"active: +1 at the runner-up, class {self._plain_name(runner)}, −1 at y"
            else:
                state = f"inactive (the runner-up is class {self._plain_name(runner)}): ∂L/∂z = 0"
            rule = (
                "Only the runner-up <i>j*</i> = argmax<sub><i>j</i>≠<i>y</i></sub>"
                f" <i>z<sub>j</sub></i> counts;<br>its margin is {self._var(state)}."
            )
        chain.append(Paragraph(rule + "<br>" + self._muted_text(KINK)))
        return chain

    def _text_group(self, header: str, texts):
        """A one-column group of fixed texts (placeholders, so they update in place)."""
        cells = tuple((self._var(t),) for t in texts)
        return self._group_of_cells(header, cells)

    def _plain_name(self, k: int) -> str:
        """Class ``k``'s name as plain text for a placeholder (never a NUL)."""
        return str(self.facts.class_names[k]).replace("\x00", "\ufffd")
