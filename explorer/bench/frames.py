"""Time frames of the real main window, part by part.

A frame is what the play timer does: ``session.step(1)``, whose one ``changed`` event
makes the window refresh every view, then the event loop's paint of what changed. The
harness runs it by hand so that each part can be timed, with the window in its playing
state (:meth:`WindowHarness.hold_playing`: the read-outs, step number and status bar,
then change at most every 0.1 s, as while the play timer runs); ``run(playing=False)``
times the frames of Step presses while paused, whose read-outs follow every frame:

``step``
    ``session.step(1)`` minus the refresh its event triggers (the optimiser update, the
    forward pass for the metrics, history bookkeeping);
``image``
    ``session.decision_image`` as called by the regions view (the uint8 kernel);
``push``
    the rest of the views' refresh: lookup table into the image buffer, bars, curves,
    Jacobian, inspector text, parameter table, status bar (numbers into plot items);
``paint``
    ``QApplication.processEvents()``: Qt delivers the deferred updates the refresh
    posted, runs what views deferred to the event loop (the inspector lays out its text
    at most 15 times a second) and paints every changed view into the window's backing
    store. This is exactly what the event loop does between two timer ticks; an event
    filter on every plot viewport counts the paints (``paints_per_frame``: 1.0 each
    means every visible view was painted every frame). ``full_repaint=True`` instead
    forces ``window.repaint()`` of the whole window, static widgets included (a
    harsher, unrealistic figure).

The layout is the default one except that the inspector is docked beside the curves
instead of behind them, so every view of the issue (regions, Jacobian, bars, curves,
inspector) is visible and painted. The window starts as the app does, with no sample
selected (the Jacobian shows the batch mean, the inspector the batch gradient);
:meth:`WindowHarness.select_sample` selects a training sample (the Jacobian, the bars'
detail and the inspector then follow that sample).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

WINDOW_SIZE = (1200, 800)
#: Widths of the left (configuration) and right (Jacobian, bars) dock columns, pixels.
DOCK_WIDTHS = (260, 360)
#: Widths of the curves and the inspector, side by side at the bottom, and their height.
BOTTOM_WIDTHS = (600, 600)
BOTTOM_HEIGHT = 220
#: Views whose paints per frame are always reported (the issue's "every view").
PAINTED_VIEWS = ("regions", "jacobian", "bars", "curves", "inspector")
#: The regions view refits its grid 150 ms after the last resize; wait past that.
SETTLE_S = 0.4
#: The play timer's interval while the harness holds the player playing (ms, the
#: largest a QTimer takes): it never fires during a run.
HOLD_INTERVAL_MS = 2**31 - 1


@dataclass
class FrameTimes:
    """Times (seconds) of the frames run so far, total and per part."""

    total: list[float] = field(default_factory=list)
    step: list[float] = field(default_factory=list)
    image: list[float] = field(default_factory=list)
    push: list[float] = field(default_factory=list)
    paint: list[float] = field(default_factory=list)

    def add(self, step: float, image: float, push: float, paint: float) -> float:
        total = step + image + push + paint
        for name, value in zip(
            ("total", "step", "image", "push", "paint"),
            (total, step, image, push, paint),
            strict=True,
        ):
            getattr(self, name).append(value)
        return total

    def summary_ms(self) -> dict[str, object]:
        """``{"frame_ms": {median, min, max, mean}, "parts_ms": {step, image, push, paint}}``.

        Parts are medians, so they need not add up exactly to the median frame.
        """
        ms = [t * 1e3 for t in self.total]
        return {
            "frame_ms": {
                "median": statistics.median(ms),
                "min": min(ms),
                "max": max(ms),
                "mean": statistics.fmean(ms),
            },
            "parts_ms": {
                part: statistics.median(getattr(self, part)) * 1e3
                for part in ("step", "image", "push", "paint")
            },
        }


class _PaintCounter:
    """Counts ``QEvent.Paint`` deliveries per watched widget."""

    def __init__(self):
        from PyQt6.QtCore import QEvent, QObject

        counts: dict[int, int] = {}
        paint = QEvent.Type.Paint

        class Filter(QObject):
            def eventFilter(self, obj, event):
                if event.type() == paint:
                    key = id(obj)
                    counts[key] = counts.get(key, 0) + 1
                return False

        self.counts = counts
        self.filter = Filter()
        self.names: dict[int, str] = {}

    def watch(self, name: str, widget) -> None:
        self.names[id(widget)] = name
        widget.installEventFilter(self.filter)

    def snapshot(self) -> dict[str, int]:
        return {name: self.counts.get(key, 0) for key, name in self.names.items()}


class WindowHarness:
    """The real :class:`MainWindow` on a workload's session, instrumented for timing.

    Parameters
    ----------
    workload : explorer.bench.workloads.Workload
    full_repaint : bool
        Paint with ``window.repaint()`` (everything) instead of the event loop's
        deferred update (what changed).
    overlays : tuple of str
        Regions overlays to switch on (``boundaries``, ``weights``, ``zero-lines``, ``pull``).
    """

    def __init__(
        self,
        workload,
        full_repaint: bool = False,
        overlays: tuple[str, ...] = (),
        landscape: bool = False,
    ):
        from PyQt6.QtCore import QSettings, Qt

        from explorer.app.application import freeze_long_lived_objects, get_application
        from explorer.app.main_window import MainWindow

        self.workload = workload
        self.full_repaint = full_repaint
        self.app = get_application()
        self._scratch = tempfile.TemporaryDirectory(prefix="softmax-bench-")
        settings = QSettings(
            str(Path(self._scratch.name) / "settings.ini"), QSettings.Format.IniFormat
        )
        self.session = workload.session()
        self.window = w = MainWindow(self.session, settings=settings)
        w.resize(*WINDOW_SIZE)
        w.show()
        self.app.processEvents()
        d = w.docks
        # The inspector beside the curves, in front of its own tab group: the default layout
        # has it so (app/layouts.py); an older one had it behind the curves. Moving it out of
        # a group it already leads would bring the Parameters tab to the front, and the
        # benchmark would time their float64 batch gradients in every frame.
        horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
        if d["curves"] in w.tabifiedDockWidgets(d["inspector"]):
            w.removeDockWidget(d["inspector"])
            w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, d["inspector"], horizontal)
        d["inspector"].show()
        d["inspector"].raise_()
        self.app.processEvents()
        w.resizeDocks([d["config"], d["jacobian"]], list(DOCK_WIDTHS), horizontal)
        if landscape:  # the loss landscape visible too, a third of the bottom row
            w.removeDockWidget(d["landscape"])
            w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, d["landscape"], horizontal)
            d["landscape"].show()
            d["curves"].raise_()  # in front of its tab group again (the parameters, ...)
            self.app.processEvents()
            thirds = [sum(BOTTOM_WIDTHS) // 3] * 3
            w.resizeDocks([d["curves"], d["inspector"], d["landscape"]], thirds, horizontal)
        else:
            w.resizeDocks([d["curves"], d["inspector"]], list(BOTTOM_WIDTHS), horizontal)
        w.resizeDocks([d["curves"]], [BOTTOM_HEIGHT], vertical)
        w.regions.set_grid_size(workload.grid)
        for name in overlays:
            w.regions.set_overlay(name, True)
        self._instrument()
        self.settle()
        freeze_long_lived_objects()  # as the app does once its window is up

    def select_sample(self, on: bool = True) -> None:
        """Select the first training sample (or nothing), as a click would."""
        train = self.session.data.train_index
        self.session.select(int(train[0]) if on and len(train) else None)
        self.settle(0.0)

    # ------------------------------------------------------------ instruments
    def _instrument(self) -> None:
        """Wrap the refresh and the decision image with timers (instance attributes)."""
        from PyQt6.QtWidgets import QTableView, QTextEdit
        from pyqtgraph import GraphicsView

        self._refresh_s = 0.0
        self._image_s = 0.0
        window, session = self.window, self.session
        refresh_all = window._refresh_all
        decision_image = session.decision_image
        clock = time.perf_counter

        def timed_refresh(changes):
            t = clock()
            try:
                refresh_all(changes)
            finally:
                self._refresh_s += clock() - t

        def timed_image(*args, **kwargs):
            t = clock()
            try:
                return decision_image(*args, **kwargs)
            finally:
                self._image_s += clock() - t

        # MainWindow._on_session_changed looks these up on the instance at each call.
        window._refresh_all = timed_refresh
        session.decision_image = timed_image
        # The views only (a hidden tab, the parameter table, is not in the picture).
        self._flushes = [
            view.flush for view_id, view in window.views.items() if view_id in PAINTED_VIEWS
        ]
        self.paints = _PaintCounter()
        for view_id, view in window.views.items():
            areas = [
                area
                for kind in (GraphicsView, QTextEdit, QTableView)
                for area in view.findChildren(kind)
            ]
            for k, area in enumerate(areas):
                self.paints.watch(view_id if k == 0 else f"{view_id}.{k}", area.viewport())

    def settle(self, seconds: float = SETTLE_S) -> None:
        """Run the event loop for ``seconds`` (deferred resizes, layouts, first paints)."""
        end = time.perf_counter() + seconds
        while True:
            self.app.processEvents()
            if time.perf_counter() >= end:
                break
            time.sleep(0.01)

    def hold_playing(self, on: bool) -> None:
        """Put the window's player in its playing state (or pause it) without its timer
        ever stepping: the harness makes the frames itself.

        Playing, the window does what it does while the play timer runs: the read-outs
        (the tool bar's step number, the status bar) change at most every
        ``STATUS_INTERVAL_S``, on a timer of their own.
        """
        player = self.window.player
        if on and not player.playing:
            player.play()
            player._timer.setInterval(HOLD_INTERVAL_MS)  # restarts it: it never fires
        elif not on and player.playing:
            player.pause()
            player.set_fps(player.fps)  # back to the interval of the fps asked for

    # ------------------------------------------------------------------ frames
    def frame(self, every_view: bool = False) -> tuple[float, float, float, float]:
        """Run one frame; returns ``(step, image, push, paint)`` in seconds.

        ``every_view``: after the refresh, every view that holds back updates (the
        inspector when its render is costly, the bars' detail title) is flushed, so
        that each one shows this step; the flushes count as push.
        """
        self._refresh_s = self._image_s = 0.0
        t0 = time.perf_counter()
        self.session.step(1)
        t1 = time.perf_counter()
        if every_view:
            for flush in self._flushes:
                flush()
        t2 = time.perf_counter()
        if self.full_repaint:
            self.window.repaint()
        self.app.processEvents()
        t3 = time.perf_counter()
        refresh, image = self._refresh_s, self._image_s
        return (t1 - t0) - refresh, image, refresh - image + (t2 - t1), t3 - t2

    def run(
        self,
        frames: int,
        warmup: int = 0,
        between=None,
        playing: bool = True,
        every_view: bool = False,
    ) -> FrameTimes:
        """Time ``frames`` frames after ``warmup`` untimed ones.

        ``between`` (no arguments) runs after each frame, untimed: the reference's frame
        when interleaving. ``playing``: the window is in its playing state, as when the
        play timer makes the frames (see :meth:`hold_playing`); False times the frames
        of Step presses while paused. ``every_view``: see :meth:`frame`.
        """
        self.hold_playing(playing)
        try:
            for _ in range(warmup):
                self.frame(every_view)
            times = FrameTimes()
            before = self.paints.snapshot()
            for _ in range(frames):
                times.add(*self.frame(every_view))
                if between is not None:
                    between()
            after = self.paints.snapshot()
        finally:
            self.hold_playing(False)
        self.paints_per_frame = {
            name: (after[name] - before[name]) / max(1, frames)
            for name in after
            if after[name] > before[name] or name in PAINTED_VIEWS
        }
        return times

    # --------------------------------------------------------------- event loop
    def event_loop_fps(self, seconds: float = 2.0, fps: int = 240) -> dict[str, float]:
        """Frames per second the window's own play timer reaches in a real event loop.

        The player asks for ``fps`` (240 is its ceiling: the timer is never the limit);
        one step per frame. A frame counts when it was both stepped and painted, so the
        figure is ``min(steps, regions paints) / seconds``.
        """
        from PyQt6.QtCore import QEventLoop, QTimer

        player = self.window.player
        player.set_steps_per_frame(1)
        player.set_fps(fps)
        regions_before = self.paints.snapshot()["regions"]
        k0 = self.session.step_index
        loop = QEventLoop()
        QTimer.singleShot(round(seconds * 1000), loop.quit)
        t0 = time.perf_counter()
        player.play()
        loop.exec()
        player.pause()
        elapsed = time.perf_counter() - t0
        steps = self.session.step_index - k0
        paints = self.paints.snapshot()["regions"] - regions_before
        self.app.processEvents()
        return {
            "fps": min(steps, paints) / elapsed,
            "steps_per_s": steps / elapsed,
            "paints_per_s": paints / elapsed,
            "player_measured_fps": player.measured_fps(),
        }

    # ------------------------------------------------------------------- export
    def png_export_ms(self, scale: float, repeats: int = 5) -> float:
        """Median time to write the regions view as a PNG at ``scale``."""
        from explorer.export.image import save_png

        widget = self.window.regions.export_widget()
        path = Path(self._scratch.name) / f"regions-{scale:g}x.png"
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            save_png(widget, path, scale=scale)
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1e3

    def close(self) -> None:
        """Hide and delete the window (no close event: no unsaved-changes prompt)."""
        self.window.player.pause()
        self.window.hide()
        self.window.deleteLater()
        self.app.processEvents()
        self._scratch.cleanup()
