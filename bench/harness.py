"""Running a benchmark's worker process beside a dev server, and timing batches."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import cpu_seconds, percentile


def leave(code: int = 0) -> None:
    """End a benchmark as the CLI ends: skip interpreter finalization, where the SDK's
    native threads can call into a finalizing interpreter and abort it (SIGABRT)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def worker_process(address: str, data_dir: Path, *options: str):
    """``python -m bench.worker_main`` until the block ends; yields its process."""
    return running([sys.executable, "-m", "bench.worker_main", address, str(data_dir),
                    *options])


@asynccontextmanager
async def running(command: list[str]):
    """``command`` (which prints "ready" once it is) until the block ends; yields its
    process, then stops it, killed if it does not end within 30 s."""
    process = await start_until_ready(command)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


async def start_until_ready(command: list[str]) -> subprocess.Popen[str]:
    """Start ``command`` and return once its first line of stdout says "ready"."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = await asyncio.to_thread(process.stdout.readline)
    if "ready" not in line:
        process.kill()
        process.wait(30)
        raise RuntimeError(f"did not start: {' '.join(command)}")
    # The SDK core logs its warnings to stdout. Left unread, the pipe fills (64 KiB)
    # and the core's runtime thread blocks on the write: the worker stops polling.
    threading.Thread(target=_forward, args=(process.stdout,), daemon=True).start()
    return process


def _forward(stream) -> None:
    for line in stream:
        sys.stderr.write(f"worker: {line}")


@dataclass
class Batch:
    """One round: ``count`` runs of one kind at one concurrency."""

    kind: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    def row(self) -> dict[str, float | str | int]:
        n = len(self.latencies)
        return {"kind": self.kind, "concurrency": self.concurrency, "runs": n,
                "per_second": round(n / self.elapsed, 1) if self.elapsed else 0.0,
                "p50_ms": round(percentile(self.latencies, 0.5) * 1000),
                "p99_ms": round(percentile(self.latencies, 0.99) * 1000),
                **{f"cpu_ms_{who}": round(seconds * 1000 / max(n, 1), 1)
                   for who, seconds in self.cpu.items()}}


async def run_batch(batch: Batch, count: int, one: Callable[[int], Awaitable[None]],
                    pids: dict[str, int]) -> Batch:
    """Run ``one(i)`` ``count`` times, ``batch.concurrency`` at a time."""
    gate = asyncio.Semaphore(batch.concurrency)
    before = {who: cpu_seconds(pid) for who, pid in pids.items()}

    async def timed(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            await one(i)
            batch.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(timed(i) for i in range(count)))
    batch.elapsed = time.perf_counter() - started
    batch.cpu = {who: cpu_seconds(pid) - before[who] for who, pid in pids.items()}
    return batch
