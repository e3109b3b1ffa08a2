"""How many history events an order costs (docs/performance.md): an order the local CA
issues at once must fit in one workflow task (local activities, search attributes
upserted only when they change). Counted, not timed."""

from __future__ import annotations

import uuid

from order_fixtures import issued_for, new_request, waiting
from order_harness import order_worker
from scripted_plugin import QuickScriptedPlugin
from temporalio.api.enums.v1 import EventType
from x509_helpers import make_csr, make_key

from certorder.client import CertOrderClient
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.workflows.models import OrderStatus

#: Start, one workflow task, the verdict update, the patch marker (and the SDK's
#: upsert of it), one local activity (select, claim, issue and store), one upsert,
#: the completion.
MAX_EVENTS_ISSUED_AT_ONCE = 11


async def test_a_local_ca_order_issued_at_once_takes_at_most_11_events(temporal_env, tmp_path):
    manager = PluginManager(["local-ca"], tmp_path / "data")
    order = {"request_type": "simple-cmc", "plugin_name": "local-ca",
             "request_data": make_csr(make_key("p256"), ["www.example.test"])}
    try:
        async with order_worker(temporal_env, manager, tmp_path) as orders:
            address = temporal_env.client.service_client.config.target_host
            client = CertOrderClient(Settings(temporal_address=address,
                                              task_queue=orders.task_queue),
                                     temporal_env.client)
            order_id = await client.submit(order)
            document = await client.wait(order_id, poll_seconds=0.05, timeout=30)
            history = await temporal_env.client.get_workflow_handle(order_id).fetch_history()
    finally:
        manager.close()
    assert document.status is OrderStatus.ACTIVE
    kinds = [EventType.Name(event.event_type) for event in history.events]
    assert len(kinds) <= MAX_EVENTS_ISSUED_AT_ONCE, "\n".join(kinds)


#: Timer started and fired, one workflow task, the check's local activity, and the
#: upsert of the next attempt's time (CertificateOrderNextAttempt).
MAX_EVENTS_PER_POLL_CYCLE = 7


async def test_a_quick_plugin_poll_cycle_takes_at_most_7_events(temporal_env, tmp_path):
    plugin = QuickScriptedPlugin("quick")
    request, order_id = new_request(), f"quick-polls-{uuid.uuid4().hex}"
    plugin.script(order_id, waiting(), waiting(), waiting(), waiting(),
                  issued_for(request.csr))
    async with order_worker(temporal_env, {"quick": plugin}, tmp_path) as orders:
        handle = await orders.start({**request.order_meta, "plugin_name": "quick"},
                                    order_id=order_id)
        document = await orders.result(handle)
        history = await handle.fetch_history()
    assert document.status is OrderStatus.ACTIVE
    kinds = [EventType.Name(event.event_type) for event in history.events]
    # Started without the client's search attributes: one more upsert (PENDING).
    assert len(kinds) <= MAX_EVENTS_ISSUED_AT_ONCE + 1 + 4 * MAX_EVENTS_PER_POLL_CYCLE, (
        "\n".join(kinds))
