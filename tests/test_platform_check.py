"""Before Qt loads its xcb plugin, missing system libraries are named in one line with the
``apt-get install`` that brings them (a fake library lookup stands in for the loader), only
when Qt will use xcb; and the table covers every library the installed plugin needs."""

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from explorer import platform_check
from explorer.platform_check import XCB_LIBRARIES, check, hint, platform_is_xcb

ROOT = Path(__file__).resolve().parents[1]


def fake_loader(missing):
    def load(name):
        return name not in missing

    return load


def refuse_to_load(name):
    raise AssertionError(f"{name} was looked for on a platform that is not xcb")


@pytest.mark.parametrize(
    ("environ", "platform", "xcb"),
    [
        ({}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb:nomitshm"}, "linux", True),
        ({"QT_QPA_PLATFORM": " XCB ;wayland"}, "linux", True),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"XDG_SESSION_TYPE": "wayland"}, "linux", True),  # no compositor to talk to
        ({"XDG_SESSION_TYPE": "x11", "WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "darwin", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "win32", False),
    ],
)
def test_the_check_runs_only_when_qt_will_use_xcb(environ, platform, xcb):
    assert platform_is_xcb(environ, platform) is xcb
    if not xcb:
        assert check(environ, refuse_to_load, platform) is None


def test_one_line_names_the_missing_libraries_and_the_install_command(monkeypatch):
    monkeypatch.setattr(platform_check.shutil, "which", lambda name: "/usr/bin/" + name)
    missing = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    line = check({}, fake_loader(missing), "linux")
    assert line == (
        "Qt's xcb platform needs libraries this system lacks (libxcb-icccm.so.4, "
        "libxcb-keysyms.so.1); install them with: sudo apt-get install libxcb-icccm4 "
        "libxcb-keysyms1"
    )
    assert "\n" not in line


def test_nothing_is_said_when_every_library_loads():
    assert check({}, fake_loader(set()), "linux") is None


def test_a_package_with_two_missing_libraries_is_named_once():
    missing = [("libglib-2.0.so.0", "libglib2.0-0"), ("libgthread-2.0.so.0", "libglib2.0-0")]
    assert hint(missing).endswith("sudo apt-get install libglib2.0-0")


def test_without_apt_get_the_packages_are_named_for_debian():
    line = hint([("libxcb-cursor.so.0", "libxcb-cursor0")], has_apt=False)
    assert "apt-get" not in line
    assert line.endswith("(on Debian and Ubuntu: libxcb-cursor0)")


def test_each_library_is_listed_once():
    names = [name for name, _ in XCB_LIBRARIES]
    assert len(names) == len(set(names))


def test_the_real_loader_finds_a_present_library_and_not_an_absent_one():
    assert platform_check.loadable("libc.so.6")
    assert not platform_check.loadable("libsoftmax-explorer-absent.so.9")


def test_the_loader_counts_the_libraries_bundled_beside_qt(tmp_path, monkeypatch):
    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"")
    monkeypatch.setattr(platform_check, "bundled_dirs", lambda: [tmp_path])
    assert platform_check.loadable("libxcb-cursor.so.0")


# --------------------------------------------------------------- the installed plugin
def elf_needed(path: Path) -> list[str]:
    """The DT_NEEDED entries of 64-bit little-endian ELF file ``path``."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQI", data, shoff + i * shentsize) for i in range(shnum)]
    needed = []
    for _name, kind, _flags, _addr, offset, size, link in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strings = sections[link][4]
        for entry in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", data, entry)
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strings + value)
                needed.append(data[strings + value : end].decode())
    return needed


#: glibc's own libraries and loader: present wherever Python runs.
GLIBC = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1"}
GLIBC |= {"ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "ld-linux-armhf.so.3"}


def test_the_table_lists_every_system_library_the_installed_xcb_plugin_needs():
    import PyQt6

    qt = Path(PyQt6.__file__).parent / "Qt6"
    lib = qt / "lib"
    todo = [qt / "plugins" / "platforms" / "libqxcb.so", lib / "libQt6Widgets.so.6"]
    seen, system = set(), set()
    while todo:
        path = todo.pop()
        for name in elf_needed(path):
            if (lib / name).exists():  # bundled with Qt: follow its needs too
                if name not in seen:
                    seen.add(name)
                    todo.append(lib / name)
            elif name not in GLIBC:
                system.add(name)
    assert {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"} <= system  # the reader works
    assert sorted(system - {name for name, _ in XCB_LIBRARIES}) == []


def test_the_window_command_says_it_and_exits_2_before_qt_starts():
    """Through get_application, as the window starts it: one line on stderr, status 2."""
    code = (
        "import explorer.platform_check as pc\n"
        "pc.loadable = lambda name: name not in {'libxcb-icccm.so.4', 'libxcb-keysyms.so.1'}\n"
        "pc.shutil.which = lambda name: '/usr/bin/' + name\n"
        "import sys\n"
        "from explorer.cli import main\n"
        "try:\n"
        "    main([])\n"
        "finally:\n"
        "    assert 'PyQt6.QtGui' not in sys.modules, 'Qt was loaded'\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    env["SOFTMAX_EXPLORER_SETTINGS"] = os.devnull
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        "softmax-explorer: Qt's xcb platform needs libraries this system lacks "
        "(libxcb-icccm.so.4, libxcb-keysyms.so.1); install them with: sudo apt-get install "
        "libxcb-icccm4 libxcb-keysyms1"
    ]
