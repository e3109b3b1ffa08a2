"""What the benchmarks measure with: a dev server, CPU and memory of processes from
/proc, and percentiles."""

from __future__ import annotations

import os
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from certorder.dev_stack import FAST_TIMERS, temporal_binary
from certorder.workflows import search_attributes

_TICKS = os.sysconf("SC_CLK_TCK")


async def start_server() -> WorkflowEnvironment:
    """An in-memory dev server with certorder's search attributes; timers fire to the
    10 ms (the dev server's default grid is about a second, which would swamp lateness)."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_binary()), data_converter=pydantic_data_converter,
        search_attributes=list(search_attributes.ALL),
        dev_server_extra_args=list(FAST_TIMERS))


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process and its reaped children, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return (utime + stime + cutime + cstime) / _TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def server_pid(env: WorkflowEnvironment) -> int | None:
    """The dev server's process id (a child of this process)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == me and "temporal" in (entry / "cmdline").read_bytes().decode(
                    errors="replace"):
                return int(entry.name)
    return None


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
