"""Animated GIF writing (Pillow), with cancel and no half-written file.

Frames are collected as RGB images; :meth:`GifWriter.finish` quantises them to a shared
adaptive palette and writes a temporary file that then replaces the target atomically.
:meth:`GifWriter.cancel` drops everything, so a cancelled recording leaves no file.
Pillow stores a frame identical to the one before it as a longer delay of that frame:
the animation plays the same, but ``n_frames`` counts only the distinct frames.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from PyQt6.QtGui import QImage

from explorer.export.image import publish

MAX_FRAMES = 5_000


class GifError(ValueError):
    """A recording that cannot be made; the message says why."""


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


def palette_sample(frames: list[np.ndarray], max_frames: int = 12, stride: int = 2) -> np.ndarray:
    """Pixels from up to ``max_frames`` frames spread over the recording, stacked.

    Parameters
    ----------
    frames : list of ndarray, each shape (H, W, 3), uint8
    max_frames : int
    stride : int
        Every ``stride``-th row and column of each chosen frame is kept.

    Returns
    -------
    ndarray, shape (k * ceil(H / stride), ceil(W / stride), 3), uint8
    """
    picks = np.unique(np.linspace(0, len(frames) - 1, min(max_frames, len(frames))).round())
    return np.concatenate([frames[int(i)][::stride, ::stride] for i in picks], axis=0)


class GifWriter:
    """Collect frames, then write them as one animated GIF.

    Parameters
    ----------
    path : path-like
        Where the GIF goes (written only by :meth:`finish`).
    fps : float
        Frames per second of the animation (1..50; GIF delays are in 1/100 s).
    """

    def __init__(self, path, fps: float = 10.0):
        try:
            from PIL import Image  # noqa: F401 - checked early so the user learns at once
        except ImportError as exc:  # pragma: no cover - Pillow is a test/gif extra
            raise GifError("GIF export needs Pillow: pip install Pillow") from exc
        if not 1 <= fps <= 50:
            raise GifError(f"frames per second must be between 1 and 50 (got {fps})")
        self.path = Path(path)
        self.fps = float(fps)
        self.frames: list[np.ndarray] = []
        self._closed = False

    def add_frame(self, frame: QImage | np.ndarray) -> None:
        """Append one frame (a ``QImage`` or an ``(H, W, 3)`` uint8 array)."""
        if self._closed:
            raise GifError("the recording is already finished")
        if len(self.frames) >= MAX_FRAMES:
            raise GifError(f"a GIF holds at most {MAX_FRAMES} frames")
        rgb = qimage_to_rgb(frame) if isinstance(frame, QImage) else np.asarray(frame, np.uint8)
        if self.frames and rgb.shape != self.frames[0].shape:
            raise GifError("all frames of a GIF must have the same size")
        self.frames.append(rgb)

    def cancel(self) -> None:
        """Drop the frames; no file is written."""
        self.frames.clear()
        self._closed = True

    def finish(self) -> Path:
        """Write the GIF atomically and return its path."""
        from PIL import Image

        if self._closed:
            raise GifError("the recording was cancelled")
        if not self.frames:
            raise GifError("no frames were recorded")
        self._closed = True
        images = [Image.fromarray(f, "RGB") for f in self.frames]
        # One adaptive palette for all frames keeps colours steady between frames; it is
        # drawn from frames across the whole recording (the first alone lacks the colours
        # that appear later: confident regions, a heatmap filling in).
        palette_source = Image.fromarray(palette_sample(self.frames), "RGB").quantize(
            colors=255, method=Image.Quantize.MEDIANCUT
        )
        frames = [im.quantize(palette=palette_source, dither=Image.Dither.NONE) for im in images]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent
        )
        os.close(fd)
        try:
            frames[0].save(
                tmp,
                format="GIF",
                save_all=True,
                append_images=frames[1:],
                duration=max(20, round(1000 / self.fps)),
                loop=0,
                disposal=1,
            )
            publish(Path(tmp), self.path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        self.frames.clear()
        return self.path
