"""How closely the two sides of the softmax chain rule agree.

The inspector writes the backward pass through the softmax both ways: the chain rule
``Jᵀ(−y/p)`` (the Jacobian ``J = diag(p) − p pᵀ`` times ``∂L/∂p = −y/p``) and its closed
form ``p − y``. They are equal when ``Σy = 1`` (``Jᵀ(−y/p) = p·Σy − y``); computed
separately in float64 they differ by rounding only, and the page says by how much.
"""

from __future__ import annotations

import numpy as np


def chain_rule_gap(jt_dl_dp: np.ndarray, dz: np.ndarray) -> float:
    """The largest difference between the entries of the two sides, ``max |a − b|``.

    Parameters
    ----------
    jt_dl_dp : ndarray, shape (C,)
        ``Jᵀ(−y/p)``, the chain rule's product.
    dz : ndarray, shape (C,)
        ``p − y``, the closed form.

    Returns
    -------
    float
        ``0.0`` when every entry is equal.
    """
    return float(np.max(np.abs(np.asarray(jt_dl_dp) - np.asarray(dz))))


def signal_ratio(dz: np.ndarray, p_minus_y: np.ndarray) -> float:
    """How much a loss's ``∂L/∂z`` is of cross-entropy's ``p − y``: ``‖dz‖ / ‖p − y‖``.

    For squared error ``dz = Jᵀ(p − y)``, and the ratio is what the factor ``J`` leaves of
    the signal: at most 1/2 (the eigenvalues of ``J = diag(p) − p pᵀ`` lie in
    ``[0, 1/2]``), and near 0 once ``p`` saturates, right or wrong (``docs/maths.md``).

    Parameters
    ----------
    dz, p_minus_y : ndarray, shape (C,)

    Returns
    -------
    float
        ``0.0`` when ``p − y`` is 0 (nothing to shrink).
    """
    dz = np.asarray(dz, dtype=np.float64)
    reference = float(np.linalg.norm(np.asarray(p_minus_y, dtype=np.float64)))
    if reference == 0.0:
        return 0.0
    return float(np.linalg.norm(dz)) / reference
