"""The exact numbers behind one sample or one point, in float64 (what the inspector shows).

Every quantity is computed with the core functions, in the seeds' notation, from float64
copies of ``W`` and ``b`` and float64 features, whatever dtype training uses. With a
display temperature ``T`` the logits are ``z = (W φ + b) / T``: the details are those of
the displayed model ``(W/T, b/T)``, so ``dW = (p − y) φᵀ`` and ``db = p − y`` are that
model's gradients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core import (
    cross_entropy,
    grad_wrt_logits,
    grad_wrt_probs,
    logits,
    one_hot,
    smooth_labels,
    softmax,
    softmax_jacobian,
)


@dataclass(frozen=True)
class PointDetail:
    """A point of the plane under the model (no label).

    Attributes
    ----------
    x : ndarray, shape (2,)
    phi : ndarray, shape (D,)
        Features ``φ(x)``.
    z : ndarray, shape (C,)
        Logits ``(W φ + b) / T``.
    p : ndarray, shape (C,)
        ``softmax(z)``.
    J : ndarray, shape (C, C)
        ``diag(p) − p pᵀ``.
    """

    x: np.ndarray
    phi: np.ndarray
    z: np.ndarray
    p: np.ndarray
    J: np.ndarray


@dataclass(frozen=True)
class SampleDetail(PointDetail):
    """A labelled sample: the seeds' derivation with its numbers.

    Attributes
    ----------
    index : int
        Index into the session's data.
    label : int
    is_test : bool
    y : ndarray, shape (C,)
        Target distribution (one-hot, or smoothed when label smoothing is on).
    loss : float
        ``L = −Σ y log p``.
    dL_dp : ndarray, shape (C,)
        ``−y / p`` (seed 2, result 3).
    jt_dl_dp : ndarray, shape (C,)
        ``Jᵀ(−y/p)``, the chain rule written out.
    dz : ndarray, shape (C,)
        ``p·Σy − y`` = ``p − y``.
    dW : ndarray, shape (C, D)
        This sample's contribution ``dz φᵀ`` (no L2 term).
    db : ndarray, shape (C,)
        ``dz``.
    underflow : bool
        True when a target class's ``p`` underflowed to 0 in float64 (a logit gap beyond
        ~745) or is so small that ``−y/p`` overflows (a gap beyond ~709): then ``−y/p`` is
        shown as ``−1.8e308`` (for −∞) and ``jt_dl_dp`` is the exact limit ``p·Σy − y``
        instead of the literal product, which would be ±inf or NaN.
    """

    index: int
    label: int
    is_test: bool
    y: np.ndarray
    loss: float
    dL_dp: np.ndarray
    jt_dl_dp: np.ndarray
    dz: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    underflow: bool = False


def _readonly(**arrays):
    for a in arrays.values():
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return arrays


def point_detail(W64, b64, feature_map, xy, temperature: float = 1.0) -> PointDetail:
    """Details of the point ``xy (2,)`` under ``W64 (C, D)``, ``b64 (C,)`` (float64)."""
    x = np.array(xy, dtype=np.float64).reshape(2)
    phi = feature_map.transform(x[:, None], dtype=np.float64)[:, 0]
    z = logits(W64, b64, phi) / temperature
    p = softmax(z)
    return PointDetail(**_readonly(x=x, phi=phi, z=z, p=p, J=softmax_jacobian(p)))


def sample_detail(
    W64,
    b64,
    feature_map,
    xy,
    label: int,
    *,
    index: int,
    is_test: bool,
    label_smoothing: float = 0.0,
    temperature: float = 1.0,
) -> SampleDetail:
    """Details of one labelled sample (see :class:`SampleDetail`)."""
    base = point_detail(W64, b64, feature_map, xy, temperature)
    C = base.p.shape[0]
    labels = np.array([label])
    if label_smoothing > 0:
        y = smooth_labels(labels, C, label_smoothing)[:, 0]
    else:
        y = one_hot(labels, C)[:, 0]
    dz = grad_wrt_logits(base.p, y)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        dL_dp = grad_wrt_probs(base.p, y)
        jt_dl_dp = base.J.T @ dL_dp
    # p of a target class is 0, or so small (subnormal) that −y/p overflows: show the
    # clipped −y/p and the exact limit of the product instead of ±inf or NaN.
    underflow = not (np.all(np.isfinite(dL_dp)) and np.all(np.isfinite(jt_dl_dp)))
    if underflow:
        dL_dp = np.nan_to_num(dL_dp)
        jt_dl_dp = dz.copy()
    arrays = _readonly(
        y=y, dL_dp=dL_dp, jt_dl_dp=jt_dl_dp, dz=dz, dW=np.outer(dz, base.phi), db=dz.copy()
    )
    return SampleDetail(
        x=base.x,
        phi=base.phi,
        z=base.z,
        p=base.p,
        J=base.J,
        index=int(index),
        label=int(label),
        is_test=bool(is_test),
        loss=cross_entropy(base.z, y),
        underflow=underflow,
        **arrays,
    )
