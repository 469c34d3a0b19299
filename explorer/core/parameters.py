"""The classifier's parameters as one vector ``θ``, and the names of its entries.

Parameter space is where the loss landscape lives (``docs/landscape.md``):
``θ = (W, b)`` with ``W (C, D)`` and ``b (C,)`` flattened in this order:

    ``θ = [W[0,0], W[0,1], …, W[0,D−1], W[1,0], …, W[C−1,D−1], b[0], …, b[C−1]]``

that is ``W`` row by row (numpy's C order) and then ``b``, ``P = C·D + C`` entries. Entry
``W[c,d]`` is ``θ[c·D + d]`` and ``b[c]`` is ``θ[C·D + c]``. Names are 0-based, as numpy
indexes, and written without spaces: ``"W[1,0]"``, ``"b[2]"``.
"""

from __future__ import annotations

import re

import numpy as np

_NAME = re.compile(r"^\s*(?:W\s*\[\s*(\d+)\s*,\s*(\d+)\s*\]|b\s*\[\s*(\d+)\s*\])\s*$")


def _check_shape(shape) -> tuple[int, int]:
    C, D = (int(s) for s in shape)
    if C < 1 or D < 1:
        raise ValueError(f"a model needs at least one class and one feature, got shape {shape}")
    return C, D


def n_parameters(shape) -> int:
    """``P = C·D + C``, the length of ``θ`` for a ``W`` of shape ``(C, D)``."""
    C, D = _check_shape(shape)
    return C * D + C


def flatten_params(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``θ`` from ``W`` and ``b``, in the module's order (a new float64 array).

    Parameters
    ----------
    W : ndarray, shape (C, D)
    b : ndarray, shape (C,)

    Returns
    -------
    ndarray of float64, shape (C·D + C,)
    """
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if W.ndim != 2 or b.shape != (W.shape[0],):
        raise ValueError(f"W must be (C, D) and b (C,), got {W.shape} and {b.shape}")
    return np.concatenate([W.ravel(), b])


def unflatten_params(theta: np.ndarray, shape) -> tuple[np.ndarray, np.ndarray]:
    """``(W, b)`` from ``θ`` (copies, float64).

    Parameters
    ----------
    theta : ndarray, shape (C·D + C,)
    shape : (C, D)

    Returns
    -------
    W : ndarray of float64, shape (C, D)
    b : ndarray of float64, shape (C,)
    """
    C, D = _check_shape(shape)
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape != (C * D + C,):
        raise ValueError(f"θ must have {C * D + C} entries for W {C}×{D}, got {theta.shape}")
    return theta[: C * D].reshape(C, D).copy(), theta[C * D :].copy()


def stack_params(Ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    """Many ``θ`` at once, one per row: a history's parameters.

    Parameters
    ----------
    Ws : ndarray, shape (T, C, D)
    bs : ndarray, shape (T, C)

    Returns
    -------
    ndarray of float64, shape (T, C·D + C)
    """
    Ws = np.asarray(Ws, dtype=np.float64)
    bs = np.asarray(bs, dtype=np.float64)
    if Ws.ndim != 3 or bs.shape != Ws.shape[:2]:
        raise ValueError(f"Ws must be (T, C, D) and bs (T, C), got {Ws.shape} and {bs.shape}")
    return np.concatenate([Ws.reshape(Ws.shape[0], -1), bs], axis=1)


def parameter_index(name: str, shape) -> int:
    """The position in ``θ`` of the entry called ``name`` (``"W[c,d]"`` or ``"b[c]"``).

    Raises
    ------
    ValueError
        For a name that is not of that form, or indices outside ``W``'s shape.
    """
    C, D = _check_shape(shape)
    match = _NAME.match(name) if isinstance(name, str) else None
    if match is None:
        raise ValueError(f"{name!r} is not a parameter name: write W[c,d] or b[c] (0-based)")
    if match.group(3) is None:
        c, d = int(match.group(1)), int(match.group(2))
        if c >= C or d >= D:
            raise ValueError(f"{name.strip()} is outside W of shape {C}×{D}")
        return c * D + d
    c = int(match.group(3))
    if c >= C:
        raise ValueError(f"{name.strip()} is outside b of length {C}")
    return C * D + c


def parameter_name(index: int, shape) -> str:
    """The name of entry ``index`` of ``θ``: ``"W[c,d]"`` or ``"b[c]"``."""
    C, D = _check_shape(shape)
    index = int(index)
    if not 0 <= index < C * D + C:
        raise ValueError(f"parameter index {index} is outside 0..{C * D + C - 1}")
    if index < C * D:
        return f"W[{index // D},{index % D}]"
    return f"b[{index - C * D}]"


def parameter_names(shape) -> list[str]:
    """All names, in ``θ``'s order."""
    return [parameter_name(i, shape) for i in range(n_parameters(shape))]
