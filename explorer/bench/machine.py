"""A short description of the machine and the library versions a benchmark ran on."""

from __future__ import annotations

import os
import platform
import sys

#: Vector extensions named on the machine line, widest first. Virtual hosts of different
#: CPU generations can all call themselves "AMD EPYC"; the widest extension tells them
#: apart, and numpy's ``exp`` and the decision kernel's passes depend on it.
SIMD_LEVELS = (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"), ("sse4_2", "SSE4.2"))


def _cpuinfo_field(name: str) -> str | None:
    """The first ``name : value`` of ``/proc/cpuinfo``, whitespace collapsed, or None."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip().lower() == name:
                    return " ".join(value.split())
    except OSError:
        pass
    return None


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (or :func:`platform.processor`)."""
    return (
        _cpuinfo_field("model name") or platform.processor() or platform.machine() or "unknown CPU"
    )


def simd_level(flags: str | None) -> str | None:
    """The widest of :data:`SIMD_LEVELS` in a ``/proc/cpuinfo`` flags line, or None."""
    present = set((flags or "").split())
    return next((label for flag, label in SIMD_LEVELS if flag in present), None)


def memory_total_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024**2
    except (OSError, ValueError, IndexError):
        pass
    return None


def machine_info() -> dict[str, object]:
    """CPU, cores, memory, OS and the versions of Python, numpy, Qt, pyqtgraph, matplotlib."""
    import numpy as np
    import pyqtgraph as pg
    from PyQt6.QtCore import PYQT_VERSION_STR, QT_VERSION_STR

    try:
        import matplotlib

        mpl = matplotlib.__version__
    except ImportError:
        mpl = None
    return {
        "cpu": cpu_model(),
        "simd": simd_level(_cpuinfo_field("flags")),
        "cores": os.cpu_count(),
        "memory_gib": memory_total_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "qt": QT_VERSION_STR,
        "pyqt": PYQT_VERSION_STR,
        "pyqtgraph": pg.__version__,
        "matplotlib": mpl,
        "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
        "executable": sys.executable,
    }


def describe(info: dict[str, object]) -> str:
    """One line: ``AMD EPYC (AVX-512), 2 cores, 8 GiB · Linux … · Python 3.11.7 · …``."""
    mem = info.get("memory_gib")
    simd = f" ({info['simd']})" if info.get("simd") else ""
    cpu = f"{info['cpu']}{simd}, {info['cores']} cores" + (f", {mem:.0f} GiB" if mem else "")
    libs = [
        f"Python {info['python']}",
        f"numpy {info['numpy']}",
        f"Qt {info['qt']} (PyQt6 {info['pyqt']})",
        f"pyqtgraph {info['pyqtgraph']}",
    ]
    if info.get("matplotlib"):
        libs.append(f"matplotlib {info['matplotlib']}")
    return " · ".join([cpu, str(info["os"]), *libs])
