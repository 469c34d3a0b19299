r"""Each loss's own LaTeX blocks: its forward pass and loss, and its backward pass.

Mixed into the writer of :mod:`explorer.export.latex`, in the inspector's words
(``docs/maths.md``, "Losses"): cross-entropy's ``-y/p`` and ``J^\top(-y/p)`` beside
``p - y``; squared error's ``J^\top(p - y)`` beside cross-entropy's ``p - y`` and the share
of it ``J`` leaves; an SVM loss's margin terms, which are active, and ``\partial
L/\partial z`` straight from them, with the sentence that no softmax enters the loss.
"""

from __future__ import annotations

from explorer.core.chain_rule import chain_rule_gap, signal_ratio
from explorer.export.tex_blocks import Cells, Section, display
from explorer.export.tex_escape import tex_number, tex_text

#: Largest C for which the C x C Jacobian is written out (amsmath's 10-column limit).
MAX_JACOBIAN_CLASSES = 8
#: ``\partial L/\partial z`` of each loss as the gradient formulas write it.
DZ_TEX = {"cross_entropy": "p - y", "squared_error": r"J^\top(p - y)"}
DZ_HINGE = r"\frac{\partial L}{\partial z}"
#: Each SVM loss: its name, its loss, and the formula of its margin terms.
HINGE_TEX = {
    "svm_ww": ("Weston-Watkins SVM", r"L = \sum_{j \ne y} \max(0,\ z_j - z_y + \Delta)",
               r"z_j - z_y + \Delta"),
    "svm_ova": ("one-vs-all SVM", r"L = \sum_j \max(0,\ \Delta - s_j z_j)",
                r"\Delta - s_j z_j"),
    "svm_structured": ("structured (Crammer-Singer) SVM",
                       r"L = \max(0,\ \max_{j \ne y} z_j - z_y + \Delta)",
                       r"z_{j^*} - z_y + \Delta"),
}  # fmt: skip
ACTIVE, INACTIVE, NO_TERM = r"\text{active}", r"\text{inactive}", r"\text{--}"
NO_SOFTMAX = (
    r"No softmax in this loss: it reads the scores \(z\) directly, so"
    r" \(p = \operatorname{softmax}(z)\) and its Jacobian \(J\) play no part in its gradient."
)
KINK = (
    "A term exactly 0 counts as inactive (strict inequality): at the kink the subgradient"
    " taken is 0."
)


def dz_tex(loss: str) -> str:
    """How the text writes ``∂L/∂z`` of ``loss`` in its gradient formulas."""
    return DZ_TEX.get(loss, DZ_HINGE)


class LossBlocks:
    """The loss's blocks of sections 2 and 3 (a mixin of the LaTeX writer)."""

    def loss_blocks(self, d, z: str) -> list[str]:
        """Section 2 after the temperature note: the scores' display and the loss."""
        f = self.facts
        if d.dL_dp is None:
            return self._hinge_forward(d, z)
        blocks = [self.by_class((z, d.z), (r"p = \operatorname{softmax}(z)", d.p), ("y", d.y))]
        smoothing = ""
        if f.label_smoothing > 0:
            smoothing = (
                rf"\qquad \text{{(label smoothing }} \varepsilon = "
                rf"{self.num(f.label_smoothing)}\text{{: }}"
                r"y = (1 - \varepsilon)\,\text{one-hot} + \varepsilon/C)"
            )
        if d.loss_name == "squared_error":
            blocks.append(
                display(
                    rf"L = \tfrac{{1}}{{2}} \sum_k (p_k - y_k)^2 = {self.num(d.loss)}",
                    smoothing or r"\qquad \text{(squared error on the probabilities)}",
                )
            )
        elif smoothing:
            blocks.append(display(rf"L = -\sum_k y_k \log p_k = {self.num(d.loss)}", smoothing))
        else:
            name = tex_text(f.class_names[int(d.label)])
            blocks.append(
                display(
                    rf"L = -\log p_y = -\log {self.num(d.p[int(d.label)])} = {self.num(d.loss)}",
                    rf"\qquad \text{{(true class {name})}}",
                )
            )
        return blocks

    def chain(self, d) -> Section:
        """Section 3: the backward pass of ``d.loss_name`` down to ``∂L/∂z``."""
        if d.dL_dp is None:
            return Section("3. Backward: dL/dz straight from the margins", self._hinge_chain(d))
        squared = d.loss_name == "squared_error"
        dl_dp = "p - y" if squared else "-y/p"
        groups = [(rf"\frac{{\partial L}}{{\partial p}} = {dl_dp}", d.dL_dp)]
        if len(d.p) <= MAX_JACOBIAN_CLASSES:
            groups.append((r"J = \operatorname{diag}(p) - pp^\top", d.J))
        blocks = [self.by_class(*groups)]
        gap = chain_rule_gap(d.jt_dl_dp, d.dz)
        if gap == 0:
            agree = "exactly: every entry is equal."
        else:
            agree = f"to \\({tex_number(gap, 1)}\\), the largest difference between entries."
        if squared:
            blocks.append(
                self.by_class(
                    (r"\frac{\partial L}{\partial z} = J^\top(p - y)", d.jt_dl_dp),
                    (r"p - y\ \text{(cross-entropy's)}", d.p_minus_y),
                )
            )
            ratio = tex_number(signal_ratio(d.dz, d.p_minus_y), 3)
            blocks.append(
                f"The factor \\(J\\) shrinks the signal: \\(\\lVert J^\\top(p - y)\\rVert ="
                f" {ratio}\\,\\lVert p - y\\rVert\\), a share of cross-entropy's"
                " \\(\\partial L/\\partial z\\) that is at most \\(1/2\\); as \\(p\\) saturates,"
                " right or wrong, \\(J \\to 0\\) and the signal vanishes. The product agrees"
                f" with the closed form {agree}"
            )
            return Section("3. Backward: the chain rule", tuple(blocks))
        blocks.append(self.by_class((r"J^\top(-y/p)", d.jt_dl_dp), ("p - y", d.dz)))
        blocks.append(
            f"Both sides agree {agree} Because \\(\\sum_k y_k = 1\\): \\(J^\\top(-y/p) ="
            " p \\sum_k y_k - y = p - y\\), prediction minus truth."
        )
        if d.underflow:
            blocks.append(
                "\\(p_y\\) underflowed in float64: \\(-y/p\\) is shown clipped to the largest"
                " float, and \\(J^\\top(-y/p)\\) is its limit \\(p \\sum_k y_k - y\\)."
            )
        return Section("3. Backward: the chain rule", tuple(blocks))

    # ----------------------------------------------------------- hinge losses
    def _hinge_forward(self, d, z: str) -> list[str]:
        f = self.facts
        name, loss_tex, term_tex = HINGE_TEX[d.loss_name]
        has = d.hinge_has_term
        terms = Cells(
            tuple(self.num(t) if h else NO_TERM for t, h in zip(d.hinge_terms, has, strict=True))
        )
        states = Cells(
            tuple(
                (ACTIVE if a else INACTIVE) if h else NO_TERM
                for a, h in zip(d.active, has, strict=True)
            )
        )
        true = tex_text(f.class_names[int(d.label)])
        signs = r"; \(s_j = +1\) at \(y\), \(-1\) elsewhere" if d.loss_name == "svm_ova" else ""
        return [
            self.by_class(
                (rf"{z}\ \text{{(scores)}}", d.z), (term_tex, terms), (r"\text{margin}", states)
            ),
            display(
                f"{loss_tex} = {self.num(d.loss)}",
                rf"\qquad \text{{(}}\Delta = {self.num(d.margin)}\text{{; true class {true}}})",
            ),
            f"This is the {name}{signs}. {NO_SOFTMAX}",
        ]

    def _hinge_chain(self, d) -> tuple[str, ...]:
        n = int(d.active.sum())
        label = int(d.label)
        if d.loss_name == "svm_ww":
            rule = (
                "\\(+1\\) at each class \\(j \\ne y\\) whose margin is active, and at \\(y\\)"
                f" minus their count: {n} active, so \\(\\partial L/\\partial z_y ="
                f" {self.num(d.dz[label])}\\)."
            )
        elif d.loss_name == "svm_ova":
            rule = (
                "\\(-s_j\\) where the margin of class \\(j\\) is active: \\(-1\\) raises the"
                " true score towards \\(\\Delta\\), \\(+1\\) lowers another towards"
                f" \\(-\\Delta\\); {n} active."
            )
        else:
            runner = tex_text(self.facts.class_names[int(d.hinge_has_term.argmax())])
            state = (
                f"active: \\(+1\\) at the runner-up, class {runner}, \\(-1\\) at \\(y\\)"
                if n
                else f"inactive (the runner-up is class {runner}): \\(\\partial L/\\partial z"
                " = 0\\)"
            )
            rule = (
                "Only the runner-up \\(j^* = \\arg\\max_{j \\ne y} z_j\\) counts; its margin"
                f" is {state}."
            )
        return (self.by_class((r"\frac{\partial L}{\partial z}", d.dz)), f"{rule} {KINK}")
