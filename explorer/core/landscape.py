"""The loss landscape: the batch loss plus its penalty over a grid of a plane.

``L(α, β) = mean_n ℓ(z_n(α, β), y_n) + ½λ₂‖W(α, β)‖² + λ₁ Σ|W(α, β)|`` on the plane
``θ = o + α u + β v`` (:mod:`explorer.core.parameter_planes`), the penalties as
:func:`~explorer.core.loss.loss_and_grads` has them (``b`` is not penalised). The data
term comes from a *surface kernel* chosen by the loss's name (:data:`SURFACE_KERNELS`);
the L2 penalty is a quadratic in ``(α, β)`` and L1 costs ``G²·C·D``.

Float32 for the picture (:func:`compute_surface`), float64 for any number shown
(:func:`loss_at`, through ``loss_and_grads``). A surface is computed in units that can be
spread over frames (:class:`SurfaceJob`) or stopped (``should_stop``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explorer.core.hinge import check_margin
from explorer.core.landscape_hinge import one_vs_all_kernel, weston_watkins_kernel
from explorer.core.landscape_softmax import separable_kernel
from explorer.core.landscape_structured import StructuredKernel
from explorer.core.loss import loss_and_grads, loss_name
from explorer.core.parameter_planes import ParameterPlane
from explorer.core.plane_logits import PlaneLogits, check_axis, plane_logits, run_units

#: Loss name → ``kernel(logits, alphas, betas, margin, dtype)`` of its data term.
SURFACE_KERNELS: dict[str, Callable] = {
    "cross_entropy": lambda L, a, b, m, dt: separable_kernel(L, a, b, "cross_entropy", dt),
    "squared_error": lambda L, a, b, m, dt: separable_kernel(L, a, b, "squared_error", dt),
    "svm_ww": lambda L, a, b, m, dt: weston_watkins_kernel(L, a, b, m),
    "svm_ova": lambda L, a, b, m, dt: one_vs_all_kernel(L, a, b, m),
    "svm_structured": lambda L, a, b, m, dt: StructuredKernel(L, a, b, m),
}
LANDSCAPE_LOSSES = tuple(SURFACE_KERNELS)
#: How often :func:`compute_surface` asks ``should_stop`` (seconds of work between asks).
STOP_CHECK_SECONDS = 0.02


@dataclass(frozen=True)
class Objective:
    """What the landscape shows: a loss on a training set, with its penalties.

    Attributes
    ----------
    features : ndarray of float64, shape (D, N)
        The training features ``F`` (after the feature map).
    labels : ndarray of int, shape (N,)
    loss : str
        One of :data:`LANDSCAPE_LOSSES` (the losses of ``loss_and_grads``), either
        spelling (``"svm-ww"`` is kept as ``"svm_ww"``).
    l2, l1 : float
        Penalty strengths: ``½λ₂‖W‖²`` and ``λ₁ Σ|W|``.
    margin : float
        ``Δ`` of the hinge losses, finite and > 0.
    """

    features: np.ndarray
    labels: np.ndarray
    loss: str = "cross_entropy"
    l2: float = 0.0
    l1: float = 0.0
    margin: float = 1.0

    def __post_init__(self) -> None:
        name = loss_name(self.loss)  # either spelling; ValueError for others
        if name not in SURFACE_KERNELS:  # pragma: no cover - every loss has a kernel
            raise ValueError(f"no landscape for the loss {name!r}")
        object.__setattr__(self, "loss", name)
        object.__setattr__(self, "margin", check_margin(self.margin))
        for label in ("l2", "l1"):
            value = getattr(self, label)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{label} must be a finite number >= 0, got {value!r}")


def penalty_surface(
    plane: ParameterPlane, alphas, betas, l2: float = 0.0, l1: float = 0.0
) -> np.ndarray:
    """``½λ₂‖W‖² + λ₁ Σ|W|`` over the grid, float64 ``(Gβ, Gα)``.

    With ``W = W₀ + α W_u + β W_v`` the L2 term is the quadratic
    ``½λ₂(‖W₀‖² + 2α W₀·W_u + 2β W₀·W_v + α²‖W_u‖² + 2αβ W_u·W_v + β²‖W_v‖²)``.
    """
    alphas, betas = np.asarray(alphas, float), np.asarray(betas, float)
    C, D = plane.shape
    W0, Wu, Wv = (t[: C * D] for t in (plane.origin, plane.u, plane.v))
    out = np.zeros((betas.size, alphas.size))
    if l2:
        A, B = alphas[None, :], betas[:, None]
        out += (0.5 * l2) * (
            W0 @ W0 + 2 * A * (W0 @ Wu) + 2 * B * (W0 @ Wv)
            + A * A * (Wu @ Wu) + 2 * A * B * (Wu @ Wv) + B * B * (Wv @ Wv)
        )  # fmt: skip
    if l1:
        moving = (Wu != 0) | (Wv != 0)
        still = l1 * float(np.abs(W0[~moving]).sum())
        for r, beta in enumerate(betas):  # (Gα, moving entries) per row
            W = W0[moving] + beta * Wv[moving] + alphas[:, None] * Wu[moving]
            out[r] += l1 * np.abs(W).sum(axis=1) + still
    return out


class SurfaceJob:
    """A landscape computed a few units at a time.

    ``advance()`` does the next units (in two threads when that pays) and returns whether
    the surface is finished; :attr:`progress` says how far it is; :meth:`result` gives the
    surface. The view can run one slice per frame, or run it all off the frame path.

    Parameters
    ----------
    objective : Objective
    plane : ParameterPlane
    alphas, betas : array-like, shape (Gα,) and (Gβ,)
        Grid coordinates along ``u`` and ``v``: finite, strictly increasing.
    dtype : float dtype of the per-cell work (float32: the picture; float64 is slower)
    """

    def __init__(
        self, objective: Objective, plane: ParameterPlane, alphas, betas, dtype=np.float32
    ):
        self.objective, self.plane = objective, plane
        self.alphas, self.betas = check_axis(alphas, "alphas"), check_axis(betas, "betas")
        self.logits: PlaneLogits = plane_logits(objective.features, objective.labels, plane)
        self.dtype = _safe_dtype(self.logits, self.alphas, self.betas, dtype)
        make = SURFACE_KERNELS[objective.loss]
        self.kernel = make(self.logits, self.alphas, self.betas, objective.margin, self.dtype)
        self._total = np.zeros((self.betas.size, self.alphas.size))
        self._next = 0
        self._elapsed = 0.0  # seconds spent on the units done
        self._result: np.ndarray | None = None

    @property
    def progress(self) -> float:
        """Fraction of the work done, in ``[0, 1]``."""
        return 1.0 if self._result is not None else self._next / max(1, self.kernel.n_units)

    @property
    def done(self) -> bool:
        return self._result is not None

    def advance(self, units: int | None = None, seconds: float | None = None) -> bool:
        """Compute up to ``units`` more units (all when None), returning early once
        ``seconds`` have passed. Returns :attr:`done`.

        With ``seconds``, units go in batches sized from the time units have taken so far
        (a quarter of ``seconds`` each, at least two: one per thread), so a slice of a
        frame overruns by about one batch at most.
        """
        kernel, end = self.kernel, self.kernel.n_units
        if units is not None:
            end = min(end, self._next + max(1, int(units)))
        started = time.perf_counter()
        while self._next < end:
            batch = end - self._next
            if seconds is not None:
                per_unit = self._elapsed / max(1, self._next)
                batch = min(batch, max(2, int(0.25 * seconds / per_unit) if per_unit else 2))
            stop = self._next + batch
            tick = time.perf_counter()
            for offset, part in enumerate(run_units(kernel, self._next, stop)):
                kernel.add(self._total, self._next + offset, part)
            self._elapsed += time.perf_counter() - tick
            self._next = stop
            if seconds is not None and time.perf_counter() - started >= seconds:
                break
        if self._next >= kernel.n_units and self._result is None:
            data = kernel.finish(self._total)
            ob = self.objective
            self._result = data + penalty_surface(self.plane, self.alphas, self.betas, ob.l2, ob.l1)
        return self.done

    def result(self) -> np.ndarray:
        """The surface ``L[r, c] = L(α_c, β_r)``, float64 ``(Gβ, Gα)`` (rows follow β)."""
        if self._result is None:
            raise RuntimeError("the surface is not finished: call advance() until done")
        return self._result


def _safe_dtype(logits: PlaneLogits, alphas, betas, dtype) -> np.dtype:
    """float64 instead of float32 when a logit on the grid could leave float32's range.

    The logits are linear on the plane, so their largest size on the grid is at a corner,
    at most ``max|z₀| + max|α|·max|z_u| + max|β|·max|z_v|``: six reductions, no
    temporary ``(C, N)`` arrays (a fifth of the job's setup at W3 otherwise).
    """
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return dtype

    def size(a) -> float:
        return max(float(np.max(a)), -float(np.min(a))) if np.size(a) else 0.0

    bound = size(logits.Z0) + size(alphas) * size(logits.Zu) + size(betas) * size(logits.Zv)
    return np.dtype(np.float64) if not bound < 1e15 else dtype


def compute_surface(
    objective: Objective,
    plane: ParameterPlane,
    alphas,
    betas,
    *,
    dtype=np.float32,
    should_stop: Callable[[], bool] | None = None,
) -> np.ndarray | None:
    """The landscape over the grid ``alphas × betas`` (see :class:`SurfaceJob`).

    Returns
    -------
    ndarray of float64, shape (Gβ, Gα), or None
        ``L(α_c, β_r)`` at ``[r, c]``; None when ``should_stop()`` returned true (it is
        asked about every :data:`STOP_CHECK_SECONDS` of work).
    """
    job = SurfaceJob(objective, plane, alphas, betas, dtype)
    while not job.done:
        if should_stop is not None and should_stop():
            return None
        job.advance(seconds=None if should_stop is None else STOP_CHECK_SECONDS)
    return job.result()


def loss_at(objective: Objective, plane: ParameterPlane, alpha: float, beta: float) -> float:
    """The exact batch loss at one point of the plane, in float64 via ``loss_and_grads``."""
    W, b = plane.params_at(float(alpha), float(beta))
    return exact_loss(objective, W, b)


def exact_loss(objective: Objective, W: np.ndarray, b: np.ndarray) -> float:
    """``loss_and_grads(W, b, F, y, l2, loss=…, margin=…, l1=…)[0]`` in float64."""
    F = np.asarray(objective.features, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    y = np.asarray(objective.labels).astype(np.intp)
    ob = objective
    return float(loss_and_grads(W, b, F, y, ob.l2, loss=ob.loss, margin=ob.margin, l1=ob.l1)[0])
