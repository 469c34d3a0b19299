"""Structured-SVM surfaces on a grid, by walking each sample's upper envelope along rows.

Crammer–Singer's ``max(0, max_{j≠y} z_j − z_y + Δ)`` is, on a plane, the upper envelope
of ``C`` planes per sample: ``z_j − z_y + Δ`` for ``j ≠ y`` and ``0`` for ``j = y``. Along
a row of the grid it is the envelope of ``C`` lines, walked from ``α₀`` across the row:
from the line on top to the line with a larger slope that overtakes it first, for all
(row, sample) pairs at once (``docs/landscape.md``, speed). Each change of
line is a breakpoint with a change of intercept and slope, binned onto the grid as the
hinge losses' are (:mod:`explorer.core.landscape_hinge`), so a row costs ``O(C·B + G)``
for ``B`` breakpoints instead of ``O(C·G)``.

Before walking, a sample's lines that another line beats at all four corners of the grid
(so everywhere on it) are dropped; a sample left with one line adds a plane. The walk
runs in float32 (positions only; a breakpoint off by rounding moves the row by rounding,
as the envelope is continuous); intercepts and slopes are summed in float64. The grid
is swept along the axis that gives fewer breakpoints on a sample of the data.
"""

from __future__ import annotations

import numpy as np

from explorer.core.landscape_hinge import Grid, differences
from explorer.core.plane_logits import PlaneLogits

#: Samples per unit of work: a unit then takes well under 0.1 s at W3.
SAMPLES_PER_UNIT = 1024
#: (row, sample) pairs walked at a time: ``K`` float32 rows of 128 KB, cache sized.
PAIRS_PER_BATCH = 2**15
#: Samples on which both sweep directions are tried, to choose one (at most 1 in 16).
PROBE_SAMPLES = 512


def _lines(logits: PlaneLogits, margin: float):
    """Per sample, the envelope's lines ``c + α u + β v``: three float64 ``(C, N)``."""
    D0, Du, Dv = differences(logits)
    D0 = D0 + margin
    D0[logits.y, np.arange(logits.n_samples)] = 0.0
    return D0, Du, Dv


def _alive(c, u, v, alphas, betas) -> np.ndarray:
    """``(C, N)``: whether no line that is on top at some corner beats this one at all four
    corners (a difference of lines is linear, so it then beats it on the whole grid)."""
    corners = [(a, b) for a in (alphas[0], alphas[-1]) for b in (betas[0], betas[-1])]
    values = np.stack([c + a * u + b * v for a, b in corners])  # (4, C, N)
    samples = np.arange(c.shape[1])
    alive = np.ones(c.shape, dtype=bool)
    for top in values.argmax(axis=1):  # the line on top at each corner, (N,)
        beaten = np.all(values[:, top, samples][:, None, :] >= values, axis=0)
        beaten[top, samples] = False
        alive &= ~beaten
    return alive


def _tops_at(a, u, x0: float, x1: float) -> tuple[np.ndarray, np.ndarray]:
    """The line on top at ``x0`` and at ``x1`` per column: ``argmax_k (a_k + x u_k)``,
    by passes over the few lines (``argmax`` along axis 0 is slow)."""
    tops = []
    for x in (np.float32(x0), np.float32(x1)):
        best = a[0] + x * u[0]
        index = np.int8 if a.shape[0] < 128 else np.intp  # int8: less to move
        top, step = np.zeros(a.shape[1], dtype=index), np.empty(a.shape[1], dtype=index)
        value, better = np.empty_like(best), np.empty(best.shape, dtype=bool)
        for k in range(1, a.shape[0]):
            np.multiply(u[k], x, out=value)
            value += a[k]
            np.greater(value, best, out=better)
            np.fmax(best, value, out=best)
            np.subtract(k, top, out=step)
            step *= better
            top += step
        tops.append(top.astype(np.intp))
    return tops[0], tops[1]


def _pick(a: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``a[rows, arange]`` of a C-contiguous ``(K, L)`` array, by flat indices (faster)."""
    return np.take(a.ravel(), rows * a.shape[1] + np.arange(a.shape[1]))


def _max_at(a, u, x) -> np.ndarray:
    """``max_k (a_k + x u_k)`` per column, by passes over the lines."""
    best = a[0] + x * u[0]
    value = np.empty_like(best)
    for k in range(1, a.shape[0]):
        np.multiply(x, u[k], out=value)
        value += a[k]
        np.fmax(best, value, out=best)
    return best


def _next_line(a, u, a_top, u_top, x, top) -> np.ndarray:
    """The line that overtakes the top one first after ``x``, per pair (``top`` if none).

    It has the largest rise over gap, ``s / d`` with ``s = u_k − u_top`` and the gap
    ``d = g_top(x) − g_k(x)``, among lines with ``s > 0``. (Masked ufuncs and argmax
    along axis 0 are slow: plain passes over each line, in preallocated buffers.)
    """
    L, index = top.size, np.int8 if a.shape[0] < 128 else np.intp  # int8: less to move
    best = np.zeros(L, dtype=np.float32)
    nxt = top.astype(index)
    s, d, t = (np.empty(L, dtype=np.float32) for _ in range(3))
    better, step = np.empty(L, dtype=bool), np.empty(L, dtype=index)
    for k in range(a.shape[0]):
        np.subtract(u[k], u_top, out=s)
        np.subtract(a_top, a[k], out=d)
        np.multiply(x, s, out=t)
        d -= t
        np.maximum(d, 0, out=d)  # a line above by rounding crosses now
        s /= d
        np.greater(s, best, out=better)
        np.fmax(best, s, out=best)
        np.subtract(k, nxt, out=step)
        step *= better
        nxt += step
    return nxt.astype(np.intp)


class _Walk:
    """The envelope walk of one group of samples with ``K`` lines each, along α."""

    def __init__(self, c, u, v, alphas: np.ndarray, betas: np.ndarray):
        self.c, self.u, self.v = (np.ascontiguousarray(x) for x in (c, u, v))  # float64 (K, n)
        self.c32, self.u32, self.v32 = (x.astype(np.float32) for x in (c, u, v))
        self.grid, self.betas = Grid(alphas), betas
        n = c.shape[1]
        self.rows_per_unit = max(1, min(betas.size, PAIRS_PER_BATCH // max(1, n)))
        self.chunk = max(1, PAIRS_PER_BATCH // self.rows_per_unit)
        self.row_blocks = [
            (r, min(r + self.rows_per_unit, betas.size))
            for r in range(0, betas.size, self.rows_per_unit)
        ]
        self.chunks = -(-n // self.chunk)
        self.n_units = len(self.row_blocks) * self.chunks

    def breakpoints(self, unit: int):
        """Walk one unit: its rows, samples, start lines and breakpoints."""
        block, chunk = divmod(unit, self.chunks)
        r0, r1 = self.row_blocks[block]
        lo, hi = chunk * self.chunk, min(self.c.shape[1], (chunk + 1) * self.chunk)
        R, n, K = r1 - r0, hi - lo, self.c.shape[0]
        beta = self.betas[r0:r1].astype(np.float32)
        a = beta[None, :, None] * self.v32[:, None, lo:hi]
        a += self.c32[:, None, lo:hi]  # (9x faster than c + β v in one expression, measured)
        a = a.reshape(K, -1)
        u = np.broadcast_to(self.u32[:, None, lo:hi], (K, R, n)).reshape(K, -1)
        alpha0, alpha_end = self.grid.values[0], self.grid.values[-1]
        start, end = _tops_at(a, u, alpha0, alpha_end)
        # The same line on top at both ends is on top all along (the envelope is convex).
        live = np.flatnonzero(start != end)
        top, end = start[live], end[live]
        a, u = np.take(a, live, axis=1), np.take(u, live, axis=1)
        found = []
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # Most rows change line once, where the two ends' lines cross: so it is when
            # no line is above them there (a line minus the two's maximum is concave, and
            # not above it at the ends). That check is 3 passes a line; a walk step, 11.
            a_top, u_top, a_end = _pick(a, top), _pick(u, top), _pick(a, end)
            x = (a_top - a_end) / (_pick(u, end) - u_top)
            np.clip(x, alpha0, alpha_end, out=x)
            meet = a_top + x * u_top
            highest = _max_at(a, u, x)
            once = highest <= meet + 1e-6 * (1 + np.abs(a_top) + np.abs(x * u_top))
            found.append((live[once], x[once], top[once], end[once]))
            walk = ~once
            live, top, end = live[walk], top[walk], end[walk]
            a, u = np.compress(walk, a, axis=1), np.compress(walk, u, axis=1)
            x = np.full(live.size, alpha0, dtype=np.float32)  # where each walk has got to
            for _ in range(K):  # each step moves to a line of larger slope: K at most
                if not live.size:
                    break
                a_top, u_top = _pick(a, top), _pick(u, top)
                nxt = _next_line(a, u, a_top, u_top, x, top)
                at = (a_top - _pick(a, nxt)) / (_pick(u, nxt) - u_top)
                np.maximum(at, x, out=at)
                going = (nxt != top) & (at <= alpha_end)
                found.append((live[going], at[going], top[going], nxt[going]))
                going &= nxt != end  # a walk that has reached the right end's line is done
                live, x, top, end = live[going], at[going], nxt[going], end[going]
                a, u = np.compress(going, a, axis=1), np.compress(going, u, axis=1)
        return (r0, r1, lo, hi), start, found

    def run(self, unit: int) -> np.ndarray:
        """The unit's rows summed over its samples: float64 ``(R, Gα)``."""
        (r0, r1, lo, hi), start, found = self.breakpoints(unit)
        n, total = hi - lo, self.c.shape[1]
        beta = self.betas[r0:r1]
        c, u, v = (x.ravel() for x in (self.c, self.u, self.v))  # flat indices: fast gathers
        row, sample = np.divmod(np.arange(start.size), n)
        first = start * total + lo + sample
        values = np.zeros((r1 - r0, self.grid.G))
        values += (c[first] + beta[row] * v[first]).reshape(r1 - r0, n).sum(axis=1)[:, None]
        values += self.grid.values * u[first].reshape(r1 - r0, n).sum(axis=1)[:, None]
        if found:
            pair, at, old, new = (np.concatenate(f) for f in zip(*found, strict=True))
            row, sample = np.divmod(pair, n)
            sample += lo
            old, new = old * total + sample, new * total + sample
            da = c[new] - c[old] + beta[row] * (v[new] - v[old])
            flat = row * (self.grid.G + 1) + self.grid.locate(at.astype(np.float64))
            values += self.grid.rows(flat, da, u[new] - u[old], r1 - r0)
        return values

    def count(self) -> int:
        """Breakpoints over the whole grid (to compare sweep directions)."""
        return sum(sum(f[0].size for f in self.breakpoints(u)[2]) for u in range(self.n_units))


def _grouped(c, u, v, alphas, betas):
    """The samples' lines after pruning: the sums of the one-line samples' planes, and
    the others grouped by how many lines they kept, ``[(c, u, v), …]`` each ``(K, n_K)``."""
    alive = _alive(c, u, v, alphas, betas)
    kept = alive.sum(axis=0)
    one = np.flatnonzero(kept == 1)
    line = alive[:, one].argmax(axis=0)
    plane = [float(x[line, one].sum()) for x in (c, u, v)]
    order = np.argsort(~alive, axis=0, kind="stable")  # kept lines first
    groups = []
    for K in np.unique(kept[kept > 1]):
        samples = np.flatnonzero(kept == K)
        lines = order[:K, samples]
        groups.append(tuple(x[lines, samples] for x in (c, u, v)))
    return plane, groups


def _surface(c, u, v, alphas, betas) -> np.ndarray:
    """``Σ_n max_k (c_kn + α u_kn + β v_kn)`` over the grid, float64 ``(Gβ, Gα)``."""
    (pc, pu, pv), groups = _grouped(c, u, v, alphas, betas)
    values = pc + pu * alphas[None, :] + pv * betas[:, None]
    for gc, gu, gv in groups:
        walk = _Walk(gc, gu, gv, alphas, betas)
        for k in range(walk.n_units):
            r0, r1 = walk.row_blocks[k // walk.chunks]
            values[r0:r1] += walk.run(k)
    return values


class StructuredKernel:
    """``Σ_n max_k (c_kn + α u_kn + β v_kn)`` over a ``(Gβ, Gα)`` grid.

    Line ``k`` of sample ``n`` is ``z_k − z_y + Δ`` for ``k ≠ y`` and ``0`` for ``k = y``.
    A unit is a chunk of :data:`SAMPLES_PER_UNIT` samples, pruned, grouped and walked
    on its own, so making the kernel costs little: the sweep direction is chosen on a
    probe of :data:`PROBE_SAMPLES` samples.
    """

    def __init__(self, logits: PlaneLogits, alphas, betas, margin: float):
        c, u, v = _lines(logits, margin)
        self.n = logits.n_samples
        probe = slice(None, None, max(16, self.n // PROBE_SAMPLES))  # at most 1/16 of the work
        self.swapped = _fewer_swapped(c[:, probe], u[:, probe], v[:, probe], alphas, betas)
        if self.swapped:
            u, v, alphas, betas = v, u, betas, alphas
        self._lines, self.alphas, self.betas = (c, u, v), alphas, betas
        self.n_units = -(-self.n // SAMPLES_PER_UNIT)
        self.unit_elements = SAMPLES_PER_UNIT * c.shape[0] * 16

    def run(self, unit: int) -> np.ndarray:
        chunk = slice(unit * SAMPLES_PER_UNIT, (unit + 1) * SAMPLES_PER_UNIT)
        c, u, v = (x[:, chunk] for x in self._lines)
        return _surface(c, u, v, self.alphas, self.betas)

    def add(self, total: np.ndarray, unit: int, part: np.ndarray) -> None:
        (total.T if self.swapped else total)[:] += part

    def finish(self, total: np.ndarray) -> np.ndarray:
        return total / self.n


def _fewer_swapped(c, u, v, alphas, betas) -> bool:
    """Whether sweeping along β gives fewer breakpoints than along α, on these samples."""
    counts = []
    for a_axis, b_axis, slopes, rises in ((alphas, betas, u, v), (betas, alphas, v, u)):
        _, groups = _grouped(c, slopes, rises, a_axis, b_axis)
        counts.append(sum(_Walk(gc, gu, gv, a_axis, b_axis).count() for gc, gu, gv in groups))
    return counts[1] < counts[0]
