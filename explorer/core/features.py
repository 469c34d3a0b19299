"""Feature maps ``φ: R² -> R^D`` applied before the linear layer.

With a feature map a linear softmax classifier draws curved decision boundaries in the
plane. The same fitted map is applied to the data and to the decision-image grid.

- ``identity``: ``φ(x) = x`` (``D = 2``), no standardisation, so the CS231n demo
  weights apply to the raw points.
- ``poly``: standardise each coordinate with the mean and std of the fitting data
  (a std of 0 counts as 1), then all monomials ``u^i v^j`` with ``1 <= i + j <= degree``,
  ordered by total degree and then by falling power of ``x1``; no constant term (the
  bias plays that part). ``D = degree (degree + 3) / 2``.
- ``rff``: random Fourier features approximating the RBF kernel
  ``exp(-γ ‖u - u'‖²)`` of the standardised points: ``sqrt(2/D) cos(Ω u + φ)`` with
  ``Ω ~ N(0, 2γ)`` of shape ``(D, 2)`` and ``φ ~ U(0, 2π)``, drawn from
  ``np.random.default_rng(seed)``.

Every feature is computed element by element (no matrix product, whose blocking could
change the last bit), so a point gets exactly the same features alone or inside a grid.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

FEATURE_KINDS = ("identity", "poly", "rff")
MAX_DEGREE = 6
MAX_RFF_DIM = 10_000

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def poly_dim(degree: int) -> int:
    """Number of monomials ``x1^i x2^j`` with ``1 <= i + j <= degree``."""
    return degree * (degree + 3) // 2


def _poly_exponents(degree: int) -> list[tuple[int, int]]:
    return [(t - j, j) for t in range(1, degree + 1) for j in range(t + 1)]


def _factor(var: str, power: int) -> str:
    if power == 0:
        return ""
    return var if power == 1 else var + str(power).translate(_SUPERSCRIPTS)


def _monomial_name(i: int, j: int) -> str:
    a, b = _factor("x1", i), _factor("x2", j)
    if a and b:
        # a dot keeps "x1·x2" from reading as one symbol; after a superscript it is clear
        return f"{a}·{b}" if i == 1 else a + b
    return a or b


class FeatureMap:
    """A fitted feature map; build it with :func:`make_feature_map` or :meth:`from_state`.

    Attributes
    ----------
    kind : str
        One of :data:`FEATURE_KINDS`.
    dim : int
        Number of features ``D``.
    names : tuple of str, length D
        Readable feature names, e.g. ``"x1"``, ``"x1·x2"``, ``"x1³x2²"``, ``"rff1"``.
    mean, scale : ndarray, shape (2,), float64
        Standardisation ``u = (x - mean) / scale`` (0 and 1 for identity).
    """

    def __init__(
        self,
        kind: str,
        *,
        mean: np.ndarray,
        scale: np.ndarray,
        degree: int = 3,
        rff_dim: int = 100,
        rff_gamma: float = 1.0,
        seed: int = 0,
        omega: np.ndarray | None = None,
        phase: np.ndarray | None = None,
    ):
        self.kind = kind
        self.degree = degree
        self.rff_dim = rff_dim
        self.rff_gamma = rff_gamma
        self.seed = seed
        self.mean = _frozen(mean)
        self.scale = _frozen(scale)
        self.omega = _frozen(np.zeros((0, 2)) if omega is None else omega)
        self.phase = _frozen(np.zeros(0) if phase is None else phase)
        if kind == "identity":
            self.names = ("x1", "x2")
        elif kind == "poly":
            self.names = tuple(_monomial_name(i, j) for i, j in _poly_exponents(degree))
        else:
            self.names = tuple(f"rff{k + 1}" for k in range(rff_dim))

    @property
    def dim(self) -> int:
        """Number of features ``D``."""
        return len(self.names)

    def __repr__(self) -> str:
        return f"FeatureMap(kind={self.kind!r}, dim={self.dim})"

    def transform(self, X: np.ndarray, dtype=np.float32) -> np.ndarray:
        """Map points to features.

        Parameters
        ----------
        X : ndarray, shape (2, M)
            Points, one per column.
        dtype : float32 or float64
            dtype of the result (standardisation is done in float64 first).

        Returns
        -------
        ndarray, shape (D, M), C-contiguous, of ``dtype``
        """
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] != 2:
            raise ValueError(f"points must have shape (2, M), got {X.shape}")
        if self.kind == "identity":
            return np.array(X, dtype=dtype, order="C")
        U = ((X - self.mean[:, None]) / self.scale[:, None]).astype(dtype)
        if self.kind == "poly":
            return self._poly(U)
        return self._rff(U)

    def _poly(self, U: np.ndarray) -> np.ndarray:
        out = np.empty((self.dim, U.shape[1]), dtype=U.dtype)
        row = {}  # (i, j) -> row index of u^i v^j in out
        for k, (i, j) in enumerate(_poly_exponents(self.degree)):
            row[i, j] = k
            if i + j == 1:
                out[k] = U[0] if i else U[1]
            elif i > 0:  # u^i v^j = u^(i-1) v^j * u: one multiply per feature
                np.multiply(out[row[i - 1, j]], U[0], out=out[k])
            else:
                np.multiply(out[row[0, j - 1]], U[1], out=out[k])
        return out

    def _rff(self, U: np.ndarray) -> np.ndarray:
        dtype = U.dtype
        omega = self.omega.astype(dtype)
        out = np.multiply(omega[:, :1], U[0][None, :])
        out += omega[:, 1:] * U[1][None, :]
        out += self.phase.astype(dtype)[:, None]
        np.cos(out, out=out)
        out *= dtype.type(math.sqrt(2.0 / self.dim))
        return out

    def state(self) -> dict:
        """Everything needed to rebuild this map exactly, as plain arrays and scalars.

        Returns
        -------
        dict
            ``kind`` (str), ``degree``, ``rff_dim``, ``seed`` (int), ``rff_gamma``
            (float), ``mean``, ``scale`` ``(2,)``, ``omega`` ``(D, 2)`` or ``(0, 2)`` and
            ``phase`` ``(D,)`` or ``(0,)`` float64 arrays (copies). Safe to store in an
            ``.npz`` without pickle.
        """
        return {
            "kind": self.kind,
            "degree": int(self.degree),
            "rff_dim": int(self.rff_dim),
            "rff_gamma": float(self.rff_gamma),
            "seed": int(self.seed),
            "mean": self.mean.copy(),
            "scale": self.scale.copy(),
            "omega": self.omega.copy(),
            "phase": self.phase.copy(),
        }

    @classmethod
    def from_state(cls, state: dict) -> FeatureMap:
        """Rebuild a map from :meth:`state` (values may be 0-d arrays, as from ``np.load``).

        Raises
        ------
        ValueError
            A missing key or a value of the wrong kind or shape.
        """
        try:
            kind = str(np.asarray(state["kind"]))
            degree = int(np.asarray(state["degree"]))
            rff_dim = int(np.asarray(state["rff_dim"]))
            rff_gamma = float(np.asarray(state["rff_gamma"]))
            seed = int(np.asarray(state["seed"]))
            arrays = {
                k: np.array(state[k], dtype=np.float64) for k in ("mean", "scale", "omega", "phase")
            }
        except KeyError as exc:
            raise ValueError(f"feature map state lacks {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad feature map state: {exc}") from None
        _check_args(kind, degree, rff_dim, rff_gamma, seed)
        D = rff_dim if kind == "rff" else 0
        shapes = {"mean": (2,), "scale": (2,), "omega": (D, 2), "phase": (D,)}
        for key, shape in shapes.items():
            if arrays[key].shape != shape or not np.isfinite(arrays[key]).all():
                raise ValueError(f"feature map state: {key} must be finite of shape {shape}")
        if not (arrays["scale"] > 0).all():
            raise ValueError("feature map state: scale must be positive")
        return cls(kind, degree=degree, rff_dim=rff_dim, rff_gamma=rff_gamma, seed=seed, **arrays)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _check_args(kind, degree, rff_dim, rff_gamma, seed) -> None:
    if kind not in FEATURE_KINDS:
        raise ValueError(f"unknown feature map {kind!r}; choose one of {', '.join(FEATURE_KINDS)}")
    if not _is_int(degree) or not 1 <= degree <= MAX_DEGREE:
        raise ValueError(f"degree must be an integer from 1 to {MAX_DEGREE}, got {degree!r}")
    if not _is_int(rff_dim) or not 1 <= rff_dim <= MAX_RFF_DIM:
        raise ValueError(f"rff_dim must be an integer from 1 to {MAX_RFF_DIM}, got {rff_dim!r}")
    if (
        isinstance(rff_gamma, bool)
        or not isinstance(rff_gamma, numbers.Real)
        or not math.isfinite(rff_gamma)
        or rff_gamma <= 0
    ):
        raise ValueError(f"rff_gamma must be a finite number > 0, got {rff_gamma!r}")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")


def make_feature_map(
    kind: str,
    X_fit: np.ndarray,
    degree: int = 3,
    rff_dim: int = 100,
    rff_gamma: float = 1.0,
    seed: int = 0,
) -> FeatureMap:
    """Fit a feature map to the points ``X_fit`` (their mean and std, once).

    Parameters
    ----------
    kind : str
        One of :data:`FEATURE_KINDS`.
    X_fit : ndarray, shape (2, N)
        Finite points (``N >= 1``) that fix the standardisation; unused by identity.
    degree : int
        Polynomial degree 1..6 (poly only).
    rff_dim : int
        Number of random Fourier features ``D`` (rff only).
    rff_gamma : float
        RBF kernel width ``γ > 0`` in standardised units (rff only).
    seed : int
        Seed of the random projection (rff only); the same seed gives the same map.

    Returns
    -------
    FeatureMap

    Raises
    ------
    ValueError
        Unknown kind, arguments out of range, or ``X_fit`` of the wrong shape or
        not finite.
    """
    _check_args(kind, degree, rff_dim, rff_gamma, seed)
    X_fit = np.asarray(X_fit, dtype=np.float64)
    if X_fit.ndim != 2 or X_fit.shape[0] != 2 or X_fit.shape[1] < 1:
        raise ValueError(f"X_fit must have shape (2, N) with N >= 1, got {X_fit.shape}")
    if not np.isfinite(X_fit).all():
        raise ValueError("X_fit contains NaN or infinity")
    params = {"degree": degree, "rff_dim": rff_dim, "rff_gamma": float(rff_gamma), "seed": seed}
    if kind == "identity":
        return FeatureMap(kind, mean=np.zeros(2), scale=np.ones(2), **params)
    mean = X_fit.mean(axis=1)
    std = X_fit.std(axis=1)
    scale = np.where(std > 0, std, 1.0)
    if kind == "poly":
        return FeatureMap(kind, mean=mean, scale=scale, **params)
    rng = np.random.default_rng(seed)
    omega = rng.normal(0.0, math.sqrt(2.0 * rff_gamma), (rff_dim, 2))
    phase = rng.uniform(0.0, 2 * np.pi, rff_dim)
    return FeatureMap(kind, mean=mean, scale=scale, omega=omega, phase=phase, **params)
