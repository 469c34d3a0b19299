"""Planes through parameter space, ``θ = o + α u + β v``, and a training path on them.

``θ`` is flattened as :mod:`explorer.core.parameters` says (``W`` row by row, then ``b``).
A :class:`ParameterPlane` holds an origin ``o``, two directions ``u`` and ``v`` (``P`` entries each)
and a label per axis. The kinds (``docs/landscape.md``):

* **coordinates** (:func:`coordinate_plane`): two entries of ``θ`` by name, every other
  entry held at ``θ₀``. The axes are the entries' own values (``o`` is ``θ₀`` with those two
  entries set to zero), so a path's points are its own entries, bit for bit.
* **pca** (:func:`pca_plane`): the first two right-singular vectors of the stacked
  ``θ_t − θ_now``, the plane holding most of the path, with the share of its variance.
* **gradient** (:func:`gradient_plane`): the descent direction ``−∇L`` at ``θ₀`` and the
  last update, made orthonormal.
* **directions** (:func:`plane_from_axes`): any two axes, e.g. a coordinate and a flat
  direction of the softmax (:func:`flat_direction`).

A degenerate choice (a path of one point, an update parallel to the gradient) still gives
a usable plane: the missing axis is replaced by a unit vector orthogonal to the other, and
:attr:`ParameterPlane.note` says so in one line for the view to show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from explorer.core.parameters import n_parameters, parameter_index, parameter_name

#: Kinds of plane, as :attr:`ParameterPlane.kind` names them.
PLANE_KINDS = ("coordinates", "pca", "gradient", "directions")


@dataclass(frozen=True)
class Axis:
    """One axis of a plane: a direction in ``θ``-space and its label.

    Attributes
    ----------
    vector : ndarray of float64, shape (P,)
    label : str
        For the axis title, e.g. ``"W[1,0]"`` or ``"PC1"``.
    index : int or None
        The entry of ``θ`` the axis is, for a coordinate axis (``vector`` is then the unit
        vector ``e_index``); None for any other direction.
    """

    vector: np.ndarray
    label: str
    index: int | None = None


class PathOnPlane(NamedTuple):
    """A path's points in plane coordinates (one per step).

    alphas, betas : ndarray of float64, shape (T,)
        The least-squares coordinates ``(α_t, β_t)`` of ``θ_t − o`` on ``(u, v)``; for a
        coordinate axis, the entry ``θ_t[index]`` itself.
    distances : ndarray of float64, shape (T,)
        ``‖θ_t − (o + α_t u + β_t v)‖``: how far each point lies off the plane.
    """

    alphas: np.ndarray
    betas: np.ndarray
    distances: np.ndarray


@dataclass(frozen=True)
class ParameterPlane:
    """The plane ``θ(α, β) = origin + α u + β v`` through parameter space.

    Attributes
    ----------
    kind : str
        One of :data:`PLANE_KINDS`.
    shape : (int, int)
        ``(C, D)``, the shape of ``W``.
    origin, u, v : ndarray of float64, shape (P,)
    u_label, v_label : str
        Axis titles.
    u_index, v_index : int or None
        The entry of ``θ`` each axis is, for coordinate axes.
    note : str
        One line about the plane for the view ("" when there is nothing to say): the
        variance it holds, or why an axis was replaced.
    variance_share : float or None
        For a PCA plane, ``(σ₁² + σ₂²) / Σσ²`` (1 for a path that has not moved).
    """

    kind: str
    shape: tuple[int, int]
    origin: np.ndarray
    u: np.ndarray
    v: np.ndarray
    u_label: str
    v_label: str
    u_index: int | None = None
    v_index: int | None = None
    note: str = ""
    variance_share: float | None = None

    def theta_at(self, alpha: float, beta: float) -> np.ndarray:
        """``θ = origin + α u + β v``, shape (P,), float64 (exact on coordinate axes)."""
        return self.origin + alpha * self.u + beta * self.v

    def params_at(self, alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
        """``(W, b)`` at plane coordinates ``(α, β)``: float64 ``(C, D)`` and ``(C,)``."""
        C, D = self.shape
        theta = self.theta_at(alpha, beta)
        return theta[: C * D].reshape(C, D), theta[C * D :]

    @property
    def orthonormal(self) -> bool:
        """Whether ``u`` and ``v`` are orthonormal (to rounding)."""
        gram = self._gram()
        return bool(np.allclose(gram, np.eye(2), rtol=0.0, atol=1e-12))

    def _gram(self) -> np.ndarray:
        basis = np.stack([self.u, self.v])
        return basis @ basis.T

    def project(self, thetas: np.ndarray) -> PathOnPlane:
        """The path ``θ_t`` (one per row) in plane coordinates, and its distance off it.

        Parameters
        ----------
        thetas : ndarray, shape (T, P) (or (P,) for one point)

        Returns
        -------
        PathOnPlane
            Least squares on ``(u, v)`` for the directions (the orthogonal projection);
            a coordinate axis reads its entry exactly.
        """
        thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
        if thetas.ndim != 2 or thetas.shape[1] != self.origin.size:
            raise ValueError(f"thetas must be (T, {self.origin.size}), got {thetas.shape}")
        offsets = thetas - self.origin
        if self.u_index is not None and self.v_index is not None:
            # A coordinate plane reads its two entries: no solve (a step's marker and new
            # path rows cost half as much, ~0.15 ms a step of the view at W3).
            alphas, betas = thetas[:, self.u_index].copy(), thetas[:, self.v_index].copy()
        else:
            basis = np.stack([self.u, self.v])
            coefficients = np.linalg.solve(self._gram(), basis @ offsets.T)  # (2, T)
            alphas, betas = coefficients[0], coefficients[1]
        residual = offsets - np.outer(alphas, self.u) - np.outer(betas, self.v)
        return PathOnPlane(alphas, betas, np.linalg.norm(residual, axis=1))


def _theta(theta0, shape) -> np.ndarray:
    theta0 = np.asarray(theta0, dtype=np.float64)
    if theta0.shape != (n_parameters(shape),):
        raise ValueError(f"θ₀ must have {n_parameters(shape)} entries, got {theta0.shape}")
    if not np.all(np.isfinite(theta0)):
        raise ValueError("θ₀ holds values that are not finite")
    return theta0


def coordinate_axis(name: str, shape) -> Axis:
    """The axis of entry ``name`` (``"W[c,d]"`` or ``"b[c]"``) of ``θ``."""
    index = parameter_index(name, shape)
    vector = np.zeros(n_parameters(shape))
    vector[index] = 1.0
    return Axis(vector, parameter_name(index, shape), index)


def flat_direction(shape, which) -> Axis:
    """A flat direction of the softmax: the same amount added to every class.

    Adding one vector to every row of ``W`` (or one number to every ``b_c``) adds the same
    number to every logit of a sample, which changes no ``p`` (``docs/landscape.md``): the loss
    of cross-entropy and squared error is constant along it, and so are Weston–Watkins and
    structured SVM (they read only ``z_j − z_y``); one-vs-all is not (it reads each ``z_j``).

    Parameters
    ----------
    shape : (C, D)
    which : int or "b"
        ``d`` for the column ``W[:, d]`` (the same to every ``W[c,d]``), ``"b"`` for the bias.

    Returns
    -------
    Axis
        Unit vector: ``1/√C`` at each entry of that column (or of ``b``), zero elsewhere.
    """
    C, D = (int(s) for s in shape)
    vector = np.zeros(n_parameters(shape))
    if isinstance(which, str) and which == "b":
        vector[C * D :] = 1.0 / np.sqrt(C)
        return Axis(vector, "flat: same to every b[c]")
    if isinstance(which, bool) or not isinstance(which, int | np.integer) or not 0 <= which < D:
        raise ValueError(f"a flat direction is a feature index in 0..{D - 1} or 'b', got {which!r}")
    vector[int(which) : C * D : D] = 1.0 / np.sqrt(C)
    return Axis(vector, f"flat: same to every W[c,{int(which)}]")


def _orthogonal_unit(u: np.ndarray) -> tuple[np.ndarray, int]:
    """A unit vector orthogonal to unit ``u``: the basis vector least along ``u``, made
    orthogonal (Gram–Schmidt). Returns it and that basis vector's index."""
    k = int(np.argmin(np.abs(u)))
    e = np.zeros_like(u)
    e[k] = 1.0
    e -= u[k] * u
    return e / np.linalg.norm(e), k


def plane_from_axes(theta0, shape, first: Axis, second: Axis, kind="directions", note=""):
    """The plane through ``θ₀`` spanned by two axes.

    A coordinate axis reads its entry's own value: the origin is ``θ₀`` with that entry set
    to zero, so ``θ₀`` itself lies at ``α = θ₀[index]`` (and at 0 on a direction axis).

    Raises
    ------
    ValueError
        When the two axes are parallel or one is zero.
    """
    theta0 = _theta(theta0, shape)
    u = np.asarray(first.vector, dtype=np.float64)
    v = np.asarray(second.vector, dtype=np.float64)
    basis = np.stack([u, v])
    gram = basis @ basis.T
    if np.linalg.det(gram) <= 1e-12 * max(gram[0, 0] * gram[1, 1], 1e-300):
        raise ValueError(f"the axes {first.label} and {second.label} do not span a plane")
    origin = theta0.copy()
    for axis in (first, second):
        if axis.index is not None:
            origin[axis.index] = 0.0
    return ParameterPlane(
        kind, tuple(int(s) for s in shape), origin, u, v, first.label, second.label,
        first.index, second.index, note,
    )  # fmt: skip


def coordinate_plane(theta0, shape, first: str, second: str) -> ParameterPlane:
    """The plane of two entries of ``θ`` by name (e.g. ``"W[1,0]"``, ``"b[2]"``), the others
    held at ``θ₀``: the surface there is exact, and so is the path drawn on it."""
    a, b = coordinate_axis(first, shape), coordinate_axis(second, shape)
    if a.index == b.index:
        raise ValueError(f"a coordinate plane needs two different entries, got {a.label} twice")
    return plane_from_axes(theta0, shape, a, b, kind="coordinates")


def pca_plane(thetas, shape, origin_index: int = -1) -> ParameterPlane:
    """The plane of the path's two principal directions, through ``θ_now``.

    The rows of ``M = θ_t − θ_now`` (``θ_now = thetas[origin_index]``) are decomposed as
    ``M = U Σ Vᵀ``; ``u, v`` are the first two right-singular vectors, signed so that the
    path runs from its first point towards ``+α`` and ``+β``.

    Parameters
    ----------
    thetas : ndarray, shape (T, P)
        The history's parameters, one row per step (:func:`~explorer.core.parameters.stack_params`).
    shape : (C, D)
    origin_index : int
        Which row is ``θ_now`` (the shown step).

    Returns
    -------
    ParameterPlane
        ``variance_share = (σ₁² + σ₂²) / Σσ²``, 1 when the path has not moved. A path
        of rank 0 or 1 gets stand-in axes (orthogonal unit vectors) and a note.
    """
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    if thetas.ndim != 2 or thetas.shape[1] != n_parameters(shape) or thetas.shape[0] == 0:
        raise ValueError(f"thetas must be (T, {n_parameters(shape)}) with T >= 1")
    now = _theta(thetas[origin_index], shape)
    M = thetas - now
    if not np.all(np.isfinite(M)):
        raise ValueError("the path holds parameters that are not finite")
    _, sigma, Vt = np.linalg.svd(M, full_matrices=False)
    total = float(np.sum(sigma**2))
    tol = max(M.shape) * np.finfo(np.float64).eps * (sigma[0] if sigma.size else 0.0)
    rank = int(np.sum(sigma > tol)) if total > 0 else 0
    P = M.shape[1]
    if rank == 0:
        u = np.zeros(P)
        u[0] = 1.0
        v, _ = _orthogonal_unit(u)
        labels = (f"{parameter_name(0, shape)} (path has not moved)", "⊥ first axis")
        note = "The path has not moved yet: no principal directions; showing two stand-in axes."
        share = 1.0
    else:
        u = Vt[0].copy()
        if rank >= 2:
            v = Vt[1].copy()
            labels = ("PC1", "PC2")
        else:
            v, _ = _orthogonal_unit(u)
            labels = ("PC1", "⊥ PC1 (path is a line)")
        travel = M[-1] - M[0]  # orient both axes along the path's way
        for w in (u, v):
            along = travel @ w
            if along < 0 or (along == 0 and w[np.argmax(np.abs(w))] < 0):
                w *= -1.0
        share = float(np.sum(sigma[:2] ** 2) / total)
        note = f"This plane holds {percent_text(share)} % of the path's variance."
        if rank == 1:
            note += " The path is a straight line: the second axis is a stand-in."
    plane = ParameterPlane(
        "pca", tuple(int(s) for s in shape), now.copy(), u, v, *labels, note=note
    )
    return replace(plane, variance_share=share)


def percent_text(share: float) -> str:
    """``share`` in per cent to one decimal, or to as many as it takes not to read 100.0
    when it is not 1 (``99.97``: a path 0.03 % off its PCA plane is not on it)."""
    for digits in range(1, 17):
        text = f"{100 * share:.{digits}f}"
        if share >= 1 or float(text) < 100:
            return text
    return text


def gradient_plane(
    theta0, shape, gradient, last_update=None, *, parallel_tol: float = 1e-6
) -> ParameterPlane:
    """The plane of the descent direction ``−∇L`` at ``θ₀`` and the last update.

    ``u = −g/‖g‖``; ``v`` is the last update ``Δθ = θ_t − θ_{t−1}`` with its part along
    ``u`` removed, normalised. When ``g`` is zero, ``u`` is the update; when the update is
    missing, zero or parallel to ``g`` (its orthogonal part below ``parallel_tol·‖Δθ‖``,
    as for plain gradient descent), ``v`` is a stand-in orthogonal unit vector. The note
    says which.

    Parameters
    ----------
    theta0, gradient : ndarray, shape (P,)
    last_update : ndarray, shape (P,), optional
    shape : (C, D)
    """
    theta0 = _theta(theta0, shape)
    g = np.asarray(gradient, dtype=np.float64).reshape(theta0.shape)
    d = np.zeros_like(g) if last_update is None else np.asarray(last_update, dtype=np.float64)
    d = d.reshape(theta0.shape)
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(d))):
        raise ValueError("the gradient or the last update holds values that are not finite")
    notes = []
    g_norm, d_norm = float(np.linalg.norm(g)), float(np.linalg.norm(d))
    if g_norm > 0:
        u, u_label = -g / g_norm, "−gradient"
    elif d_norm > 0:
        u, u_label = d / d_norm, "last update"
        notes.append("The gradient is zero here: the first axis is the last update.")
        d = np.zeros_like(d)
    else:
        u = np.zeros_like(g)
        u[0] = 1.0
        u_label = f"{parameter_name(0, shape)} (gradient and update are zero)"
        notes.append("The gradient and the last update are both zero: stand-in axes.")
    across = d - (d @ u) * u
    if d_norm > 0 and np.linalg.norm(across) > parallel_tol * d_norm:
        v, v_label = across / np.linalg.norm(across), f"last update (⊥ {u_label})"
    else:
        v, k = _orthogonal_unit(u)
        v_label = f"⊥ {u_label} (from {parameter_name(k, shape)})"
        if d_norm > 0 and g_norm > 0:
            notes.append("The last update is parallel to the gradient: a stand-in second axis.")
        elif g_norm > 0:
            notes.append("There is no last update yet: the second axis is a stand-in.")
    plane = plane_from_axes(theta0, shape, Axis(u, u_label), Axis(v, v_label), kind="gradient")
    return replace(plane, note=" ".join(notes))


def fit_path_ranges(
    alphas, betas, *, margin: float = 0.15, min_half_width: float = 0.5
) -> tuple[float, float, float, float]:
    """Axis ranges holding every path point, widened by ``margin`` of the span each side.

    Parameters
    ----------
    alphas, betas : array-like, shape (T,)
        Plane coordinates (non-finite points are ignored).
    margin : float
        Fraction of each axis's span added at both ends.
    min_half_width : float
        Smallest half-width of a range (for a path that has not moved along an axis).

    Returns
    -------
    (alpha_min, alpha_max, beta_min, beta_max) : floats with ``min < max``
    """
    out = []
    for values in (alphas, betas):
        values = np.asarray(values, dtype=np.float64).ravel()
        values = values[np.isfinite(values)]
        lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
        centre, half = 0.5 * (lo + hi), 0.5 * (hi - lo) * (1.0 + 2.0 * margin)
        half = max(half, min_half_width, 1e-9 * abs(centre))
        out += [centre - half, centre + half]
    return tuple(out)
