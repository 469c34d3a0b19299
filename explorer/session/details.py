"""The exact numbers behind one sample or one point, in float64 (what the inspector shows).

Every quantity is computed with the core functions, in the notation of docs/maths.md, from float64
copies of ``W`` and ``b`` and float64 features, whatever dtype training uses. With a
display temperature ``T`` the scores are ``z = (W φ + b) / T`` for every loss: the
details are those of the displayed model ``(W/T, b/T)``, so ``dW = dz φᵀ`` and
``db = dz`` are that model's gradients (for a hinge loss, ``T`` moves the scores against
the fixed margin ``Δ``).

The loss is the session's chosen one (``docs/maths.md``): cross-entropy
``∂L/∂p = −y/p`` and ``dz = Jᵀ(−y/p) = p − y``; squared error ``∂L/∂p = p − y`` and
``dz = Jᵀ(p − y)``; a hinge loss has no ``p`` in it: ``dz`` is its subgradient of the
scores directly, with the margins that are active.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core import (
    HINGE_LOSSES,
    active_margins,
    cross_entropy,
    grad_wrt_logits,
    grad_wrt_probs,
    logits,
    one_hot,
    per_sample_grad,
    per_sample_loss,
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
        Logits (scores) ``(W φ + b) / T``.
    p : ndarray, shape (C,)
        ``softmax(z)``.
    J : ndarray, shape (C, C)
        ``diag(p) − p pᵀ``.
    score_gap : float
        The largest score minus the second largest, ``>= 0`` (0 on a tie): the hinge
        losses' shading of the regions is ``min(score_gap, Δ)``.
    """

    x: np.ndarray
    phi: np.ndarray
    z: np.ndarray
    p: np.ndarray
    J: np.ndarray
    score_gap: float


@dataclass(frozen=True)
class SampleDetail(PointDetail):
    """A labelled sample: the chosen loss's derivation with its numbers.

    Attributes
    ----------
    index : int
        Index into the session's data.
    label : int
    is_test : bool
    loss_name : str
        The loss, a name of :data:`explorer.core.LOSSES`.
    margin : float
        ``Δ`` of the hinge losses (kept for every loss).
    y : ndarray, shape (C,)
        Target distribution (one-hot, or smoothed when label smoothing is on).
    loss : float
        The sample's loss ``L``: ``−Σ y log p``, ``½ Σ (p − y)²`` or the hinge loss.
    dL_dp : ndarray, shape (C,), or None
        ``∂L/∂p``: ``−y / p`` (cross-entropy), ``p − y`` (squared
        error); None for a hinge loss (no ``p`` in it).
    jt_dl_dp : ndarray, shape (C,), or None
        ``Jᵀ ∂L/∂p``, the chain rule written out (None for a hinge loss).
    dz : ndarray, shape (C,)
        ``∂L/∂z``: ``p·Σy − y`` = ``p − y`` (cross-entropy), ``p ⊙ (g − pᵀg)`` with
        ``g = p − y`` (squared error, equal to ``jt_dl_dp``), the subgradient (hinge).
    p_minus_y : ndarray, shape (C,)
        ``p − y``, cross-entropy's ``∂L/∂z`` whatever the loss: what to compare with.
    active : ndarray of bool, shape (C,), or None
        A hinge loss's active margins (:func:`explorer.core.active_margins`); None
        otherwise.
    hinge_terms : ndarray, shape (C,), or None
        A hinge loss's margin term of each class before ``max(0, ·)``: Weston–Watkins
        ``z_j − z_y + Δ`` (none at ``y``), one-vs-all ``Δ − s_j z_j``, structured
        ``z_j* − z_y + Δ`` at the runner-up ``j*`` (none elsewhere); 0 where a class has
        no term. None for the losses of ``p``.
    hinge_has_term : ndarray of bool, shape (C,), or None
        Which classes have a margin term (``active`` is where it is positive).
    dW : ndarray, shape (C, D)
        This sample's contribution ``dz φᵀ`` (no penalty).
    db : ndarray, shape (C,)
        ``dz``.
    underflow : bool
        Cross-entropy only: True when a target class's ``p`` underflowed to 0 in
        float64 (a logit gap beyond ~745) or is so small that ``−y/p`` overflows (a gap
        beyond ~709): then ``−y/p`` is shown as ``−1.8e308`` (for −∞) and ``jt_dl_dp``
        is the exact limit ``p·Σy − y`` instead of the literal product, which would be
        ±inf or NaN.
    """

    index: int
    label: int
    is_test: bool
    loss_name: str
    margin: float
    y: np.ndarray
    loss: float
    dL_dp: np.ndarray | None
    jt_dl_dp: np.ndarray | None
    dz: np.ndarray
    p_minus_y: np.ndarray
    active: np.ndarray | None
    hinge_terms: np.ndarray | None
    hinge_has_term: np.ndarray | None
    dW: np.ndarray
    db: np.ndarray
    underflow: bool = False


def _readonly(**arrays):
    for a in arrays.values():
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return arrays


def _score_gap(z: np.ndarray) -> float:
    top_two = np.sort(z)[-2:]
    return float(top_two[1] - top_two[0])


def point_detail(W64, b64, feature_map, xy, temperature: float = 1.0) -> PointDetail:
    """Details of the point ``xy (2,)`` under ``W64 (C, D)``, ``b64 (C,)`` (float64)."""
    x = np.array(xy, dtype=np.float64).reshape(2)
    phi = feature_map.transform(x[:, None], dtype=np.float64)[:, 0]
    z = logits(W64, b64, phi) / temperature
    p = softmax(z)
    arrays = _readonly(x=x, phi=phi, z=z, p=p, J=softmax_jacobian(p))
    return PointDetail(**arrays, score_gap=_score_gap(z))


def hinge_terms(z: np.ndarray, label: int, loss: str, margin: float):
    """Each class's margin term of a hinge loss before ``max(0, ·)``, float64 ``(C,)``
    with 0 where a class has none, and which classes have one, bool ``(C,)`` (see
    :attr:`SampleDetail.hinge_terms`)."""
    z = np.asarray(z, dtype=np.float64)
    has = np.ones(z.size, dtype=bool)
    if loss == "svm_ova":
        signs = -np.ones_like(z)
        signs[label] = 1.0
        return margin - signs * z, has
    terms = z - z[label] + margin
    has[label] = False
    if loss == "svm_structured":
        others = np.where(np.arange(z.size) == label, -np.inf, z)
        has[:] = False
        has[int(np.argmax(others))] = True  # the runner-up, the lowest class on a tie
    terms[~has] = 0.0
    return terms, has


def sample_detail(
    W64,
    b64,
    feature_map,
    xy,
    label: int,
    *,
    index: int,
    is_test: bool,
    loss: str = "cross_entropy",
    margin: float = 1.0,
    label_smoothing: float = 0.0,
    temperature: float = 1.0,
) -> SampleDetail:
    """Details of one labelled sample under ``loss`` (see :class:`SampleDetail`)."""
    base = point_detail(W64, b64, feature_map, xy, temperature)
    C = base.p.shape[0]
    labels = np.array([label])
    if label_smoothing > 0:
        y = smooth_labels(labels, C, label_smoothing)[:, 0]
    else:
        y = one_hot(labels, C)[:, 0]
    p_minus_y = grad_wrt_logits(base.p, y)
    underflow, active, terms, has_term = False, None, None, None
    if loss == "cross_entropy":
        dz = p_minus_y.copy()
        value = cross_entropy(base.z, y)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            dL_dp = grad_wrt_probs(base.p, y)
            jt_dl_dp = base.J.T @ dL_dp
        # p of a target class is 0, or so small (subnormal) that −y/p overflows: show the
        # clipped −y/p and the exact limit of the product instead of ±inf or NaN.
        underflow = not (np.all(np.isfinite(dL_dp)) and np.all(np.isfinite(jt_dl_dp)))
        if underflow:
            dL_dp = np.nan_to_num(dL_dp)
            jt_dl_dp = dz.copy()
    elif loss == "squared_error":
        dL_dp = base.p - y
        jt_dl_dp = base.J.T @ dL_dp
        dz = per_sample_grad(base.z, y, loss)
        value = float(per_sample_loss(base.z, y, loss))
    elif loss in HINGE_LOSSES:
        dL_dp = jt_dl_dp = None
        dz = per_sample_grad(base.z, int(label), loss, margin=margin)
        value = float(per_sample_loss(base.z, int(label), loss, margin=margin))
        active = active_margins(base.z, int(label), loss, margin=margin)
        terms, has_term = hinge_terms(base.z, int(label), loss, margin)
    else:
        raise ValueError(f"unknown loss {loss!r}")
    arrays = _readonly(
        y=y,
        dL_dp=dL_dp,
        jt_dl_dp=jt_dl_dp,
        dz=dz,
        p_minus_y=p_minus_y,
        active=active,
        hinge_terms=terms,
        hinge_has_term=has_term,
        dW=np.outer(dz, base.phi),
        db=dz.copy(),
    )
    return SampleDetail(
        x=base.x,
        phi=base.phi,
        z=base.z,
        p=base.p,
        J=base.J,
        score_gap=base.score_gap,
        index=int(index),
        label=int(label),
        is_test=bool(is_test),
        loss_name=loss,
        margin=float(margin),
        loss=value,
        underflow=underflow,
        **arrays,
    )


@dataclass(frozen=True)
class SampleTable:
    """Every training point's numbers under the chosen loss, float64 (the per-sample
    table), at the display temperature like :class:`SampleDetail`.

    Attributes
    ----------
    index : ndarray of int64, shape (Nt,)
        Data indices of the columns (the session's ``train_index``).
    X : ndarray, shape (2, Nt)
        The points.
    Z : ndarray, shape (C, Nt)
        Scores ``(W φ + b) / T``.
    P : ndarray, shape (C, Nt)
        ``softmax(Z)``.
    loss : ndarray, shape (Nt,)
        Each point's loss on its training target (label smoothing included).
    dz : ndarray, shape (C, Nt)
        Each point's ``∂L/∂z``, as :attr:`SampleDetail.dz`.
    """

    index: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    P: np.ndarray
    loss: np.ndarray
    dz: np.ndarray


def sample_table(
    W64,
    b64,
    F64,
    X,
    y,
    *,
    index,
    loss: str = "cross_entropy",
    margin: float = 1.0,
    label_smoothing: float = 0.0,
    temperature: float = 1.0,
) -> SampleTable:
    """The :class:`SampleTable` of the points ``X (2, N)`` with features ``F64 (D, N)``
    and labels ``y (N,)`` under ``W64 (C, D)``, ``b64 (C,)``; read-only arrays."""
    Z = logits(W64, b64, np.asarray(F64, dtype=np.float64))
    Z /= temperature
    Y = smooth_labels(y, Z.shape[0], label_smoothing) if label_smoothing > 0 else y
    P = softmax(Z)
    if loss == "cross_entropy":
        dz = grad_wrt_logits(P, Y)
    else:
        dz = per_sample_grad(Z, Y, loss, margin=margin)
    losses = per_sample_loss(Z, Y, loss, margin=margin)
    arrays = _readonly(
        index=np.array(index, dtype=np.int64),
        X=np.array(X, dtype=np.float64),
        Z=Z,
        P=P,
        loss=losses,
        dz=dz,
    )
    return SampleTable(**arrays)
