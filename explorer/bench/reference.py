"""The reference: the same four panels drawn the way a careful matplotlib user would.

"Careful" means everything the matplotlib animation guide recommends: the Agg canvas
(no GUI event loop), one figure of 1200×800 pixels built once, persistent artists
updated with ``set_data`` / ``set_verts`` / ``set_text``, and blitting: the static parts
(axes, ticks, labels, colour bar) are drawn once into saved backgrounds; each frame
restores them and redraws only the animated artists. Ranges are fixed; the curves' step
axis doubles when training runs past it (a full redraw, rare).

To compare drawing and not arithmetic, the reference trains its own
:class:`~explorer.session.session.Session` on the same data and asks it for the same
numbers the views use (decision indices from the same uint8 kernel, ``p_y − 1``, the
selected sample's Jacobian and ``p, y, p − y`` or, with nothing selected, the batch's
mean Jacobian, the metrics). Everything after the
numbers is matplotlib. Its bars are binned to at most one bar per pixel column, the
worst sample of each bin, like ours.

matplotlib is the benchmark extra; :func:`unavailable` says why it cannot run.
"""

from __future__ import annotations

import time

import numpy as np

FIG_SIZE = (1200, 800)
DPI = 100
#: Jacobian colour scale, as in the Jacobian view.
J_LIMIT = 0.25
#: Write the Jacobian's values in its cells up to this many classes (like the view).
J_TEXT_MAX = 8


def unavailable() -> str | None:
    """None if matplotlib can be imported, else a message saying how to get it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return (
            "matplotlib is not installed: the reference comparison is skipped "
            "(install the benchmark extra: pip install 'softmax-explorer[bench]')"
        )
    return None


def _rgba_lut(colors: np.ndarray, background, C: int) -> np.ndarray:
    """The regions view's lookup table as ``uint8 (256, 4)`` RGBA rows for ``imshow``."""
    from explorer.core.decision import decision_lut

    lut = decision_lut(colors, np.asarray(background), C, pale=0.08, full=0.5)
    rgba = np.empty((256, 4), dtype=np.uint8)
    for k, shift in enumerate((16, 8, 0)):
        rgba[:, k] = (lut >> np.uint32(shift)) & np.uint32(0xFF)
    rgba[:, 3] = 255
    return rgba


def _data_range(X: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = X.min(axis=1), X.max(axis=1)
    pad = 0.1 * float((hi - lo).max())
    return float(lo[0] - pad), float(hi[0] + pad), float(lo[1] - pad), float(hi[1] + pad)


class MatplotlibReference:
    """Regions, Jacobian, ``p − y`` bars and curves in one Agg figure, blitted.

    Parameters
    ----------
    workload : explorer.bench.workloads.Workload
    select : bool
        Select the first training sample (like :meth:`WindowHarness.select_sample`).
    """

    def __init__(self, workload, select: bool = False):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import PolyCollection
        from matplotlib.figure import Figure

        from explorer.core.decision import grid_axes, grid_points
        from explorer.views.palette import LIGHT, class_colors

        self.session = s = workload.session()
        data = s.data
        C = data.n_classes
        train = data.train_index
        if select and len(train):
            s.select(int(train[0]))
        colors = class_colors(C)
        self._rgb = colors.astype(np.float64) / 255.0
        self._lut = _rgba_lut(colors, LIGHT.background, C)
        G = workload.grid
        self.G = G
        x0, x1, y0, y1 = _data_range(data.X)
        xs, ys = grid_axes(x0, x1, y0, y1, G)
        self._grid_features = s.feature_map.transform(grid_points(xs, ys))

        self.figure = fig = Figure(figsize=(FIG_SIZE[0] / DPI, FIG_SIZE[1] / DPI), dpi=DPI)
        self.canvas = FigureCanvasAgg(fig)
        gs = fig.add_gridspec(4, 2, width_ratios=(1.1, 1), height_ratios=(1, 0.8, 0.5, 0.9))
        ax_regions = fig.add_subplot(gs[0:3, 0])
        ax_jac = fig.add_subplot(gs[0, 1])
        ax_bars = fig.add_subplot(gs[1, 1])
        ax_detail = fig.add_subplot(gs[2, 1])
        ax_loss = fig.add_subplot(gs[3, 0])
        ax_acc = fig.add_subplot(gs[3, 1])
        fig.subplots_adjust(left=0.05, right=0.97, bottom=0.05, top=0.97, hspace=0.45)
        self._artists: dict[object, list] = {}

        # Regions: the RGBA image under the points; both are redrawn every frame.
        blank = np.zeros((G, G, 4), dtype=np.uint8)
        self.image = ax_regions.imshow(
            blank,
            origin="lower",
            extent=(x0, x1, y0, y1),
            interpolation="nearest",
            aspect="equal",
            animated=True,
        )
        X, y, test = data.X, data.y, data.is_test
        tr, te = ~test, test
        train_pts = ax_regions.scatter(
            X[0, tr], X[1, tr], s=14, c=self._rgb[y[tr]], edgecolors="k", linewidths=0.3
        )
        test_pts = ax_regions.scatter(
            X[0, te], X[1, te], s=14, facecolors="none", edgecolors=self._rgb[y[te]]
        )
        sel = s.selected if s.selected is not None else 0
        selected = ax_regions.scatter(
            [X[0, sel]], [X[1, sel]], s=120, facecolors="none", edgecolors="k", linewidths=2
        )
        for a in (train_pts, test_pts, selected):
            a.set_animated(True)
        selected.set_visible(s.selected is not None)
        ax_regions.set_xlim(x0, x1)
        ax_regions.set_ylim(y0, y1)
        ax_regions.set_xlabel("x₁")
        ax_regions.set_ylabel("x₂")
        self._artists[ax_regions] = [self.image, train_pts, test_pts, selected]

        # Jacobian heatmap with a static colour bar and (C <= 8) animated value texts.
        self.jac = ax_jac.imshow(
            np.zeros((C, C)), cmap="RdBu_r", vmin=-J_LIMIT, vmax=J_LIMIT, animated=True
        )
        fig.colorbar(self.jac, ax=ax_jac, fraction=0.05)
        ax_jac.set_xticks(range(C))
        ax_jac.set_yticks(range(C))
        ax_jac.set_title("J = diag(p) − p pᵀ", fontsize=9)
        self.jac_texts = []
        if C <= J_TEXT_MAX:
            for i in range(C):
                for j in range(C):
                    t = ax_jac.text(j, i, "", ha="center", va="center", fontsize=7, animated=True)
                    self.jac_texts.append(t)
        self._artists[ax_jac] = [self.jac, *self.jac_texts]

        # p_y − 1 bars: one PolyCollection of rectangles, binned to the axes' pixel width.
        n = len(train)
        width_px = int(ax_bars.get_window_extent().width)
        self.bin = max(1, -(-n // max(1, width_px)))
        self.n_bars = -(-n // self.bin) if n else 0
        self._train_labels = data.y[train]
        self.bars = PolyCollection([], animated=True, edgecolors="none")
        ax_bars.add_collection(self.bars)
        ax_bars.set_xlim(0, max(1, self.n_bars))
        ax_bars.set_ylim(-1.0, 0.02)
        ax_bars.set_title(f"p_y − 1 for {n} training samples", fontsize=9)
        self._artists[ax_bars] = [self.bars]

        # The selected sample's p, y and p − y: three bar groups of C bars.
        pos = np.arange(C, dtype=np.float64)
        self.detail = [
            ax_detail.bar(pos + off, np.zeros(C), width=0.26, color=col, animated=True)
            for off, col in ((-0.28, "0.35"), (0.0, "0.75"), (0.28, "#cc3377"))
        ]
        ax_detail.set_ylim(-1.0, 1.0)
        ax_detail.set_xticks(range(C))
        ax_detail.axhline(0.0, color="0.5", linewidth=0.8)
        self._artists[ax_detail] = [r for group in self.detail for r in group.patches]

        # Curves: train/test loss and accuracy, a marker at the shown step.
        self.lines = {}
        for name, ax, style in (
            ("train_loss", ax_loss, "-"),
            ("test_loss", ax_loss, "--"),
            ("train_acc", ax_acc, "-"),
            ("test_acc", ax_acc, "--"),
        ):
            (self.lines[name],) = ax.plot([], [], style, linewidth=1.2, animated=True)
        self.markers = [ax.axvline(0.0, color="k", animated=True) for ax in (ax_loss, ax_acc)]
        ax_loss.set_ylabel("loss")
        ax_acc.set_ylabel("accuracy")
        ax_acc.set_ylim(-0.05, 1.05)
        self._loss_top = 1.05 * max(1e-3, float(s.metrics.train_loss[0]))
        ax_loss.set_ylim(0.0, self._loss_top)
        self._x_end = 64
        for ax in (ax_loss, ax_acc):
            ax.set_xlim(0, self._x_end)
        self.ax_loss = ax_loss
        self.curve_axes = (ax_loss, ax_acc)
        self._artists[ax_loss] = [self.lines["train_loss"], self.lines["test_loss"]]
        self._artists[ax_loss].append(self.markers[0])
        self._artists[ax_acc] = [self.lines["train_acc"], self.lines["test_acc"], self.markers[1]]
        self._backgrounds: dict[object, object] = {}
        self._poly_template = np.array([[0, 0], [0, 1], [1, 1], [1, 0]], dtype=np.float64)
        self.full_redraws = 0
        self._full_redraw()

    # ----------------------------------------------------------------- drawing
    def _full_redraw(self) -> None:
        """Draw the static figure and save each panel's background (animated excluded)."""
        self.canvas.draw()
        self._backgrounds = {ax: self.canvas.copy_from_bbox(ax.bbox) for ax in self._artists}
        self.full_redraws += 1

    def _update_regions(self) -> None:
        idx = self.session.decision_image(self._grid_features)
        self.image.set_data(self._lut[idx.reshape(self.G, self.G)])

    def _update_jacobian(self) -> None:
        s = self.session
        i = s.selected
        d = s.sample_detail(i) if i is not None else None
        J = d.J if d is not None else s.mean_jacobian()
        self.jac.set_data(J)
        for t, v in zip(self.jac_texts, J.ravel(), strict=False):
            t.set_text(f"{v:.3f}")
        if d is not None:
            for group, values in zip(self.detail, (d.p, d.y, d.p - d.y), strict=True):
                for rect, v in zip(group.patches, values, strict=True):
                    rect.set_height(float(v))

    def _update_bars(self) -> None:
        heights = np.asarray(self.session.train_true_error(), dtype=np.float64)
        n, size = heights.size, self.bin
        if n == 0:
            return
        padded = np.zeros(self.n_bars * size)
        padded[:n] = heights
        # Worst (lowest p_y − 1) of each bin stands for the bin, with its class colour.
        local = padded.reshape(self.n_bars, size).argmin(axis=1)
        rep = np.minimum(np.arange(self.n_bars) * size + local, n - 1)
        h = heights[rep]
        verts = np.repeat(self._poly_template[None], self.n_bars, axis=0)
        verts[:, :, 0] = np.arange(self.n_bars)[:, None] + np.array([0.1, 0.1, 0.9, 0.9])
        verts[:, :, 1] = h[:, None] * np.array([0.0, 1.0, 1.0, 0.0])
        self.bars.set_verts(verts)
        self.bars.set_facecolor(self._rgb[self._train_labels[rep]])

    def _update_curves(self) -> bool:
        """Update the lines; True when an axis had to grow (full redraw needed)."""
        s = self.session
        m = s.metrics
        steps = np.arange(s.head + 1)
        grow = False
        if s.head >= self._x_end:
            while s.head >= self._x_end:
                self._x_end *= 2
            for ax in self.curve_axes:
                ax.set_xlim(0, self._x_end)
            grow = True
        top = float(np.nanmax(m.train_loss)) if m.train_loss.size else 0.0
        if top > self._loss_top:
            self._loss_top = 1.05 * top
            self.ax_loss.set_ylim(0.0, self._loss_top)
            grow = True
        self.lines["train_loss"].set_data(steps, m.train_loss)
        self.lines["train_acc"].set_data(steps, m.train_acc)
        if m.has_test:
            self.lines["test_loss"].set_data(steps, m.test_loss)
            self.lines["test_acc"].set_data(steps, m.test_acc)
        for marker in self.markers:
            marker.set_xdata([s.step_index, s.step_index])
        return grow

    def _blit(self) -> None:
        canvas = self.canvas
        for ax, artists in self._artists.items():
            canvas.restore_region(self._backgrounds[ax])
            for artist in artists:
                ax.draw_artist(artist)
            canvas.blit(ax.bbox)

    def frame(self) -> float:
        """One training step and a redraw of the four panels; returns its time in seconds."""
        t = time.perf_counter()
        self.session.step(1)
        self._update_regions()
        self._update_jacobian()
        self._update_bars()
        if self._update_curves():
            self._full_redraw()
        self._blit()
        return time.perf_counter() - t

    def save(self, path) -> None:
        """Write the current figure buffer as a PNG (to look at what is drawn)."""
        from matplotlib.image import imsave

        imsave(path, np.asarray(self.canvas.buffer_rgba()))

    def close(self) -> None:
        self.figure.clear()
