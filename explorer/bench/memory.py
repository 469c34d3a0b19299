"""Resident memory of the real window: the peak at W3, the growth over many steps at W2.

Each measurement runs in a fresh interpreter (``python -c`` calling :func:`child_main`),
so the figures are the app's own, not those of a process that also ran matplotlib and
other workloads. Memory is read from ``/proc/self/status`` (``VmHWM`` = peak resident
set, ``VmRSS`` = current), falling back to :func:`resource.getrusage` for the peak.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

from explorer.bench.subprocesses import child_env


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB."""
    kib = _status_kib("VmHWM")
    if kib is None:
        import resource

        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 1024


def rss_mib() -> float:
    """Current resident set size of this process, MiB (the peak if unknown)."""
    kib = _status_kib("VmRSS")
    return kib / 1024 if kib is not None else peak_rss_mib()


def measure_peak(workload, frames: int) -> dict[str, float]:
    """Build the window on ``workload``, run ``frames`` frames; the peak RSS."""
    from explorer.bench.frames import WindowHarness

    harness = WindowHarness(workload)
    harness.run(frames)
    harness.close()
    return {"peak_rss_mib": peak_rss_mib(), "frames": frames}


def measure_growth(workload, steps: int, warmup: int = 100) -> dict[str, float]:
    """RSS after ``steps`` more frames minus RSS after ``warmup`` frames, MiB.

    Every frame is a full one (step, refresh, paint), so a leak anywhere in the views
    or in Qt's painting shows too. The growth includes the training history the session
    legitimately keeps (metrics per step, a checkpoint every few hundred steps).
    """
    from explorer.bench.frames import WindowHarness

    harness = WindowHarness(workload)
    harness.run(warmup)
    gc.collect()
    before = rss_mib()
    harness.run(steps)
    gc.collect()
    after = rss_mib()
    harness.close()
    return {"rss_growth_mib": after - before, "rss_before_mib": before, "steps": steps}


def child_main(argv: list[str]) -> int:
    """In the child: ``peak KEY FRAMES LOSS [quick]`` or ``growth KEY STEPS LOSS [quick]``;
    JSON out."""
    from explorer.bench.workloads import select

    mode, key, count, loss = argv[0], argv[1], int(argv[2]), argv[3]
    (workload,) = select(key, "quick" in argv[4:], loss)
    if mode == "peak":
        result = measure_peak(workload, count)
    else:
        result = measure_growth(workload, count, warmup=min(100, max(1, count // 4)))
    print(json.dumps({**result, "loss": workload.config().loss}), flush=True)
    # Skip interpreter teardown: the answer is out, and Qt's exit costs time.
    os._exit(0)


def run_child(
    mode: str,
    key: str,
    count: int,
    quick: bool = False,
    timeout: float = 600,
    *,
    loss: str = "cross_entropy",
):
    """Run :func:`child_main` in a fresh interpreter and return its JSON answer.

    Raises
    ------
    RuntimeError
        When the child fails; the message carries the end of its error output.
    """
    code = "import sys; from explorer.bench.memory import child_main; child_main(sys.argv[1:])"
    args = [sys.executable, "-c", code, mode, key, str(count), loss]
    args += ["quick"] if quick else []
    with child_env() as env:
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = " ".join(proc.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"memory measurement ({mode} {key}) failed: {tail}")
    return json.loads(lines[-1])
