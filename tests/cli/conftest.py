"""Fixtures for CLI tests: an isolated data directory and ways to run ``certorder``."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cli_helpers import Run, closed_port, running_worker

from certorder.cli.main import main
from certorder.keys.kek_source import write_new_kek
from certorder.settings import Settings


@pytest.fixture
def cli_env(tmp_path, monkeypatch) -> Path:
    """A fresh data directory in CERTORDER_DATA_DIR, no stray settings, cwd in tmp."""
    for name in list(os.environ):
        if name.startswith("CERTORDER_"):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CERTORDER_DATA_DIR", str(data_dir))
    # Nothing listens here: a test that reaches Temporal by mistake fails fast.
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", f"127.0.0.1:{closed_port()}")
    monkeypatch.chdir(tmp_path)
    return data_dir


@pytest.fixture
def run_cli(capsys):
    """Call ``main(argv)`` in-process; returns a :class:`Run`."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        # `worker` sets up the root logger as a process would, with a handler on this
        # test's captured stderr: later tests must not log into it once it is closed.
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --help and usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def run_subprocess(cli_env):
    """Run ``python -m certorder.cli.main`` as a real process (what users see)."""

    def run(*argv: str, env: dict[str, str] | None = None, timeout: float = 60) -> Run:
        completed = subprocess.run(
            [sys.executable, "-m", "certorder.cli.main", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
        return Run(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture
def cli_queue(temporal_env, cli_env, monkeypatch) -> Settings:
    """Settings of a worker on its own task queue; the CLI (via env) uses the same."""
    address = temporal_env.client.service_client.config.target_host
    task_queue = f"tq-cli-{uuid.uuid4().hex}"
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", address)
    monkeypatch.setenv("CERTORDER_TASK_QUEUE", task_queue)
    # The worker insists on a key-encryption key; the CLI (same settings) finds it too.
    # Kept outside the data dir, which some tests expect the client never to create.
    kek_file = cli_env.parent / "secrets" / "kek"
    write_new_kek(kek_file)
    monkeypatch.setenv("CERTORDER_KEK_FILE", str(kek_file))
    return Settings(temporal_address=address, task_queue=task_queue, data_dir=cli_env,
                    kek_file=kek_file)


@pytest.fixture
async def live(cli_queue):
    """A real worker (the composition root) serving the CLI's task queue."""
    async with running_worker(cli_queue):
        yield cli_queue


@pytest.fixture
def cli(run_cli):
    """``run_cli`` for async tests: main() runs its own event loop, so it needs a thread
    of its own beside the test's loop (where the worker runs)."""

    async def run(*argv: str) -> Run:
        return await asyncio.to_thread(run_cli, *argv)

    return run
