"""Point edits as pure functions: each takes :class:`Data` and the selected index and
returns the edited copy and the selection that still points at the same sample.

Nothing is changed in place; a refused edit raises ``ValueError`` with the reason.
"""

from __future__ import annotations

import numpy as np

from explorer.session.data import Data


def check_index(data: Data, i) -> int:
    """``i`` as an int if ``data`` has a point ``i``; else ``ValueError``."""
    i = int(i)
    if not 0 <= i < data.n_points:
        raise ValueError(f"no point {i} (there are {data.n_points})")
    return i


def check_xy(xy) -> np.ndarray:
    """``xy`` as a float64 ``(2,)`` array of two finite coordinates; else ``ValueError``."""
    xy = np.array(xy, dtype=np.float64).reshape(-1)
    if xy.shape != (2,) or not np.isfinite(xy).all():
        raise ValueError("a point needs two finite coordinates")
    return xy


def add_point(
    data: Data, xy, label: int, test: bool, selected: int | None
) -> tuple[Data, int | None]:
    """``data`` with a point at ``xy (2,)`` of class ``label`` appended (index ``N``)."""
    xy = check_xy(xy)
    label = int(label)
    if not 0 <= label < data.n_classes:
        raise ValueError(f"label must be one of the classes 0..{data.n_classes - 1}")
    edited = Data(
        np.concatenate([data.X, xy[:, None]], axis=1),
        np.append(data.y, label),
        np.append(data.is_test, bool(test)),
        data.class_names,
    )
    return edited, selected


def move_point(data: Data, i: int, xy, selected: int | None) -> tuple[Data, int | None]:
    """``data`` with point ``i`` moved to ``xy (2,)``."""
    i, xy = check_index(data, i), check_xy(xy)
    edited = data.copy()
    edited.X[:, i] = xy
    return edited, selected


def delete_point(data: Data, i: int, selected: int | None) -> tuple[Data, int | None]:
    """``data`` without point ``i`` (at least 2 training points must remain).

    The selection follows its sample to its new index; it is None if ``i`` was selected.
    """
    i = check_index(data, i)
    if not data.is_test[i] and np.count_nonzero(~data.is_test) <= 2:
        raise ValueError("cannot delete: at least 2 training points must remain")
    keep = np.arange(data.n_points) != i
    edited = Data(data.X[:, keep], data.y[keep], data.is_test[keep], data.class_names)
    if selected is not None:
        selected = None if selected == i else (selected - 1 if selected > i else selected)
    return edited, selected
