"""The server of ``certorder dev`` fires short timers on time, as a CA's ``retry_msec``
asks: by default the dev server rounds every timer up to a 1 s grid."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from cli_helpers import closed_port
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from certorder.dev_stack import DevServer, wait_until_serving
from certorder.settings import Settings

#: Five waits of 100 ms: about 0.6 s on a 10 ms grid, over 4 s on the default 1 s grid.
WAITS, WAIT = 5, timedelta(milliseconds=100)


@workflow.defn(sandboxed=False)
class ShortWaits:
    @workflow.run
    async def run(self) -> None:
        for _ in range(WAITS):
            await workflow.sleep(WAIT)


async def test_five_waits_of_100_ms_take_well_under_five_seconds(tmp_path):
    with DevServer(tmp_path / "data", port=closed_port(), ui_port=closed_port()) as server:
        await wait_until_serving(Settings(temporal_address=server.address))
        client = await Client.connect(server.address)
        queue = f"tq-timers-{uuid.uuid4().hex}"
        async with Worker(client, task_queue=queue, workflows=[ShortWaits]):
            started = time.monotonic()
            await asyncio.wait_for(client.execute_workflow(
                ShortWaits.run, id=queue, task_queue=queue), timeout=60)
            elapsed = time.monotonic() - started
    assert elapsed < 3.0, f"{WAITS} waits of {WAIT} took {elapsed:.1f} s"
