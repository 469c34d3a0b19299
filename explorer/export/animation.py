"""The animation-writer interface: frames in, one file out, nothing left on a cancel.

Every animation format (GIF, MP4, WebM, APNG, animated WebP, a PDF of pages) is an
:class:`AnimationWriter`. The recorder (``explorer/app/recording.py``) calls
:meth:`~AnimationWriter.capture` once per frame with the widget to draw, then
:meth:`~AnimationWriter.finish` (or :meth:`~AnimationWriter.cancel`); it knows no format.
A raster writer takes the widget's 1× picture (:meth:`~AnimationWriter.add_frame`); the
PDF writer draws the widget itself, as vectors, on a page per frame.

A writer that holds its frames in memory (GIF, APNG, WebP: their encoders need them all)
touches the disk only in ``finish``; one that streams (video, PDF) writes a hidden
temporary file beside the target, renamed onto it by ``finish`` and deleted by
``cancel``. Either way the target appears whole or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
from PyQt6.QtGui import QImage

#: Frames one recording may hold (the recorder refuses more before it starts).
MAX_FRAMES = 5_000
#: Frame rates the writers accept (a GIF's delays are whole hundredths of a second).
FPS_RANGE = (1.0, 50.0)


class AnimationError(ValueError):
    """An animation that cannot be made; the message says why."""


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """Copy a ``QImage`` into an RGB array.

    Returns
    -------
    ndarray of uint8, shape (H, W, 3)
    """
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    buffer = np.frombuffer(image.constBits().asstring(stride * h), dtype=np.uint8)
    return buffer.reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


class AnimationWriter:
    """Frames in, one file out (the base of every animation format).

    Parameters
    ----------
    path : path-like
        The file to write (appears only when :meth:`finish` succeeds).
    fps : float
        Frames per second, within :data:`FPS_RANGE`.

    Subclasses set :attr:`format` and :attr:`suffix`, and implement :meth:`_write`
    (take one ``(H, W, 3)`` uint8 frame) and :meth:`_finish` (write the file); a writer
    that streams to a temporary file also implements :meth:`_discard`.
    """

    #: Short name used by ``--animation`` (``"gif"``, ``"mp4"``...).
    format: ClassVar[str] = ""
    #: File name suffix, with the dot.
    suffix: ClassVar[str] = ""
    #: What the format is, for menus and ``--help``.
    title: ClassVar[str] = ""
    #: True for a writer that draws the widget itself (vector pages) in :meth:`capture`.
    draws_widgets: ClassVar[bool] = False

    def __init__(self, path, fps: float = 10.0):
        lo, hi = FPS_RANGE
        if not lo <= fps <= hi:
            raise AnimationError(f"frames per second must be between {lo:g} and {hi:g} (got {fps})")
        self.path = Path(path)
        self.fps = float(fps)
        self.frames_written = 0
        self.frame_size: tuple[int, int] | None = None  # (width, height)
        self._state = "open"

    # ------------------------------------------------------------------ the interface
    def capture(self, widget, scale: float = 1.0) -> None:
        """Add the picture of ``widget`` at ``scale`` as the next frame."""
        from explorer.export.image import render_image

        self.add_frame(render_image(widget, scale))

    def add_frame(self, frame: QImage | np.ndarray) -> None:
        """Append one frame (a ``QImage`` or an ``(H, W, 3)`` uint8 array)."""
        self._check_open()
        rgb = qimage_to_rgb(frame) if isinstance(frame, QImage) else np.asarray(frame, np.uint8)
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise AnimationError(f"a frame is an (H, W, 3) RGB array (got shape {rgb.shape})")
        self._check_size(rgb.shape[1], rgb.shape[0])
        self._write(rgb)
        self.frames_written += 1

    def cancel(self) -> None:
        """Drop everything; no file is written (a temporary one is deleted)."""
        if self._state == "open":
            self._discard()
        self._state = "cancelled"

    def finish(self) -> Path:
        """Write the file (atomically) and return its path."""
        if self._state == "cancelled":
            raise AnimationError("the recording was cancelled")
        if self._state == "finished":
            raise AnimationError("the recording is already finished")
        if not self.frames_written:
            self.cancel()
            raise AnimationError("no frames were recorded")
        self._state = "finished"
        try:
            self._finish()
        except BaseException:
            self._discard()
            raise
        return self.path

    # ------------------------------------------------------------------ for subclasses
    def _check_open(self) -> None:
        if self._state != "open":
            raise AnimationError(f"the recording is already {self._state}")
        if self.frames_written >= MAX_FRAMES:
            raise AnimationError(f"an animation holds at most {MAX_FRAMES} frames")

    def _check_size(self, width: int, height: int) -> None:
        if self.frame_size is None:
            self.frame_size = (width, height)
        elif self.frame_size != (width, height):
            raise AnimationError(
                f"all frames of an animation must have the same size ({self.frame_size[0]}×"
                f"{self.frame_size[1]}, then {width}×{height})"
            )

    def _write(self, rgb: np.ndarray) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        """Free what :meth:`_write` kept (frames in memory, a temporary file)."""


class InMemoryWriter(AnimationWriter):
    """A writer whose encoder needs every frame at once: they are kept until ``finish``."""

    def __init__(self, path, fps: float = 10.0):
        super().__init__(path, fps)
        self.frames: list[np.ndarray] = []

    def _write(self, rgb: np.ndarray) -> None:
        self.frames.append(rgb)

    def _discard(self) -> None:
        self.frames.clear()

    @property
    def frame_ms(self) -> int:
        """One frame's duration in whole milliseconds."""
        return max(1, round(1000 / self.fps))

    def _save_with_pillow(self, images: list, pillow_format: str, **options) -> None:
        """Write Pillow ``images`` as one looping animation in ``pillow_format``, atomically,
        with the encoder's ``options`` (``duration`` among them); the frames are let go."""
        from explorer.export.image import write_with

        first, *rest = images
        write_with(
            self.path,
            lambda tmp: first.save(
                tmp, format=pillow_format, save_all=True, append_images=rest, loop=0, **options
            ),
        )
        self.frames.clear()


class AnimationSet:
    """Several writers fed from one recording (the same frames to every format).

    It has the recorder's side of the interface (:meth:`capture`, :meth:`cancel`,
    :meth:`finish`): a widget is rendered to pixels once a frame for all raster writers,
    and drawn again only for those that draw widgets themselves (the PDF's pages).
    """

    def __init__(self, writers: list[AnimationWriter]):
        if not writers:
            raise AnimationError("no animation format was chosen")
        self.writers = list(writers)

    def capture(self, widget, scale: float = 1.0) -> None:
        from explorer.export.image import render_image

        image = None
        for writer in self.writers:
            if writer.draws_widgets:
                writer.capture(widget, scale)
            else:
                if image is None:
                    image = qimage_to_rgb(render_image(widget, scale))
                writer.add_frame(image)

    def add_frame(self, frame: QImage | np.ndarray) -> None:
        rgb = qimage_to_rgb(frame) if isinstance(frame, QImage) else frame
        for writer in self.writers:
            writer.add_frame(rgb)

    def cancel(self) -> None:
        for writer in self.writers:
            writer.cancel()

    def finish(self) -> list[Path]:
        """Finish every writer; if one fails, the others' files are kept, its is not."""
        written, failure = [], None
        for writer in self.writers:
            try:
                written.append(writer.finish())
            except (OSError, ValueError) as exc:
                failure = failure or exc
        if failure is not None:
            raise failure
        return written
