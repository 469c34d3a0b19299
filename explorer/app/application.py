"""The only place that creates the ``QApplication`` (docs/architecture.md)."""

from __future__ import annotations

import gc
import os
import sys


def get_application():
    """Return the process's ``QApplication``, creating it (with name and icon) if needed.

    Before the first one, and before Qt is imported, a system that lacks a library of
    Qt's ``xcb`` platform gets one line naming them and their ``apt-get install``, and
    exit status 2 (:mod:`explorer.platform_check`), instead of Qt's abort.
    """
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PyQt6")
    widgets = sys.modules.get("PyQt6.QtWidgets")
    if widgets is None or widgets.QApplication.instance() is None:
        from explorer.platform_check import exit_if_unusable

        exit_if_unusable()
    from PyQt6.QtGui import QGuiApplication
    from PyQt6.QtWidgets import QApplication

    from explorer import APP_ID, APP_NAME, __version__

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName(APP_NAME)
        app.setApplicationVersion(__version__)
        app.setOrganizationName("softmax-explorer")
        QGuiApplication.setDesktopFileName(APP_ID)
        app.setStyle("Fusion")
    icon = app_icon()
    if icon is not None:
        QApplication.setWindowIcon(icon)
    return app


def app_icon():
    """The application icon from the packaged resources, or ``None`` if they are missing."""
    from PyQt6.QtGui import QIcon

    try:
        from explorer.resources import app_icon_files
    except ImportError:
        return None
    icon = QIcon()
    for path in app_icon_files():
        icon.addFile(str(path))
    return None if icon.isNull() else icon


def run_window(
    session,
    play: bool = False,
    data_label: str | None = None,
    comparison=None,
    present: bool = False,
) -> int:
    """Show the main window on ``session`` and run the event loop; return the exit code.

    ``data_label`` (e.g. ``"user data (points.csv)"``) tells the configuration panel that
    the points came from a file rather than from the configured data set; with
    ``comparison`` (whose run A is ``session``) the window opens in compare mode;
    ``present`` starts in presentation mode.
    """
    app = get_application()
    from explorer.app import autosave, crash_guard
    from explorer.app.main_window import MainWindow

    window = MainWindow(session)
    crash_guard.install(window)  # an exception in a slot is reported, not an abort
    if data_label:
        window.views["config"].set_user_data(data_label)
    if comparison is not None:
        window.compare.start(comparison)
    window.show()
    if present:
        window.presentation.enter()
    autosave.start(window)  # offers what a crash left; removed when the window closes
    freeze_long_lived_objects()
    if play:
        window.player.play()
    return app.exec()


def freeze_long_lived_objects() -> None:
    """Put everything alive now out of the cyclic garbage collector's reach (``gc.freeze``).

    The modules, the window and pyqtgraph's items live as long as the app: some 55 000
    objects that a full collection would walk every time one comes due, a 50 ms pause
    in the middle of playback. Frozen, collections only look at what came later.
    """
    gc.collect()
    gc.freeze()
