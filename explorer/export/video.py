"""MP4 (H.264) and WebM (VP9) through PyAV, the optional ``video`` extra.

PyAV's wheels carry FFmpeg's libraries, so nothing else is installed. Its wheels include
GPL-licensed encoders (x264), which is why it is an extra, and why the standalone build
leaves it out unless asked (``packaging/build.sh --with-video``).

Frames are encoded as they come into a hidden temporary file beside the target, renamed
onto it by :meth:`~VideoWriter.finish` (deleted by a cancel).

Settings (what slide programs and browsers play):

* MP4: ``libx264``, ``yuv420p``, CRF 18 (visually lossless for these flat-coloured
  pictures), preset ``medium``, ``+faststart`` (the index first, so a browser starts
  playing before the file has loaded).
* WebM: ``libvpx-vp9``, ``yuv420p``, constant quality CRF 24 (``b:v 0``),
  ``deadline good`` with ``cpu-used 4`` and row multithreading.
* Both: BT.709 colours, limited range, tagged in the stream so players convert back
  to the RGB that was drawn. 4:2:0 chroma needs an even width and height: a frame of odd
  size is padded by one pixel on the right or at the bottom, a copy of its last column
  or row (nothing is cut off).
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from typing import ClassVar

import numpy as np

from explorer.export.animation import AnimationError, AnimationWriter
from explorer.export.formats import video_support
from explorer.export.image import publish, temporary_beside


def even_frame(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` padded to an even width and height by repeating its last column/row.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)

    Returns
    -------
    ndarray of uint8, shape (H + H % 2, W + W % 2, 3)
    """
    h, w = rgb.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return rgb
    return np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")


class VideoWriter(AnimationWriter):
    """A video file encoded by PyAV as frames arrive (subclasses choose the codec)."""

    container: ClassVar[str] = ""
    codec: ClassVar[str] = ""
    options: ClassVar[dict[str, str]] = {}
    container_options: ClassVar[dict[str, str]] = {}

    def __init__(self, path, fps: float = 10.0):
        problem = video_support(self.codec)
        if problem is not None:
            raise AnimationError(problem)
        super().__init__(path, fps)
        self._output = None
        self._stream = None
        self._tmp = None

    def _open(self, width: int, height: int) -> None:
        import av

        self._tmp = temporary_beside(self.path)
        self._output = av.open(
            str(self._tmp), mode="w", format=self.container, options=self.container_options
        )
        stream = self._output.add_stream(
            self.codec, rate=Fraction(self.fps).limit_denominator(1001)
        )
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.options = dict(self.options)
        context = stream.codec_context
        context.colorspace = context.color_primaries = context.color_trc = 1  # BT.709
        context.color_range = 1  # limited ("MPEG") range, what players expect
        self._stream = stream

    def _write(self, rgb: np.ndarray) -> None:
        import av
        from av.video.reformatter import ColorRange, Colorspace

        frame_rgb = even_frame(rgb)
        if self._output is None:
            self._open(frame_rgb.shape[1], frame_rgb.shape[0])
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame_rgb), format="rgb24")
        frame = frame.reformat(
            format="yuv420p",
            dst_colorspace=Colorspace.ITU709,
            dst_color_range=ColorRange.MPEG,
        )
        frame.pts = self.frames_written
        for packet in self._stream.encode(frame):
            self._output.mux(packet)

    def _finish(self) -> None:
        for packet in self._stream.encode():  # flush the encoder's delayed frames
            self._output.mux(packet)
        self._output.close()
        self._output = None
        publish(self._tmp, self.path)
        self._tmp = None

    def _discard(self) -> None:
        if self._output is not None:
            # A half-written file is deleted next: an error closing it changes nothing.
            with contextlib.suppress(Exception):
                self._output.close()
            self._output = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


class Mp4Writer(VideoWriter):
    """H.264 in MP4: PowerPoint, Keynote, Google Slides and every browser play it."""

    format = "mp4"
    suffix = ".mp4"
    title = "MP4 video (H.264; slides and browsers)"
    container = "mp4"
    codec = "libx264"
    options: ClassVar[dict[str, str]] = {"crf": "18", "preset": "medium"}
    container_options: ClassVar[dict[str, str]] = {"movflags": "+faststart"}


class WebmWriter(VideoWriter):
    """VP9 in WebM: browsers (and the web pages of a course)."""

    format = "webm"
    suffix = ".webm"
    title = "WebM video (VP9; browsers)"
    container = "webm"
    codec = "libvpx-vp9"
    options: ClassVar[dict[str, str]] = {
        "crf": "24",
        "b": "0",
        "deadline": "good",
        "cpu-used": "4",
        "row-mt": "1",
    }
