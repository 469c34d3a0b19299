"""Animated GIF (Pillow): one shared palette, 256 colours, the recorder's first format.

Frames are kept as RGB images; :meth:`GifWriter.finish` quantises them to a palette
drawn from frames across the whole recording and writes a temporary file that then
replaces the target atomically. Pillow stores a frame identical to the one before it as a
longer delay of that frame: the animation plays the same, but ``n_frames`` counts only
the distinct frames. For full colour, see APNG and WebP (:mod:`.lossless`) and video
(:mod:`.video`).
"""

from __future__ import annotations

import numpy as np

from explorer.export.animation import (
    MAX_FRAMES,
    AnimationError,
    InMemoryWriter,
    qimage_to_rgb,
)

__all__ = ["MAX_FRAMES", "GifError", "GifWriter", "palette_sample", "qimage_to_rgb"]

#: The GIF writer's errors are the animation writers' (the name is kept for callers).
GifError = AnimationError


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


class GifWriter(InMemoryWriter):
    """Collect frames, then write them as one animated GIF (looping).

    Parameters
    ----------
    path : path-like
        Where the GIF goes (written only by :meth:`finish`).
    fps : float
        Frames per second (1..50; GIF delays are in 1/100 s, at least 2/100).
    """

    format = "gif"
    suffix = ".gif"
    title = "GIF (256 colours, plays everywhere)"

    def _finish(self) -> None:
        from PIL import Image

        images = [Image.fromarray(f, "RGB") for f in self.frames]
        # One adaptive palette for all frames keeps colours steady between frames; it is
        # drawn from frames across the whole recording (the first alone lacks the colours
        # that appear later: confident regions, a heatmap filling in).
        palette_source = Image.fromarray(palette_sample(self.frames), "RGB").quantize(
            colors=255, method=Image.Quantize.MEDIANCUT
        )
        frames = [im.quantize(palette=palette_source, dither=Image.Dither.NONE) for im in images]
        self._save_with_pillow(frames, "GIF", duration=max(20, round(1000 / self.fps)), disposal=1)
