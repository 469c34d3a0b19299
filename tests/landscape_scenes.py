"""Random scenes for the landscape tests and a direct float64 evaluation of every loss.

The reference losses are written here from issue 18's table, independently of the
surface kernels: per sample, in float64, with one matrix product per grid cell.
"""

from __future__ import annotations

import numpy as np

from explorer.core.loss import loss_and_grads
from explorer.core.parameter_planes import (
    Axis,
    coordinate_axis,
    coordinate_plane,
    flat_direction,
    gradient_plane,
    pca_plane,
    plane_from_axes,
)
from explorer.core.parameters import parameter_names

PLANE_KINDS = ("coordinates", "coordinates-same-row", "pca", "gradient", "flat", "random")
EPS32 = float(np.finfo(np.float32).eps)


def reference_loss(W, b, F, y, loss, margin=1.0, l2=0.0, l1=0.0) -> float:
    """The batch loss at ``(W, b)``, float64, straight from the formulas."""
    Z = W @ F + b[:, None]
    n = np.arange(F.shape[1])
    zy = Z[y, n]
    if loss == "cross_entropy":
        top = Z.max(axis=0)
        per = top + np.log(np.exp(Z - top).sum(axis=0)) - zy
    elif loss == "squared_error":
        P = np.exp(Z - Z.max(axis=0))
        P /= P.sum(axis=0)
        P[y, n] -= 1.0
        per = 0.5 * (P**2).sum(axis=0)
    elif loss == "svm_ww":
        M = np.maximum(0.0, Z - zy + margin)
        M[y, n] = 0.0
        per = M.sum(axis=0)
    elif loss == "svm_ova":
        s = -np.ones_like(Z)
        s[y, n] = 1.0
        per = np.maximum(0.0, margin - s * Z).sum(axis=0)
    elif loss == "svm_structured":
        M = Z - zy + margin
        M[y, n] = -np.inf
        per = np.maximum(0.0, M.max(axis=0))
    else:
        raise ValueError(loss)
    return float(per.mean() + 0.5 * l2 * np.sum(W**2) + l1 * np.sum(np.abs(W)))


def reference_surface(objective, plane, alphas, betas) -> tuple[np.ndarray, float]:
    """Every cell by :func:`reference_loss`, and the largest ``|z|`` met on the grid."""
    F = np.asarray(objective.features, dtype=np.float64)
    out = np.empty((len(betas), len(alphas)))
    biggest = 0.0
    for r, beta in enumerate(betas):
        for c, alpha in enumerate(alphas):
            W, b = plane.params_at(alpha, beta)
            out[r, c] = reference_loss(
                W, b, F, objective.labels, objective.loss, objective.margin,
                objective.l2, objective.l1,
            )  # fmt: skip
            biggest = max(biggest, float(np.abs(W @ F + b[:, None]).max()))
    return out, biggest


def float32_tolerance(biggest: float) -> float:
    """What a float32 surface may miss a cell by: ``64·ε₃₂·(1 + max|z|)``.

    Each exponent is formed from a few float32 products and sums of size up to ``max|z|``
    (error a few ``ε·max|z|``); the sums of positive terms add ``K·ε`` relative, the
    logarithm turns that into the same absolute error, and float32 partial sums over a
    chunk of samples add a few ``ε`` more. 64 covers these with room; the errors seen are
    about ten times smaller.
    """
    return 64 * EPS32 * (1.0 + biggest)


def scene(C, D, N, seed, scale=1.0):
    """Features ``(D, N)``, labels, and a training path ``(T, P)`` ending at ``θ₀``."""
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((D, N)) * 1.5
    y = rng.integers(0, C, N)
    P = C * D + C
    path = np.cumsum(rng.standard_normal((12, P)) * 0.3 * scale, axis=0)
    path += rng.standard_normal(P) * scale
    return F, y, path


def make_plane(kind, F, y, path, shape, rng):
    """A plane of the given kind through the path's last point."""
    theta0 = path[-1]
    C, D = shape
    names = parameter_names(shape)
    if kind == "coordinates":
        first, second = rng.choice(len(names), 2, replace=False)
        return coordinate_plane(theta0, shape, names[first], names[second])
    if kind == "coordinates-same-row":
        c = int(rng.integers(C))
        second = f"b[{c}]" if D == 1 else f"W[{c},{D - 1}]"
        return coordinate_plane(theta0, shape, f"W[{c},0]", second)
    if kind == "pca":
        return pca_plane(path, shape)
    if kind == "gradient":
        W, b = theta0[: C * D].reshape(C, D), theta0[C * D :]
        _, dW, db = loss_and_grads(W, b, F, y)
        return gradient_plane(theta0, shape, np.concatenate([dW.ravel(), db]), path[-1] - path[-2])
    if kind == "flat":
        which = "b" if rng.random() < 0.5 else int(rng.integers(D))
        other = coordinate_axis(names[int(rng.integers(len(names)))], shape)
        return plane_from_axes(theta0, shape, flat_direction(shape, which), other)
    u, v = rng.standard_normal((2, theta0.size))
    return plane_from_axes(theta0, shape, Axis(u, "u"), Axis(v, "v"))


def grid_around(plane, path, rng, Ga, Gb, widen=1.0):
    """A uniform grid over the path's range on the plane, widened by ``widen``."""
    on = plane.project(path)
    axes = []
    for values, G in ((on.alphas, Ga), (on.betas, Gb)):
        centre = 0.5 * (values.min() + values.max())
        half = widen * (0.5 * (values.max() - values.min()) + 0.5) * rng.uniform(0.8, 1.5)
        axes.append(np.linspace(centre - half, centre + half, G))
    return axes
