"""``softmax-explorer export`` in a subprocess: the files it writes and what it refuses."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

ENV = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
ENV["PYQTGRAPH_QT_LIB"] = "PyQt6"
ENV.pop("QT_QPA_PLATFORM", None)  # the command must select offscreen by itself


def export(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "explorer", "export", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=ENV,
        cwd=cwd,
    )


def test_default_views_png_and_svg_gif_and_session(tmp_path):
    out = tmp_path / "out"
    session = tmp_path / "s.smx"
    result = export(
        "--steps",
        "20",
        "--out",
        str(out),
        "--format",
        "png,svg",
        "--gif",
        "--every",
        "5",
        "--samples",
        "120",
        "--save-session",
        str(session),
    )
    assert result.returncode == 0, result.stderr
    # stderr holds progress lines only (no offscreen-platform notices).
    assert all(line.startswith("[") for line in result.stderr.splitlines()), result.stderr
    names = {"regions", "jacobian", "bars", "curves", "inspector", "window"}
    expected = {f"{n}.{f}" for n in names for f in ("png", "svg")} | {"training.gif"}
    assert {p.name for p in out.iterdir()} == expected
    printed = result.stdout.split()
    assert len(printed) == len(expected) + 1 and str(session) in printed
    assert session.exists()
    with Image.open(out / "training.gif") as gif:
        assert gif.n_frames == 5
    for name in names:
        root = ET.parse(out / f"{name}.svg").getroot()
        assert root.get("viewBox")
    with Image.open(out / "window.png") as png:
        assert png.size == (1400, 900)
    assert result.stderr.strip(), "progress goes to stderr"


def test_scale_two_doubles_pixels(tmp_path):
    one = export("--steps", "2", "--views", "regions", "--out", str(tmp_path / "a"))
    two = export("--steps", "2", "--views", "regions", "--scale", "2", "--out", str(tmp_path / "b"))
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    with (
        Image.open(tmp_path / "a" / "regions.png") as a,
        Image.open(tmp_path / "b" / "regions.png") as b,
    ):
        assert b.size == (2 * a.size[0], 2 * a.size[1])


@pytest.mark.parametrize(
    "args",
    [
        ["--views", "regions,nope"],
        ["--format", "jpg"],
        ["--scale", "0"],
        ["--steps", "-1"],
        ["--lr", "nan"],
        ["--gif", "--every", "0"],
        ["--csv", "missing.csv"],
        ["--load", "missing.smx"],
        ["--dataset", "mnist"],
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args):
    out = tmp_path / "out"
    result = export("--out", str(out), *args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_load_session_round_trip(tmp_path):
    session = tmp_path / "s.smx"
    first = export(
        "--steps",
        "10",
        "--views",
        "curves",
        "--samples",
        "60",
        "--out",
        str(tmp_path / "a"),
        "--save-session",
        str(session),
    )
    assert first.returncode == 0, first.stderr
    second = export(
        "--load", str(session), "--steps", "0", "--views", "regions", "--out", str(tmp_path / "b")
    )
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "b" / "regions.png").exists()


def test_docked_views_export_at_figure_size_and_window_keeps_its_layout(tmp_path):
    """Views tabbed away or squeezed in a dock still export as full figures."""
    from explorer.app.export_window import FIGURE_SIZES

    out = tmp_path / "out"
    result = export(
        "--steps", "10", "--out", str(out), "--samples", "90",
        "--views", "inspector,parameters,window", "--gif", "--gif-view", "inspector",
        "--every", "5",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for view in ("inspector", "parameters"):
        with Image.open(out / f"{view}.png") as image:
            assert image.size == FIGURE_SIZES[view]
            assert len(image.convert("RGB").getcolors(1 << 16) or ()) > 2  # not blank
    with Image.open(out / "training.gif") as gif:
        assert gif.size == FIGURE_SIZES["inspector"]
    # The window comes out as if no view had been drawn on its own before it.
    plain = tmp_path / "plain"
    result = export("--steps", "10", "--out", str(plain), "--samples", "90", "--views", "window")
    assert result.returncode == 0, result.stderr
    with Image.open(out / "window.png") as window, Image.open(plain / "window.png") as alone:
        assert window.size == alone.size == (1400, 900)
        a = np.asarray(window.convert("RGB"), dtype=np.int16)
        b = np.asarray(alone.convert("RGB"), dtype=np.int16)
        # Same docks and sizes; the regions view may settle on a range a few pixels apart
        # (it refits after resizes), a wrecked layout differs by tens of grey levels.
        assert np.abs(a - b).mean() < 8.0


def test_select_and_overlays_show_in_the_export(tmp_path):
    from explorer.session.persist import load_session

    out = tmp_path / "out"
    result = export(
        "--steps", "5", "--samples", "90", "--out", str(out), "--views", "regions",
        "--select", "worst", "--overlays", "boundaries,weights",
        "--save-session", str(tmp_path / "s.smx"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    session = load_session(tmp_path / "s.smx")
    worst = int(session.train_index[int(session.train_sample_loss().argmax())])
    assert session.selected == worst


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "abc"], "--select takes a point index"),
        (["--select", "90"], "the data has points 0 to 89"),
        (["--overlays", "glow"], "unknown overlay glow"),
    ],
)
def test_bad_select_or_overlay_exits_2_before_writing(tmp_path, args, message):
    out = tmp_path / "out"
    result = export("--samples", "90", "--out", str(out), *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


# ------------------------------------------------------------------ animations and PDF
def pdf_pages(path) -> int:
    from export_tools import run_tool

    info = run_tool("pdfinfo", path).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def video_frames(path) -> tuple[int, tuple[int, int]]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        count = sum(1 for _ in container.decode(stream))
        return count, (stream.codec_context.width, stream.codec_context.height)


def test_every_animation_format_and_a_pdf_figure(tmp_path):
    out = tmp_path / "out"
    result = export(
        "--steps", "12", "--every", "3", "--samples", "90", "--out", str(out),
        "--animation", "gif,mp4,webm,apng,webp,pdf", "--animation-view", "regions",
        "--views", "regions", "--format", "png,pdf",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    formats = ("gif", "mp4", "webm", "apng", "webp", "pdf")
    expected = {f"training.{f}" for f in formats} | {"regions.png", "regions.pdf"}
    assert {p.name for p in out.iterdir()} == expected
    assert sorted(result.stdout.split()) == sorted(str(out / n) for n in expected)
    with Image.open(out / "regions.png") as png:
        size = png.size
    for name in ("training.gif", "training.apng", "training.webp"):
        with Image.open(out / name) as image:
            assert (image.n_frames, image.size) == (5, size), name
    even = (size[0] + size[0] % 2, size[1] + size[1] % 2)
    assert video_frames(out / "training.mp4") == (5, even)
    assert video_frames(out / "training.webm") == (5, even)
    assert pdf_pages(out / "training.pdf") == 5
    assert pdf_pages(out / "regions.pdf") == 1


def test_gif_is_an_alias_and_help_lists_the_formats(tmp_path):
    a = export(
        "--steps", "4", "--every", "2", "--views", "curves", "--gif", "--out", str(tmp_path / "a")
    )
    b = export(
        "--steps", "4", "--every", "2", "--views", "curves", "--animation", "gif",
        "--out", str(tmp_path / "b"),
    )  # fmt: skip
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert {p.name for p in (tmp_path / "a").iterdir()} == {"curves.png", "training.gif"}
    assert {p.name for p in (tmp_path / "b").iterdir()} == {"curves.png", "training.gif"}
    helped = export("--help")
    text = " ".join(helped.stdout.split())
    assert "gif,mp4,webm,apng,webp,pdf" in text and "png,svg,pdf" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--animation", "avi"], "unknown animation format avi"),
        (["--animation", "gif,mov"], "unknown animation format mov"),
        (["--format", "eps"], "unknown format eps"),
        (["--animation", "mp4", "--steps", "2", "--every", "5"], "at least --every"),
    ],
)
def test_bad_animation_options_exit_2_before_writing(tmp_path, args, message):
    out = tmp_path / "out"
    result = export("--samples", "90", "--out", str(out), *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_video_without_pyav_is_refused_with_what_to_install(tmp_path, fmt):
    """PyAV hidden from the command (``sys.modules['av'] = None``: its import fails)."""
    out = tmp_path / "out"
    code = (
        "import sys; sys.modules['av'] = None; from explorer.cli import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "export", "--animation", f"gif,{fmt}", "--out", str(out)],
        capture_output=True, text=True, timeout=180, env=ENV, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"softmax-explorer export: error: {fmt.upper()}: video export needs PyAV: "
        'pip install "softmax-explorer[video]"'
    ]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def frames_of(path) -> list[np.ndarray]:
    with Image.open(path) as gif:
        shots = []
        for k in range(gif.n_frames):
            gif.seek(k)
            shots.append(np.asarray(gif.convert("RGB"), dtype=np.int16))
        return shots


def test_the_gif_shows_the_overlays_and_the_selection_from_its_first_frame(tmp_path):
    """Recorded with the overlays and the ring, as the still of the same run shows them."""
    common = ["--steps", "12", "--every", "4", "--samples", "90", "--views", "regions",
              "--dataset", "blobs", "--features", "identity",
              "--animation-view", "regions", "--gif"]  # fmt: skip
    plain = export(*common, "--out", str(tmp_path / "plain"))
    shown = export(
        *common, "--overlays", "boundaries,weights", "--select", "worst",
        "--save-session", str(tmp_path / "s.smx"), "--out", str(tmp_path / "shown"),
    )  # fmt: skip
    ring_only = export(*common, "--select", "worst", "--out", str(tmp_path / "ring"))
    assert plain.returncode == shown.returncode == ring_only.returncode == 0, shown.stderr
    bare, full, ring = (
        frames_of(tmp_path / d / "training.gif") for d in ("plain", "shown", "ring")
    )
    assert len(bare) == len(full) == len(ring) == 4
    with Image.open(tmp_path / "shown" / "regions.png") as still:
        still = np.asarray(still.convert("RGB"), dtype=np.int16)
    # The last frame is the still (same step, overlays and selection), within the palette.
    assert np.abs(full[-1] - still).mean() < 3
    for k in (0, -1):
        dark = [(np.asarray(f[k]).sum(axis=2) < 150).sum() for f in (bare, full)]
        # Boundaries (dark lines across the plane) and arrows: far more dark pixels.
        assert dark[1] > dark[0] + 400, dark
        # The ring alone: a small dark circle more than the plain recording, nothing else
        # (the two GIFs' palettes differ a little: by up to ~80 levels here and there).
        changed = np.abs(ring[k] - bare[k]).max(axis=2) > 100
        ys, xs = np.nonzero(changed)
        assert 30 < changed.sum() < 600, changed.sum()
        assert np.ptp(xs) < 40 and np.ptp(ys) < 40  # in one place: the ring, ~20 px across
    from explorer.session.persist import load_session

    session = load_session(tmp_path / "s.smx")
    worst = int(session.train_index[int(session.train_sample_loss().argmax())])
    assert session.selected == worst
