"""Which workers serve the task queue: asked of Temporal itself, so the client needs
nothing but a connection to know whether anyone will act on what it starts."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from certorder.client_errors import WorkerUnavailableError, temporal_errors
from certorder.settings import Settings

#: A worker long-polls about once a minute; one not seen for longer has gone away
#: (Temporal lists pollers for some minutes after their last poll).
POLLER_FRESHNESS = timedelta(seconds=90)


async def live_workers(temporal: Client, settings: Settings) -> list[str]:
    """Identities of the workers polling the order task queue recently, sorted."""
    request = DescribeTaskQueueRequest(
        namespace=temporal.namespace,
        task_queue=TaskQueue(name=settings.task_queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    with temporal_errors(settings.temporal_address):
        response = await temporal.workflow_service.describe_task_queue(request)
    now = datetime.now(UTC)
    return sorted({
        poller.identity for poller in response.pollers
        if now - poller.last_access_time.ToDatetime(tzinfo=UTC) <= POLLER_FRESHNESS
    })


#: A queue seen served recently is taken as served for this long: a client that submits
#: orders in bulk asks Temporal once, not once per order. (Only a yes is remembered, so
#: the first worker to start is seen at once.)
SERVED_FOR = 10.0
_served_at: dict[tuple[int, str], float] = {}


async def queue_is_served(temporal: Client, settings: Settings) -> bool:
    """Whether any worker polls the order task queue (see :data:`SERVED_FOR`)."""
    key = (id(temporal), settings.task_queue)
    if time.monotonic() - _served_at.get(key, -SERVED_FOR) < SERVED_FOR:
        return True
    if await live_workers(temporal, settings):
        _served_at[key] = time.monotonic()
        return True
    return False


def no_worker_error(settings: Settings) -> WorkerUnavailableError:
    return WorkerUnavailableError(
        f"no worker polls task queue {settings.task_queue!r} on {settings.temporal_address}: "
        "is `certorder worker` (or `certorder dev`) running?")
