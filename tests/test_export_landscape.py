"""``softmax-explorer export --views landscape --plane ...``: the still, the SVG (surface
embedded, path and contours as vectors), the GIF of the path growing, and refusals."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

ENV = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
ENV["PYQTGRAPH_QT_LIB"] = "PyQt6"
ENV.pop("QT_QPA_PLATFORM", None)
BASE = ("--dataset", "blobs", "--features", "identity", "--samples", "120", "--quiet")


def export(*args):
    return subprocess.run(
        [sys.executable, "-m", "explorer", "export", *BASE, *args],
        capture_output=True, text=True, timeout=180, env=ENV,
    )  # fmt: skip


def test_a_still_in_png_and_svg_on_a_coordinate_plane(tmp_path):
    result = export("--steps", "30", "--views", "landscape", "--format", "png,svg",
                    "--plane", "W[0,0],b[1]", "--out", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "landscape.png") as png:
        assert png.size == (760, 560)
    root = ET.parse(tmp_path / "landscape.svg").getroot()
    tags = [element.tag.rsplit("}", 1)[-1] for element in root.iter()]
    assert tags.count("image") >= 1  # the surface, embedded
    assert tags.count("path") > 10  # contours, path, axes: vectors
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "b[1]" in text and "W[0,0]" in text


def test_a_gif_of_the_path_growing_on_the_pca_plane(tmp_path):
    result = export("--steps", "40", "--views", "landscape", "--plane", "pca",
                    "--animation", "gif", "--animation-view", "landscape", "--every", "10",
                    "--out", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "training.gif") as gif:
        assert gif.n_frames == 5
        frames = []
        for k in range(gif.n_frames):
            gif.seek(k)
            frames.append(np.asarray(gif.convert("RGB"), dtype=np.int16))
    # one surface throughout: the frames differ only where the path and marker are drawn
    changed = [np.mean(np.any(frames[k] != frames[0], axis=2)) for k in range(1, 5)]
    assert all(0 < c < 0.2 for c in changed)


@pytest.mark.parametrize(
    ("plane", "why"),
    [("W[7,0],b[0]", "outside W"), ("W[0,0]", "give two entries"), ("flat:9", "flat direction")],
)
def test_a_plane_that_does_not_fit_is_refused_in_one_line(tmp_path, plane, why):
    result = export("--steps", "5", "--views", "landscape", "--plane", plane,
                    "--out", str(tmp_path / "out"))  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and why in lines[0] and "--plane" in lines[0]
    assert not (tmp_path / "out").exists()
