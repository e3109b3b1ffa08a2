"""Certificate-order workflows: the pure order state machine and the Temporal workflow.

Only constants live here, so ``certorder.workflows.models`` and
``certorder.workflows.order_fsm`` import without Temporal.
"""

#: Task queue the worker polls and the client starts orders on, unless configured.
TASK_QUEUE = "certificate-orders"
#: Workflow type name, as operators see it in the Temporal UI.
WORKFLOW_TYPE = "CertificateOrderWorkflow"
