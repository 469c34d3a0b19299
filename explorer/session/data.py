"""The session's points: coordinates, labels, the train/test split and class names.

The split is stratified and deterministic: for a given seed and test fraction each class
gives ``round(fraction · n_c)`` of its points to the test set, but always keeps at least
one for training. A data set whose spec says ``held_out=False`` (the classic 9-point
``cs231n`` set: the demo trains on all nine) is never split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.csvdata import MAX_NAME_LENGTH
from explorer.core.datasets import DATASETS, make_dataset
from explorer.session.config import MAX_CLASSES

#: Split generator stream id, so the split does not share draws with data generation.
_SPLIT_STREAM = 0x5117


@dataclass
class Data:
    """Labelled 2-D points with a train/test flag.

    Attributes
    ----------
    X : ndarray of float64, shape (2, N)
        Coordinates, one column per point.
    y : ndarray of int64, shape (N,)
        Class indices in ``[0, n_classes)``.
    is_test : ndarray of bool, shape (N,)
        True for held-out points.
    class_names : tuple of str, length C
        ``2 <= C <=`` :data:`~explorer.session.config.MAX_CLASSES`, each name at most
        :data:`~explorer.core.csvdata.MAX_NAME_LENGTH` characters (what a CSV can hold).
    """

    X: np.ndarray
    y: np.ndarray
    is_test: np.ndarray
    class_names: tuple[str, ...]

    def __post_init__(self) -> None:
        X = np.array(self.X, dtype=np.float64, copy=True)
        y = np.array(self.y, copy=True)
        is_test = np.array(self.is_test, dtype=bool, copy=True)
        names = tuple(str(n) for n in self.class_names)
        if X.ndim != 2 or X.shape[0] != 2:
            raise ValueError(f"points must have shape (2, N), got {X.shape}")
        n = X.shape[1]
        if y.shape != (n,) or is_test.shape != (n,):
            raise ValueError(f"labels and test flags must have shape ({n},)")
        if y.size and not np.issubdtype(y.dtype, np.integer):
            raise ValueError("labels must be integers")
        y = y.astype(np.int64)
        if not np.all(np.isfinite(X)):
            raise ValueError("point coordinates must be finite")
        if len(names) < 2:
            raise ValueError("data need at least 2 classes")
        if len(names) > MAX_CLASSES:
            raise ValueError(f"data have at most {MAX_CLASSES} classes (got {len(names)})")
        longest = max(len(n) for n in names)
        if longest > MAX_NAME_LENGTH:
            raise ValueError(
                f"a class name has at most {MAX_NAME_LENGTH} characters (got one of {longest:,})"
            )
        if y.size and (y.min() < 0 or y.max() >= len(names)):
            raise ValueError(f"labels must lie in 0..{len(names) - 1}")
        self.X, self.y, self.is_test, self.class_names = X, y, is_test, names

    @property
    def n_classes(self) -> int:
        """Number of classes ``C`` (``len(class_names)``)."""
        return len(self.class_names)

    @property
    def n_points(self) -> int:
        """Number of points ``N`` (train and test)."""
        return self.X.shape[1]

    @property
    def train_index(self) -> np.ndarray:
        """Indices of the training points, increasing, int64 ``(N_train,)``."""
        return np.flatnonzero(~self.is_test)

    @property
    def test_index(self) -> np.ndarray:
        """Indices of the test points, increasing, int64 ``(N_test,)``."""
        return np.flatnonzero(self.is_test)

    def copy(self) -> Data:
        """A deep copy."""
        return Data(self.X, self.y, self.is_test, self.class_names)


def split(y: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """Stratified, deterministic test flags for labels ``y``.

    Parameters
    ----------
    y : ndarray of int, shape (N,)
    test_fraction : float in [0, 1)
    seed : int

    Returns
    -------
    ndarray of bool, shape (N,)
        At least one training point per class present, and at least two in all when
        ``N >= 2``.
    """
    rng = np.random.default_rng([seed, _SPLIT_STREAM])
    is_test = np.zeros(y.shape, dtype=bool)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = min(round(test_fraction * members.size), members.size - 1)
        is_test[members[:n_test]] = True
    if y.size >= 2 and np.count_nonzero(~is_test) < 2:
        is_test[np.flatnonzero(is_test)[0]] = False
    return is_test


def make_data(config) -> Data:
    """Generate the data a :class:`~explorer.session.config.Config` describes.

    The points come from ``make_dataset`` with ``np.random.default_rng(config.seed)``;
    the split uses its own stream of the same seed.
    """
    spec = DATASETS[config.dataset]
    kwargs = {"samples": config.samples, "classes": config.classes}
    if config.noise is not None:
        kwargs["noise"] = config.noise
    X, y = make_dataset(config.dataset, np.random.default_rng(config.seed), **kwargs)
    n_classes = spec.fixed_classes or (config.classes if spec.has_classes else 2)
    n_classes = max(n_classes, int(y.max()) + 1)
    if spec.held_out:
        is_test = split(y, config.test_fraction, config.seed)
    else:
        is_test = np.zeros(y.shape, dtype=bool)
    return Data(X, y, is_test, tuple(str(k) for k in range(n_classes)))


def data_from_points(points, test_fraction: float, seed: int) -> Data:
    """Data from loaded points (``LabelledPoints``: ``X (2, N)``, ``y (N,)``, names).

    Raises
    ------
    ValueError
        If there are fewer than 2 points or 2 class names.
    """
    X = np.asarray(points.X, dtype=np.float64)
    y = np.asarray(points.y, dtype=np.int64)
    if X.ndim != 2 or X.shape[1] < 2:
        raise ValueError("data need at least 2 points")
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test fraction must lie in [0, 1), got {test_fraction}")
    return Data(X, y, split(y, test_fraction, seed), tuple(points.class_names))
