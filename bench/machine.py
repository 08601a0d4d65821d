"""What the figures were measured on, so results from different machines are not mixed up."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path

from eth_keys.backends import get_backend


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def _anvil_version(binary: Path) -> str:
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    first = out.strip().splitlines()[0] if out.strip() else "unknown"
    return first.removeprefix("anvil Version:").strip()


def ecc_backend() -> str:
    """The eth-keys backend that signs (coincurve when installed, else pure Python)."""
    return type(get_backend()).__name__


def describe(anvil_binary: Path) -> dict[str, str]:
    """The machine and the software versions, as short strings."""
    return {
        "nproc": str(len(os.sched_getaffinity(0))),  # what `nproc` prints
        "cpu": _cpu_model(),
        "memory": _memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "web3": version("web3"),
        "eth-account": version("eth-account"),
        "ecc_backend": ecc_backend(),
        "anvil": _anvil_version(anvil_binary),
        # Other processes compete for the same cores; throughput depends on it.
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
