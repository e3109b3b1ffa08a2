"""A worker killed between "order placed at CertCentral" and "activity returned": the
retried call on another worker must find that order, not buy a second certificate."""

from __future__ import annotations

import asyncio
import uuid

from order_harness import order_worker
from worker_process import WorkerProcess
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.manager import PluginManager
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow
from simulators.certcentral.products import ORGANIZATIONS

NAME = "crash.example.test"


async def _until(condition, timeout: float = 30) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_worker_killed_mid_order_places_exactly_one_remote_order(
        temporal_env, certcentral_sim, tmp_path):
    [organization] = ORGANIZATIONS  # the one the simulated account has validated
    options = {"digicert": {"base_url": certcentral_sim.base_url,
                            "api_key": certcentral_sim.api_key, "organization_id": organization,
                            "retry_msec": 20, "read_timeout": 10.0}}
    store_url = f"sqlite:///{tmp_path / 'certorder.db'}"
    queue = f"tq-{uuid.uuid4().hex}"
    address = temporal_env.client.service_client.config.target_host
    first = WorkerProcess(tmp_path / "first", temporal_address=address, task_queue=queue,
                          enabled=["digicert"], plugin_options=options,
                          store_url=store_url).start()
    # The order request reaches CertCentral, which takes a second to answer: long
    # enough to kill the worker after sending and before hearing back.
    certcentral_sim.delay_method, certcentral_sim.delay_seconds = "POST", 1.0
    csr = make_csr(make_key("p256"), [NAME])
    handle = await temporal_env.client.start_workflow(
        CertificateOrderWorkflow.run,
        OrderInput(order_meta={"request_type": "simple-cmc", "request_data": csr,
                               "plugin_name": "digicert"}, call_timeout_seconds=3),
        id=f"order-{uuid.uuid4().hex}", task_queue=queue)
    try:
        await _until(lambda: certcentral_sim.requests_received["POST"] > 0)
        first.kill()
    finally:
        first.stop()
    # The simulator finishes the request the dead worker sent, a second later.
    await _until(lambda: certcentral_sim.orders_placed > 0)
    assert certcentral_sim.orders_placed == 1
    certcentral_sim.delay_seconds = 0.0

    manager = PluginManager(["digicert"], tmp_path / "second", options)
    try:
        async with order_worker(temporal_env, manager, tmp_path, store_url=store_url,
                                task_queue=queue) as orders:
            doc = await orders.result(handle, timeout=60)
            container = orders.store.get_by_order(handle.id)
    finally:
        manager.close()
    assert doc.status is OrderStatus.ACTIVE, doc
    assert certcentral_sim.orders_placed == 1
    verify_server_chain(container.certificate, container.intermediates, certcentral_sim.root_pem,
                        NAME)
