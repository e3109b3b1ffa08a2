"""How the worker runs workflows and the orders' local activities, for throughput and
for many waiting orders (docs/performance.md has what each bought)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from certorder.activities.ca_activities import CaActivities
from certorder.activities.intake_activities import IntakeActivities
from certorder.activities.order_id_activities import OrderIdActivities
from certorder.activities.quick_call_activities import QuickCallActivities
from certorder.activities.store_activities import StoreActivities
from certorder.settings import DEFAULT_MAX_CACHED_WORKFLOWS

#: Workflows kept in memory between their tasks (the SDK's sticky cache; its default
#: too; setting ``max_cached_workflows``). An order not in it is replayed on its next
#: task, while each cached order holds about 115 KB of RSS as it waits
#: (docs/operations.md, *Sizing the workflow cache*).
MAX_CACHED_WORKFLOWS = DEFAULT_MAX_CACHED_WORKFLOWS


def local_call_threads(count: int) -> ThreadPoolExecutor:
    """The threads of the local activities, apart from the plugin threads of the normal
    activities: sharing those, a remote CA's call could queue behind local ones until its
    timeout and then be made a second time, and a local activity timed out in the queue
    would be retried while its first attempt still waits to run."""
    return ThreadPoolExecutor(max_workers=count, thread_name_prefix="local-call")


def local_order_activities(ca: CaActivities, storage: StoreActivities,
                           ids: OrderIdActivities, executor: ThreadPoolExecutor) -> list:
    """The order's first step and quick plugins' calls, run as local activities on
    ``executor`` (:func:`local_call_threads`)."""
    quick = QuickCallActivities(ca, storage, executor)
    return [IntakeActivities(ca, ids, quick, executor).accept_order, quick.quick_plugin_call]


def workflow_options(local_executor: ThreadPoolExecutor, sandboxed: bool,
                     max_cached_workflows: int) -> dict[str, Any]:
    """``Worker`` options for workflows and local activities.

    ``sandboxed``: run workflows in Temporal's sandbox, which fails a workflow task that
    reaches for the clock, randomness or I/O. The tests keep it (that is where such a
    mistake is made); ``run_worker`` does not: the sandbox re-imports the workflow
    modules for every workflow run and re-enters itself for every payload, a third of
    the worker's CPU per order.
    """
    return {
        "workflow_runner": SandboxedWorkflowRunner() if sandboxed
        else UnsandboxedWorkflowRunner(),
        "max_cached_workflows": max_cached_workflows,
        # No more local activities at once than their threads: one queued for a thread
        # would spend its timeout there.
        "max_concurrent_local_activities": local_executor._max_workers,
    }
