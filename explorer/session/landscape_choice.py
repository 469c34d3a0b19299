"""Which plane the landscape shows: the user's choice, read from text, made into a plane.

A :class:`PlaneChoice` names a kind of plane (``docs/landscape.md``):

* ``coordinates``: two entries of ``θ`` by name (``W[1,0]``, ``b[2]``), the others held at
  the shown step;
* ``pca``: the two principal directions of the recorded path, through the shown step;
* ``gradient``: the descent direction at the shown step and the last update;
* ``flat``: a flat direction of the softmax (the same to every ``b_c``, or to every
  ``W[c,d]`` of one feature ``d``) against one coordinate.

:func:`build_plane` turns a choice into a :class:`~explorer.core.parameter_planes.ParameterPlane`
from the path and the shown step; :func:`parse_plane` reads the command line's
``--plane W[0,0],b[1] | pca | gradient | flat[:b|:d][,NAME]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.parameter_planes import (
    ParameterPlane,
    coordinate_axis,
    coordinate_plane,
    flat_direction,
    gradient_plane,
    pca_plane,
    plane_from_axes,
)
from explorer.core.parameters import parameter_index, parameter_name

#: The kinds a user chooses from, in the order the view lists them.
CHOICE_KINDS = ("coordinates", "pca", "gradient", "flat")
#: The one-line note of every flat plane.
FLAT_NOTE = (
    "Flat direction: adding the same amount to every class changes no probability, so "
    "the loss is constant along it (without L2 the optimum is not unique)."
)


@dataclass(frozen=True)
class PlaneChoice:
    """What the landscape's plane is made of.

    Attributes
    ----------
    kind : str
        One of :data:`CHOICE_KINDS`.
    first, second : str
        ``coordinates``: the two entries' names; ``flat``: ``second`` is the other axis
        (a coordinate name), ``first`` is unused.
    flat : str
        ``"b"`` (the same to every ``b_c``) or a feature index ``"0"``, ``"1"``… (the same
        to every ``W[c,d]``): the flat axis of a ``flat`` plane.
    """

    kind: str = "coordinates"
    first: str = "W[0,0]"
    second: str = "W[0,1]"
    flat: str = "b"

    def check(self, shape) -> PlaneChoice:
        """The choice with names written canonically; ``ValueError`` if it does not fit a
        model of ``W`` shape ``(C, D)``."""
        if self.kind not in CHOICE_KINDS:
            raise ValueError(f"unknown plane {self.kind!r}: choose from {', '.join(CHOICE_KINDS)}")
        first = parameter_name(parameter_index(self.first, shape), shape)
        second = parameter_name(parameter_index(self.second, shape), shape)
        if self.kind == "coordinates" and first == second:
            raise ValueError(f"a plane of two coordinates needs two different entries: {first}")
        flat = str(self.flat).strip()
        if flat != "b" and not (flat.isdigit() and int(flat) < int(shape[1])):
            raise ValueError(f"a flat direction is 'b' or a feature 0..{int(shape[1]) - 1}")
        return PlaneChoice(self.kind, first, second, flat)

    def describe(self) -> str:
        """Words for a status line or a file name: ``W[0,0] × b[1]``, ``PCA of the path``…"""
        if self.kind == "coordinates":
            return f"{self.first} × {self.second}"
        if self.kind == "pca":
            return "PCA of the path"
        if self.kind == "gradient":
            return "gradient × last update"
        what = "b" if self.flat == "b" else f"W[:,{self.flat}]"
        return f"flat {what} × {self.second}"


def default_choice(shape) -> PlaneChoice:
    """Two weights of the first class (``W[0,0]``, ``W[0,1]``), or ``W[0,0]`` and ``b[0]``
    when there is one feature."""
    second = "W[0,1]" if int(shape[1]) > 1 else "b[0]"
    return PlaneChoice("coordinates", "W[0,0]", second)


def parse_plane(text: str, shape) -> PlaneChoice:
    """A choice from ``--plane`` text: ``W[0,0],b[1]``, ``pca``, ``gradient``, ``flat``,
    ``flat:b``, ``flat:0`` or ``flat:b,W[0,0]`` (the other axis; default ``W[0,0]``).

    Raises
    ------
    ValueError
        With a sentence saying what is accepted.
    """
    words = str(text).strip()
    low = words.lower()
    if low in ("pca", "gradient"):
        return PlaneChoice(low).check(shape)
    if low.startswith("flat"):
        rest = words[4:].lstrip(":")
        which, _, other = rest.partition(",")
        return PlaneChoice("flat", "W[0,0]", other.strip() or "W[0,0]", which.strip() or "b").check(
            shape
        )
    # two names separated by the comma that is outside brackets
    depth, cut = 0, -1
    for i, ch in enumerate(words):
        depth += (ch == "[") - (ch == "]")
        if ch == "," and depth == 0:
            cut = i
            break
    if cut < 0:
        raise ValueError(
            f"--plane {words!r}: give two entries (W[0,0],b[1]), pca, gradient or flat"
        )
    return PlaneChoice("coordinates", words[:cut].strip(), words[cut + 1 :].strip()).check(shape)


def build_plane(
    choice: PlaneChoice,
    shape,
    theta_now: np.ndarray,
    path_thetas: np.ndarray,
    gradient: np.ndarray | None = None,
    last_update: np.ndarray | None = None,
) -> ParameterPlane:
    """The plane of ``choice`` through the shown step.

    Parameters
    ----------
    choice : PlaneChoice (checked against ``shape``)
    shape : (C, D)
    theta_now : ndarray, shape (P,)
        ``θ`` at the shown step (float64).
    path_thetas : ndarray, shape (T, P)
        The recorded path (PCA is taken of ``θ_t − θ_now`` over these rows and the
        shown step).
    gradient : ndarray, shape (P,), optional
        ``∇L`` at the shown step (needed for ``gradient``).
    last_update : ndarray, shape (P,), optional
        ``θ_shown − θ_shown−1`` (None at step 0).
    """
    choice = choice.check(shape)
    theta_now = np.asarray(theta_now, dtype=np.float64)
    if choice.kind == "coordinates":
        return coordinate_plane(theta_now, shape, choice.first, choice.second)
    if choice.kind == "pca":
        rows = np.vstack([np.asarray(path_thetas, dtype=np.float64).reshape(-1, theta_now.size),
                          theta_now[None, :]])  # fmt: skip
        return pca_plane(rows, shape, origin_index=-1)
    if choice.kind == "gradient":
        if gradient is None:
            raise ValueError("the gradient plane needs the gradient at the shown step")
        return gradient_plane(theta_now, shape, gradient, last_update)
    which = "b" if choice.flat == "b" else int(choice.flat)
    flat = flat_direction(shape, which)
    other = coordinate_axis(choice.second, shape)
    if flat.vector[other.index] != 0 and np.count_nonzero(flat.vector) == 1:
        raise ValueError(f"{choice.second} is the flat direction itself (one class only)")
    return plane_from_axes(theta_now, shape, flat, other, kind="directions", note=FLAT_NOTE)
