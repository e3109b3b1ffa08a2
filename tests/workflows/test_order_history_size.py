"""How many history events an order costs (docs/performance.md): an order the local CA
issues at once must fit in one workflow task (local activities, search attributes
upserted only when they change). Counted, not timed."""

from __future__ import annotations

from order_harness import order_worker
from temporalio.api.enums.v1 import EventType
from x509_helpers import make_csr, make_key

from certorder.client import CertOrderClient
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.workflows.models import OrderStatus

#: Start, one workflow task, the verdict update, the patch marker, three local
#: activities (select and claim, issue, store), one upsert, the completion.
MAX_EVENTS_ISSUED_AT_ONCE = 12


async def test_a_local_ca_order_issued_at_once_takes_at_most_12_events(temporal_env, tmp_path):
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
