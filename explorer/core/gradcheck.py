"""Central-difference gradient checking, for any function of one array.

Used by the tests to confirm the analytic gradients of docs/maths.md (``dW``, ``db``,
``dz = p - y``, the softmax Jacobian) against finite differences, and usable on any
core function by closing over the other arguments::

    num_dW = numerical_gradient(lambda w: loss_and_grads(w, b, X, Y)[0], W)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Floor of the denominator in :func:`check_gradient`, so two zeros compare as equal.
REL_ERROR_FLOOR = 1e-12


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Gradient of a scalar function by central differences.

    Each entry is ``(f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)``, with an error of
    order ``eps²`` times the third derivative plus ``|f| · 1e-16 / eps`` of rounding.

    Parameters
    ----------
    f : callable
        Maps an array of the shape of ``x`` (float64) to a scalar.
    x : array_like, any shape
        The point. It is copied to float64 and never modified.
    eps : float, optional
        Half the difference step, > 0.

    Returns
    -------
    ndarray of float64, same shape as ``x``
    """
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive finite number, got {eps!r}")
    xc = np.array(x, dtype=np.float64, copy=True)
    grad = np.empty_like(xc)
    flat = xc.reshape(-1)  # a view: nudging flat nudges xc, which f receives
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        f_plus = float(f(xc))
        flat[i] = orig - eps
        f_minus = float(f(xc))
        flat[i] = orig
        gflat[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Elementwise ``|a - n| / max(REL_ERROR_FLOOR, |a| + |n|)``.

    Parameters
    ----------
    a, n : array_like, same shape
        Analytic and numerical values.

    Returns
    -------
    ndarray of float64, same shape, each in ``[0, 1]``
        0 for identical values (including two zeros), 1 for opposite signs or one zero
        against a non-zero.
    """
    a = np.asarray(a, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"shapes differ: analytic {a.shape}, numerical {n.shape}")
    return np.abs(a - n) / np.maximum(REL_ERROR_FLOOR, np.abs(a) + np.abs(n))


def check_gradient(
    f: Callable[[np.ndarray], float],
    grad: np.ndarray,
    x: np.ndarray,
    eps: float = 1e-6,
) -> float:
    """Largest relative error between an analytic gradient and central differences.

    The error of entry ``i`` is ``|a_i - n_i| / max(1e-12, |a_i| + |n_i|)`` with ``a`` the
    analytic gradient and ``n`` = :func:`numerical_gradient` ``(f, x, eps)``; the result
    is the maximum over all entries (0.0 for an empty ``x``). Where ``|a_i| + |n_i|`` is
    below ``1e-12`` the denominator is held at ``1e-12``, so two (near-)zero entries
    score about 0 instead of 0/0.
    A correct gradient of a smooth float64 function typically scores below ``1e-7``.

    Parameters
    ----------
    f : callable
        Scalar function of an array shaped like ``x``.
    grad : array_like, same shape as ``x``
        The analytic gradient at ``x`` (any float dtype; compared in float64).
    x : array_like
        The point (not modified).
    eps : float, optional
        Half the difference step.

    Returns
    -------
    float
        In ``[0, 1]``.
    """
    x = np.asarray(x)
    grad = np.asarray(grad)
    if grad.shape != x.shape:
        raise ValueError(f"gradient shape {grad.shape} differs from x shape {x.shape}")
    err = relative_error(grad, numerical_gradient(f, x, eps))
    return float(err.max()) if err.size else 0.0
