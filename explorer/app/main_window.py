"""The main window: wires the session, the views, the player and the actions.

It computes nothing: numbers come from the session, pictures from the views. One session
event (one ``session.step(n)``) refreshes every view once.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QSpinBox,
    QToolBar,
    QWidget,
)

from explorer import APP_NAME, __version__
from explorer.app import settings as app_settings
from explorer.app.actions import ACTIONS, create_actions, shortcuts_html
from explorer.app.compare import CompareController
from explorer.app.file_actions import FileActions
from explorer.app.geometry import place_window
from explorer.app.layouts import DEFAULT as DEFAULT_LAYOUT
from explorer.app.layouts import (
    add_layout_menu,
    apply_layout,
    lay_out_when_shown,
    set_minimum_sizes,
)
from explorer.app.messages import UNDO_HINT, configured_text, divergence_text, restarted_text
from explorer.app.notices import NoticeBar
from explorer.app.player import Player
from explorer.app.presentation import Presentation, add_scale_menu
from explorer.app.shortcuts import TrainingKeys
from explorer.app.timeline_slider import TimelineSlider
from explorer.app.undo import UndoController
from explorer.session.changes import Change
from explorer.views.bars import BarsView
from explorer.views.config_panel import ConfigPanel
from explorer.views.curves import CurvesView
from explorer.views.inspector import InspectorView
from explorer.views.jacobian import JacobianView
from explorer.views.landscape import LandscapeView
from explorer.views.palette import DARK, LIGHT, class_colors, hex_color
from explorer.views.parameters import ParametersView
from explorer.views.qt_helpers import READOUT_INTERVAL_S, SteadyLabel, Throttle, signals_blocked
from explorer.views.regions import RegionsView
from explorer.views.samples import SamplesView

#: While playing, the read-outs (the tool bar's step number and the status bar's numbers)
#: change at most this often (seconds): each costs ~0.4 ms a frame to set and repaint,
#: and 60 numbers a second cannot be read anyway. The timeline, the curves' step marker
#: and every view follow each frame. Paused, every change shows at once.
STATUS_INTERVAL_S = READOUT_INTERVAL_S

#: (view class, dock area) for the docked views; the regions view is the central widget.
DOCKED_VIEWS = (
    (ConfigPanel, Qt.DockWidgetArea.LeftDockWidgetArea),
    (JacobianView, Qt.DockWidgetArea.RightDockWidgetArea),
    (BarsView, Qt.DockWidgetArea.RightDockWidgetArea),
    (CurvesView, Qt.DockWidgetArea.BottomDockWidgetArea),
    (InspectorView, Qt.DockWidgetArea.BottomDockWidgetArea),
    (ParametersView, Qt.DockWidgetArea.BottomDockWidgetArea),
    (SamplesView, Qt.DockWidgetArea.BottomDockWidgetArea),
    (LandscapeView, Qt.DockWidgetArea.BottomDockWidgetArea),
)


class MainWindow(QMainWindow):
    """Softmax Explorer's window around one :class:`~explorer.session.session.Session`."""

    def __init__(self, session, settings=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.settings = settings if settings is not None else app_settings.open_settings()
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.player = Player(self._play_step, self)
        self._divergence_notice: str | None = None  # shown until the report is cleared
        self.actions = create_actions(self)
        self._build_views()
        self.presentation = Presentation(self)  # F5; its own Esc and F6
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect()
        self._restore_settings()
        self._listen(session)
        self._refresh_all(Change.SESSION)
        self.regions.setFocus()

    # ----------------------------------------------------------------- building
    def _build_views(self) -> None:
        self.regions = RegionsView(self.session, self)
        self.setCentralWidget(self.regions)
        self.views = {"regions": self.regions}
        self.docks: dict[str, QDockWidget] = {}
        for cls, area in DOCKED_VIEWS:
            view = cls(self.session, self)
            dock = QDockWidget(view.title, self)
            dock.setObjectName(f"dock_{view.view_id}")
            dock.setWidget(view)
            self.addDockWidget(area, dock)
            self.views[view.view_id] = view
            self.docks[view.view_id] = dock
        set_minimum_sizes(self)  # docks are tabbed, not shrunk below readable
        apply_layout(self, DEFAULT_LAYOUT)

    def _build_menus(self) -> None:
        menus = {}
        for name in ("File", "Edit", "View", "Train", "Help"):
            menus[name] = self.menuBar().addMenu(f"&{name}")
        separators_after = {"save_as", "export_metrics", "record_gif", "deselect", "last_config"}
        separators_after |= {"redo", "to_end"}
        for spec in ACTIONS:
            menus[spec.menu].addAction(self.actions[spec.id])
            if spec.id in separators_after:
                menus[spec.menu].addSeparator()
        view_menu = menus["View"]
        add_layout_menu(self, view_menu)  # Teach, Derive, Everything, Reset Layout
        add_scale_menu(self.presentation, view_menu)
        view_menu.addSeparator()
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        self.menus = menus

    def _build_toolbar(self) -> None:
        bar = QToolBar("Training", self)
        bar.setObjectName("toolbar_training")
        self.addToolBar(bar)
        for key in ("step_back", "step", "play", "reset"):
            bar.addAction(self.actions[key])
        bar.addSeparator()
        self.steps_spin = QSpinBox(bar)
        self.steps_spin.setRange(1, 10_000)
        self.steps_spin.setPrefix("steps/frame ")
        self.steps_spin.setToolTip("Training steps taken per frame while playing and per Step")
        self.fps_spin = QSpinBox(bar)
        self.fps_spin.setRange(1, 240)
        self.fps_spin.setSuffix(" fps")
        self.fps_spin.setToolTip("Frames per second asked for while playing")
        bar.addWidget(self.steps_spin)
        bar.addWidget(self.fps_spin)
        bar.addSeparator()
        self.timeline = TimelineSlider(Qt.Orientation.Horizontal, bar)
        self.timeline.setMinimumWidth(220)
        self.timeline.setToolTip("Scrub through training history: every view shows that step")
        self.step_label = SteadyLabel(" step 0 / 0 ", bar)
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.step_label.setToolTip("Step shown / newest step in history")
        bar.addWidget(self.timeline)
        bar.addWidget(self.step_label)
        bar.addSeparator()
        bar.addAction(self.actions["edit_mode"])
        self.edit_class = QComboBox(bar)
        self.edit_class.setToolTip("Class of the points added in edit mode")
        bar.addWidget(self.edit_class)
        self.toolbar = bar

    def _build_status_bar(self) -> None:
        self.setStatusBar(NoticeBar(self))  # long messages elide at a word, whole in a tooltip
        self._readouts = Throttle(self._show_readouts, self, STATUS_INTERVAL_S)
        self.status_metrics = SteadyLabel("")
        self.status_metrics.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.status_metrics.setToolTip("Shown step, train loss, train and test accuracy, fps")
        # Opaque (the status bar's own flat colour): a new text repaints the label alone,
        # not the status bar and the window beneath it.
        self.status_metrics.setAutoFillBackground(True)
        self.statusBar().addPermanentWidget(self.status_metrics)

    def _connect(self) -> None:
        a = self.actions
        handlers = {
            "new": self.new_session,
            "import_csv": self.import_csv,
            "export_csv": self.export_csv,
            "quit": self.close,
            "deselect": lambda: self.session.select(None),
            "step": self.step,
            "step_back": self.step_back,
            "play": self.player.toggle,
            "reset": self._guarded(lambda: self.session.reset()),
            "regenerate": self._guarded(self._regenerate),
            "last_config": self._guarded(self.use_previous_config),
            "to_start": lambda: self._seek(0),
            "to_end": lambda: self._seek(self.session.head),
            "reset_zoom": self.regions.reset_view,
            "reset_layout": lambda: apply_layout(self, DEFAULT_LAYOUT),
            "present": self.presentation.toggle,
            "shortcuts": self.show_shortcuts,
            "about": self.show_about,
        }
        for key, handler in handlers.items():
            a[key].triggered.connect(handler)
        a["edit_mode"].toggled.connect(self.regions.set_edit_mode)
        a["dark"].toggled.connect(self.set_dark)
        self.player.playingChanged.connect(self._on_playing_changed)
        self.steps_spin.valueChanged.connect(self.player.set_steps_per_frame)
        self.fps_spin.valueChanged.connect(self.player.set_fps)
        self.timeline.valueChanged.connect(self._seek)
        self.edit_class.currentIndexChanged.connect(
            lambda k: self.regions.set_edit_class(max(0, k))
        )
        self.regions.pointHovered.connect(self.views["jacobian"].set_hover_point)
        for view in self.views.values():
            view.message.connect(self.show_message)
        self.views["config"].configured.connect(self._show_configured)
        # Export, recording and session files are wired by their own module.
        self.file_actions = FileActions(self)
        # Undo and Redo (Edit menu, Ctrl+Z, Ctrl+Shift+Z) record the session's actions.
        self.undo = UndoController(self)
        # Compare mode (Train → Compare…): run B beside this session (app/compare.py).
        self.compare = CompareController(self)
        # Space, P, Backspace, Home, End, E and Esc train from any focus but an edited field.
        self.training_keys = TrainingKeys(self)

    # ------------------------------------------------------------------ session
    def _listen(self, session) -> None:
        session.changed.connect(self._on_session_changed)

    def set_session(self, session) -> None:
        """Replace the session shown (File → New / Open)."""
        self.player.pause()
        self.compare.stop()
        self.session.changed.disconnect(self._on_session_changed)
        self.session = session
        self._listen(session)
        self.undo.follow(session)
        for view in self.views.values():
            view.session = session
        self._refresh_all(Change.SESSION)
        self._show_divergence()

    def _on_session_changed(self, changes: Change) -> None:
        self._refresh_all(changes)
        if changes & Change.DIVERGED:
            self._show_divergence()

    def _show_divergence(self) -> None:
        """Say how to get back from a divergence, until its report is cleared (Reset, an
        edit at an earlier step, an undo)."""
        diverged = self.session.diverged
        if diverged:
            self.player.pause()
            self._divergence_notice = divergence_text(diverged)
            self.show_message(self._divergence_notice, 0)
        elif self._divergence_notice:
            if self.statusBar().currentMessage() == self._divergence_notice:
                self.statusBar().clearMessage()
            self._divergence_notice = None

    def _refresh_all(self, changes: Change) -> None:
        for view in self.views.values():
            if changes & view.LISTENS_TO:
                view.refresh(changes)
        if changes & (Change.SESSION | Change.DATA):
            self._fill_edit_classes()
        self._update_timeline()
        self._update_readouts_soon()

    def _update_readouts_soon(self) -> None:
        """Update the step number and the status bar now, or (while playing) at most
        every STATUS_INTERVAL_S.

        A deferred update always comes: a single-shot timer shows the latest numbers when
        the interval is over, and pausing updates at once.
        """
        self._readouts.request(hold=self.player.playing)

    def _fill_edit_classes(self) -> None:
        names = self.session.data.class_names
        colors = class_colors(len(names))
        with signals_blocked(self.edit_class):
            self.edit_class.clear()
            for k, name in enumerate(names):
                self.edit_class.addItem(f"class {name}")
                self.edit_class.setItemData(k, hex_color(colors[k]), Qt.ItemDataRole.DecorationRole)
        self.regions.set_edit_class(0)

    def _update_timeline(self) -> None:
        s = self.session
        timeline = self.timeline
        if timeline.maximum() != s.head or timeline.value() != s.step_index:
            timeline.set_range_and_value(s.head, s.step_index)
        self.actions["step_back"].setEnabled(self.session.step_index > 0)

    def _show_readouts(self) -> None:
        s = self.session
        text = f" step {s.step_index} / {s.head} "
        if self.step_label.text() != text:
            self.step_label.setText(text)
        m = s.metrics
        k = s.step_index
        parts = [f"step {k}", f"loss {m.train_loss[k]:.4f}", f"train acc {m.train_acc[k]:.1%}"]
        if m.has_test:
            parts.append(f"test acc {m.test_acc[k]:.1%}")
        fps = self.player.measured_fps()
        if self.player.playing and fps > 0:
            parts.append(f"{fps:.0f} fps")
        self.status_metrics.setText("   ".join(parts))
        self.presentation.counter.show_step()

    # ----------------------------------------------------------------- commands
    def step(self) -> None:
        self.session.step(self.player.steps_per_frame)

    def step_back(self) -> None:
        self.session.step_back(self.player.steps_per_frame)

    def _play_step(self, n: int) -> int:
        return self.session.step(n)

    def _seek(self, k: int) -> None:
        self.session.seek(int(k))

    def use_previous_config(self) -> None:
        """Apply the configuration saved when the window was last closed (QSettings)."""
        from explorer.session.config import Config

        with self.session.actions.group("previous_config"):
            outcome = self.session.configure(Config.from_json(self._previous_config))
        self.show_message(configured_text(outcome) or "Applied the previous configuration")

    def _regenerate(self) -> None:
        seed = self.session.config.seed + 1
        with self.session.actions.group("regenerate"):
            outcome = self.session.configure(self.session.config.replace(seed=seed))
        self._show_configured(outcome)

    def _show_configured(self, outcome) -> None:
        """Say what a new configuration did (nothing when it needs no words)."""
        if text := configured_text(outcome):
            self.show_message(text)

    def _guarded(self, func):
        """Wrap a command so a refused change shows a message instead of raising."""

        def run(*_args):
            try:
                func()
            except ValueError as exc:
                self.show_error(str(exc))

        return run

    def new_session(self) -> None:
        from explorer.session.session import Session

        # No question about unsaved changes: Ctrl+Z brings the session back.
        with self.undo.replacing("new"):
            self.set_session(Session())
            self.file_actions.replaced(self.session, None)
        self.show_message(f"New session on the default data. {UNDO_HINT}")

    def import_csv(self) -> None:
        from PyQt6.QtWidgets import QFileDialog

        from explorer.core.csvdata import CsvError, load_csv
        from explorer.session.data import data_from_points

        path, _ = QFileDialog.getOpenFileName(self, "Import CSV", "", "CSV files (*.csv);;All (*)")
        if not path:
            return
        try:
            points = load_csv(path)
            data = data_from_points(
                points, self.session.config.test_fraction, self.session.config.seed
            )
            name = Path(path).name
            with self.session.actions.group("import_csv"):  # one undo with the panel's name
                # A new data set: fit the feature map to it and start from a fresh init.
                self.session.set_data(data, refit=True)
                self.views["config"].set_user_data(f"user data ({name})")
        except (CsvError, ValueError) as exc:
            self.show_error(f"Could not import {path}:\n{exc}")
            return
        self.show_message(restarted_text(f"Imported {data.X.shape[1]} points from {name}"))

    def export_csv(self) -> None:
        from PyQt6.QtWidgets import QFileDialog

        from explorer.core.csvdata import LabelledPoints, save_csv

        path, _ = QFileDialog.getSaveFileName(self, "Export data", "points.csv", "CSV (*.csv)")
        if not path:
            return
        d = self.session.data
        try:
            save_csv(path, LabelledPoints(d.X, d.y, d.class_names))
        except (OSError, ValueError) as exc:  # ValueError: names CSV could not read back
            self.show_error(f"Could not write {path}:\n{exc}")
            return
        self.show_message(f"Wrote {path}")

    def _confirm_discard(self) -> bool:
        """Ask before the current session is replaced (the file module knows if it is saved)."""
        fa = getattr(self, "file_actions", None)
        return fa.confirm_discard() if fa is not None else True

    def set_dark(self, dark: bool) -> None:
        from explorer.app.appearance import apply_palette

        theme = DARK if dark else LIGHT
        apply_palette(theme)
        for view in self.views.values():
            view.set_theme(theme)

    def show_message(self, text: str, timeout_ms: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def show_error(self, text: str) -> None:
        """A refused action: a dialog (the session stays as it was)."""
        QMessageBox.warning(self, APP_NAME, text)

    def show_shortcuts(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(shortcuts_html())
        box.exec()

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_NAME}")
        box.setIconPixmap(self.windowIcon().pixmap(96, 96))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Watch a linear softmax classifier learn on 2-D data: the decision regions, "
            "the softmax Jacobian <i>J</i> = diag(<i>p</i>) − <i>p</i><i>p</i>ᵀ and every "
            "sample's error signal <i>p</i> − <i>y</i>, step by step.</p>"
            "<p>Built with Python, numpy, PyQt6 and pyqtgraph. Class colours: Okabe &amp; Ito.</p>"
        )
        box.exec()

    def _on_playing_changed(self, playing: bool) -> None:
        action = self.actions["play"]
        with signals_blocked(action):
            action.setChecked(playing)
        action.setText("&Pause" if playing else "&Play")
        self._readouts.now()

    # ----------------------------------------------------------------- settings
    def _restore_settings(self) -> None:
        s = self.settings
        # Kept as read now: closing this window overwrites it with this session's.
        self._previous_config = app_settings.read(s, "session/last_config")
        self.actions["last_config"].setEnabled(bool(self._previous_config))
        geometry = app_settings.read(s, "window/geometry")
        # A share of the screen on a first start; a saved geometry clamped to the screen.
        place_window(self, restored=not geometry.isEmpty() and self.restoreGeometry(geometry))
        state = app_settings.read(s, "window/state")
        if state.isEmpty() or not self.restoreState(state):
            lay_out_when_shown(self)  # the default for the size the window opens at
        self.steps_spin.setValue(app_settings.read(s, "play/steps_per_frame"))
        self.fps_spin.setValue(app_settings.read(s, "play/fps"))
        self.player.set_steps_per_frame(self.steps_spin.value())
        self.player.set_fps(self.fps_spin.value())
        if app_settings.read(s, "view/theme") == "dark":
            self.actions["dark"].setChecked(True)

    def save_settings(self) -> None:
        self.presentation.leave()  # keep the window's own layout and geometry
        s = self.settings
        app_settings.write(s, "window/geometry", self.saveGeometry())
        app_settings.write(s, "window/state", self.saveState())
        app_settings.write(s, "play/steps_per_frame", self.steps_spin.value())
        app_settings.write(s, "play/fps", self.fps_spin.value())
        app_settings.write(s, "view/theme", "dark" if self.actions["dark"].isChecked() else "light")
        app_settings.write(s, "session/last_config", self.session.config.to_json())
        s.sync()

    def closeEvent(self, event) -> None:
        if not self._confirm_discard():
            event.ignore()
            return
        self.player.pause()
        self.save_settings()
        super().closeEvent(event)
