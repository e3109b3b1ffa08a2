"""What an order tells operators as it moves: one INFO line per transition, and the
``certorder_orders_*`` metrics (docs/operations.md lists them).

Both are replay-safe: ``workflow.logger`` is silent and ``workflow.metric_meter()``
records nothing while a worker replays history, so an order rebuilt on another worker
(after a crash or a cache eviction) is not logged or counted twice.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from certorder.workflows.models import OrderDocument, OrderStatus
    from certorder.workflows.order_fsm import Outcome

ORDERS_STARTED = "certorder_orders_started"
ORDERS_FINISHED = "certorder_orders_finished"
TIME_TO_ACTIVE = "certorder_order_time_to_active_seconds"
#: The plugin label of an order refused before any plugin was chosen.
NO_PLUGIN = "none"


def _plugin(doc: OrderDocument) -> str:
    return doc.plugin_name or NO_PLUGIN


def order_started(doc: OrderDocument) -> None:
    """The workers took the order: its plugin is chosen (or it was refused at once)."""
    workflow.metric_meter().create_counter(
        ORDERS_STARTED, "Orders the workers accepted or refused, by plugin").add(
        1, {"plugin": _plugin(doc)})


def transition(doc: OrderDocument, method: str, result: str, message: str | None,
               before: OrderStatus) -> None:
    """Log one transition (already recorded in ``doc``); count the order once it ends."""
    workflow.logger.info(
        "order %s %s -> %s (%s: %s)%s", doc.order_id, before.value, doc.status.value, method,
        result, f": {message}" if message else "",
        extra={"order_id": doc.order_id, "plugin": _plugin(doc), "status": doc.status.value,
               "sub_status": doc.sub_status, "from_status": before.value, "method": method,
               "result": result})
    if before.is_terminal or not doc.status.is_terminal:
        return
    meter = workflow.metric_meter()
    labels = {"plugin": _plugin(doc), "status": doc.status.value,
              "sub_status": doc.sub_status or ""}
    meter.create_counter(ORDERS_FINISHED, "Orders that ended, by plugin, status and "
                         "sub-status").add(1, labels)
    if doc.status is OrderStatus.ACTIVE and doc.sub_status == Outcome.CERTIFICATE_GENERATED:
        waited = (workflow.now() - (doc.created_at or workflow.info().start_time)).total_seconds()
        meter.create_histogram_float(
            TIME_TO_ACTIVE, "From submission to certificate issued", "s").record(
            max(waited, 0.0), {"plugin": _plugin(doc)})
