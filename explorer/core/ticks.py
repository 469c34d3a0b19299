"""Spacing of labels and scales: which class labels fit an axis, and round scale factors.

Two small questions the plot views ask, answered with plain numbers so that they can be
tested without a screen:

- :func:`label_stride`: with ``count`` labels on an axis, one per slot ``slot_px`` pixels
  wide, label only every ``stride``-th slot so that neighbouring labels never overlap (50
  class names on a 300-pixel axis would otherwise smear into one grey band).
- :func:`round_down_125`: the largest number of the 1-2-5 ladder (``…, 0.1, 0.2, 0.5, 1,
  2, 5, 10, …``) not above a value; a scale factor from it reads at a glance ("×0.5")
  and changes only when the value crosses a rung, not every frame.
"""

from __future__ import annotations

import math

import numpy as np

#: The mantissas of the 1-2-5 ladder, ascending.
LADDER = (1.0, 2.0, 5.0)


def round_down_125(value: float) -> float:
    """The largest ``m · 10^e`` with ``m`` in (1, 2, 5) and integer ``e`` that is ``<= value``.

    Parameters
    ----------
    value : float
        Finite and > 0.

    Returns
    -------
    float
        A rung of the 1-2-5 ladder, in ``(value / 2.5, value]``.

    Raises
    ------
    ValueError
        For a value that is not finite and positive.
    """
    v = float(value)
    if not (math.isfinite(v) and v > 0.0):
        raise ValueError(f"expected a finite positive number, got {value!r}")
    exponent = math.floor(math.log10(v))
    best = 0.0
    # log10 can be off by one at exact powers of ten: look at the neighbouring decades too
    for e in (exponent - 1, exponent, exponent + 1):
        for m in LADDER:
            rung = m * 10.0**e
            if rung <= v * (1 + 1e-12) and rung > best:
                best = rung
    return best


def label_stride(count: int, slot_px: float, label_px: float, gap_px: float = 4.0) -> int:
    """Label every ``stride``-th of ``count`` equal slots so that labels never overlap.

    A label ``label_px`` wide centred in its slot overlaps the next labelled one unless
    ``stride · slot_px >= label_px + gap_px``. The stride is the smallest 1-2-5 number
    (1, 2, 5, 10, 20, …) that satisfies this, so the labels shown are ``0, stride,
    2·stride, …``: round class numbers a student can count along.

    Parameters
    ----------
    count : int
        Number of slots (>= 0).
    slot_px : float
        Width of one slot on screen, in pixels (along the axis).
    label_px : float
        Extent of the widest label along the axis, in pixels.
    gap_px : float
        Free pixels wanted between neighbouring labels.

    Returns
    -------
    int
        Between 1 and ``max(count, 1)``; ``count`` (only the first label) when even
        that does not fit, and 1 when the slots have no known width (``slot_px <= 0``).
    """
    count = int(count)
    if count <= 1 or not (slot_px > 0.0 and math.isfinite(slot_px)):
        return 1
    need = max(float(label_px), 0.0) + max(float(gap_px), 0.0)
    exponent = 0
    while True:
        for m in LADDER:
            stride = int(m * 10**exponent)
            if stride >= count:
                return count
            if stride * slot_px >= need:
                return stride
        exponent += 1


def strided(count: int, stride: int) -> np.ndarray:
    """The slots labelled at ``stride``: ``0, stride, 2·stride, … < count``, int64."""
    return np.arange(0, max(int(count), 0), max(int(stride), 1), dtype=np.int64)
