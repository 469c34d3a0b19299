"""The animation writers on known frames: every format's frame count, size and colours,
read back by an independent decoder (PyAV for video, Pillow for APNG and WebP, poppler
for PDF), and the interface they share (cancel leaves nothing, sizes must agree)."""

import av
import numpy as np
import pytest
from export_tools import run_tool
from PIL import Image

from explorer.export.animation import AnimationError, AnimationSet
from explorer.export.formats import ANIMATION_FORMATS, file_name, make_writer, missing_requirement
from explorer.export.video import even_frame

COLOURS = [(230, 159, 0), (86, 180, 233), (0, 158, 115), (213, 94, 0)]


def frames(n: int = 7, size=(91, 67)) -> list[np.ndarray]:
    """Frames of a bar that grows: white, then four colour bands (odd width and height)."""
    w, h = size
    out = []
    for k in range(n):
        rgb = np.full((h, w, 3), 255, np.uint8)
        rgb[: h // 2, : 12 * (k + 1)] = COLOURS[k % 4]
        rgb[h // 2 :, : 6 * (k + 1)] = COLOURS[(k + 1) % 4]
        out.append(rgb)
    return out


def write(fmt: str, path, shots, fps=10.0):
    writer = make_writer(fmt, path, fps=fps)
    for rgb in shots:
        writer.add_frame(rgb)
    return writer.finish()


def decode_video(path) -> tuple[list[np.ndarray], object]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return decoded, (stream.codec_context.name, stream.average_rate, stream.codec_context)


@pytest.mark.parametrize(("fmt", "codec"), [("mp4", "h264"), ("webm", "vp9")])
def test_video_frames_size_rate_and_colours(tmp_path, fmt, codec):
    shots = frames()
    path = write(fmt, tmp_path / file_name(fmt), shots, fps=12)
    assert path.name == f"training.{fmt}"
    decoded, (name, rate, context) = decode_video(path)
    assert name == codec and context.pix_fmt == "yuv420p"
    assert rate == 12
    assert len(decoded) == len(shots)
    # 91×67 padded to 92×68 by repeating the last column and row.
    assert decoded[0].shape == (68, 92, 3)
    for got, rgb in zip(decoded, shots, strict=True):
        padded = even_frame(rgb).astype(int)
        # Flat bands away from their edges come back within a few levels (4:2:0, CRF).
        interior = np.abs(got.astype(int) - padded)[2:-2:4, 2:-2:4]
        assert np.median(interior) <= 2 and np.percentile(interior, 90) <= 12


def test_even_frame_pads_with_the_last_row_and_column():
    rgb = np.arange(3 * 5 * 3, dtype=np.uint8).reshape(3, 5, 3)
    padded = even_frame(rgb)
    assert padded.shape == (4, 6, 3)
    np.testing.assert_array_equal(padded[:3, :5], rgb)
    np.testing.assert_array_equal(padded[3, :5], rgb[2])
    np.testing.assert_array_equal(padded[:3, 5], rgb[:, 4])
    even = np.zeros((4, 6, 3), np.uint8)
    assert even_frame(even) is even


@pytest.mark.parametrize(("fmt", "pillow_format"), [("apng", "PNG"), ("webp", "WEBP")])
def test_lossless_animations_keep_every_pixel(tmp_path, fmt, pillow_format):
    shots = frames()
    path = write(fmt, tmp_path / file_name(fmt), shots, fps=20)
    with Image.open(path) as image:
        assert image.format == pillow_format
        assert image.n_frames == len(shots)
        assert image.size == (91, 67)
        assert image.info.get("loop") == 0
        for k, rgb in enumerate(shots):
            image.seek(k)
            np.testing.assert_array_equal(np.asarray(image.convert("RGB")), rgb)
            assert image.info["duration"] == 50  # (WebP says it once the frame is loaded)


def test_gif_is_the_same_interface(tmp_path):
    shots = frames(5)
    path = write("gif", tmp_path / "training.gif", shots)
    with Image.open(path) as gif:
        assert gif.n_frames == 5 and gif.size == (91, 67)


def test_pdf_animation_has_a_page_per_frame(tmp_path):
    shots = frames(6, size=(120, 80))
    path = write("pdf", tmp_path / "training.pdf", shots)
    info = run_tool("pdfinfo", path).stdout
    assert "Pages:           6" in info
    assert "Page size:       120 x 80 pts" in info
    run_tool("pdftoppm", "-r", "72", "-png", "-f", "6", "-l", "6", path, tmp_path / "last")
    with Image.open(next(tmp_path.glob("last*.png"))) as page:
        rendered = np.asarray(page.convert("RGB"), dtype=int)
    assert rendered.shape == (80, 120, 3)
    assert np.abs(rendered - shots[-1]).mean() < 4


@pytest.mark.parametrize("fmt", ANIMATION_FORMATS)
def test_cancel_leaves_no_file_and_sizes_must_agree(tmp_path, fmt):
    writer = make_writer(fmt, tmp_path / file_name(fmt))
    writer.add_frame(frames(1)[0])
    with pytest.raises(AnimationError, match="same size"):
        writer.add_frame(frames(1, size=(90, 67))[0])
    writer.cancel()
    with pytest.raises(AnimationError):
        writer.finish()
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


@pytest.mark.parametrize("fmt", ANIMATION_FORMATS)
def test_no_frames_no_file_and_rates_are_checked(tmp_path, fmt):
    with pytest.raises(AnimationError, match="frames per second"):
        make_writer(fmt, tmp_path / "x", fps=0)
    writer = make_writer(fmt, tmp_path / file_name(fmt))
    with pytest.raises(AnimationError, match="no frames"):
        writer.finish()
    assert list(tmp_path.iterdir()) == []


def test_a_set_feeds_the_same_frames_to_every_format(tmp_path):
    shots = frames(4)
    writers = AnimationSet([make_writer(f, tmp_path / file_name(f)) for f in ("apng", "mp4")])
    for rgb in shots:
        writers.add_frame(rgb)
    written = writers.finish()
    assert [p.name for p in written] == ["training.apng", "training.mp4"]
    with Image.open(written[0]) as apng:
        assert apng.n_frames == 4
    assert len(decode_video(written[1])[0]) == 4


def test_video_needs_pyav_and_says_what_to_install(monkeypatch):
    import sys

    assert missing_requirement("mp4") is None  # installed here
    monkeypatch.setitem(sys.modules, "av", None)  # as if it were not
    for fmt in ("mp4", "webm"):
        problem = missing_requirement(fmt)
        assert problem.endswith('pip install "softmax-explorer[video]"')
        with pytest.raises(AnimationError, match="softmax-explorer\\[video\\]"):
            make_writer(fmt, "x." + fmt)
    assert missing_requirement("gif") is None and missing_requirement("pdf") is None
    with pytest.raises(AnimationError, match="unknown animation format"):
        make_writer("avi", "x.avi")
