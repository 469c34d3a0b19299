"""Packaging: desktop integration files, icons, the wheel and sdist, and the frozen app.

The desktop-file and AppStream validators are Debian packages (``desktop-file-utils``,
``appstream``); their tests are skipped only when the tool is not installed. The wheel
and PyInstaller tests are marked ``slow``: each builds once per module and checks the
result by running it in a subprocess.
"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
import zipfile
from importlib.util import find_spec
from pathlib import Path

import pytest

import explorer
from explorer.resources import ICON_SIZES, app_icon_files, icon_path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / f"{explorer.APP_ID}.desktop"
METAINFO = PACKAGING / f"{explorer.APP_ID}.metainfo.xml"
COMMAND = "softmax-explorer"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(cmd, timeout=120, **kwargs) -> subprocess.CompletedProcess:
    """Run ``cmd`` and capture its text output (never raises on a non-zero exit)."""
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kwargs
    )


def png_size(path: Path) -> tuple[int, int, int]:
    """``(width, height, colour type)`` from a PNG's IHDR chunk."""
    head = path.read_bytes()[:26]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    length, kind, width, height, _depth, colour = struct.unpack(">I4sIIBB", head[8:26])
    assert (length, kind) == (13, b"IHDR")
    return width, height, colour


def read_desktop(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


# --- desktop entry and AppStream metainfo ----------------------------------------------


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_desktop_file_validates():
    result = run(["desktop-file-validate", DESKTOP])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error:" not in result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream not installed")
def test_metainfo_validates():
    # Offline: without --no-net the validator fetches the screenshot and homepage URLs.
    # Warnings fail validation in this (default) mode, as errors do.
    result = run(["appstreamcli", "validate", "--no-net", METAINFO])
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_file_names_the_app():
    entry = read_desktop(DESKTOP)
    assert DESKTOP.stem == explorer.APP_ID
    assert entry["Name"] == explorer.APP_NAME
    assert entry["Icon"] == explorer.APP_ID
    assert entry["Exec"] == COMMAND
    assert {"Education", "Science"} <= set(entry["Categories"].split(";"))
    assert entry["Keywords"].strip(";")


def test_metainfo_names_the_app():
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == explorer.APP_ID
    assert root.findtext("name") == explorer.APP_NAME
    assert root.find("launchable").text == DESKTOP.name
    assert root.findtext("provides/binary") == COMMAND
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("developer/name")
    assert root.find("content_rating") is not None
    assert root.findtext("screenshots/screenshot/image").startswith("https://")
    # The newest release entry is the version being built.
    assert root.find("releases/release").get("version") == explorer.__version__


def test_install_desktop_script_installs_valid_files(tmp_path):
    program = tmp_path / "bin dir" / COMMAND
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    data = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    script = PACKAGING / "install-desktop.sh"

    result = run(["bash", script, "--exec", program], env=env)
    assert result.returncode == 0, result.stderr
    entry_path = data / "applications" / DESKTOP.name
    entry = read_desktop(entry_path)
    assert entry["Exec"] == f'"{program}"'
    assert entry["TryExec"] == str(program)
    assert (data / "metainfo" / METAINFO.name).read_bytes() == METAINFO.read_bytes()
    assert (data / "icons/hicolor/scalable/apps" / f"{explorer.APP_ID}.svg").is_file()
    for size in ICON_SIZES:
        png = data / f"icons/hicolor/{size}x{size}/apps/{explorer.APP_ID}.png"
        assert png_size(png)[:2] == (size, size)
    if shutil.which("desktop-file-validate"):
        assert run(["desktop-file-validate", entry_path]).returncode == 0

    assert run(["bash", script, "--uninstall"], env=env).returncode == 0
    assert not entry_path.exists()
    assert not list(data.rglob(f"{explorer.APP_ID}*"))


def test_install_desktop_script_refuses_a_missing_program(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    result = run(["bash", PACKAGING / "install-desktop.sh", "--exec", tmp_path / "nope"], env=env)
    assert result.returncode == 2
    assert "not an executable file" in result.stderr


# --- icons -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_png_has_its_size(size):
    width, height, colour_type = png_size(icon_path(size))
    assert (width, height) == (size, size)
    assert colour_type == 6  # RGBA: the rounded corners are transparent


def test_icon_lookup():
    assert app_icon_files() == [icon_path(size) for size in ICON_SIZES]
    assert icon_path().suffix == ".svg"
    assert icon_path().read_bytes() == (ROOT / "assets" / "icon.svg").read_bytes()
    with pytest.raises(ValueError, match="no 20 px icon"):
        icon_path(20)


def test_resources_module_imports_no_qt():
    code = "import sys, explorer.resources; print(sorted(m for m in sys.modules if 'Qt' in m))"
    result = run([sys.executable, "-c", code], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_committed_pngs_match_the_svg(tmp_path):
    """``packaging/render_icons.py`` reproduces the committed PNGs (rerun it after SVG edits)."""
    from PIL import Image, ImageChops, ImageStat

    code = (
        "import sys; sys.path.insert(0, 'packaging'); from pathlib import Path; "
        "import render_icons; render_icons.render(target=Path(sys.argv[1]))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = run([sys.executable, "-c", code, tmp_path], cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    for size in ICON_SIZES:
        name = icon_path(size).name
        with Image.open(tmp_path / name) as fresh, Image.open(icon_path(size)) as committed:
            assert fresh.size == committed.size == (size, size)
            diff = ImageChops.difference(fresh.convert("RGBA"), committed.convert("RGBA"))
            # Tolerates antialiasing differences between Qt versions, not a changed drawing.
            assert max(ImageStat.Stat(diff).mean) < 2.0, name


# --- wheel and sdist -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Path:
    """A wheel and an sdist built by ``python -m build`` (the wheel is built from the sdist)."""
    out = tmp_path_factory.mktemp("dists")
    result = run([sys.executable, "-m", "build", "--outdir", out, ROOT], timeout=900, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.mark.slow
def test_build_makes_wheel_and_sdist_with_the_icons(dists):
    (wheel,) = dists.glob("*.whl")
    (sdist,) = dists.glob("*.tar.gz")
    assert explorer.__version__ in wheel.name and explorer.__version__ in sdist.name
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in [*app_icon_files(), icon_path()]:
        assert f"explorer/resources/icons/{path.name}" in names


@pytest.mark.slow
def test_wheel_installs_and_runs_in_a_fresh_venv(dists, tmp_path):
    (wheel,) = dists.glob("*.whl")
    env_dir = tmp_path / "venv"
    # The system site-packages provide numpy, PyQt6 and pyqtgraph: nothing is downloaded.
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    # A PYTHONPATH naming a checkout (with its egg-info) would make pip skip the install as
    # "already installed" and the venv import the checkout: the venv must see only itself.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    install = run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], timeout=300, env=env
    )
    assert install.returncode == 0, install.stderr

    version = run([bin_dir / COMMAND, "--version"], cwd=tmp_path, env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"{COMMAND} {explorer.__version__}"

    code = "import explorer.resources as r; print(r.__file__); print(len(r.app_icon_files()))"
    found = run([python, "-c", code], cwd=tmp_path, env=env)
    module_file, count = found.stdout.split()
    assert Path(module_file).is_relative_to(env_dir)  # the wheel's copy, not the checkout
    assert int(count) == len(ICON_SIZES)


# --- the frozen (PyInstaller) app ----------------------------------------------------------


@pytest.fixture(scope="module")
def frozen_app(tmp_path_factory) -> Path:
    """The one-folder app built once by ``packaging/build.sh`` into a temporary folder."""
    if find_spec("PyInstaller") is None:
        pytest.fail('PyInstaller is missing: pip install -e ".[packaging]"')
    work = tmp_path_factory.mktemp("pyinstaller")
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DIST_DIR": str(work / "dist"),
        "WORK_DIR": str(work / "build"),
    }
    result = run(["bash", PACKAGING / "build.sh", "--no-install"], timeout=1200, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    program = work / "dist" / COMMAND / COMMAND
    assert program.is_file()
    return program


@pytest.mark.slow
def test_frozen_app_prints_version_and_help(frozen_app):
    version = run([frozen_app, "--version"])
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"{COMMAND} {explorer.__version__}"
    helped = run([frozen_app, "--help"])
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith(f"usage: {COMMAND}")


@pytest.mark.slow
def test_frozen_app_bundles_icons_and_colour_maps(frozen_app):
    internal = frozen_app.parent / "_internal"
    for path in [*app_icon_files(), icon_path()]:
        assert (internal / "explorer" / "resources" / "icons" / path.name).is_file()
    assert list((internal / "pyqtgraph" / "colors" / "maps").glob("*.csv"))
    assert not (internal / "matplotlib").exists()
    assert not (internal / "tkinter").exists()
    # PyAV's GPL encoders only with packaging/build.sh --with-video.
    assert not (internal / "av").exists() and not (internal / "av.libs").exists()


@pytest.mark.slow
def test_frozen_app_without_video_says_so_and_writes_the_other_animations(frozen_app, tmp_path):
    out = tmp_path / "out"
    refused = run([frozen_app, "export", "--animation", "mp4", "--out", out], timeout=300)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "softmax-explorer export: error: MP4: this build has no video export "
        "(made without packaging/build.sh --with-video)"
    ]
    assert not out.exists()
    options = ["--steps", "4", "--every", "2", "--views", "regions", "--format", "pdf"]
    made = run(
        [frozen_app, "export", *options, "--animation", "apng,webp,pdf", "--out", out],
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    names = {"regions.pdf", "training.apng", "training.webp", "training.pdf"}
    assert {p.name for p in out.iterdir()} == names


@pytest.mark.slow
def test_frozen_export_writes_the_same_files_as_the_package(frozen_app, tmp_path):
    options = ["--steps", "20", "--format", "png,svg", "--gif", "--every", "10"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    expected_dir, frozen_dir = tmp_path / "package", tmp_path / "frozen"
    expected = run(
        [sys.executable, "-m", "explorer", "export", *options, "--out", expected_dir],
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert expected.returncode == 0, expected.stderr
    # The frozen app must choose the offscreen platform itself, as the package does.
    env.pop("QT_QPA_PLATFORM")
    frozen = run([frozen_app, "export", *options, "--out", frozen_dir], timeout=300, env=env)
    assert frozen.returncode == 0, frozen.stderr

    names = sorted(p.name for p in expected_dir.iterdir())
    assert names and sorted(p.name for p in frozen_dir.iterdir()) == names
    printed = sorted(Path(line).name for line in frozen.stdout.splitlines())
    assert printed == names
    for name in names:
        ours, theirs = frozen_dir / name, expected_dir / name
        assert ours.stat().st_size > 0
        if name.endswith(".png"):
            assert png_size(ours) == png_size(theirs)
