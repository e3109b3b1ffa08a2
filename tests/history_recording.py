"""Recording one workflow history for the replay test (``tests/record_*_histories.py``)."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporal_server import start_dev_server
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

HISTORIES = Path(__file__).parent / "histories"


async def record_history(path: Path,
                         flow: Callable[[WorkflowEnvironment, Path], Awaitable[WorkflowHandle]],
                         *server_args: str) -> None:
    """Run ``flow(env, data_dir)`` on a fresh dev server (``server_args`` added) and write
    the history of the workflow run it returns to ``path``."""
    env = await start_dev_server(*server_args)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            handle = await flow(env, Path(tmp))
        path.write_text((await handle.fetch_history()).to_json())
        print(f"wrote {path}")
    finally:
        await env.shutdown()
