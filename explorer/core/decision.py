"""The decision-image kernel: winning class and quantised confidence per grid pixel.

For every grid point the image shows the class with the largest logit, shaded by its
probability ``conf = p_k = 1 / Σ_j exp(z_j − z_max)``, which lies in ``[1/C, 1]``. Only
that one probability is needed, so no normalised ``(C, M)`` probabilities are formed
(docs/maths.md, "The decision image"). The class and a confidence level are packed into
one ``uint8`` index

    ``index = k · L + l``, ``L = 256 // C`` levels per class,
    ``l = rint((conf − 1/C) / (1 − 1/C) · (L − 1))`` clipped to ``[0, L − 1]``,

which a 256-entry ``uint32`` lookup table (:func:`decision_lut`) turns into
``0xFFRRGGBB`` pixels for a ``QImage`` in ``Format_RGB32``. ``rint`` rounds halves to even.

For the hinge losses, which have no probabilities, ``shade="margin"`` quantises instead
the gap between the top two scores, clipped at the margin ``Δ``, into the same levels:
``conf = min(z_top1 − z_top2, Δ) / Δ`` in ``[0, 1]`` and ``l = rint(conf · (L − 1))``
(a tie for the top gives 0).

All arrays are class-major: ``W (C, D)``, features ``F (D, M)``, logits ``(C, M)``; the
work is done in float32 in preallocated buffers (:class:`DecisionWorkspace`).
"""

from __future__ import annotations

import numpy as np

from explorer.core.parallel import split_columns


def grid_axes(
    xmin: float, xmax: float, ymin: float, ymax: float, G: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres of a ``G × G`` grid over ``[xmin, xmax] × [ymin, ymax]``.

    Parameters
    ----------
    xmin, xmax, ymin, ymax : float
        Finite bounds with ``xmin < xmax`` and ``ymin < ymax``.
    G : int
        Pixels per side, >= 1.

    Returns
    -------
    xs, ys : ndarray of float64, shape (G,)
        ``xs[i] = xmin + (i + 0.5) · (xmax − xmin) / G``, likewise ``ys``; increasing.
    """
    if isinstance(G, bool) or not isinstance(G, int | np.integer) or G < 1:
        raise ValueError(f"grid size must be an integer >= 1, got {G!r}")
    bounds = np.array([xmin, xmax, ymin, ymax], dtype=np.float64)
    if not np.all(np.isfinite(bounds)) or xmin >= xmax or ymin >= ymax:
        raise ValueError(f"grid bounds must be finite with min < max, got {tuple(bounds)}")
    centres = (np.arange(G, dtype=np.float64) + 0.5) / G
    return xmin + centres * (xmax - xmin), ymin + centres * (ymax - ymin)


def grid_points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """All grid points, row-major: row ``r`` is ``ys[r]``, column ``c`` is ``xs[c]``.

    Parameters
    ----------
    xs : ndarray, shape (Gx,)
    ys : ndarray, shape (Gy,)

    Returns
    -------
    ndarray of float64, shape (2, Gy · Gx)
        Column ``r · Gx + c`` is the point ``(xs[c], ys[r])``, so the decision indices
        reshape to an image with ``indices.reshape(Gy, Gx)``.
    """
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    if xs.ndim != 1 or ys.ndim != 1:
        raise ValueError(f"xs and ys must be 1-D, got shapes {xs.shape} and {ys.shape}")
    P = np.empty((2, ys.size * xs.size), dtype=np.float64)
    P[0].reshape(ys.size, xs.size)[:] = xs
    P[1].reshape(ys.size, xs.size)[:] = ys[:, None]
    return P


def levels_per_class(C: int) -> int:
    """Number of confidence levels ``L = 256 // C`` each class gets in the uint8 index.

    Raises
    ------
    ValueError
        For ``C < 2`` or ``C > 256``.
    """
    if isinstance(C, bool) or not isinstance(C, int | np.integer) or not 2 <= C <= 256:
        raise ValueError(f"the number of classes must be an integer in [2, 256], got {C!r}")
    return 256 // int(C)


class DecisionWorkspace:
    """Reusable float32/uint8 buffers for :func:`decision_indices`.

    Buffers are reallocated only when ``(C, D, M)`` changes, so calling the kernel every
    frame on the same grid allocates nothing sizeable. Not thread-safe: use one
    workspace per thread.
    """

    def __init__(self) -> None:
        self._key: tuple[int, int, int] | None = None

    def buffers(self, C: int, D: int, M: int) -> DecisionWorkspace:
        """Make sure the buffers fit ``C`` classes, ``D`` features and ``M`` points."""
        if self._key != (C, D, M):
            self.Z = np.empty((C, M), dtype=np.float32)
            self.zmax = np.empty(M, dtype=np.float32)
            self.second = np.empty(M, dtype=np.float32)
            self.level = np.empty(M, dtype=np.float32)
            self.base = np.empty(M, dtype=np.uint8)
            self.change = np.empty(M, dtype=np.uint8)
            self.mask = np.empty(M, dtype=bool)
            self.F = np.empty((D, M), dtype=np.float32)
            self._key = (C, D, M)
        return self


_DEFAULT_WORKSPACE = DecisionWorkspace()
#: What the confidence level measures: ``max p``, or the top-two score gap over ``Δ``.
SHADES = ("probability", "margin")
#: Up to this many features the logits are multiply-adds instead of a GEMM.
_SMALL_D = 4


def decision_indices(
    W: np.ndarray,
    b: np.ndarray,
    F: np.ndarray,
    temperature: float = 1.0,
    out: np.ndarray | None = None,
    workspace: DecisionWorkspace | None = None,
    *,
    shade: str = "probability",
    margin: float = 1.0,
) -> np.ndarray:
    """Winning class and quantised confidence of every grid point, as ``uint8``.

    Parameters
    ----------
    W : ndarray, shape (C, D)
        Weights, any float dtype (used in float32), ``2 <= C <= 256``. ``W``, ``b`` and
        ``F`` must be finite with logits inside the float32 range (the session
        guarantees finite parameters).
    b : ndarray, shape (C,)
        Bias.
    F : ndarray, shape (D, M)
        Features of the grid points (float32 avoids a conversion copy).
    temperature : float, optional
        ``T > 0``: the logits are ``(W F + b) / T``; ``1/T`` is folded into ``W`` and
        ``b`` (in float64, then rounded to float32) before the product.
    out : ndarray of uint8, shape (M,), optional
        Written and returned when given.
    workspace : DecisionWorkspace, optional
        Buffers to reuse; a module-level one by default.
    shade : {"probability", "margin"}, optional
        Whether the level quantises ``max p`` or ``min(z_top1 − z_top2, Δ) / Δ`` of the
        (temperature-divided) scores (module docstring).
    margin : float, optional
        ``Δ``, finite and > 0; used by ``shade="margin"`` only.

    Returns
    -------
    ndarray of uint8, shape (M,)
        ``k · L + l`` with ``k`` the argmax of the logits (the lowest class on ties),
        ``L = levels_per_class(C)`` and ``l`` the confidence level (module docstring).
    """
    W = np.asarray(W)
    b = np.asarray(b)
    F = np.asarray(F)
    if W.ndim != 2 or b.shape != (W.shape[0],) or F.ndim != 2 or F.shape[0] != W.shape[1]:
        raise ValueError(
            f"expected W (C, D), b (C,), F (D, M); got {W.shape}, {b.shape}, {F.shape}"
        )
    T = float(temperature)
    if not (np.isfinite(T) and T > 0):
        raise ValueError(f"temperature must be finite and > 0, got {temperature!r}")
    if shade not in SHADES:
        raise ValueError(f"shade must be one of {SHADES}, got {str(shade)[:40]!r}")
    delta = float(margin)
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"the margin must be finite and > 0, got {margin!r}")
    C, D = W.shape
    M = F.shape[1]
    L = levels_per_class(C)
    by_margin = delta if shade == "margin" else None
    if out is None:
        out = np.empty(M, dtype=np.uint8)
    elif out.shape != (M,) or out.dtype != np.uint8:
        raise ValueError(f"out must be uint8 of shape ({M},), got {out.dtype} {out.shape}")
    ws = (workspace or _DEFAULT_WORKSPACE).buffers(C, D, M)
    Wt = (W.astype(np.float64) / T).astype(np.float32)
    bt = (b.astype(np.float64) / T).astype(np.float32)
    if F.dtype != np.float32 or not F.flags.c_contiguous:
        np.copyto(ws.F, F, casting="same_kind")
        F = ws.F

    def columns(lo: int, hi: int) -> None:
        # Each grid point on its own: split_columns may run two halves at once.
        _decision_columns(
            Wt, bt, F[:, lo:hi], ws.Z[:, lo:hi], ws.zmax[lo:hi], ws.level[lo:hi],
            ws.second[lo:hi], ws.base[lo:hi], ws.change[lo:hi], ws.mask[lo:hi], out[lo:hi],
            L, by_margin,
        )  # fmt: skip

    split_columns(columns, M, C * M)
    return out


def _decision_columns(
    Wt, bt, F, Z, zmax, level, second, base, change, mask, out, L: int, margin: float | None
) -> None:
    """:func:`decision_indices` of the grid points ``F (D, m)`` into ``out (m,)``.

    ``Wt (C, D)`` and ``bt (C,)`` are float32 with the temperature folded in; ``Z (C, m)``,
    ``zmax``, ``level``, ``second (m,)`` float32, ``base``, ``change (m,)`` uint8 and
    ``mask (m,)`` bool are scratch, possibly column slices of larger buffers. ``margin``
    is ``Δ`` for the margin shading, None for ``max p``.
    """
    C, D = Wt.shape
    if D <= _SMALL_D:
        # A GEMM with an inner size of 2 is memory-bound, and with threaded BLAS on a busy
        # 2-core machine much slower than C·D multiply-adds (12 vs ~2 ms at C = 10,
        # G = 400). ``level`` is free until the sum below: it holds each product.
        for k in range(C):
            np.multiply(F[0], Wt[k, 0], out=Z[k])
            for d in range(1, D):
                np.multiply(F[d], Wt[k, d], out=level)
                Z[k] += level
    else:
        np.matmul(Wt, F, out=Z)
    Z += bt[:, None]
    if margin is None:
        np.max(Z, axis=0, out=zmax)
    else:
        _top_two(Z, zmax, second, level)
    # Class-major argmax: numpy's argmax along axis 0 transposes into a copy first.
    # Going down the classes, the last write wins, so ties go to the lowest class. A
    # write is arithmetic, base += mask · (k·L − base) in uint8 (exact modulo 256): a
    # masked copy costs ~6x more where the classes are finely mixed (short mask runs).
    hit = mask.view(np.uint8)
    for k in range(C - 1, -1, -1):
        np.equal(Z[k], zmax, out=mask)
        if k == C - 1:
            np.multiply(hit, np.uint8(k * L), out=base)
        else:
            np.subtract(np.uint8(k * L), base, out=change)
            change *= hit
            base += change
    if margin is not None:
        np.subtract(zmax, second, out=level)  # >= 0; 0 where the top is a tie
        level *= np.float32((L - 1) / margin)
        np.rint(level, out=level)
        np.clip(level, 0, L - 1, out=level)  # the clip at L − 1 is min(gap, Δ)
        np.add(level, base, out=out, casting="unsafe")
        return
    Z -= zmax  # every entry <= 0, so exp cannot overflow; underflow to 0 is harmless
    np.exp(Z, out=Z)
    np.sum(Z, axis=0, out=level)  # Σ exp(z − zmax) in [1, C]
    np.reciprocal(level, out=level)  # conf in [1/C, 1]
    level -= np.float32(1.0 / C)
    level *= np.float32((L - 1) / (1.0 - 1.0 / C))
    np.rint(level, out=level)
    np.clip(level, 0, L - 1, out=level)
    np.add(level, base, out=out, casting="unsafe")  # exact: small integers in float32


def _top_two(Z, top, second, scratch) -> None:
    """Largest and second-largest entry of each column of ``Z (C, m)``, as a multiset.

    A running pair down the classes (class-major, like the argmax above): three passes
    of ``m`` per class instead of a sort. Two equal maxima give ``second == top``.
    """
    np.copyto(top, Z[0])
    second.fill(-np.inf)
    for k in range(1, Z.shape[0]):
        np.minimum(top, Z[k], out=scratch)  # what Z[k] or the old top leaves behind
        np.maximum(second, scratch, out=second)
        np.maximum(top, Z[k], out=top)


def decision_lut(
    colors: np.ndarray,
    background: np.ndarray,
    C: int,
    *,
    pale: float = 0.12,
    full: float = 1.0,
) -> np.ndarray:
    """Lookup table from decision index to an opaque ``0xFFRRGGBB`` pixel.

    Class ``k`` at level ``l`` is ``background + t · (colors[k] − background)`` with
    ``t`` rising linearly from ``pale`` (level 0, confidence ``1/C``) to ``full``
    (level ``L − 1``, confidence 1); with a single level ``t = full``. Indices past
    ``C · L − 1`` map to the background.

    Parameters
    ----------
    colors : array_like of uint8, shape (C', 3), C' >= C
        RGB colour of each class; the first ``C`` rows are used.
    background : array_like of uint8, shape (3,)
        RGB of the plot background.
    C : int
        Number of classes.
    pale, full : float, optional
        Blend weights of the lowest and highest level, ``0 <= pale <= full <= 1``.

    Returns
    -------
    ndarray of uint32, shape (256,)
    """
    L = levels_per_class(C)
    colors = np.asarray(colors)
    background = np.asarray(background)
    if colors.ndim != 2 or colors.shape[1] != 3 or colors.shape[0] < C:
        raise ValueError(f"colors must have shape (>= {C}, 3), got {colors.shape}")
    if background.shape != (3,):
        raise ValueError(f"background must have shape (3,), got {background.shape}")
    for name, a in (("colors", colors), ("background", background)):
        if not np.issubdtype(a.dtype, np.integer) or a.min() < 0 or a.max() > 255:
            raise ValueError(f"{name} must be integers in [0, 255]")
    if not 0.0 <= pale <= full <= 1.0:
        raise ValueError(f"need 0 <= pale <= full <= 1, got pale={pale}, full={full}")
    t = np.linspace(pale, full, L) if L > 1 else np.array([full])
    bg = background.astype(np.float64)
    rgb = np.empty((256, 3), dtype=np.float64)
    rgb[:] = bg
    cols = colors[:C].astype(np.float64)
    rgb[: C * L] = (bg + t[None, :, None] * (cols[:, None, :] - bg)).reshape(C * L, 3)
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint32)
    return np.uint32(0xFF000000) | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
