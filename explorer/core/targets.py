"""Labels and label distributions: checked where they enter the core.

Targets come in two forms (see ``docs/maths.md``): integer labels ``y`` of shape ``(N,)``
(a scalar for one sample), each in ``[0, C)``, or label distributions ``Y`` of shape
``(C, N)`` (``(C,)`` for one sample): one-hot columns, smoothed or soft labels. A label
outside ``[0, C)`` is refused with a ``ValueError`` everywhere: numpy would read ``-1`` as
the last class and raise a bare ``IndexError`` for ``C``.
"""

from __future__ import annotations

import numpy as np


def is_labels(Y) -> bool:
    """Whether ``Y`` holds integer labels (an integer dtype) rather than distributions."""
    return np.issubdtype(np.asarray(Y).dtype, np.integer)


def check_labels(y, n_classes: int, n_samples: int | None = None) -> np.ndarray:
    """Integer labels, refused unless each lies in ``[0, n_classes)``.

    Parameters
    ----------
    y : int or array_like of int
        Labels, any shape (a scalar for one sample). Floats are accepted only when every
        value is a whole number.
    n_classes : int
        Number of classes ``C``.
    n_samples : int, optional
        When given, ``y`` must hold exactly this many labels.

    Returns
    -------
    ndarray of int64, shape of ``y``
        A view of ``y`` when it is int64 already.

    Raises
    ------
    ValueError
        For a label outside ``[0, n_classes)``, a non-integer label or a wrong count.
    """
    a = np.asarray(y)
    if a.dtype == np.bool_ or not (
        np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)
    ):
        raise ValueError(f"labels must be integers, got dtype {a.dtype}")
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)) or np.any(a != np.floor(a)):
            raise ValueError("labels must be whole numbers")
        if a.size and (a.min() < 0 or a.max() >= n_classes):
            raise ValueError(_range_message(a, n_classes))
    labels = a.astype(np.int64, copy=False)
    if n_samples is not None and labels.size != n_samples:
        raise ValueError(f"expected {n_samples} labels, got {labels.size}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(_range_message(labels, n_classes))
    return labels


def _range_message(a: np.ndarray, n_classes: int) -> str:
    return f"labels must lie in [0, {n_classes}), got {a.min():g}..{a.max():g}"


def one_hot(y: np.ndarray, n_classes: int, dtype=np.float64) -> np.ndarray:
    """One-hot targets.

    Parameters
    ----------
    y : ndarray of int, shape (N,)
        Class indices in ``[0, n_classes)`` (checked by :func:`check_labels`).
    n_classes : int
        Number of classes ``C``.

    Returns
    -------
    ndarray, shape (C, N)
    """
    y = check_labels(y, n_classes).reshape(-1)
    Y = np.zeros((n_classes, y.size), dtype=dtype)
    Y[y, np.arange(y.size)] = 1
    return Y


def smooth_labels(y: np.ndarray, n_classes: int, eps: float, dtype=np.float64) -> np.ndarray:
    """Label-smoothed targets ``(1 − ε)·onehot + ε/C``; each column sums to one.

    Parameters
    ----------
    y : ndarray of int, shape (N,)
    n_classes : int
    eps : float in [0, 1)

    Returns
    -------
    ndarray, shape (C, N)
    """
    if not 0.0 <= eps < 1.0:
        raise ValueError(f"label smoothing must lie in [0, 1), got {eps}")
    Y = one_hot(y, n_classes, dtype=dtype)
    Y *= 1.0 - eps
    Y += eps / n_classes
    return Y


def as_targets(Y, n_classes: int, n_samples: int | None, dtype) -> np.ndarray:
    """Targets as a float ``(C, N)`` (or ``(C,)``) array of the given dtype.

    Parameters
    ----------
    Y : labels or distributions
        Integer labels ``(N,)`` (a scalar for one sample) become one-hot columns.
    n_classes : int
    n_samples : int or None
        ``N``, or None for one sample (``(C,)`` targets).
    dtype : numpy dtype

    Returns
    -------
    ndarray, shape (C, N) or (C,)
    """
    Y = np.asarray(Y)
    if np.issubdtype(Y.dtype, np.integer):
        if n_samples is None:
            if Y.size != 1:
                raise ValueError(f"one sample takes one label, got {Y.size}")
            return one_hot(Y.reshape(1), n_classes, dtype)[:, 0]
        check_labels(Y, n_classes, n_samples)
        return one_hot(Y, n_classes, dtype)
    Y = Y.astype(dtype, copy=False)
    expected = (n_classes,) if n_samples is None else (n_classes, n_samples)
    if Y.shape != expected and not (n_samples is None and Y.shape[:1] == (n_classes,)):
        raise ValueError(f"targets of shape {Y.shape} do not match {n_classes} classes")
    return Y


def hard_labels(Y, n_classes: int, n_samples: int | None, loss: str) -> np.ndarray:
    """Integer labels for a loss that needs one true class per sample (the hinge losses).

    Parameters
    ----------
    Y : labels, or one-hot distributions ``(C, N)`` / ``(C,)``
    n_classes : int
    n_samples : int or None
        ``N``, or None for one sample.
    loss : str
        The loss's name, for the message.

    Returns
    -------
    ndarray of int64, shape (N,), or shape () for one sample

    Raises
    ------
    ValueError
        For a bad label, or for distributions that are not one-hot (soft labels, label
        smoothing): the hinge losses are defined for a single true class.
    """
    Y = np.asarray(Y)
    if np.issubdtype(Y.dtype, np.integer):
        if n_samples is None:
            if Y.size != 1:
                raise ValueError(f"one sample takes one label, got {Y.size}")
            return check_labels(Y.reshape(()), n_classes)
        return check_labels(Y, n_classes, n_samples).reshape(-1)
    expected = (n_classes,) if n_samples is None else (n_classes, n_samples)
    if Y.shape != expected:
        raise ValueError(f"targets of shape {Y.shape} do not match {n_classes} classes")
    cols = Y.reshape(n_classes, -1)
    if not (np.all((cols == 0) | (cols == 1)) and np.all(cols.sum(axis=0) == 1)):
        raise ValueError(
            f"the {loss} loss needs hard labels (integers or one-hot columns); soft labels "
            "and label smoothing apply to cross_entropy and squared_error only"
        )
    labels = cols.argmax(axis=0).astype(np.int64)
    return labels[0].reshape(()) if n_samples is None else labels
