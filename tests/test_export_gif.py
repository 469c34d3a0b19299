"""GIF colours: one palette drawn from the whole recording, not from its first frame."""

import numpy as np
from PIL import Image
from PyQt6.QtGui import QImage

from explorer.export.gif import GifWriter, palette_sample


def as_qimage(rgb: np.ndarray) -> QImage:
    h, w, _ = rgb.shape
    data = np.ascontiguousarray(rgb).tobytes()
    return QImage(data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def frames_that_gain_colour(n: int = 8) -> list[np.ndarray]:
    """A white first frame; later frames fill with colours the first one lacks."""
    frames = []
    for k in range(n):
        rgb = np.full((60, 80, 3), 255, np.uint8)
        rgb[:, : 10 * k] = (70, 130, 180)  # a steel-blue region grows
        rgb[40:, 40 : 40 + 5 * k] = (213, 94, 0)  # and a vermilion one
        rgb[5:15, 60:75] = (0, 158, 115) if k else (255, 255, 255)
        frames.append(rgb)
    return frames


def test_every_frame_keeps_its_colours(tmp_path, qapp):
    frames = frames_that_gain_colour()
    writer = GifWriter(tmp_path / "t.gif", fps=10)
    for rgb in frames:
        writer.add_frame(as_qimage(rgb))
    path = writer.finish()
    with Image.open(path) as gif:
        assert gif.size == (80, 60)
        shown = []
        for k in range(gif.n_frames):
            gif.seek(k)
            shown.append(np.asarray(gif.convert("RGB"), dtype=np.int16))
    # Pillow folds identical consecutive frames; these all differ.
    assert len(shown) == len(frames)
    for rgb, got in zip(frames, shown, strict=True):
        assert np.abs(got - rgb).max() <= 8


def test_palette_sample_spans_the_recording():
    frames = [np.full((4, 6, 3), k, np.uint8) for k in range(30)]
    sample = palette_sample(frames, max_frames=5, stride=2)
    assert sample.shape == (5 * 2, 3, 3)
    assert set(np.unique(sample)) == {0, 7, 14, 22, 29}
