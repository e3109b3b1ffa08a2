"""Certificate-order workflows: the pure order state machine and the Temporal workflow.

Only constants live here, so ``certorder.workflows.models`` and
``certorder.workflows.order_fsm`` import without Temporal.
"""

#: Task queue the worker polls and the client starts orders on, unless configured.
TASK_QUEUE = "certificate-orders"
#: Workflow type name, as operators see it in the Temporal UI.
WORKFLOW_TYPE = "CertificateOrderWorkflow"
#: Error type of an order workflow whose order the workers refused (the order's
#: sub-status; the failure's details carry the order document, as for every ERROR).
#: Only such a run frees its order id for another order.
ORDER_REJECTED = "order rejected"
#: Workflow type of the CA-management operations (``ca ...``, ``plugin list``).
ADMIN_WORKFLOW_TYPE = "CaAdminWorkflow"


def worker_task_queue(task_queue: str, identity: str) -> str:
    """The task queue only the worker ``identity`` polls: ``plugin list`` asks each
    worker there what it has loaded (Temporal hands a shared queue's tasks to any
    worker)."""
    return f"{task_queue}@{identity}"
