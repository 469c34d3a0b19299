"""Hinge-loss surfaces on a grid: sums of ``max(0, c + α u + β v)`` from binned breakpoints.

Weston–Watkins is ``Σ_{j≠y} max(0, z_j − z_y + Δ)`` (``(C − 1)·N`` terms) and one-vs-all
``Σ_j max(0, Δ − s_j z_j)`` with ``s_y = +1``, else ``−1`` (``C·N`` terms); on a plane every
term is ``max(0, c + α u + β v)``.

Along a row of the grid (``β_r`` fixed) a term is zero on one side of its breakpoint
``α* = −(c + β_r v)/u`` and linear on the other, so a row of the surface is
``A(α) + α U(α)``, where ``A, U`` sum the active terms' intercepts and slopes: the
breakpoints binned onto the grid (``np.bincount``, weights intercept and slope) and a
prefix sum give the row in ``O(T + G)`` instead of ``O(T·G)`` (``docs/landscape.md``,
speed). Better still, a term's breakpoint lies inside the grid only on a
band of rows (``α*`` is linear in ``β``): above and below the band the term is on or off
along the whole row, which a difference array over the rows adds for every term at once.
Only the (term, row) pairs of the band are binned one by one, and the grid is swept
along whichever axis has fewer of them. Sums are float64.

The value at a kink is continuous, so a breakpoint that rounding moves to the
neighbouring grid point changes the row by rounding only.
"""

from __future__ import annotations

import itertools

import numpy as np

from explorer.core.plane_logits import PlaneLogits

#: Terms per unit of work: a unit then takes well under 0.1 s at W3.
TERMS_PER_UNIT = 2**14
#: (term, row) pairs binned at a time: 8 MB per float64 array.
PAIRS_PER_BATCH = 2**20
#: Terms on which both sweep directions are tried, to choose one.
PROBE_TERMS = 4096


class Grid:
    """Where breakpoints fall on an increasing axis: arithmetic when it is uniform."""

    def __init__(self, values: np.ndarray):
        self.values = values
        self.G = values.size
        steps = np.diff(values)
        self.h = float(steps.mean()) if steps.size else 1.0
        self.uniform = steps.size == 0 or bool(np.all(np.abs(steps - self.h) <= 1e-9 * self.h))

    def scaled(self, x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Breakpoints ``x = x0 + β x1`` rewritten so that :meth:`index` reads them fast."""
        if not self.uniform:
            return x0, x1
        return (x0 - self.values[0]) / self.h + 1.0, x1 / self.h

    def index(self, x: np.ndarray) -> np.ndarray:
        """From :meth:`scaled` breakpoints: the first grid index past each, in ``0..G``.

        On a uniform grid that is ``⌊(x − v₀)/h⌋ + 1`` (a breakpoint exactly on a grid
        point goes to the next one: the row is continuous there).
        """
        if not self.uniform:
            return np.searchsorted(self.values, x)
        np.clip(x, 0, self.G, out=x)
        return x.astype(np.intp)

    def locate(self, x: np.ndarray) -> np.ndarray:
        """:meth:`index` of breakpoints given as positions on the axis."""
        if not self.uniform:
            return np.searchsorted(self.values, x)
        return self.index((x - self.values[0]) / self.h + 1.0)

    def search(self, x: np.ndarray, side: str) -> np.ndarray:
        """``np.searchsorted(values, x, side)``; by arithmetic on a uniform grid, where a
        point within rounding of a grid value may land on either side of it."""
        if not self.uniform:
            return np.searchsorted(self.values, x, side)
        k = (x - self.values[0]) / self.h
        k = np.ceil(k, out=k) if side == "left" else np.add(np.floor(k, out=k), 1.0, out=k)
        np.clip(k, 0, self.G, out=k)
        return k.astype(np.intp)

    def rows(self, flat: np.ndarray, weights_a, weights_u, n_rows: int) -> np.ndarray:
        """``A + v U`` per row from deposits at ``flat = row·(G + 1) + index``."""
        width = self.G + 1
        A = np.bincount(flat, weights=weights_a, minlength=n_rows * width)
        U = np.bincount(flat, weights=weights_u, minlength=n_rows * width)
        A = np.cumsum(A.reshape(n_rows, width)[:, :-1], axis=1)
        U = np.cumsum(U.reshape(n_rows, width)[:, :-1], axis=1)
        return A + self.values * U


def _breakpoints(c, u, v, alphas):
    """Which terms move along α (``u ≠ 0``), and their breakpoints ``α* = x0 + β x1``."""
    span = float(alphas[-1] - alphas[0]) + 1.0
    with np.errstate(all="ignore"):
        moving = np.abs(u) * span > 1e-300 * (1.0 + np.abs(c) + np.abs(v))
        safe = np.where(moving, u, 1.0)
        x0 = np.where(moving, -c / safe, 0.0)
        x1 = np.where(moving, -v / safe, 0.0)
    return moving, x0, x1


def _band_rows(moving, x0, x1, alphas, rows: Grid):
    """Rows ``[r0, r1)`` on which each moving term's breakpoint lies in the α range, and the
    rows ``[l0, l1)`` left of it (``α* < α₀``): a prefix for ``x1 > 0``, else a suffix."""
    lo, hi, G = alphas[0], alphas[-1], rows.G
    with np.errstate(all="ignore"):
        flat = x1 == 0
        safe = np.where(flat, 1.0, x1)
        b_lo = np.where(flat, -np.inf, (lo - x0) / safe)
        b_hi = np.where(flat, np.inf, (hi - x0) / safe)
        r0 = rows.search(np.minimum(b_lo, b_hi), "left")
        r1 = rows.search(np.maximum(b_lo, b_hi), "right")
    inside = moving & (x0 >= lo) & (x0 <= hi)
    r0 = np.where(flat, 0, r0)
    r1 = np.where(flat, G * inside, np.where(moving, r1, 0))
    r0 = np.where(moving, r0, 0)
    l0 = np.where(x1 < 0, r1, 0)
    l1 = np.where(x1 > 0, r0, np.where(x1 < 0, G, G * (flat & (x0 < lo))))
    return r0, r1, l0, l1


def _band(c, u, v, alphas: np.ndarray, rows: Grid):
    """Row intervals of each term for a sweep along α (rows follow β).

    Returns
    -------
    pairs : int
        (term, row) pairs in the bands.
    finish : callable
        ``finish()`` returns ``((start, end), (r0, r1), x0, x1)``: rows ``[start, end)``
        on which each term is added along the whole row (active there; for ``u < 0``,
        also on the band, where its bin takes it off again), the band ``[r0, r1)`` where
        its breakpoint lies inside the α range (``u ≠ 0`` only), and the breakpoints
        ``α* = x0 + β x1`` (zero for ``u = 0``).
    """
    moving, x0, x1 = _breakpoints(c, u, v, alphas)
    r0, r1, l0, l1 = _band_rows(moving, x0, x1, alphas, rows)

    def finish():
        G = rows.G
        # Moving terms: on left of the band when rising, else right of it and on it.
        rising = u > 0
        start = np.where(rising, l0, np.where(l0 == 0, l1, 0))
        end = np.where(rising, l1, np.where(l0 == 0, G, l0))
        # Terms without u: on where c + β v > 0, a suffix (v > 0) or prefix (v < 0) of rows.
        with np.errstate(all="ignore"):
            threshold = np.where(v == 0, 0.0, -c / np.where(v == 0, 1.0, v))
        still_start = np.where(v > 0, rows.search(threshold, "right"), 0)
        still_end = np.where(v > 0, G, np.where(v < 0, rows.search(threshold, "left"), G * (c > 0)))
        start = np.where(moving, start, still_start)
        end = np.where(moving, end, still_end)
        return (start, end), (r0, r1), x0, x1

    return int(np.sum(r1 - r0)), finish


class HingeTermsKernel:
    """``Σ_t max(0, c_t + α u_t + β v_t)`` over a grid; a unit is a run of terms.

    A unit finds its terms' bands and bins them (in batches of :data:`PAIRS_PER_BATCH`
    pairs), so making the kernel costs little: the sweep direction is chosen on a probe
    of :data:`PROBE_TERMS` terms.

    Parameters
    ----------
    c, u, v : ndarray of float64, shape (T,)
        The terms.
    n : int
        Samples the mean divides by.
    alphas, betas : ndarray of float64, increasing
    """

    def __init__(self, c, u, v, n: int, alphas, betas):
        self.n = n
        constant = (u == 0) & (v == 0)  # terms the plane does not move
        self._constant = float(np.maximum(c[constant], 0.0).sum())
        c, u, v = c[~constant], u[~constant], v[~constant]
        # Sweep along whichever axis puts fewer (term, row) pairs in the bands.
        probe = slice(None, None, max(1, c.size // PROBE_TERMS))
        along_alpha = _band(c[probe], u[probe], v[probe], alphas, Grid(betas))[0]
        along_beta = _band(c[probe], v[probe], u[probe], betas, Grid(alphas))[0]
        self.swapped = along_beta < along_alpha
        if self.swapped:
            u, v, alphas, betas = v, u, betas, alphas
        self.alphas, self.betas = alphas, betas
        self.grid, self._rows = Grid(alphas), Grid(betas)
        self._terms = (c, u, v)
        self.n_units = -(-c.size // TERMS_PER_UNIT)
        self.unit_elements = TERMS_PER_UNIT * 16

    def run(self, unit: int) -> np.ndarray:
        c, u, v = (x[unit * TERMS_PER_UNIT : (unit + 1) * TERMS_PER_UNIT] for x in self._terms)
        (start, end), (b0, b1), x0, x1 = _band(c, u, v, self.alphas, self._rows)[1]()
        Gb, Ga = self.betas.size, self.alphas.size
        # Whole rows: a difference array over the rows for c, u and v.
        ends = np.concatenate([start, end])
        C, U, V = (
            np.cumsum(np.bincount(ends, np.concatenate([w, -w]), Gb + 1)[:Gb]) for w in (c, u, v)
        )
        values = (C + self.betas * V)[:, None] + self.alphas * U[:, None]
        # The bands: one deposit per (term, row) pair, (a, u) where a term starts to count
        # (u > 0) and (−a, −u) where it stops (u < 0, added along the whole row above).
        x0, x1 = self.grid.scaled(x0, x1)
        sign = np.sign(u)
        sc, sv, au = sign * c, sign * v, np.abs(u)
        counts = b1 - b0
        work = np.cumsum(counts)
        cuts = np.searchsorted(work, np.arange(PAIRS_PER_BATCH, work[-1], PAIRS_PER_BATCH))
        for t0, t1 in itertools.pairwise(np.unique(np.concatenate([[0], cuts, [c.size]]))):
            term = np.repeat(np.arange(t0, t1), counts[t0:t1])
            if not term.size:
                continue
            first = np.cumsum(counts[t0:t1]) - counts[t0:t1]
            row = np.arange(term.size) - np.repeat(first - b0[t0:t1], counts[t0:t1])
            beta = self.betas[row]
            k = self.grid.index(x0[term] + beta * x1[term])
            values += self.grid.rows(row * (Ga + 1) + k, sc[term] + beta * sv[term], au[term], Gb)
        return values

    def add(self, total: np.ndarray, unit: int, part: np.ndarray) -> None:
        (total.T if self.swapped else total)[:] += part

    def finish(self, total: np.ndarray) -> np.ndarray:
        return (total + self._constant) / self.n


def differences(logits: PlaneLogits):
    """``z_j − z_y`` for ``Z₀, Z_u, Z_v``: three float64 ``(C, N)``."""
    return [Z - logits.true_class(Z) for Z in (logits.Z0, logits.Zu, logits.Zv)]


def weston_watkins_kernel(logits: PlaneLogits, alphas, betas, margin: float):
    """Terms ``max(0, z_j − z_y + Δ)`` for every sample and ``j ≠ y``."""
    D0, Du, Dv = differences(logits)
    others = np.ones(D0.shape, dtype=bool)
    others[logits.y, np.arange(logits.n_samples)] = False
    terms = (D0[others] + margin, Du[others], Dv[others])
    return HingeTermsKernel(*terms, logits.n_samples, alphas, betas)


def one_vs_all_kernel(logits: PlaneLogits, alphas, betas, margin: float):
    """Terms ``max(0, Δ − s_j z_j)``, ``s_y = +1`` and ``s_j = −1`` otherwise."""
    s = -np.ones(logits.Z0.shape)
    s[logits.y, np.arange(logits.n_samples)] = 1.0
    terms = (margin - s * logits.Z0, -s * logits.Zu, -s * logits.Zv)
    return HingeTermsKernel(*(t.ravel() for t in terms), logits.n_samples, alphas, betas)
