"""Which animation formats exist, what each needs, and the writer for each.

Importing this module loads no Qt (the command line lists the formats before Qt is set
up); the writers' modules are imported only when one is asked for, and video asks PyAV
only when it is chosen.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.export.animation import AnimationWriter

#: ``--animation`` names, in the order menus and ``--help`` list them.
ANIMATION_FORMATS = ("gif", "mp4", "webm", "apng", "webp", "pdf")
#: Encoders the video formats need from PyAV.
_VIDEO_CODECS = {"mp4": "libx264", "webm": "libvpx-vp9"}


def writer_class(fmt: str) -> type[AnimationWriter]:
    """The writer class of ``fmt`` (one of :data:`ANIMATION_FORMATS`).

    Plain ``import`` statements, not names in a table: PyInstaller finds a module only
    where an ``import`` names it.
    """
    if fmt == "gif":
        from explorer.export.gif import GifWriter

        return GifWriter
    if fmt in ("mp4", "webm"):
        from explorer.export.video import Mp4Writer, WebmWriter

        return Mp4Writer if fmt == "mp4" else WebmWriter
    if fmt in ("apng", "webp"):
        from explorer.export.lossless import ApngWriter, WebpWriter

        return ApngWriter if fmt == "apng" else WebpWriter
    if fmt == "pdf":
        from explorer.export.pdf import PdfAnimationWriter

        return PdfAnimationWriter
    from explorer.export.animation import AnimationError

    raise AnimationError(
        f"unknown animation format {fmt!r} (choose from {','.join(ANIMATION_FORMATS)})"
    )


#: The suffix of each format's file (``training.gif``, ``training.mp4``...).
SUFFIXES = {fmt: "." + fmt for fmt in ANIMATION_FORMATS}


def file_name(fmt: str, stem: str = "training") -> str:
    """The file a recording in ``fmt`` is written to: ``training.gif``, ``training.mp4``..."""
    return stem + SUFFIXES[fmt]


#: What to install for video, said wherever it is missing.
VIDEO_INSTALL_HINT = 'pip install "softmax-explorer[video]"'


def video_support(codec: str) -> str | None:
    """``None`` if PyAV can encode with ``codec``, otherwise a one-line reason."""
    try:
        import av
    except ImportError:
        if getattr(sys, "frozen", False):  # a standalone build made without --with-video
            return "this build has no video export (made without packaging/build.sh --with-video)"
        return f"video export needs PyAV: {VIDEO_INSTALL_HINT}"
    if codec not in av.codecs_available:
        return f"this PyAV has no {codec} encoder: {VIDEO_INSTALL_HINT}"
    return None


def missing_requirement(fmt: str) -> str | None:
    """``None`` if ``fmt`` can be written here, otherwise one line saying what to install."""
    if fmt in _VIDEO_CODECS:
        problem = video_support(_VIDEO_CODECS[fmt])
        return None if problem is None else f"{fmt.upper()}: {problem}"
    return None


def make_writer(fmt: str, path, fps: float = 10.0) -> AnimationWriter:
    """A new writer of ``fmt`` for ``path`` (:class:`AnimationError` if it cannot be)."""
    problem = missing_requirement(fmt)
    if problem is not None:
        from explorer.export.animation import AnimationError

        raise AnimationError(problem)
    return writer_class(fmt)(path, fps)
