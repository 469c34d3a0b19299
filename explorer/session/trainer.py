"""The fast training kernel: cached features, preallocated buffers, class-major float32.

DESIGN §4: everything is ``(C, N)`` with the classes along axis 0 (short reductions over
axis 0 are fast), labels stay integers (a flat index ``y·N + n`` picks ``Z[y_n, n]``
without a one-hot matrix), soft targets exist only when label smoothing is on, and the
``(C, N)`` buffers are allocated once per data set. One forward pass per step serves
both the metrics of the current parameters and the full-batch gradient: the session
keeps the :class:`Forward` of the shown step and hands it to the next step.

Everything here is deterministic: the same state and batch give the same bits.
"""

from __future__ import annotations

import numpy as np

from explorer.core.loss import smooth_labels
from explorer.core.parallel import split_columns

#: Feature dimensions up to this use broadcast multiply-adds instead of a matrix product.
_SMALL_D = 4


class Forward:
    """The forward pass of the training points at one parameter version.

    Attributes
    ----------
    Z : ndarray, shape (C, Nt)
        Logits ``W Φ + b``.
    P : ndarray, shape (C, Nt)
        Softmax of ``Z`` (temperature 1).
    zmax : ndarray, shape (Nt,)
        Column maxima of ``Z``.
    lse : ndarray, shape (Nt,)
        ``log Σ_c exp Z[c, n]``.
    loss, acc : float
        Mean cross-entropy against the hard labels, and accuracy.
    """

    __slots__ = ("P", "Z", "acc", "loss", "lse", "zmax")

    def __init__(self, Z, P, zmax, lse, loss, acc):
        self.Z, self.P, self.zmax, self.lse, self.loss, self.acc = Z, P, zmax, lse, loss, acc


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
        self._G = np.empty((self.C, self.n), dtype=self.dtype)
        self._soft: tuple[float, np.ndarray] | None = None
        self._pairs: list[tuple[np.ndarray, np.ndarray] | None] = [None, None]
        self._turn = 0
        self._test_pair: tuple[np.ndarray, np.ndarray] | None = None
        self._maxima: dict[int, np.ndarray] = {}  # bool (C, n) scratch per column count

    # ---------------------------------------------------------------- forward
    def forward(self, W: np.ndarray, b: np.ndarray) -> Forward:
        """Logits, probabilities, loss and accuracy of the training points.

        ``Z`` and ``P`` live in two preallocated buffer pairs used in turn (allocating
        fresh ``(C, N)`` arrays every step costs more than the arithmetic at large N), so
        a :class:`Forward` stays valid until the second forward pass after it.
        """
        if self._pairs[self._turn] is None:
            self._pairs[self._turn] = (
                np.empty((self.C, self.n), dtype=self.dtype),
                np.empty((self.C, self.n), dtype=self.dtype),
            )
        Z, P = self._pairs[self._turn]
        self._turn = 1 - self._turn
        zmax, lse, loss, acc = self._forward(W, b, self.F, self.flat, Z, P, self._scratch(self.n))
        return Forward(Z, P, zmax, lse, loss, acc)

    def _scratch(self, n: int) -> np.ndarray:
        buffer = self._maxima.get(n)
        if buffer is None:
            buffer = self._maxima[n] = np.empty((self.C, n), dtype=bool)
        return buffer

    def test_metrics(self, W: np.ndarray, b: np.ndarray) -> tuple[float, float]:
        """Mean cross-entropy and accuracy of the test points (0, 0 when there are none)."""
        if self.y_test.size == 0:
            return 0.0, 0.0
        if self._test_pair is None:
            shape = (self.C, self.y_test.size)
            self._test_pair = (np.empty(shape, self.dtype), np.empty(shape, self.dtype))
        n = self.y_test.size
        _, _, loss, acc = self._forward(
            W, b, self.F_test, self.flat_test, *self._test_pair, self._scratch(n)
        )
        return loss, acc

    @staticmethod
    def _forward(W, b, F, flat, Z, P, maxima):
        """Fill ``Z`` with logits and ``P`` with probabilities; return the reductions.

        ``maxima`` is bool ``(C, n)`` scratch: where each column holds its largest logit.
        """
        n = F.shape[1]
        # How many classes hold each column's largest logit (C <= 255 fits in uint8).
        n_max = np.empty(n, dtype=np.uint8 if Z.shape[0] < 256 else np.int64)
        zmax = np.empty(n, dtype=Z.dtype)
        lse = np.empty(n, dtype=Z.dtype)
        z_true = np.empty(n, dtype=Z.dtype)
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
        loss = float(np.mean(lse - z_true, dtype=np.float64))
        acc = _accuracy(Z, zmax, z_true, n_max, flat) / max(flat.size, 1)
        return zmax, lse, loss, acc

    # -------------------------------------------------------------- gradients
    def soft_targets(self, eps: float) -> np.ndarray:
        """Smoothed targets ``(C, Nt)`` in the training dtype (cached per ``eps``)."""
        if self._soft is None or self._soft[0] != eps:
            self._soft = (eps, smooth_labels(self.y, self.C, eps, dtype=self.dtype))
        return self._soft[1]

    def full_grads(self, W, fwd: Forward, l2: float, eps: float):
        """``dW (C, D)``, ``db (C,)`` on all training points from their forward pass."""
        G, P, flat = self._G, fwd.P, self.flat
        everything = G.ravel()
        soft = self.soft_targets(eps) if eps > 0 else None

        def columns(lo: int, hi: int) -> None:
            np.copyto(G[:, lo:hi], P[:, lo:hi])
            if soft is not None:
                G[:, lo:hi] -= soft[:, lo:hi]
            else:
                everything[flat[lo:hi]] -= 1

        split_columns(columns, self.n, G.size)
        return self._finish(G, self.FT, W, l2)

    def batch_grads(self, W, b, idx: np.ndarray, l2: float, eps: float):
        """``dW``, ``db`` on the training points ``idx`` (a mini-batch)."""
        F = self.F[:, idx]
        Z = W @ F
        Z += b[:, None]
        Z -= Z.max(axis=0)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=0)
        if eps > 0:
            Z -= self.soft_targets(eps)[:, idx]
        else:
            Z[self.y[idx], np.arange(idx.size)] -= 1
        return self._finish(Z, np.ascontiguousarray(F.T), W, l2)

    def _finish(self, G, FT, W, l2):
        n = G.shape[1]
        dW = G @ FT
        dW *= self.dtype.type(1.0 / n)
        db = G.sum(axis=1)
        db *= self.dtype.type(1.0 / n)
        if l2:
            dW += self.dtype.type(l2) * W
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
