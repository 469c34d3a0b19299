"""Run-time resources (the application icon), found with :mod:`importlib.resources`.

No Qt here: callers build a ``QIcon`` from the paths. The files live in
``explorer/resources/icons/`` and are rendered from ``assets/icon.svg`` by
``packaging/render_icons.py``. They are plain files in an installed package and in a
PyInstaller build, so the helpers return real :class:`pathlib.Path` objects.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICON_STEM = "softmax-explorer"


def icons_dir() -> Path:
    """The folder holding the icon files."""
    folder = resources.files(__name__) / "icons"
    # A zipped install would give a non-filesystem Traversable; we never ship one.
    return Path(str(folder))


def icon_path(size: int | None = None) -> Path:
    """Path of the icon: the PNG of ``size`` pixels square, or the SVG when ``size`` is None.

    Raises
    ------
    ValueError
        If ``size`` is not one of :data:`ICON_SIZES`.
    """
    if size is None:
        return icons_dir() / f"{ICON_STEM}.svg"
    if size not in ICON_SIZES:
        sizes = ", ".join(str(s) for s in ICON_SIZES)
        raise ValueError(f"no {size} px icon (sizes: {sizes})")
    return icons_dir() / f"{ICON_STEM}-{size}.png"


def app_icon_files() -> list[Path]:
    """The PNG icons that exist, smallest first, to add to one ``QIcon``."""
    return [path for path in map(icon_path, ICON_SIZES) if path.is_file()]
