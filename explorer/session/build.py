"""Building what a configuration describes: the data, the feature map, the trainer.

:func:`build_setup` makes a :class:`Setup` (points, fitted feature map, training
features in the training dtype) and :func:`initial_params` the parameters a run starts
from. Both are pure: they raise before anything is adopted, so a refused change leaves
the session as it was.
"""

from __future__ import annotations

import numpy as np

from explorer.core.datasets import DATASETS
from explorer.core.features import FeatureMap, make_feature_map
from explorer.session.config import Config
from explorer.session.data import Data, make_data
from explorer.session.trainer import Trainer

#: Stream id of the init/batch generator ``default_rng([seed, TRAIN_STREAM])``,
#: separate from the data generator ``default_rng(seed)``.
TRAIN_STREAM = 0x7EA1
INIT_SCALE = 0.01
#: Float64 training features are kept up to this size (else recomputed per call).
F64_CACHE_LIMIT = 64 * 2**20


def fit_features(config: Config, data: Data) -> FeatureMap:
    """The feature map of ``config`` fitted to the training points of ``data``."""
    train = data.train_index
    X_fit = data.X[:, train] if train.size else data.X
    return make_feature_map(
        config.features,
        X_fit,
        degree=config.degree,
        rff_dim=config.rff_dim,
        rff_gamma=config.rff_gamma,
        seed=config.seed,
    )


def features_differ(old: Config, new: Config) -> bool:
    """Whether going from ``old`` to ``new`` changes the feature map."""
    if old.features != new.features:
        return True
    if new.features == "poly":
        return old.degree != new.degree
    if new.features == "rff":
        return (old.rff_dim, old.rff_gamma) != (new.rff_dim, new.rff_gamma)
    return False


def check_train_count(data: Data) -> None:
    """Raise ``ValueError`` unless ``data`` has at least 2 training points."""
    if np.count_nonzero(~data.is_test) < 2:
        raise ValueError("the data need at least 2 training points")


def readonly_view(a: np.ndarray) -> np.ndarray:
    """A view of ``a`` that cannot be written through (``a`` itself stays writable)."""
    v = a.view()
    v.flags.writeable = False
    return v


class Setup:
    """One data set under one feature map, ready to train on.

    Attributes
    ----------
    data : Data
    feature_map : FeatureMap
    trainer : Trainer
        Training and test features in the training dtype, labels, buffers.
    train_index, test_index : ndarray of int64, shapes (Ntrain,), (Ntest,)
        Data indices of the training and test points (read-only), in the order of the
        trainer's columns.
    """

    def __init__(self, data: Data, feature_map: FeatureMap, trainer: Trainer):
        self.data = data
        self.feature_map = feature_map
        self.trainer = trainer
        self.train_index = readonly_view(data.train_index)
        self.test_index = readonly_view(data.test_index)
        self._features64: np.ndarray | None = None

    def train_features64(self) -> np.ndarray:
        """Float64 features of the training points ``(D, Ntrain)``, read-only.

        Kept for the setup's life when at most :data:`F64_CACHE_LIMIT` bytes: every
        exact number (batch gradients, mean Jacobian) needs them, and transforming the
        points again costs as much as the numbers themselves at large N.
        """
        if self._features64 is not None:
            return self._features64
        F = self.feature_map.transform(self.data.X[:, self.train_index], dtype=np.float64)
        if F.nbytes <= F64_CACHE_LIMIT:
            F.flags.writeable = False
            self._features64 = F
        return F


def make_trainer(data: Data, feature_map: FeatureMap, dtype) -> Trainer:
    """The :class:`Trainer` of ``data`` under ``feature_map`` in ``dtype``.

    Raises
    ------
    ValueError
        When the features of some point overflow ``dtype``.
    """
    dtype = np.dtype(dtype)
    train, test = data.train_index, data.test_index
    with np.errstate(over="ignore", invalid="ignore"):
        F_train = feature_map.transform(data.X[:, train], dtype=dtype)
        F_test = feature_map.transform(data.X[:, test], dtype=dtype)
    if not (np.isfinite(F_train).all() and np.isfinite(F_test).all()):
        raise ValueError(
            f"points too far out: their features overflow {dtype.name}; rescale the coordinates"
        )
    return Trainer(F_train, data.y[train], F_test, data.y[test], data.n_classes)


def build_setup(
    config: Config, dtype, data: Data | None = None, feature_map: FeatureMap | None = None
) -> Setup:
    """The :class:`Setup` of ``config``: its data (generated unless ``data`` is given,
    which is adopted as it is) and its feature map (fitted unless ``feature_map`` is given).

    Raises
    ------
    ValueError
        Fewer than 2 training points, or features that overflow ``dtype``.
    """
    data = make_data(config) if data is None else data
    check_train_count(data)
    feature_map = fit_features(config, data) if feature_map is None else feature_map
    return Setup(data, feature_map, make_trainer(data, feature_map, dtype))


def initial_params(config: Config, setup: Setup, dtype):
    """Fresh parameters for ``config`` on ``setup``, and the batch generator that drew them.

    A small random ``W``, ``b`` from ``default_rng([seed, TRAIN_STREAM])``, or the data
    set's own ``initial_params`` (the CS231n demo's weights) with identity features
    when their shapes fit.

    Returns
    -------
    W : ndarray, shape (C, D), dtype ``dtype``
    b : ndarray, shape (C,), dtype ``dtype``
    rng : numpy.random.Generator
    """
    rng = np.random.default_rng([config.seed, TRAIN_STREAM])
    C, D = setup.data.n_classes, setup.feature_map.dim
    W = INIT_SCALE * rng.standard_normal((C, D))
    b = INIT_SCALE * rng.standard_normal(C)
    given = DATASETS[config.dataset].initial_params
    if given is not None and config.features == "identity" and given[0].shape == (C, D):
        W, b = given[0].copy(), given[1].copy()
    return W.astype(dtype), b.astype(dtype), rng


def restart_rng(config: Config) -> np.random.Generator:
    """The batch generator of a restart that keeps the parameters (after a data edit)."""
    return np.random.default_rng([config.seed, TRAIN_STREAM])
