"""Workers killed mid-order in an account with a long history for the same name: every
order is bought once, the retried calls read a bounded number of orders, and the dead
worker is noticed by its missing heartbeats within seconds, not after the 120 s call
timeout."""

from __future__ import annotations

import asyncio
import time
import uuid

from certcentral_history import place_history
from order_harness import order_worker
from worker_process import WorkerProcess
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.manager import PluginManager
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow
from simulators.certcentral.products import ORGANIZATIONS

NAME = "renewed.example.test"
HISTORY = 120
ORDERS = 10


async def _until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_killed_orders_in_a_long_history_are_bought_once_and_resume_in_seconds(
        temporal_env, certcentral_sim, make_digicert, tmp_path):
    place_history(make_digicert(), NAME, HISTORY)
    certcentral_sim.age_orders(days=30)
    [organization] = ORGANIZATIONS
    options = {"digicert": {"base_url": certcentral_sim.base_url,
                            "api_key": certcentral_sim.api_key, "organization_id": organization,
                            "retry_msec": 20, "read_timeout": 10.0}}
    store_url = f"sqlite:///{tmp_path / 'certorder.db'}"
    queue = f"tq-{uuid.uuid4().hex}"
    address = temporal_env.client.service_client.config.target_host
    first = WorkerProcess(tmp_path / "first", temporal_address=address, task_queue=queue,
                          enabled=["digicert"], plugin_options=options,
                          store_url=store_url).start()
    # CertCentral takes a second to answer each order request: the worker dies with
    # all of them in flight. The call timeout is the default 120 s.
    certcentral_sim.delay_method, certcentral_sim.delay_seconds = "POST", 1.0
    handles = []
    for _ in range(ORDERS):
        csr = make_csr(make_key("p256"), [NAME])
        handles.append(await temporal_env.client.start_workflow(
            CertificateOrderWorkflow.run,
            OrderInput(order_meta={"request_type": "simple-cmc", "request_data": csr,
                                   "plugin_name": "digicert"}),
            id=f"order-{uuid.uuid4().hex}", task_queue=queue))
    try:
        await _until(lambda: certcentral_sim.requests_received["POST"] >= HISTORY + ORDERS)
        first.kill()
    finally:
        first.stop()
    killed_at = time.monotonic()
    await _until(lambda: certcentral_sim.orders_placed == HISTORY + ORDERS)
    certcentral_sim.delay_seconds = 0.0
    reads_before = certcentral_sim.requests_received["GET"]

    manager = PluginManager(["digicert"], tmp_path / "second", options)
    try:
        async with order_worker(temporal_env, manager, tmp_path, store_url=store_url,
                                task_queue=queue) as orders:
            docs = await asyncio.gather(*(orders.result(h, timeout=40) for h in handles))
            containers = [orders.store.get_by_order(h.id) for h in handles]
    finally:
        manager.close()
    recovered_in = time.monotonic() - killed_at
    assert [d.status for d in docs] == [OrderStatus.ACTIVE] * ORDERS, docs
    assert certcentral_sim.orders_placed == HISTORY + ORDERS
    for container in containers:
        verify_server_chain(container.certificate, container.intermediates,
                            certcentral_sim.root_pem, NAME)
    assert recovered_in < 40, recovered_in
    # A retried call reads its candidates among the orders placed since it began (the
    # ten concurrent ones), never the account's history.
    assert (certcentral_sim.requests_received["GET"] - reads_before) / ORDERS <= 20
