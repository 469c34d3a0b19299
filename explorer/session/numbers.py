"""The numbers views read for one version of the parameters, computed on first use.

A :class:`Numbers` belongs to one timeline version (parameters and training
configuration) at one display temperature; the session replaces it whole when either
changes, so nothing here is ever invalidated piecemeal (the training configuration,
hence the loss, its margin, the penalties and label smoothing, is part of the version).
Display numbers are float32, from the training forward pass the step already made;
exact numbers (sample details, the per-sample table, the mean Jacobian, the batch
gradients) are float64 (``docs/maths.md``). Every array returned is read-only.

The loss is the configuration's (cross-entropy, squared error or an SVM loss). Per
training point, the display's :attr:`Numbers.sample_loss`, :attr:`Numbers.dz` and
:attr:`Numbers.error_signal` are the terms of the training objective (the chosen loss on
the training targets, label smoothing included, no penalty), at the display
temperature, which divides the scores ``z`` of every loss. The metrics of the curves
are the chosen loss on the hard labels at temperature 1 (:mod:`.trainer`).

Speed tricks, each in one place:

- :meth:`Numbers._batch64`: the float64 batch gradients and, at temperature 1, the exact
  mean Jacobian come from one float64 softmax of every training point.
- :meth:`Numbers._per_sample`: at temperature 1 the display's ``dz`` is the training
  forward pass's own (:meth:`~explorer.session.trainer.Trainer.logit_grads`), which the
  next full-batch step reuses.
- :class:`Scratch64`: the ``(C, N)`` float64 buffer of that pass outlives the versions.
- :func:`mean_jacobian_display`: the picture's Jacobian from the float32 display
  probabilities, two cores at once.
- :meth:`explorer.session.build.Setup.train_features64`: the float64 features are kept.
"""

from __future__ import annotations

import numpy as np

from explorer.core import loss_and_grads, per_sample_grad, per_sample_loss, smooth_labels, softmax
from explorer.core.parallel import split_columns
from explorer.session import details


def mean_jacobian(P: np.ndarray) -> np.ndarray:
    """``diag(mean p) − P Pᵀ / N``, float64 ``(C, C)``, for probabilities ``P (C, N)``.

    The product is taken in ``P``'s own dtype (float32 ``P`` gives a float32 ``P Pᵀ``).
    """
    J = np.diag(P.mean(axis=1, dtype=np.float64))
    J -= (P @ P.T).astype(np.float64, copy=False) / P.shape[1]
    return J


def mean_jacobian_display(P: np.ndarray) -> np.ndarray:
    """:func:`mean_jacobian` of float32 display probabilities ``P (C, N)``, faster.

    ``P Pᵀ`` is summed over two halves of the samples at once (two cores), and ``mean p``
    is read off its row sums: each column of ``P`` sums to one, so row ``j`` of ``P Pᵀ``
    sums to ``Σₙ p_jn``, within ~1e-8 of the float64 mean in float32. Not bit-identical
    to :func:`mean_jacobian` (another summation order): only for colours, never for
    shown values.
    """
    C, N = P.shape
    halves = np.zeros((2, C, C), dtype=P.dtype)

    def gram(lo: int, hi: int) -> None:
        np.matmul(P[:, lo:hi], P[:, lo:hi].T, out=halves[0 if lo == 0 else 1])

    split_columns(gram, N, C * N)
    PPt = halves[0].astype(np.float64) + halves[1]
    J = np.diag(PPt.sum(axis=1) / N)
    J -= PPt / N
    return J


def _freeze(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


class Scratch64:
    """One float64 ``(C, N)`` scratch array kept between frames.

    Saves allocating it per version: fresh 6 MB arrays at N = 80 000, C = 10 cost ~3 ms
    a frame in page faults. It holds nothing once a computation returns.
    """

    def __init__(self) -> None:
        self._array: np.ndarray | None = None

    def get(self, shape: tuple[int, int]) -> np.ndarray:
        """An uninitialised float64 array of ``shape`` (the kept one if it fits)."""
        if self._array is None or self._array.shape != shape:
            self._array = np.empty(shape, dtype=np.float64)
        return self._array


class Numbers:
    """Display and exact numbers of the training points for one parameter version.

    Parameters
    ----------
    timeline : Timeline
        Gives ``W (C, D)``, ``b (C,)``, the configuration (L2, label smoothing) and the
        forward pass of the shown step; :attr:`version` is its version.
    setup : Setup
        The data, feature map and trainer.
    temperature : float
        The display temperature ``T`` dividing the logits of display numbers and details.
    scratch : Scratch64

    Valid until the timeline's next version (it reads the live parameters when first
    asked): ask the session for its current :attr:`Session.numbers` after a change.
    """

    # Made once per frame: slots filled on first use (cheaper than
    # functools.cached_property, which takes a lock in Python 3.11).
    __slots__ = (
        "_config",
        "_details",
        "_display",
        "_grads",
        "_jacobian",
        "_jacobian_display",
        "_max_wrong",
        "_max_wrong_signal",
        "_params64",
        "_per_sample_display",
        "_scratch",
        "_setup",
        "_table",
        "_timeline",
        "temperature",
        "version",
    )

    def __init__(self, timeline, setup, temperature: float, scratch: Scratch64):
        self.version = timeline.version
        self.temperature = temperature
        self._timeline = timeline
        self._config = timeline.config
        self._setup = setup
        self._scratch = scratch
        self._display: tuple[np.ndarray, np.ndarray] | None = None
        self._per_sample_display: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._table: details.SampleTable | None = None
        self._max_wrong: np.ndarray | None = None
        self._max_wrong_signal: np.ndarray | None = None
        self._jacobian_display: np.ndarray | None = None
        self._params64: tuple[np.ndarray, np.ndarray] | None = None
        self._details: dict[int, details.SampleDetail] = {}
        self._jacobian: np.ndarray | None = None
        self._grads: tuple[float, np.ndarray, np.ndarray] | None = None

    # ============================================================ display (float32)
    def _displayed(self) -> tuple[np.ndarray, np.ndarray]:
        """``P (C, Nt)`` and ``p_y − 1 (Nt,)`` at the temperature."""
        if self._display is not None:
            return self._display
        fwd, T = self._timeline.forward(), self.temperature
        if T == 1.0:
            P = fwd.P.view()
        else:
            with np.errstate(all="ignore"):
                P = np.subtract(fwd.Z, fwd.zmax)
                P /= P.dtype.type(T)
                np.exp(P, out=P)
                P /= P.sum(axis=0)
        out = (P, np.take(P.ravel(), self._setup.trainer.flat) - 1)
        _freeze(*out)
        self._display = out
        return out

    def _per_sample(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``L_n (Nt,)``, ``∂L_n/∂z_n (C, Nt)`` and ``∂L_n/∂z_{y_n} (Nt,)`` of the
        chosen loss on the training targets, at the temperature (float32)."""
        if self._per_sample_display is not None:
            return self._per_sample_display
        fwd, T = self._timeline.forward(), self.temperature
        trainer, objective = self._setup.trainer, fwd.objective
        eps, loss, margin = objective.label_smoothing, objective.loss, objective.margin
        targets = trainer.soft_targets(eps) if eps > 0 else trainer.y
        with np.errstate(all="ignore"):
            if T == 1.0:
                dz = trainer.logit_grads(fwd).view()  # the next full-batch step's own
                losses = fwd.losses.view() if eps == 0 else None
                if losses is None:
                    losses = per_sample_loss(fwd.Z, targets, loss, margin=margin)
            else:
                Zt = fwd.Z / fwd.Z.dtype.type(T)
                losses = per_sample_loss(Zt, targets, loss, margin=margin)
                dz = per_sample_grad(Zt, targets, loss, margin=margin)
        out = (losses, dz, np.take(dz.ravel(), trainer.flat))
        _freeze(*out)
        self._per_sample_display = out
        return out

    @property
    def probs(self) -> np.ndarray:
        """``P (C, Ntrain)`` of the training points at the display temperature."""
        return (self._display or self._displayed())[0]

    @property
    def true_error(self) -> np.ndarray:
        """``p_y − 1`` per training point ``(Ntrain,)``."""
        return (self._display or self._displayed())[1]

    @property
    def sample_loss(self) -> np.ndarray:
        """Each training point's loss ``L_n (Ntrain,)`` (cross-entropy: ``−log p_y``)."""
        return (self._per_sample_display or self._per_sample())[0]

    @property
    def dz(self) -> np.ndarray:
        """Each training point's ``∂L_n/∂z_n (C, Ntrain)``, not divided by N."""
        return (self._per_sample_display or self._per_sample())[1]

    @property
    def error_signal(self) -> np.ndarray:
        """``∂L_n/∂z`` at each training point's true class ``(Ntrain,)`` (cross-entropy:
        ``p_y − 1``; Weston–Watkins: minus the count of active margins)."""
        c = self._config
        if c.loss == "cross_entropy" and c.label_smoothing == 0:
            # p_y − 1 from P: the same float32 numbers without the (C, N) ∂L/∂z, which with
            # mini-batches no step needs (~1 ms a frame at W3, docs/performance.md).
            return self.true_error
        return (self._per_sample_display or self._per_sample())[2]

    @property
    def max_wrong(self) -> np.ndarray:
        """The largest wrong-class probability per training point ``(Ntrain,)``."""
        # Only the bars' optional upward series needs it: a (C, N) copy, so on demand.
        if self._max_wrong is not None:
            return self._max_wrong
        P = self.probs
        if P.shape[0] > 1:
            wrong = P.copy()
            wrong.ravel()[self._setup.trainer.flat] = -1
            out = wrong.max(axis=0)
        else:
            out = np.zeros_like(self.true_error)
        _freeze(out)
        self._max_wrong = out
        return out

    @property
    def max_wrong_signal(self) -> np.ndarray:
        """The largest wrong-class ``∂L_n/∂z_k`` (``k ≠ y_n``) per training point
        ``(Ntrain,)``: the class the loss pushes down hardest (cross-entropy on hard
        labels: the largest wrong ``p_k``). 0 with one class."""
        if self._max_wrong_signal is not None:
            return self._max_wrong_signal
        dz = self.dz
        if dz.shape[0] > 1:
            wrong = dz.copy()  # (C, N), on demand like max_wrong
            wrong.ravel()[self._setup.trainer.flat] = -np.inf
            out = wrong.max(axis=0)
        else:
            out = np.zeros_like(self.error_signal)
        _freeze(out)
        self._max_wrong_signal = out
        return out

    # ============================================================ exact (float64)
    @property
    def params64(self) -> tuple[np.ndarray, np.ndarray]:
        """``W (C, D)`` and ``b (C,)`` in float64."""
        if self._params64 is None:
            self._params64 = self._timeline.params64()
        return self._params64

    def sample_detail(self, i: int) -> details.SampleDetail:
        """:class:`~explorer.session.details.SampleDetail` of data point ``i`` (checked).

        Kept: the Jacobian, the bars and the inspector all show the selected sample's
        detail every frame.
        """
        cached = self._details.get(i)
        if cached is None:
            W64, b64 = self.params64
            d = self._setup.data
            cached = details.sample_detail(
                W64,
                b64,
                self._setup.feature_map,
                d.X[:, i],
                int(d.y[i]),
                index=i,
                is_test=bool(d.is_test[i]),
                loss=self._config.loss,
                margin=self._config.margin,
                label_smoothing=self._config.label_smoothing,
                temperature=self.temperature,
            )
            _freeze(*(v for v in vars(cached).values() if isinstance(v, np.ndarray)))
            self._details[i] = cached
        return cached

    def sample_table(self) -> details.SampleTable:
        """:class:`~explorer.session.details.SampleTable` of the training points (float64,
        at the temperature; made on first use: ~a float64 softmax of every point)."""
        if self._table is None:
            W64, b64 = self.params64
            c, s = self._config, self._setup
            self._table = details.sample_table(
                W64,
                b64,
                s.train_features64(),
                s.data.X[:, s.train_index],
                s.trainer.y,
                index=s.train_index,
                loss=c.loss,
                margin=c.margin,
                label_smoothing=c.label_smoothing,
                temperature=self.temperature,
            )
        return self._table

    def point_detail(self, xy: np.ndarray) -> details.PointDetail:
        """:class:`~explorer.session.details.PointDetail` at ``xy (2,)`` (checked)."""
        W64, b64 = self.params64
        return details.point_detail(W64, b64, self._setup.feature_map, xy, self.temperature)

    def mean_jacobian(self, exact: bool = True) -> np.ndarray:
        """Mean softmax Jacobian over the training points, float64 ``(C, C)``.

        ``exact=False``: from the float32 display probabilities (~1e-6 from the exact
        matrix, see :func:`mean_jacobian_display`), for pictures that show no numbers.
        """
        if not exact:
            if self._jacobian_display is None:
                J = mean_jacobian_display(self.probs)  # float32, display temperature
                _freeze(J)
                self._jacobian_display = J
            return self._jacobian_display
        if self._jacobian is None:
            if self.temperature == 1.0:
                self._batch64()  # sets the Jacobian on the way
            else:
                W64, b64 = self.params64
                Z = W64 @ self._setup.train_features64()
                Z += b64[:, None]
                Z /= self.temperature
                self._keep_jacobian(softmax(Z))
        return self._jacobian

    def _keep_jacobian(self, P: np.ndarray) -> None:
        J = mean_jacobian(P)
        _freeze(J)
        self._jacobian = J

    def batch_grads(self) -> tuple[float, np.ndarray, np.ndarray]:
        """``(loss, dW (C, D), db (C,))`` of the training objective on all training
        points: the chosen loss and margin, label smoothing, L2 and L1, at temperature 1
        (:func:`explorer.core.loss_and_grads`)."""
        if self._grads is None:
            self._batch64()
        return self._grads

    def _batch64(self) -> None:
        """:meth:`batch_grads`, and :meth:`mean_jacobian` too at temperature 1, in one pass.

        Both need the float64 softmax of every training point, and its ``exp`` is most of
        their cost (~7 ms at N = 80 000, C = 10: numpy's float64 ``exp`` has no SIMD path
        here): :func:`explorer.core.loss_and_grads` hands its probabilities over on the
        way (``Z / 1.0`` is exact, so they are bit-identical to ``softmax``).
        """
        W64, b64 = self.params64
        X = self._setup.train_features64()
        y = self._setup.trainer.y
        c = self._config
        eps = c.label_smoothing
        Y = smooth_labels(y, W64.shape[0], eps) if eps > 0 else y
        buffer = self._scratch.get((W64.shape[0], X.shape[1]))
        share = self.temperature == 1.0 and self._jacobian is None
        loss, dW, db = loss_and_grads(
            W64,
            b64,
            X,
            Y,
            c.l2,
            loss=c.loss,
            margin=c.margin,
            l1=c.l1,
            out=buffer,
            on_probs=self._keep_jacobian if share else None,
        )
        _freeze(dW, db)
        self._grads = (loss, dW, db)
