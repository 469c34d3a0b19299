"""The session's side of the loss landscape: the plane, the path on it and the surface job.

A :class:`Landscape` reads a session and keeps what the landscape view draws
(``docs/landscape.md``):

* the **path**: the recorded ``θ_t`` (:mod:`explorer.session.param_path`) projected on
  the drawn plane, extended row by row as steps come (:class:`PathProjection`: a new
  step costs one projection of ``P`` numbers, not one of the whole path);
* the **marker**: the shown step's ``θ`` on that plane, with its distance off it;
* the **surface**: a :class:`~explorer.core.landscape.SurfaceJob` advanced a slice at a
  time by :meth:`Landscape.tick` (the view calls it from a timer, so the window never
  waits for more than a slice), the previous surface drawn until the next is finished.

When the surface is recomputed: at once when the plane choice, the ranges, the data or
the objective change; when only the shown step moves (scrubbing, an edit), at most every
:data:`REFRESH_SECONDS`; while playing, only a PCA plane follows the new steps (at most
every :data:`REFRESH_SECONDS`); the others stay where they were anchored until training
pauses. A surface whose plane, ranges and objective are those of the one drawn is not
recomputed (a click in a coordinate plane changes neither).
"""

from __future__ import annotations

import time

import numpy as np

from explorer.core.landscape import Objective, SurfaceJob, loss_at
from explorer.core.parameter_planes import ParameterPlane, fit_path_ranges
from explorer.core.parameters import flatten_params
from explorer.session.changes import Change
from explorer.session.landscape_choice import PlaneChoice, build_plane, default_choice
from explorer.session.landscape_path import PathProjection, Surface, sampled

#: Smallest time between two surfaces that follow the shown step (seconds).
REFRESH_SECONDS = 0.5
#: Cells along each axis of the surface.
DEFAULT_GRID = 100
#: Changes after which the objective (data, features, loss, penalties) is rebuilt.
_NEW_OBJECTIVE = Change.DATA | Change.CONFIG | Change.SESSION


class _Pending:
    """A surface being computed: its job, plane, ranges and the path on its plane."""

    def __init__(self, job, projection, step, ranges, key):
        self.job, self.projection, self.step, self.ranges, self.key = (
            job, projection, step, ranges, key
        )  # fmt: skip


def _plane_key(plane: ParameterPlane) -> tuple:
    return (plane.kind, plane.origin.tobytes(), plane.u.tobytes(), plane.v.tobytes())


class Landscape:
    """The plane, path, marker and surface of a session's loss landscape (module doc).

    Parameters
    ----------
    session : Session
    choice : PlaneChoice, optional
        Default: :func:`~.landscape_choice.default_choice` for the session's shape.
    grid : int
        Cells per axis.
    clock : callable returning seconds
    """

    def __init__(self, session, choice: PlaneChoice | None = None, grid=DEFAULT_GRID,
                 clock=time.monotonic):  # fmt: skip
        self.grid = int(grid)
        self._clock = clock
        self._wanted_choice = choice
        self.ranges: tuple[float, float, float, float] | None = None  # None: fit the path
        #: Keep the plane where it is while the shown step moves (a recording replays the
        #: history over one surface).
        self.hold = False
        #: Compare mode's run B (a session on the same data), whose path is drawn too.
        self.companion = None
        self._companion_projection: PathProjection | None = None
        self.set_session(session)

    # ------------------------------------------------------------ what the user sets
    def set_session(self, session) -> None:
        """Show another session (a new or opened file): everything is rebuilt."""
        self.session = session
        self.surface: Surface | None = None
        self.projection: PathProjection | None = None
        self.error = ""
        self._pending: _Pending | None = None
        self._surface_key: tuple | None = None
        self._objective: Objective | None = None
        self._anchored_at = -np.inf
        self._force, self._stale = True, False
        shape = self.shape
        try:
            self.choice = (self._wanted_choice or default_choice(shape)).check(shape)
        except ValueError:
            self.choice = default_choice(shape)

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(int(s) for s in self.session.W.shape)

    def set_companion(self, session) -> None:
        """Draw run ``session``'s path on this landscape too (None: no second run). A PCA
        plane is then taken of both paths."""
        self.companion = session
        self._companion_projection = None
        self._force = True

    def companion_shares_objective(self) -> bool:
        """Whether run B's loss and penalties are run A's (then its path belongs on this
        surface; otherwise it lies on another landscape)."""
        if self.companion is None:
            return False
        a, b = self.session.config, self.companion.config
        fields = ("loss", "l2", "l1", "margin")
        return all(getattr(a, f) == getattr(b, f) for f in fields)

    def set_choice(self, choice: PlaneChoice) -> None:
        """Show another plane (``ValueError`` if it does not fit the model; nothing changes)."""
        self.choice = choice.check(self.shape)
        self._wanted_choice = self.choice
        self._force = True

    def set_ranges(self, ranges=None) -> None:
        """Axis ranges ``(α_min, α_max, β_min, β_max)`` by hand, or None to fit the path."""
        if ranges is not None:
            a0, a1, b0, b1 = (float(r) for r in ranges)
            if not (np.isfinite([a0, a1, b0, b1]).all() and a0 < a1 and b0 < b1):
                raise ValueError("a range needs finite ends, the lower below the upper")
            ranges = (a0, a1, b0, b1)
        if ranges != self.ranges:
            self.ranges = ranges
            self._force = True

    def notice(self, changes: Change) -> None:
        """A session event: what it makes stale (the objective, the anchor)."""
        if changes & _NEW_OBJECTIVE:
            self._objective = None
            self._force = True
            if changes & (Change.DATA | Change.SESSION):
                self.set_session(self.session)
        elif changes & Change.PARAMS and not self.hold:
            self._stale = True

    # ------------------------------------------------------------ the frame's work
    def tick(self, playing: bool = False, seconds: float = 0.03) -> bool:
        """Re-anchor the plane when due, or else advance the surface job by ``seconds``.

        Returns
        -------
        bool
            Whether a new surface (and with it a new plane) is ready to draw.
        """
        now = self._clock()
        due = self._stale and now - self._anchored_at >= REFRESH_SECONDS
        if self._force or (due and (not playing or self.choice.kind == "pca")):
            self._anchor(now)
            return False  # the plane and the job's setup are this tick's work (tens of ms)
        pending = self._pending
        if pending is None:
            return False
        try:
            if pending.job is None:  # the job's setup (its three logit products) is a tick
                pending.job = SurfaceJob(self.objective(), pending.projection.plane,
                                         pending.alphas, pending.betas)  # fmt: skip
                return False
            if not pending.job.advance(seconds=seconds):
                return False
        except (ValueError, FloatingPointError) as exc:  # pragma: no cover - defensive
            self._pending, self.error = None, f"The landscape could not be computed: {exc}"
            return False
        plane = pending.projection.plane
        job = pending.job
        self.surface = Surface(plane, job.alphas, job.betas, job.result(), pending.step,
                               pending.ranges)  # fmt: skip
        self.projection, self._pending, self._surface_key = pending.projection, None, pending.key
        return True

    @property
    def busy(self) -> bool:
        """Whether a surface is being computed."""
        return self._pending is not None

    @property
    def waiting(self) -> bool:
        """Whether a tick still has something to do (a re-anchor due, a job under way)."""
        return self._force or self._stale or self._pending is not None

    @property
    def forced(self) -> bool:
        """Whether the plane must be rebuilt at the next tick (a new choice, range, data)."""
        return self._force

    @property
    def progress(self) -> float:
        pending = self._pending
        if pending is None:
            return 1.0
        return 0.0 if pending.job is None else pending.job.progress

    def finish(self) -> Surface | None:
        """Compute the due surface to the end now (export, tests): no slicing."""
        self.tick(playing=False, seconds=0.0)
        while self._pending is not None:
            self.tick(playing=False, seconds=1e9)
        return self.surface

    def objective(self) -> Objective:
        """The loss, penalties and training set in effect at the shown step."""
        if self._objective is None:
            s, c = self.session, self.session.config
            y = np.asarray(s.data.y)[np.asarray(s.train_index)]
            self._objective = Objective(s.train_features64(), y, loss=c.loss, l2=c.l2, l1=c.l1,
                                        margin=c.margin)  # fmt: skip
        return self._objective

    def _plane_now(self) -> ParameterPlane:
        s = self.session
        theta = flatten_params(s.W, s.b)
        path = s.timeline.path
        gradient = last = None
        if self.choice.kind == "gradient":
            _, dW, db = s.batch_grads()
            gradient = flatten_params(dW, db)
            steps = path.steps
            at = int(np.searchsorted(steps, s.step_index))
            if at > 0 and steps[at - 1] == s.step_index - 1:
                last = theta - np.asarray(path.thetas[at - 1], dtype=np.float64)
        rows = path.thetas
        if self.choice.kind == "pca":
            rows = sampled(rows)
            if self.companion_shares_objective():  # the plane that holds both paths
                rows = np.vstack([sampled(self.companion.timeline.path.thetas), rows])
        return build_plane(self.choice, self.shape, theta, rows, gradient, last)

    def _anchor(self, now: float) -> None:
        """Build the plane through the shown step and start its surface (unless the one
        drawn, or the one under way, is for the same plane, ranges and objective)."""
        self._force = self._stale = False
        self._anchored_at = now
        try:
            plane = self._plane_now()
            objective = self.objective()
        except ValueError as exc:
            self.error = f"No landscape for this plane: {exc}"
            return
        self.error = ""
        projection = PathProjection(plane)
        projection.update(self.session.timeline.path)
        ranges = self.ranges or self._fit(projection, plane)
        key = (_plane_key(plane), ranges, self.grid, id(objective))
        if self.surface is not None and key == self._surface_key:
            self._pending = None  # the surface drawn is this one
            return
        if self._pending is not None and key == self._pending.key:
            return
        self._pending = _Pending(None, projection, self.session.step_index, ranges, key)
        self._pending.alphas = np.linspace(ranges[0], ranges[1], self.grid)
        self._pending.betas = np.linspace(ranges[2], ranges[3], self.grid)
        if self.projection is None:
            self.projection = projection  # nothing drawn yet: draw the path at once

    def _fit(self, projection: PathProjection, plane: ParameterPlane):
        """Ranges holding the path, the shown step and run B's path (if drawn)."""
        alphas, betas = [projection.alphas], [projection.betas]
        runs = [self.session]
        if self.companion_shares_objective():
            other = PathProjection(plane)
            other.update(self.companion.timeline.path)
            alphas.append(other.alphas)
            betas.append(other.betas)
            runs.append(self.companion)
        for run in runs:
            marker = plane.project(flatten_params(run.W, run.b))
            alphas.append(marker.alphas)
            betas.append(marker.betas)
        return fit_path_ranges(np.concatenate(alphas), np.concatenate(betas))

    # ------------------------------------------------------------ what the view reads
    def path(self) -> PathProjection | None:
        """The recorded path on the drawn plane, brought up to date (cheap per step)."""
        if self.projection is not None:
            self.projection.update(self.session.timeline.path)
        return self.projection

    def companion_path(self) -> PathProjection | None:
        """Run B's path on the drawn plane (None without a run B sharing the objective)."""
        if self.projection is None or not self.companion_shares_objective():
            return None
        plane = self.projection.plane
        if self._companion_projection is None or self._companion_projection.plane is not plane:
            self._companion_projection = PathProjection(plane)
        self._companion_projection.update(self.companion.timeline.path)
        return self._companion_projection

    def companion_marker(self) -> tuple[float, float, float] | None:
        """``(α, β, distance)`` of run B's shown step on the drawn plane, or None."""
        if self.companion_path() is None:
            return None
        b = self.companion
        on = self.projection.plane.project(flatten_params(b.W, b.b))
        return float(on.alphas[0]), float(on.betas[0]), float(on.distances[0])

    def marker(self) -> tuple[float, float, float] | None:
        """``(α, β, distance off the plane)`` of the shown step on the drawn plane."""
        if self.projection is None:
            return None
        on = self.projection.plane.project(flatten_params(self.session.W, self.session.b))
        return float(on.alphas[0]), float(on.betas[0]), float(on.distances[0])

    def loss_at(self, alpha: float, beta: float) -> float:
        """The exact loss (float64) at ``(α, β)`` of the drawn plane (hover)."""
        plane = self.projection.plane
        return loss_at(self.objective(), plane, alpha, beta)

    def params_at(self, alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
        """``(W, b)`` of the shown step with the plane's two coordinates set to ``α, β``
        (a click in a coordinate plane; ``ValueError`` in any other plane)."""
        plane = None if self.projection is None else self.projection.plane
        if plane is None or plane.kind != "coordinates":
            raise ValueError("only a plane of two coordinates says which entries a click sets")
        theta = flatten_params(self.session.W, self.session.b)
        theta[plane.u_index], theta[plane.v_index] = float(alpha), float(beta)
        C, D = self.shape
        return theta[: C * D].reshape(C, D), theta[C * D :]
