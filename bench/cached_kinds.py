"""What ``bench.cached_memory`` leaves waiting in a worker's cache: bare workflows (the
SDK's own floor) or certorder orders (what the cache-size advice is planned with).

Each kind names its worker process, starts one workflow, and says from a workflow's
description when it waits on its timer and nothing else is under way."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from temporalio.client import Client, WorkflowExecutionDescription, WorkflowHandle

from bench.csr import bench_csr
from bench.worker_main import ORDER_QUEUE
from certorder.client import CertOrderClient
from certorder.plugins import CertificateStatus
from certorder.settings import Settings
from certorder.workflows.search_attributes import NEXT_ATTEMPT, ORDER_SUB_STATUS

#: Far beyond the bench: no timer fires while it measures.
WAIT_MSEC = 3_600_000


class BareWorkflows:
    """``bench/floor_worker.py``'s workflow, which only sleeps (after one local activity
    with ``local_activity``)."""

    def __init__(self, client: Client, local_activity: bool) -> None:
        self.name = "bare, local activity" if local_activity else "bare"
        self._client, self._local = client, local_activity
        self._queue = f"floor-{uuid.uuid4().hex[:8]}"
        # Started, the task's three events and the timer's; the local activity's marker.
        self._events = 6 if local_activity else 5

    def worker_command(self, address: str, data_dir: Path, cache: int) -> list[str]:
        return [sys.executable, "-m", "bench.floor_worker", address, self._queue, str(cache)]

    async def start(self, number: int) -> WorkflowHandle:
        return await self._client.start_workflow(
            "SleepingWorkflow", self._local, id=f"floor-{uuid.uuid4()}", task_queue=self._queue)

    def waiting(self, described: WorkflowExecutionDescription) -> bool:
        raw = described.raw_description
        return (raw.workflow_execution_info.history_length >= self._events
                and not raw.HasField("pending_workflow_task"))


class WaitingOrders:
    """certorder orders, each with a CSR of its own, through the client SDK to the bench
    worker's ``delayed-ca`` (``bench/delayed_ca.py``), whose issue call (an activity)
    asks to be checked again in an hour: then each waits on the CA's timer. Every cache
    size's round uses the bench worker's one queue: the orders of a round before stay
    running on it, untouched (their timers are an hour out)."""

    name = "order"

    def __init__(self, client: Client, address: str) -> None:
        self._client = client
        self._sdk = CertOrderClient(Settings(temporal_address=address, task_queue=ORDER_QUEUE,
                                             metrics_address=""), client)

    def worker_command(self, address: str, data_dir: Path, cache: int) -> list[str]:
        return [sys.executable, "-m", "bench.worker_main", address, str(data_dir), str(cache)]

    async def start(self, number: int) -> WorkflowHandle:
        order_id = await self._sdk.submit({
            "request_type": "simple-cmc", "plugin_name": "delayed-ca", "delay_msec": WAIT_MSEC,
            "request_data": bench_csr(f"m{number}-{uuid.uuid4().hex[:8]}.bench.example.test")})
        return self._client.get_workflow_handle(order_id)

    def waiting(self, described: WorkflowExecutionDescription) -> bool:
        # The next attempt is set once the CA has answered "check again" and the timer runs.
        raw, attributes = described.raw_description, described.typed_search_attributes
        return (attributes.get(ORDER_SUB_STATUS) == CertificateStatus.WAITING_FOR_CA.value
                and attributes.get(NEXT_ATTEMPT) is not None
                and not raw.pending_activities and not raw.HasField("pending_workflow_task"))
