"""``certorder worker --check``: is a worker on this host polling the task queue?

The container HEALTHCHECK runs it next to the worker. A process that is merely alive
says nothing (a worker whose Temporal connection is gone still runs), so the check asks
Temporal itself: the server lists the pollers it has seen on the task queue, each with
the SDK's default identity ``<pid>@<hostname>`` and the time of its last poll.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from certorder.client_errors import CertOrderError
from certorder.settings import Settings
from certorder.temporal_client import connect

#: A polling worker renews its long poll at least once a minute (the server answers an
#: idle poll after about 60 s); older entries are pollers that have gone away.
FRESH_POLL = timedelta(seconds=90)


class WorkerUnhealthyError(CertOrderError):
    """No worker of this host polls the task queue; the message is one line."""


async def check_worker(settings: Settings, hostname: str | None = None) -> str:
    """A one-line description of the healthy local worker, or :class:`WorkerUnhealthyError`."""
    hostname = hostname or socket.gethostname()
    client = await connect(settings)
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=settings.task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    response = await client.workflow_service.describe_task_queue(request)
    now = datetime.now(UTC)
    ours = [
        poller.identity for poller in response.pollers
        if poller.identity.endswith(f"@{hostname}")
        and now - poller.last_access_time.ToDatetime(UTC) <= FRESH_POLL
    ]  # fmt: skip
    if not ours:
        raise WorkerUnhealthyError(
            f"no worker on {hostname} has polled task queue {settings.task_queue} "
            f"in the last {FRESH_POLL.seconds} s"
        )
    return f"worker {ours[0]} polls task queue {settings.task_queue}"
