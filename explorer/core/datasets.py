"""Built-in 2-D toy data sets, each drawn from an injected ``np.random.Generator``.

Every generator returns ``X`` of shape ``(2, N)`` (one column per point, float64) and
integer labels ``y`` of shape ``(N,)`` (int64, values ``0..C-1``). Class sizes differ by
at most one, every class has at least one point, and the points are shuffled, so any
prefix of the data is a fair mix of classes. The data lie roughly within ``[-3, 3]²``
(``cs231n`` within ``[-1, 1]²``).

``noise`` is a scale relative to each data set (its meaning is in ``spec.description``);
``None`` means the data set's ``default_noise`` and ``0.0`` gives noise-free data.
Global random state is never touched: the same generator state gives the same arrays.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

MIN_CLASSES = 2
MAX_CLASSES = 50
MAX_SAMPLES = 1_000_000

#: Initial weights ``(3, 2)`` of the CS231n linear-classifier demo.
CS231N_W = np.array([[1.0, 2.0], [2.0, -4.0], [3.0, -1.0]])
#: Initial biases ``(3,)`` of the CS231n linear-classifier demo.
CS231N_B = np.array([0.0, 0.5, -0.5])
CS231N_W.flags.writeable = False
CS231N_B.flags.writeable = False

_CS231N_X = np.array(
    [
        [0.5, 0.8, 0.3, -0.4, -0.3, -0.7, 0.7, 0.5, -0.4],
        [0.4, 0.3, 0.8, 0.3, 0.7, 0.2, -0.4, -0.6, -0.5],
    ]
)
_CS231N_Y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2], dtype=np.int64)


@dataclass(frozen=True)
class DatasetSpec:
    """What the menus, the CLI and the configuration need to know about one data set.

    Attributes
    ----------
    name : str
        Short name used everywhere (CLI, files, menus), the key in :data:`DATASETS`.
    title : str
        Menu text.
    description : str
        One sentence, including what ``noise`` means for this data set.
    has_classes : bool
        Whether the ``classes`` argument is honoured.
    fixed_classes : int or None
        The number of classes when it is fixed (``has_classes`` is False).
    default_noise : float
        Noise used when ``noise`` is None.
    default_samples : int
        A good number of points for this data set.
    initial_params : tuple of ndarray, or None
        ``(W (C, 2), b (C,))`` a run with identity features starts from (a demo's own
        weights), instead of a small random initialisation; None for most sets.
    held_out : bool
        Whether some points are held out for testing (False: every point trains).
    """

    name: str
    title: str
    description: str
    has_classes: bool
    fixed_classes: int | None
    default_noise: float
    default_samples: int
    # Arrays do not compare or hash: left out of the spec's equality.
    initial_params: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False)
    held_out: bool = True


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "blobs",
            "Gaussian blobs",
            "One Gaussian blob per class, centres on a circle of radius 1.8; noise is the std.",
            True,
            None,
            0.4,
            300,
        ),
        DatasetSpec(
            "spiral",
            "Spiral",
            "One spiral arm per class; noise is the std of the angle jitter in radians.",
            True,
            None,
            0.2,
            300,
        ),
        DatasetSpec(
            "rings",
            "Concentric rings",
            "One ring per class, radii up to 2.5; noise is the std of the radius.",
            True,
            None,
            0.1,
            300,
        ),
        DatasetSpec(
            "moons",
            "Two moons",
            "Two interleaving half circles; noise is the std of the Gaussian jitter.",
            False,
            2,
            0.15,
            300,
        ),
        DatasetSpec(
            "xor",
            "XOR (checkerboard)",
            "Opposite quadrants share a class; noise is the std of the Gaussian jitter.",
            False,
            2,
            0.1,
            300,
        ),
        DatasetSpec(
            "linear",
            "Linearly separable",
            "One wedge per class around a random centre, separable when noise is 0; "
            "noise is the std of the Gaussian jitter.",
            True,
            None,
            0.0,
            300,
        ),
        DatasetSpec(
            "cs231n",
            "CS231n demo (9 points)",
            "The 9-point, 3-class set of the CS231n linear-classifier demo; "
            "samples, classes and noise are ignored.",
            False,
            3,
            0.0,
            9,
            initial_params=(CS231N_W, CS231N_B),
            held_out=False,
        ),
    )
}


def class_sizes(samples: int, classes: int) -> np.ndarray:
    """Balanced class sizes: ``(classes,)`` int64 summing to ``samples``, differing by <= 1."""
    sizes = np.full(classes, samples // classes, dtype=np.int64)
    sizes[: samples % classes] += 1
    return sizes


def _blobs(rng: np.random.Generator, sizes: np.ndarray, noise: float) -> np.ndarray:
    angles = 2 * np.pi * np.arange(len(sizes)) / len(sizes) + np.pi / 2
    centres = 1.8 * np.stack([np.cos(angles), np.sin(angles)])
    parts = [centres[:, [k]] + noise * rng.standard_normal((2, n)) for k, n in enumerate(sizes)]
    return np.concatenate(parts, axis=1)


def _spiral(rng: np.random.Generator, sizes: np.ndarray, noise: float) -> np.ndarray:
    parts = []
    for k, n in enumerate(sizes):
        s = np.linspace(0.0, 1.0, n)
        t = 2 * np.pi * k / len(sizes) + 4.0 * s + noise * rng.standard_normal(n)
        parts.append(2.5 * s * np.stack([np.sin(t), np.cos(t)]))
    return np.concatenate(parts, axis=1)


def _rings(rng: np.random.Generator, sizes: np.ndarray, noise: float) -> np.ndarray:
    parts = []
    for k, n in enumerate(sizes):
        t = rng.uniform(0.0, 2 * np.pi, n)
        r = 2.5 * (k + 1) / len(sizes) + noise * rng.standard_normal(n)
        parts.append(r * np.stack([np.cos(t), np.sin(t)]))
    return np.concatenate(parts, axis=1)


def _moons(rng: np.random.Generator, sizes: np.ndarray, noise: float) -> np.ndarray:
    t0 = rng.uniform(0.0, np.pi, sizes[0])
    t1 = rng.uniform(0.0, np.pi, sizes[1])
    upper = np.stack([np.cos(t0), np.sin(t0)])
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = 1.5 * (np.concatenate([upper, lower], axis=1) - np.array([[0.5], [0.25]]))
    return X + noise * rng.standard_normal(X.shape)


def _xor(rng: np.random.Generator, sizes: np.ndarray, noise: float) -> np.ndarray:
    parts = []
    for k, n in enumerate(sizes):
        # class 0 takes quadrants (+,+) and (-,-); class 1 takes (+,-) and (-,+)
        sx = rng.choice([-1.0, 1.0], n)
        sy = sx if k == 0 else -sx
        mag = rng.uniform(0.0, 2.5, (2, n))
        parts.append(mag * np.stack([sx, sy]))
    X = np.concatenate(parts, axis=1)
    return X + noise * rng.standard_normal(X.shape)


def _linear(rng: np.random.Generator, sizes: np.ndarray, noise: float) -> np.ndarray:
    # Class k fills the middle 70 % of the wedge of angles nearest direction k, so
    # W = [cos θ_k, sin θ_k] (bias from the shifted centre) separates the classes.
    C = len(sizes)
    half = np.pi / C
    offset = rng.uniform(0.0, 2 * np.pi)
    centre = rng.uniform(-0.5, 0.5, (2, 1))
    parts = []
    for k, n in enumerate(sizes):
        t = offset + 2 * half * k + rng.uniform(-0.7 * half, 0.7 * half, n)
        r = np.sqrt(rng.uniform(0.3**2, 2.3**2, n))
        parts.append(r * np.stack([np.cos(t), np.sin(t)]))
    X = np.concatenate(parts, axis=1) + centre
    return X + noise * rng.standard_normal(X.shape)


_MAKERS: dict[str, Callable[[np.random.Generator, np.ndarray, float], np.ndarray]] = {
    "blobs": _blobs,
    "spiral": _spiral,
    "rings": _rings,
    "moons": _moons,
    "xor": _xor,
    "linear": _linear,
}


def _check_int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be an integer, got {value!r}")
    return int(value)


def make_dataset(
    name: str,
    rng: np.random.Generator,
    samples: int = 300,
    classes: int = 3,
    noise: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw one of the built-in data sets.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    rng : numpy.random.Generator
        The only source of randomness.
    samples : int
        Number of points ``N`` (``classes <= N <= MAX_SAMPLES``); ignored by ``cs231n``.
    classes : int
        Number of classes ``C`` (2..50) where ``spec.has_classes``; otherwise ignored.
    noise : float or None
        Data-set relative noise scale ``>= 0``; None means ``spec.default_noise``.

    Returns
    -------
    X : ndarray, shape (2, N), float64
        One point per column.
    y : ndarray, shape (N,), int64
        Class indices ``0..C-1``, every class present.

    Raises
    ------
    ValueError
        Unknown name, too few samples, a class count out of range, or a negative
        or non-finite noise.
    TypeError
        ``rng`` is not a ``numpy.random.Generator``.
    """
    spec = DATASETS.get(name)
    if spec is None:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if noise is None:
        noise = spec.default_noise
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise ValueError(f"noise must be a number, got {noise!r}")
    noise = float(noise)
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")
    if name == "cs231n":
        return _CS231N_X.copy(), _CS231N_Y.copy()

    samples = _check_int(samples, "samples")
    if spec.has_classes:
        classes = _check_int(classes, "classes")
        if not MIN_CLASSES <= classes <= MAX_CLASSES:
            raise ValueError(
                f"{name}: classes must be between {MIN_CLASSES} and {MAX_CLASSES}, got {classes}"
            )
    else:
        classes = spec.fixed_classes
    if samples < classes:
        raise ValueError(
            f"{name}: samples ({samples}) must be at least the number of classes ({classes})"
        )
    if samples > MAX_SAMPLES:
        raise ValueError(f"{name}: samples must be at most {MAX_SAMPLES:,}, got {samples:,}")

    sizes = class_sizes(samples, classes)
    X = _MAKERS[name](rng, sizes, noise)
    y = np.repeat(np.arange(classes, dtype=np.int64), sizes)
    order = rng.permutation(samples)
    return np.ascontiguousarray(X[:, order], dtype=np.float64), y[order]
