"""Before Qt loads its ``xcb`` platform plugin: are the system libraries it needs there?

On a minimal Debian or Ubuntu the first launch died with Qt's ``Could not load the Qt
platform plugin "xcb"``, whose hint names a package that is already installed; the
missing ones were ``libxcb-icccm4`` and ``libxcb-keysyms1``. :func:`check` finds the
missing libraries first and says, in one line, which they are and the ``apt-get
install`` that brings them.

:data:`XCB_LIBRARIES` lists what Qt's ``xcb`` plugin (``libqxcb.so``) and the library
behind it (``libQt6XcbQpa.so.6``) load, with the Debian package of each
(``tests/test_platform_check.py`` reads the installed plugin's needs and fails when one
is not listed). The check runs only when Qt will pick ``xcb``: on Linux, with
``QT_QPA_PLATFORM`` unset (outside a Wayland session) or naming ``xcb`` first. It asks
the dynamic loader, as Qt's loading of the plugin will, after the libraries bundled
beside Qt's own.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

#: (shared object, Debian package) for every system library the xcb plugin loads, with
#: those of the Qt libraries it brings in (glibc's own are taken as present).
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libX11.so.6", "libx11-6"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libxcb.so.1", "libxcb1"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libGL.so.1", "libgl1"),
    ("libEGL.so.1", "libegl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libgthread-2.0.so.0", "libglib2.0-0"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libz.so.1", "zlib1g"),
    ("libzstd.so.1", "libzstd1"),
    ("libstdc++.so.6", "libstdc++6"),
    ("libgcc_s.so.1", "libgcc-s1"),
)


def platform_is_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will load its ``xcb`` plugin in environment ``environ``.

    ``QT_QPA_PLATFORM`` may list fallbacks (``"wayland;xcb"``) and options after a colon
    (``"xcb:nomitshm"``); the first entry is the one Qt tries. Unset, Qt 6 on Linux
    uses Wayland in a Wayland session and ``xcb`` otherwise.
    """
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip().lower() == "xcb"
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY")
    return not wayland


@functools.cache
def bundled_dirs() -> tuple[Path, ...]:
    """Folders whose libraries Qt finds before the system's: Qt's own ``lib`` folder in
    the PyQt6 wheel, and a frozen build's folder."""
    dirs = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen))
    try:
        spec = importlib.util.find_spec("PyQt6")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            dirs.append(Path(root) / "Qt6" / "lib")
    return tuple(dirs)


def loadable(name: str) -> bool:
    """Whether the dynamic loader finds shared object ``name`` (and what it needs)."""
    if any((folder / name).exists() for folder in bundled_dirs()):
        return True
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def missing_libraries(load: Callable[[str], bool]) -> list[tuple[str, str]]:
    """The (shared object, package) rows of :data:`XCB_LIBRARIES` that ``load`` cannot load."""
    return [(name, package) for name, package in XCB_LIBRARIES if not load(name)]


def hint(missing: list[tuple[str, str]], has_apt: bool = True) -> str:
    """One line naming the missing libraries and the command that installs them."""
    names = ", ".join(name for name, _ in missing)
    packages = " ".join(dict.fromkeys(package for _, package in missing))
    fix = (
        f"install them with: sudo apt-get install {packages}"
        if has_apt
        else f"install the packages that provide them (on Debian and Ubuntu: {packages})"
    )
    return f"Qt's xcb platform needs libraries this system lacks ({names}); {fix}"


def check(
    environ: Mapping[str, str] | None = None,
    load: Callable[[str], bool] | None = None,
    platform: str | None = None,
) -> str | None:
    """The one-line hint when Qt will use ``xcb`` and a library it needs is missing;
    None when nothing is missing or another platform is used (nothing is loaded then).

    ``environ``, ``load`` and ``platform`` default to ``os.environ``, :func:`loadable`
    and ``sys.platform`` (looked up at the call, so a test may replace them).
    """
    environ = os.environ if environ is None else environ
    if not platform_is_xcb(environ, sys.platform if platform is None else platform):
        return None
    missing = missing_libraries(loadable if load is None else load)
    if not missing:
        return None
    return hint(missing, has_apt=shutil.which("apt-get") is not None)


def exit_if_unusable(prog: str = "softmax-explorer") -> None:
    """Print :func:`check`'s line on stderr and exit with status 2 when it has one."""
    problem = check()
    if problem:
        print(f"{prog}: {problem}", file=sys.stderr)
        raise SystemExit(2)
