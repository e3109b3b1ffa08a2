"""The SDK's own floor: a worker process whose only workflow sleeps on a timer (after
one local activity, with ``--local-activity``), so that what it holds per cached
workflow is the SDK's alone, none of certorder's.

    python -m bench.floor_worker ADDRESS TASK_QUEUE MAX_CACHED_WORKFLOWS
"""

from __future__ import annotations

import asyncio
import ctypes
import signal
import sys
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from certorder.metrics.runtime import worker_runtime
from certorder.settings import Settings


@activity.defn
async def note(label: str) -> str:
    return label


@workflow.defn
class SleepingWorkflow:
    """Waits an hour, as an order waits on a CA timer (the bench never ends it: the
    workflows go with its in-memory server)."""

    @workflow.run
    async def run(self, local_activity: bool) -> None:
        if local_activity:
            await workflow.execute_local_activity(
                note, workflow.info().workflow_id, start_to_close_timeout=timedelta(seconds=10))
        await workflow.sleep(3600)


async def main(address: str, task_queue: str, max_cached: int) -> None:
    # No metrics endpoint, whatever the environment says: an exporter would be measured too.
    settings = Settings(temporal_address=address, metrics_address="")
    client = await Client.connect(address, runtime=worker_runtime(settings))
    # Unsandboxed, as `certorder worker` runs its workflows.
    async with Worker(client, task_queue=task_queue, workflows=[SleepingWorkflow],
                      activities=[note], workflow_runner=UnsandboxedWorkflowRunner(),
                      max_cached_workflows=max_cached):
        print("floor worker ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    # Ended with the bench even if the bench is killed (PR_SET_PDEATHSIG): a worker left
    # behind would wait forever.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
