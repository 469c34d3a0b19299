"""The fast training kernel: cached features, preallocated buffers, class-major float32.

Everything is ``(C, N)`` with the classes along axis 0 (short reductions over axis 0 are
fast, ``docs/performance.md``), labels stay integers (a flat index ``y·N + n`` picks
``Z[y_n, n]`` without a one-hot matrix), soft targets exist only when label smoothing is
on, and the ``(C, N)`` buffers are allocated once per data set. One forward pass per
step serves the metrics of the current parameters, the full-batch gradient and the
display: the session keeps the :class:`Forward` of the shown step and hands it to the
next step.

Every loss of :data:`explorer.core.LOSSES` trains here through the same chain rule
(``docs/maths.md``): only the per-sample ``∂L/∂z`` (``dZ``) changes, then
``dW = dZ Φᵀ / N + λ₂ W + λ₁ sign(W)`` and ``db = mean(dZ)``. Cross-entropy's ``dZ`` is
``P − Y``; squared error's is ``Jᵀ(P − Y)`` from ``P``; a hinge loss's is its subgradient
from a copy of the scores ``Z`` (:func:`explorer.core.hinge_parts`), no softmax in it.
Squared error and the structured SVM on hard labels have kernels of their own in
:mod:`explorer.session.loss_kernels` (what each saves is said there).

Metrics follow one convention for every loss: the loss you would report, the chosen
loss's mean over the points on their hard labels without any penalty (no L1, no L2, no
label smoothing), and the accuracy of the argmax of the scores with ties going to the
lowest class (as the decision regions draw them).

Everything here is deterministic: the same state and batch give the same bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.hinge import HINGE_LOSSES, hinge_parts
from explorer.core.loss import smooth_labels
from explorer.core.parallel import split_columns
from explorer.core.squared_loss import squared_error_in_place
from explorer.session.loss_kernels import squared_error_from_probs, structured_hinge_from_scores

#: Feature dimensions up to this use broadcast multiply-adds instead of a matrix product.
_SMALL_D = 4


@dataclass(frozen=True)
class TrainingObjective:
    """What training minimises: the loss, its margin, the targets and the penalties.

    ``mean_n L_n + (l2/2)·‖W‖² + l1·Σ|W|`` with ``L_n`` the chosen loss of sample ``n``
    on its training targets (label-smoothed when ``label_smoothing > 0``).

    Attributes
    ----------
    loss : str
        A name of :data:`explorer.core.LOSSES` (Python spelling).
    margin : float
        ``Δ`` of the hinge losses.
    label_smoothing, l2, l1 : float
    """

    loss: str = "cross_entropy"
    margin: float = 1.0
    label_smoothing: float = 0.0
    l2: float = 0.0
    l1: float = 0.0

    @classmethod
    def of(cls, config) -> TrainingObjective:
        """The objective of a :class:`~explorer.session.config.Config`."""
        return cls(config.loss, config.margin, config.label_smoothing, config.l2, config.l1)

    @property
    def hinge(self) -> bool:
        """Whether the loss is a hinge loss of the scores (no probabilities in it)."""
        return self.loss in HINGE_LOSSES


#: Plain cross-entropy without penalties.
CROSS_ENTROPY = TrainingObjective()


class Forward:
    """The forward pass of the training points at one parameter version.

    Attributes
    ----------
    Z : ndarray, shape (C, Nt)
        Logits (scores) ``W Φ + b``.
    P : ndarray, shape (C, Nt)
        Softmax of ``Z`` (temperature 1), for every loss.
    zmax : ndarray, shape (Nt,)
        Column maxima of ``Z``.
    lse : ndarray, shape (Nt,)
        ``log Σ_c exp Z[c, n]``.
    losses : ndarray, shape (Nt,)
        Each point's loss under ``objective.loss`` on its hard label (the metric's terms).
    loss, acc : float
        The mean of ``losses`` and the accuracy (module docstring).
    objective : TrainingObjective
    dz : ndarray, shape (C, Nt), or None
        ``∂L_n/∂z_n`` on the training targets, once :meth:`Trainer.logit_grads` made it
        (a hinge loss's, and squared error's without smoothing, come with the pass).
    """

    __slots__ = ("P", "Z", "_dz_buffer", "acc", "dz", "loss", "losses", "lse", "objective", "zmax")

    def __init__(self, Z, P, zmax, lse, losses, acc, objective, dz_buffer, dz=None):
        self.Z, self.P, self.zmax, self.lse = Z, P, zmax, lse
        self.losses = losses
        self.loss = float(np.mean(losses, dtype=np.float64))
        self.acc = acc
        self.objective = objective
        self._dz_buffer = dz_buffer
        self.dz = dz


class Trainer:
    """Features and labels of one data set, and the arithmetic of a training step.

    Parameters
    ----------
    F_train : ndarray, shape (D, Nt)
        Features of the training points, training dtype, C-contiguous.
    y_train : ndarray of int64, shape (Nt,)
    F_test : ndarray, shape (D, Ntest)
    y_test : ndarray of int64, shape (Ntest,)
    n_classes : int
    """

    def __init__(self, F_train, y_train, F_test, y_test, n_classes: int):
        self.dtype = F_train.dtype
        self.F = np.ascontiguousarray(F_train)
        self.FT = np.ascontiguousarray(self.F.T)  # (Nt, D), for dZ @ Φᵀ as a plain GEMM
        self.y = np.asarray(y_train, dtype=np.int64)
        self.F_test = np.ascontiguousarray(F_test)
        self.y_test = np.asarray(y_test, dtype=np.int64)
        self.C = n_classes
        self.n = self.y.size
        self.flat = self.y * self.n + np.arange(self.n)
        self.flat_test = self.y_test * self.y_test.size + np.arange(self.y_test.size)
        self._soft: tuple[float, np.ndarray] | None = None
        # (Z, P, dZ) in turn, and the test points' (Z, P); made on first use
        self._triples: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = [None, None]
        self._turn = 0
        self._test_buffers: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._maxima: dict[int, np.ndarray] = {}  # bool (C, n) scratch per column count

    # ---------------------------------------------------------------- forward
    def forward(self, W, b, objective: TrainingObjective = CROSS_ENTROPY) -> Forward:
        """Logits, probabilities, per-point losses and accuracy of the training points.

        ``Z``, ``P`` and ``dZ`` live in two preallocated buffer triples used in turn
        (allocating fresh ``(C, N)`` arrays every step costs more than the arithmetic at
        large N), so a :class:`Forward` stays valid until the second forward pass after it.
        """
        if self._triples[self._turn] is None:
            self._triples[self._turn] = tuple(
                np.empty((self.C, self.n), dtype=self.dtype) for _ in range(3)
            )
        Z, P, D = self._triples[self._turn]
        self._turn = 1 - self._turn
        zmax, lse, z_true, acc = self._forward(W, b, self.F, self.flat, Z, P)
        losses = self._losses(objective, Z, P, lse, z_true, self.y, self.flat, D)
        # dZ on the hard labels came with the losses, except cross-entropy's (P − Y, made
        # when asked) and squared error's when training targets are smoothed
        ready = objective.loss != "cross_entropy" and objective.label_smoothing == 0
        return Forward(Z, P, zmax, lse, losses, acc, objective, D, D if ready else None)

    def test_metrics(
        self, W: np.ndarray, b: np.ndarray, objective: TrainingObjective = CROSS_ENTROPY
    ) -> tuple[float, float]:
        """Mean loss and accuracy of the test points (0, 0 when there are none)."""
        if self.y_test.size == 0:
            return 0.0, 0.0
        if self._test_buffers is None:
            shape = (self.C, self.y_test.size)
            self._test_buffers = tuple(np.empty(shape, self.dtype) for _ in range(3))
        Z, P, out = self._test_buffers
        y, flat = self.y_test, self.flat_test
        _, lse, z_true, acc = self._forward(W, b, self.F_test, flat, Z, P)
        losses = self._losses(objective, Z, P, lse, z_true, y, flat, out)
        return float(np.mean(losses, dtype=np.float64)), acc

    def _losses(self, objective, Z, P, lse, z_true, y, flat, out) -> np.ndarray:
        """Each point's loss on its hard label ``(n,)``; ``out (C, n)`` becomes its dZ
        (cross-entropy: untouched)."""
        if objective.loss == "cross_entropy":
            return lse - z_true
        if objective.loss == "squared_error":
            return squared_error_from_probs(P, flat, out)
        if objective.loss == "svm_structured":
            tops = self._scratch(y.size)  # free again after the forward pass
            return structured_hinge_from_scores(Z, y, flat, z_true, objective.margin, out, tops)
        np.copyto(out, Z)
        return hinge_parts(out, y, objective.loss, objective.margin, overwrite=True)[0]

    def _forward(self, W, b, F, flat, Z, P):
        """Fill ``Z`` with logits and ``P`` with probabilities; return the reductions
        ``zmax``, ``lse``, ``z_true`` (each ``(n,)``) and the accuracy."""
        n = F.shape[1]
        zmax = np.empty(n, dtype=Z.dtype)
        lse = np.empty(n, dtype=Z.dtype)
        z_true = np.empty(n, dtype=Z.dtype)
        maxima = self._scratch(n)
        # How many classes hold each column's largest logit (C <= 255 fits in uint8).
        n_max = np.empty(n, dtype=np.uint8 if Z.shape[0] < 256 else np.int64)
        everything = Z.ravel()
        bias = b[:, None]

        def columns(lo: int, hi: int) -> None:
            # Column by column: split_columns may run two halves at once (bit-identical).
            Zc, Pc, Fc = Z[:, lo:hi], P[:, lo:hi], F[:, lo:hi]
            if F.shape[0] <= _SMALL_D:
                # A GEMM with an inner size of 2 is memory-bound and, with threaded BLAS
                # on a busy machine, much slower than D broadcast multiply-adds.
                np.multiply(W[:, :1], Fc[0], out=Zc)
                for d in range(1, F.shape[0]):
                    np.multiply(W[:, d : d + 1], Fc[d], out=Pc)
                    Zc += Pc
            else:
                np.matmul(W, Fc, out=Zc)
            Zc += bias
            np.take(everything, flat[lo:hi], out=z_true[lo:hi])
            np.max(Zc, axis=0, out=zmax[lo:hi])
            np.equal(Zc, zmax[lo:hi], out=maxima[:, lo:hi])
            np.add.reduce(maxima[:, lo:hi].view(np.uint8), axis=0, out=n_max[lo:hi])
            np.subtract(Zc, zmax[lo:hi], out=Pc)
            np.exp(Pc, out=Pc)
            total = lse[lo:hi]
            np.sum(Pc, axis=0, out=total)
            Pc /= total
            np.log(total, out=total)
            total += zmax[lo:hi]

        split_columns(columns, n, Z.size)
        acc = _accuracy(Z, zmax, z_true, n_max, flat) / max(n, 1)
        return zmax, lse, z_true, acc

    def _scratch(self, n: int) -> np.ndarray:
        """Bool ``(C, n)`` scratch: where each column holds its largest logit."""
        buffer = self._maxima.get(n)
        if buffer is None:
            buffer = self._maxima[n] = np.empty((self.C, n), dtype=bool)
        return buffer

    # -------------------------------------------------------------- gradients
    def soft_targets(self, eps: float) -> np.ndarray:
        """Smoothed targets ``(C, Nt)`` in the training dtype (cached per ``eps``)."""
        if self._soft is None or self._soft[0] != eps:
            self._soft = (eps, smooth_labels(self.y, self.C, eps, dtype=self.dtype))
        return self._soft[1]

    def logit_grads(self, fwd: Forward) -> np.ndarray:
        """``dZ = ∂L_n/∂z_n`` of every training point ``(C, Nt)`` under ``fwd.objective``,
        on the training targets (label smoothing included), not divided by N.

        Made once per forward pass, in its own buffer (valid as long as ``fwd``): the
        full-batch step and the display read the same array. Read it, never write it.
        """
        if fwd.dz is not None:
            return fwd.dz
        G, P, flat = fwd._dz_buffer, fwd.P, self.flat
        eps = fwd.objective.label_smoothing
        soft = self.soft_targets(eps) if eps > 0 else None
        if fwd.objective.loss == "squared_error":  # only with smoothing: else made already
            np.copyto(G, P)
            squared_error_in_place(G, soft)
        else:
            everything = G.ravel()

            def columns(lo: int, hi: int) -> None:
                np.copyto(G[:, lo:hi], P[:, lo:hi])
                if soft is not None:
                    G[:, lo:hi] -= soft[:, lo:hi]
                else:
                    everything[flat[lo:hi]] -= 1

            split_columns(columns, self.n, G.size)
        fwd.dz = G
        return G

    def full_grads(self, W, fwd: Forward):
        """``dW (C, D)``, ``db (C,)`` of ``fwd.objective`` on all training points."""
        return self._finish(self.logit_grads(fwd), self.FT, W, fwd.objective)

    def batch_grads(self, W, b, idx: np.ndarray, objective: TrainingObjective):
        """``dW``, ``db`` of ``objective`` on the training points ``idx`` (a mini-batch)."""
        F = self.F[:, idx]
        Z = W @ F
        Z += b[:, None]
        eps = objective.label_smoothing
        if objective.hinge:
            Z = hinge_parts(Z, self.y[idx], objective.loss, objective.margin, overwrite=True)[1]
        else:
            Z -= Z.max(axis=0)
            np.exp(Z, out=Z)
            Z /= Z.sum(axis=0)
            targets = self.soft_targets(eps)[:, idx] if eps > 0 else None
            if objective.loss == "squared_error":
                squared_error_in_place(Z, self.y[idx] if targets is None else targets)
            elif targets is not None:
                Z -= targets
            else:
                Z[self.y[idx], np.arange(idx.size)] -= 1
        return self._finish(Z, np.ascontiguousarray(F.T), W, objective)

    def _finish(self, G, FT, W, objective: TrainingObjective):
        n = G.shape[1]
        dW = G @ FT
        dW *= self.dtype.type(1.0 / n)
        db = G.sum(axis=1)
        db *= self.dtype.type(1.0 / n)
        if objective.l2:
            dW += self.dtype.type(objective.l2) * W
        if objective.l1:
            dW += self.dtype.type(objective.l1) * np.sign(W)
        return dW, db


def _accuracy(Z, zmax, z_true, n_max, flat) -> int:
    """The number of columns whose true class is the argmax of ``Z (C, n)``.

    The argmax is the regions view's: a tie goes to the lowest class (as
    ``np.argmax``). Without a tie the true class is the argmax exactly when it holds the
    maximum; only the (rare) tied columns need an argmax, which over axis 0 costs ~25x
    a maximum (numpy transposes into a copy first).
    """
    holds_max = z_true == zmax
    tied = np.flatnonzero(holds_max & (n_max > 1))
    correct = np.count_nonzero(holds_max) - tied.size
    if tied.size:
        n = Z.shape[1]
        correct += np.count_nonzero(np.argmax(Z[:, tied], axis=0) == flat[tied] // n)
    return int(correct)
