"""Load and fault test: a worker running many Dogtag enrollments is killed while their
approvals are in flight, and more than ``recovery_scan_limit`` newer requests arrive
before the calls are retried. Each order must still end with exactly one request (and
one certificate): the retried calls resume from the request id each call reported."""

from __future__ import annotations

import asyncio
import time
import uuid

from order_harness import order_worker
from worker_process import WorkerProcess
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.dogtag.enrollment import order_tag
from certorder.plugins.manager import PluginManager
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

ORDERS = 32  # twice the worker's 16 concurrent calls
IN_FLIGHT = 16
NEWER = 150  # more than the default recovery_scan_limit of 100
APPROVE = "/ca/rest/agent/certrequests/*/approve"


async def _until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def _until_reported(handles, count: int, timeout: float = 30) -> None:
    """Until ``count`` orders' running calls have a heartbeat holding a request id."""
    deadline = time.monotonic() + timeout
    reported: set[str] = set()
    while len(reported) < count:
        for handle in handles:
            description = await handle.describe()
            for pending in description.raw_description.pending_activities:
                data = b"".join(p.data for p in pending.heartbeat_details.payloads)
                if b"request_id" in data:
                    reported.add(handle.id)
        assert time.monotonic() < deadline, f"only {len(reported)} calls reported progress"
        await asyncio.sleep(0.25)


def _approvals(sim) -> int:
    return sum(1 for method, path in sim.calls if method == "POST" and path.endswith("/approve"))


def _newer_requests(sim, count: int) -> None:
    csr = make_csr(make_key(), ["other.example.test"])
    for number in range(count):
        values = {"cert_request_type": "pkcs10", "cert_request": csr,
                  "requestor_name": f"someone else {number}"}
        sim.engine.enroll("caServerCert", values, None).status = "complete"


async def test_killed_enrollments_under_load_each_get_exactly_one_certificate(
        temporal_env, dogtag_sim, tmp_path):
    options = {"dogtag": {
        "base_url": dogtag_sim.base_url,
        "client_cert_file": str(dogtag_sim.client_cert_file),
        "client_key_file": str(dogtag_sim.client_key_file),
        "ca_bundle_file": str(dogtag_sim.ca_bundle_file),
        "auto_approved_profiles": ["caServerCert"],
        "retry_msec": 20, "timeout_seconds": 10.0,
    }}
    store_url = f"sqlite:///{tmp_path / 'certorder.db'}"
    queue = f"tq-{uuid.uuid4().hex}"
    address = temporal_env.client.service_client.config.target_host
    first = WorkerProcess(tmp_path / "first", temporal_address=address, task_queue=queue,
                          enabled=["dogtag"], plugin_options=options,
                          store_url=store_url).start()
    # Dogtag approves at once but answers only after 20 s: the worker dies with its
    # calls between "request placed" and "certificate fetched".
    dogtag_sim.delay_answers("POST", APPROVE, 20.0)
    names = [f"host{i}.load.example.test" for i in range(ORDERS)]
    handles = []
    for name in names:
        order_meta = {"request_type": "simple-cmc", "plugin_name": "dogtag",
                      "request_data": make_csr(make_key("p256"), [name])}
        handles.append(await temporal_env.client.start_workflow(
            CertificateOrderWorkflow.run,
            OrderInput(order_meta=order_meta, call_timeout_seconds=30),
            id=f"order-{uuid.uuid4().hex}", task_queue=queue))
    try:
        await _until(lambda: _approvals(dogtag_sim) >= IN_FLIGHT)
        # The approvals are unanswered still; kill once Temporal holds every call's
        # reported request id (the window before that is covered by the search).
        await _until_reported(handles, IN_FLIGHT)
        first.kill()
    finally:
        first.stop()
    dogtag_sim.delay_answers("POST", APPROVE, 0)
    _newer_requests(dogtag_sim, NEWER)
    calls_before = len(dogtag_sim.calls)

    manager = PluginManager(["dogtag"], tmp_path / "second", options)
    try:
        async with order_worker(temporal_env, manager, tmp_path, store_url=store_url,
                                task_queue=queue) as orders:
            docs = await asyncio.gather(*(orders.result(h, timeout=60) for h in handles))
            containers = [orders.store.get_by_order(h.id) for h in handles]
    finally:
        manager.close()
    placed = {h.id: [r.status for r in dogtag_sim.engine.requests.values()
                     if r.values.get("requestor_name") == order_tag("certorder", h.id)]
              for h in handles}
    outcome = {h.id: (d.status.value, d.sub_status_message)
               for h, d in zip(handles, docs, strict=True)}
    twice = {order: (states, outcome[order]) for order, states in placed.items()
             if states != ["complete"]}
    assert not twice, f"{len(twice)} orders without exactly one certificate: {twice}"
    assert [d.status for d in docs] == [OrderStatus.ACTIVE] * ORDERS, docs
    assert dogtag_sim.enrollment_count == ORDERS + NEWER
    for container, name in zip(containers, names, strict=True):
        verify_server_chain(container.certificate, container.intermediates,
                            dogtag_sim.root_pem, name)
    # No searches: a fresh order costs its template, submission, review, approval,
    # request and certificate reads; a resumed one fewer.
    assert (len(dogtag_sim.calls) - calls_before) / ORDERS <= 10
