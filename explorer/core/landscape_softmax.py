"""Cross-entropy and squared-error surfaces on a grid, through separable exponentials.

A naive ``G × G`` surface takes ``G²·C·N`` exponentials. But on a plane the exponential
factors (``docs/landscape.md``, speed):

    ``exp(z_k(α_c, β_r)) = exp(z₀ₖ + α_c z_uk + β_m z_vk) · exp((β_r − β_m) z_vk)``

for any ``β_m``, so each sample's ``Σ_k exp z_k`` over a block of rows is a small matrix
product ``B_n (w, K) @ A_n (K, Gα)``: ``N·K·(Gα + w)`` exponentials and one BLAS call per
sample instead of ``w·Gα·K`` exponentials. What is left per cell and sample is one
logarithm (cross-entropy) or a few multiplications (squared error).

Stability. Each factor is scaled by its own maximum over the classes (``a`` per sample and
column, ``b`` per sample and row), so no factor exceeds 1 and ``S = Σ_k A_k B_k <= K``.
The sum can be small: it is at least ``exp(−g)`` with the gap ``g <= |β_r − β_m|·spread_k
z_vk`` (the largest term's two factors are each at least ``exp(−g)``). Rows are grouped in
*blocks* around their middle ``β_m`` so that ``g <= GAP_LIMIT`` for every sample: no sum
underflows, nothing overflows, by construction rather than by checking. A block of one
row has ``g = 0``: the per-cell maximum, i.e. the direct evaluation.

Fewer logarithms. ``Σ_n log S_n = Σ log(Π of 8 consecutive S_n)``: the products of
eight sums lie in ``[exp(−8·GAP_LIMIT), K⁸]``, inside float32's normal range, and take
three multiplication passes instead of seven eighths of the logarithms (measured 2.2× on
this step).

Classes the plane does not move (``z_u = z_v = 0`` for every sample, as in coordinate
planes, which move one or two rows of ``W, b``) are merged into one constant term
``log Σ exp z₀`` first: ``K`` is then 2 or 3 instead of ``C``.
"""

from __future__ import annotations

import numpy as np

from explorer.core.plane_logits import PlaneLogits

#: Largest gap ``g`` a block of rows may have (see the module docstring), per loss: the
#: product of eight sums then stays above ``exp(−80)``; a squared sum above ``exp(−60)``.
GAP_LIMIT = {"cross_entropy": 10.0, "squared_error": 30.0}
#: Array elements of one unit's sums ``(n, w, Gα)``, per loss: 4 MB and 2 MB of float32
#: (squared error holds two such arrays), the fastest of 2¹⁶…2²² measured at W3.
UNIT_ELEMENTS = {"cross_entropy": 2**20, "squared_error": 2**19}
_FOLDS = 3  # products of 2³ = 8 sums per logarithm


def _logsumexp(Z: np.ndarray) -> np.ndarray:
    top = Z.max(axis=0)
    return top + np.log(np.exp(Z - top).sum(axis=0))


def _moving_classes(logits: PlaneLogits, squared: bool):
    """The classes the plane moves, plus one merged row for the others.

    Returns ``(Y0, Yu, Yv, Y0_sq, merged)``: float64 ``(K, N)`` logits of the moving
    classes and, when some class stands still (``merged``), a last row ``log Σ exp z₀`` of
    those (``Yu = Yv = 0`` there). ``Y0_sq`` is the same for ``Σ exp 2z`` (squared error;
    else None), whose merged row is ``log Σ exp 2z₀``.
    """
    moving = np.any(logits.Zu != 0, axis=1) | np.any(logits.Zv != 0, axis=1)
    Y0, Yu, Yv = logits.Z0[moving], logits.Zu[moving], logits.Zv[moving]
    Y0_sq = 2 * Y0 if squared else None
    if not moving.all():
        still = logits.Z0[~moving]
        zero = np.zeros((1, logits.n_samples))
        Y0 = np.vstack([Y0, _logsumexp(still)])
        Yu, Yv = np.vstack([Yu, zero]), np.vstack([Yv, zero])
        if squared:
            Y0_sq = np.vstack([Y0_sq, _logsumexp(2 * still)])
    return Y0, Yu, Yv, Y0_sq, not moving.all()


def row_blocks(betas: np.ndarray, spread: float, gap_limit: float) -> list[tuple[int, int]]:
    """Consecutive rows ``[r0, r1)`` with ``max |β_r − β_m| · spread <= gap_limit``."""
    blocks, r0 = [], 0
    reach = np.inf if spread == 0 else 2.0 * gap_limit / spread
    while r0 < betas.size:
        r1 = int(np.searchsorted(betas, betas[r0] + reach, side="right"))
        r1 = max(r1, r0 + 1)
        blocks.append((r0, r1))
        r0 = r1
    return blocks


class SeparableKernel:
    """Cross-entropy or squared error over a ``(Gβ, Gα)`` grid, block and chunk at a time.

    Parameters
    ----------
    logits : PlaneLogits
    alphas, betas : ndarray of float64, shape (Gα,) and (Gβ,), increasing
    loss : "cross_entropy" or "squared_error"
    dtype : float dtype of the per-cell work (float32 for the picture)
    """

    def __init__(self, logits: PlaneLogits, alphas, betas, loss: str, dtype=np.float32):
        self.loss = loss
        self.squared = loss == "squared_error"
        self.dtype = dt = np.dtype(dtype)
        self.alphas, self.betas = alphas, betas
        self.n = logits.n_samples
        Y0, Yu, Yv, Y0_sq, self._merged = _moving_classes(logits, self.squared)
        self.K = K = Y0.shape[0]
        # Sample-major float copies: a chunk of samples is a contiguous (n, K) slice.
        cast = lambda M: np.ascontiguousarray(M.T, dtype=dt)  # noqa: E731
        self._Y0, self._Yu, self._Yv = cast(Y0), cast(Yu), cast(Yv)
        self._Y0_sq = cast(Y0_sq) if self.squared else None
        self._vmax, self._vmin = self._Yv.max(axis=1), self._Yv.min(axis=1)
        self._alphas = alphas.astype(dt)
        self.blocks = row_blocks(betas, _spread(Yv), GAP_LIMIT[loss])
        # Per block: β_m and δ_r = β_r − β_m (increasing: the δ < 0 rows come first).
        self._deltas = []
        self._b_sums = np.empty(betas.size)  # Σ_n b_nr, b_nr = max_k δ_r z_vk: closed form
        sum_max = float(self._vmax.sum(dtype=np.float64))
        sum_min = float(self._vmin.sum(dtype=np.float64))
        for r0, r1 in self.blocks:
            beta_m = 0.5 * (betas[r0] + betas[r1 - 1])
            delta = (betas[r0:r1] - beta_m).astype(dt)
            self._deltas.append((beta_m, delta, int(np.searchsorted(delta, 0))))
            d64 = delta.astype(np.float64)
            self._b_sums[r0:r1] = np.where(d64 >= 0, d64 * sum_max, d64 * sum_min)
        zy = [logits.true_class(Z) for Z in (logits.Z0, logits.Zu, logits.Zv)]
        self._zy_mean = [float(np.mean(z)) for z in zy]
        self._zy = np.ascontiguousarray(np.stack(zy, axis=1), dtype=dt)  # (N, 3)
        self.folds = _FOLDS if float(K) ** (2**_FOLDS) < 1e30 else 0
        widest = max(r1 - r0 for r0, r1 in self.blocks) * alphas.size
        self.chunk = max(8, UNIT_ELEMENTS[loss] // widest)
        self._chunks = -(-self.n // self.chunk)
        self.n_units = len(self.blocks) * self._chunks
        self.unit_elements = self.chunk * widest * K

    def _row_factors(self, q_hi, q_lo, delta, split) -> np.ndarray:
        """``exp(δ_r z_v − b_r)`` with ``b_r = max`` over the classes, shape (n, ·, w):
        ``q_hi = z_v − max z_v`` serves the rows with ``δ >= 0``, ``q_lo`` the others."""
        out = np.empty(q_hi.shape + delta.shape, dtype=self.dtype)
        np.multiply(q_lo[..., None], delta[:split], out=out[..., :split])
        np.multiply(q_hi[..., None], delta[split:], out=out[..., split:])
        return np.exp(out, out=out)

    def run(self, unit: int) -> np.ndarray:
        """Sums over one chunk of samples for one block of rows: float64 ``(w, Gα)``."""
        block, chunk = divmod(unit, self._chunks)
        beta_m, delta, split = self._deltas[block]
        lo, hi = chunk * self.chunk, min(self.n, (chunk + 1) * self.chunk)
        Yv, vmax, vmin = self._Yv[lo:hi], self._vmax[lo:hi, None], self._vmin[lo:hi, None]
        B = self._row_factors(Yv - vmax, Yv - vmin, delta, split)  # (n, K, w)
        # Column factors A[n, k, c] = exp(z₀ₖ + β_m z_vk + α_c z_uk − a_nc), a = max over k.
        E = self._Y0[lo:hi] + self.dtype.type(beta_m) * Yv
        A = self._Yu[lo:hi, :, None] * self._alphas
        A += E[:, :, None]
        a = A.max(axis=1)
        A -= a[:, None, :]
        if self.squared:
            return self._squared_error(A, B, a, E, delta, split, beta_m, lo, hi)
        np.exp(A, out=A)
        S = np.matmul(B.transpose(0, 2, 1), A)  # (n, w, Gα): Σ_k exp(z_k − a − b)
        m = S.shape[0]
        for _ in range(self.folds):  # S[0] *= S[m-1], ...: products of up to 8 sums
            half = m // 2
            S[:half] *= S[m - half : m]
            m -= half
        logs = np.log(S[:m], out=S[:m])
        part = logs.sum(axis=0).astype(np.float64)
        part += a.sum(axis=0, dtype=np.float64)
        return part

    def _squared_error(self, A, B, a, E, delta, split, beta_m, lo, hi) -> np.ndarray:
        """``Σ_n (Σ_k p_k² − 2 p_y)`` over the chunk, ``(w, Gα)``, as ``(T − 2US) / S²``
        with ``S = Σ exp z``, ``T = Σ exp 2z``, ``U = exp z_y`` (all scaled by
        ``exp(−a−b)`` per power), ``T − 2US`` from one product of twice the classes."""
        n, K = A.shape[0], self.K
        A_aug = np.empty((n, 2 * K, A.shape[2]), dtype=self.dtype)
        np.exp(A, out=A)
        np.square(A, out=A_aug[:, :K])
        if self._merged:  # the merged row holds log Σ exp 2z₀, not 2 log Σ exp z₀
            A_aug[:, K - 1] *= np.exp(self._Y0_sq[lo:hi, -1] - 2 * self._Y0[lo:hi, -1])[:, None]
        zy0, zyu, zyv = (self._zy[lo:hi, i : i + 1] for i in range(3))
        Ay = zyu * self._alphas
        Ay += zy0 + self.dtype.type(beta_m) * zyv
        Ay -= a
        np.exp(Ay, out=Ay)  # exp(z_y − a)
        np.multiply(A, Ay[:, None, :], out=A_aug[:, K:])
        zyv = zyv[:, 0]
        By = self._row_factors(zyv - self._vmax[lo:hi], zyv - self._vmin[lo:hi], delta, split)
        B_aug = np.empty((n, 2 * K, B.shape[2]), dtype=self.dtype)
        np.square(B, out=B_aug[:, :K])
        np.multiply(B, -2 * By[:, None, :], out=B_aug[:, K:])
        S = np.matmul(B.transpose(0, 2, 1), A)
        N = np.matmul(B_aug.transpose(0, 2, 1), A_aug)  # T − 2 U S
        S *= S
        N /= S
        return N.sum(axis=0).astype(np.float64)

    def add(self, total: np.ndarray, unit: int, part: np.ndarray) -> None:
        r0, r1 = self.blocks[unit // self._chunks]
        total[r0:r1] += part

    def finish(self, total: np.ndarray) -> np.ndarray:
        """The mean loss over the samples on the grid, float64 ``(Gβ, Gα)``."""
        if self.squared:
            return 0.5 * (total / self.n + 1.0)
        mean = (total + self._b_sums[:, None]) / self.n
        z0, zu, zv = self._zy_mean
        return mean - (z0 + zu * self.alphas[None, :] + zv * self.betas[:, None])


def _spread(Yv: np.ndarray) -> float:
    """``max_n (max_k z_vk − min_k z_vk)``: how fast the logits part along β."""
    return float(np.max(Yv.max(axis=0) - Yv.min(axis=0)))


def separable_kernel(logits: PlaneLogits, alphas, betas, loss: str, dtype=np.float32):
    """A :class:`SeparableKernel`, in the orientation that needs fewer blocks.

    Blocks run along β; when the α axis would need fewer (a smaller spread of ``z_u``),
    the roles are swapped and the finished surface transposed back.
    """
    limit = GAP_LIMIT[loss]
    along_beta = len(row_blocks(betas, _spread(logits.Zv), limit))
    along_alpha = len(row_blocks(alphas, _spread(logits.Zu), limit))
    if along_alpha < along_beta:
        swapped = PlaneLogits(logits.Z0, logits.Zv, logits.Zu, logits.y)
        return _Transposed(SeparableKernel(swapped, betas, alphas, loss, dtype))
    return SeparableKernel(logits, alphas, betas, loss, dtype)


class _Transposed:
    """A kernel computed with α and β swapped, finished back in ``(Gβ, Gα)``."""

    def __init__(self, kernel: SeparableKernel):
        self.kernel = kernel
        self.n_units, self.unit_elements = kernel.n_units, kernel.unit_elements

    def run(self, unit: int):
        return self.kernel.run(unit)

    def add(self, total: np.ndarray, unit: int, part) -> None:
        self.kernel.add(total.T, unit, part)

    def finish(self, total: np.ndarray) -> np.ndarray:
        return self.kernel.finish(total.T).T
