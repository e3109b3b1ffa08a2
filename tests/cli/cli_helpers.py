"""Helpers shared by the CLI tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass

from certorder.client_workers import live_workers
from certorder.settings import Settings
from certorder.temporal_client import connect
from certorder.worker import run_worker


@dataclass(frozen=True)
class Run:
    """The outcome of one ``certorder`` invocation."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_one_line_error(result: Run, code: int, *fragments: str) -> None:
    """The CLI failed as promised: exit ``code``, one stderr line, no traceback."""
    assert result.code == code, result
    assert "Traceback" not in result.err, result.err
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("certorder: error: "), line
    for fragment in fragments:
        assert fragment in line, line


@contextlib.asynccontextmanager
async def running_worker(settings: Settings):
    """``run_worker`` as a task of the test's loop, until the block ends."""
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop=stop))
    try:
        await _until_polling(settings, worker)
        yield worker
    finally:
        stop.set()
        await asyncio.wait_for(worker, timeout=60)


async def _until_polling(settings: Settings, worker: asyncio.Task, timeout: float = 20) -> None:
    """Return once Temporal lists the worker as a poller of the queue (clients look there
    before they start anything)."""
    client = await connect(settings)
    deadline = asyncio.get_running_loop().time() + timeout
    while not await live_workers(client, settings):
        if worker.done():
            worker.result()  # raises what stopped it
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"no worker polls {settings.task_queue} after {timeout} s")
        await asyncio.sleep(0.05)
