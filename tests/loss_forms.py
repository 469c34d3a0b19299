"""The losses of issue 18 written out by their closed forms, one sample at a time, in
float64 and without the core's loss functions: what the views' tests compare with."""

from __future__ import annotations

import numpy as np


def closed_form_dz(z: np.ndarray, y: int, loss: str, delta: float) -> np.ndarray:
    """∂L/∂z of one sample, ``(C,)``, by the issue's table (strict inequalities)."""
    C = z.size
    onehot = np.zeros(C)
    onehot[y] = 1.0
    p = np.exp(z - z.max())
    p /= p.sum()
    if loss == "cross_entropy":
        return p - onehot
    if loss == "squared_error":
        J = np.diag(p) - np.outer(p, p)
        return J.T @ (p - onehot)
    g = np.zeros(C)
    if loss == "svm_ww":
        for j in range(C):
            if j != y and z[j] - z[y] + delta > 0:
                g[j] = 1.0
        g[y] = -g.sum()
    elif loss == "svm_ova":
        for j in range(C):
            s = 1.0 if j == y else -1.0
            if delta - s * z[j] > 0:
                g[j] = -s
    else:  # svm_structured
        others = [j for j in range(C) if j != y]
        runner = others[int(np.argmax(z[others]))]
        if z[runner] - z[y] + delta > 0:
            g[runner], g[y] = 1.0, -1.0
    return g


def near_a_kink(z: np.ndarray, y: int, loss: str, delta: float, tol=1e-3) -> bool:
    """Whether a margin term is within ``tol`` of 0 (float32 may fall either side)."""
    if loss in ("cross_entropy", "squared_error"):
        return False
    if loss == "svm_ova":
        s = -np.ones(z.size)
        s[y] = 1.0
        return bool(np.any(np.abs(delta - s * z) < tol))
    terms = np.delete(z - z[y] + delta, y)
    return bool(np.any(np.abs(terms) < tol))


def closed_form_loss(z: np.ndarray, y: int, loss: str, delta: float) -> float:
    """The per-sample loss of one sample by the issue's table."""
    C = z.size
    p = np.exp(z - z.max())
    p /= p.sum()
    if loss == "cross_entropy":
        return float(-np.log(p[y]))
    if loss == "squared_error":
        onehot = np.eye(C)[y]
        return float(0.5 * np.sum((p - onehot) ** 2))
    if loss == "svm_ww":
        return float(sum(max(0.0, z[j] - z[y] + delta) for j in range(C) if j != y))
    if loss == "svm_ova":
        return float(sum(max(0.0, delta - (1.0 if j == y else -1.0) * z[j]) for j in range(C)))
    others = [z[j] for j in range(C) if j != y]
    return float(max(0.0, max(others) - z[y] + delta))
