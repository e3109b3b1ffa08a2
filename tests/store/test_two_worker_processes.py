"""Two real worker processes, each on its own data directory and task queue, on one
PostgreSQL store: both issue from one root, and a sub-CA created through one issues
through the other (issue 12, state that all workers share)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from worker_process import WorkerProcess
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.client_admin import CaAdmin
from certorder.keys.envelope import new_kek_text
from certorder.plugins.interface.dto import CACreateDTO
from certorder.settings import Settings
from certorder.store import CertificateStore
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

HOST = "two-workers.example.test"

pytestmark = pytest.mark.postgres


async def _order(client, queue: str, ca_id: str | None = None) -> str:
    order_meta = {"request_type": "simple-cmc", "plugin_name": "local-ca",
                  "request_data": make_csr(make_key("p256"), [HOST])}
    if ca_id is not None:
        order_meta["ca_id"] = ca_id
    order_id = f"order-{uuid.uuid4().hex}"
    handle = await client.start_workflow(CertificateOrderWorkflow.run,
                                         OrderInput(order_meta=order_meta),
                                         id=order_id, task_queue=queue)
    doc = await asyncio.wait_for(handle.result(), 60)
    assert doc.status is OrderStatus.ACTIVE, doc
    return order_id


async def test_two_worker_processes_share_the_local_ca(temporal_env, new_postgres_database,
                                                       tmp_path) -> None:
    client = temporal_env.client
    address = client.service_client.config.target_host
    store_url, kek = new_postgres_database(), new_kek_text()
    queues = [f"tq-shared-{i}-{uuid.uuid4().hex[:8]}" for i in range(2)]
    workers = [WorkerProcess(tmp_path / f"w{i}", temporal_address=address, task_queue=queue,
                             enabled=["local-ca"], plugin_options={}, store_url=store_url,
                             kek=kek) for i, queue in enumerate(queues)]
    try:
        for worker in workers:  # both start on an empty store: one root between them
            worker.start()
        admin = [CaAdmin(client, Settings(temporal_address=address, task_queue=queue))
                 for queue in queues]
        roots = [(await a.list_cas())[0].ca_signing_certificate for a in admin]
        sub = await admin[0].create_ca(CACreateDTO(name="made through worker 0"),
                                       plugin_name="local-ca")
        orders = [await _order(client, queues[0]), await _order(client, queues[1], sub.ca_id)]
    finally:
        for worker in workers:
            worker.stop()
    assert roots[0] == roots[1]
    store = CertificateStore.open(store_url)
    try:
        containers = [store.get_by_order(order_id) for order_id in orders]
    finally:
        store.close()
    for container in containers:
        verify_server_chain(container.certificate, container.intermediates, roots[0], HOST)
    assert containers[1].ca_id == sub.ca_id
