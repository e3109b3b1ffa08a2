"""A worker killed between "request placed at Dogtag" and "activity returned": the call
retried on another worker finds that request and enrolls no second time."""

from __future__ import annotations

import asyncio
import uuid

from order_harness import order_worker
from worker_process import WorkerProcess
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.manager import PluginManager
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

NAME = "crash.example.test"
ENROLL = ("POST", "/ca/rest/certrequests")


async def test_worker_killed_mid_enrollment_enrolls_exactly_once(
    temporal_env, dogtag_sim, tmp_path
):
    # The profile issues at submission: when the retry looks, the request the dead
    # worker placed is already complete, so only the search of the newest requests
    # (not the pending ones) can find it.
    dogtag_sim.set_auto_issue("caServerCert")
    options = {
        "dogtag": {
            "base_url": dogtag_sim.base_url,
            "client_cert_file": str(dogtag_sim.client_cert_file),
            "client_key_file": str(dogtag_sim.client_key_file),
            "ca_bundle_file": str(dogtag_sim.ca_bundle_file),
            "retry_msec": 20,
            "timeout_seconds": 10.0,
        }
    }
    store_url = f"sqlite:///{tmp_path / 'certorder.db'}"
    queue = f"tq-{uuid.uuid4().hex}"
    address = temporal_env.client.service_client.config.target_host
    first = WorkerProcess(
        tmp_path / "first",
        temporal_address=address,
        task_queue=queue,
        enabled=["dogtag"],
        plugin_options=options,
        store_url=store_url,
    ).start()
    # Dogtag creates the request at once but answers a second later: time enough to kill
    # the worker after the enrollment arrived and before its answer.
    dogtag_sim.delay_answers(*ENROLL, 1.0)
    csr = make_csr(make_key("p256"), [NAME])
    order_meta = {"request_type": "simple-cmc", "request_data": csr, "plugin_name": "dogtag"}
    handle = await temporal_env.client.start_workflow(
        CertificateOrderWorkflow.run,
        OrderInput(order_meta=order_meta, call_timeout_seconds=3),
        id=f"order-{uuid.uuid4().hex}",
        task_queue=queue,
    )
    try:
        for _ in range(500):
            if dogtag_sim.enrollment_count:
                break
            await asyncio.sleep(0.02)
        first.kill()
    finally:
        first.stop()
    dogtag_sim.delay_answers(*ENROLL, 0)
    assert dogtag_sim.enrollment_count == 1
    [placed] = dogtag_sim.engine.requests.values()
    assert placed.status == "complete"

    manager = PluginManager(["dogtag"], tmp_path / "second", options)
    try:
        async with order_worker(
            temporal_env, manager, tmp_path, store_url=store_url, task_queue=queue
        ) as orders:
            doc = await orders.result(handle, timeout=60)
            container = orders.store.get_by_order(handle.id)
    finally:
        manager.close()
    assert doc.status is OrderStatus.ACTIVE, doc
    assert dogtag_sim.enrollment_count == 1
    assert dogtag_sim.calls.count(ENROLL) == 1
    verify_server_chain(container.certificate, container.intermediates, dogtag_sim.root_pem, NAME)
