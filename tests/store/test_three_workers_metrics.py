"""Three worker processes, one dev server, one PostgreSQL store, 300 DigiCert orders
(the CertCentral simulator): one worker is SIGKILLed and another restarted mid-run.
All 300 end ACTIVE, with exactly one remote order and one stored certificate each, and
the workers' ``/metrics`` agree with the store.

How the counters can be compared exactly although a killed worker's counters die
with it: each worker's counters are scraped right before it is killed or restarted,
and at the end; the fleet's count is the sum over every process's last scrape. That
sum is exact only if nothing is counted between a worker's last scrape and its end,
so both happen while no order can finish or start: the first 150 orders (issued at
once) are all finished, and the other 150 have all been accepted (their plugin is in
visibility, so the workflow task that counted the start has completed) and wait for
a CertCentral administrator's approval, which comes only after the kill and the
restart. The kill still lands mid-work: those orders' requests are being placed
(the simulator answers each POST after two seconds) and polled. A finished order is
counted in the workflow task that finishes it, and replay never counts, so an order
moved to another worker is counted once (a workflow task that timed out and ran
twice would count twice: not expected here, and the test would say so).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from metrics_scrape import Scrape, free_port, scrape
from worker_process import WorkerProcess
from x509_helpers import make_csr, make_key

from certorder.keys.envelope import new_kek_text
from certorder.store import CertificateStore
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow
from simulators.certcentral.products import ORGANIZATIONS
from tests.simulators.certcentral_fixture import certcentral_sim  # noqa: F401

HALF = 150
FINISHED = "certorder_orders_finished_total"
STARTED = "certorder_orders_started_total"
PENDING = "certorder_orders_pending"
WAITING = "client data issue seen"  # the sub-status of "needs approval"


async def _until(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def _submit(client, queue: str, names: list[str]) -> list:
    async def one(name: str):
        order_meta = {"request_type": "simple-cmc", "plugin_name": "digicert",
                      "request_data": make_csr(make_key("p256"), [name])}
        return await client.start_workflow(
            CertificateOrderWorkflow.run, OrderInput(order_meta=order_meta,
                                                     call_timeout_seconds=30),
            id=f"order-{uuid.uuid4().hex}", task_queue=queue)
    return await asyncio.gather(*(one(name) for name in names))


async def _count(client, query: str) -> int:
    return (await client.count_workflows(query)).count


async def _completed(client, in_queue: str, count: int) -> bool:
    return await _count(client, f"{in_queue} AND ExecutionStatus = 'Completed'") >= count


async def _accepted(client, in_queue: str, count: int) -> bool:
    return await _count(client, f"{in_queue} AND CertificatePluginName = 'digicert'") >= count


async def _placed(sim, count: int) -> bool:
    return sim.orders_placed >= count


async def _gauge_is(addresses: list[str], value: int) -> bool:
    return all(scrape(address).total(PENDING, plugin="digicert", sub_status=WAITING) == value
               for address in addresses)


async def test_three_workers_one_killed_one_restarted_lose_nothing(
        temporal_env, certcentral_sim, new_postgres_database, tmp_path):  # noqa: F811
    client = temporal_env.client
    [organization] = ORGANIZATIONS
    options = {"digicert": {"base_url": certcentral_sim.base_url,
                            "api_key": certcentral_sim.api_key,
                            "organization_id": organization, "retry_msec": 500,
                            "dcv_retry_msec": 2000, "read_timeout": 10.0}}
    store_url = new_postgres_database()
    queue = f"tq-{uuid.uuid4().hex}"
    address = client.service_client.config.target_host
    kek = new_kek_text()  # one store, one key-encryption key
    workers, ports = [], [free_port() for _ in range(3)]
    for number, port in enumerate(ports):
        settings = {"metrics_address": f"127.0.0.1:{port}", "metrics_refresh_seconds": 1,
                    "log_format": "json" if number == 2 else "text"}
        workers.append(WorkerProcess(tmp_path / f"w{number}", temporal_address=address,
                                     task_queue=queue, enabled=["digicert"],
                                     plugin_options=options, store_url=store_url,
                                     kek=kek, settings=settings))
    killed, restarted, steady = workers
    in_queue = f"TaskQueue = '{queue}'"
    #: Every process's last scrape: the killed one's, the restarted one's before and
    #: after the restart, the steady one's.
    last: list[Scrape] = []
    try:
        for worker in workers:
            worker.start()
        names = [f"host{i}.fleet.example.test" for i in range(2 * HALF)]
        first = await _submit(client, queue, names[:HALF])
        await _until(lambda: _completed(client, in_queue, HALF), "the first half to finish")
        certcentral_sim.set_scenario("approval")  # polls=0: until an administrator approves
        certcentral_sim.delay_method, certcentral_sim.delay_seconds = "POST", 2.0
        second = await _submit(client, queue, names[HALF:])
        await _until(lambda: _accepted(client, in_queue, 2 * HALF), "every order accepted")
        assert certcentral_sim.orders_placed < 2 * HALF, "the kill came too late"
        last.append(scrape(f"127.0.0.1:{ports[0]}"))
        killed.kill()
        last.append(scrape(f"127.0.0.1:{ports[1]}"))
        restarted.stop()
        restarted.start()
        certcentral_sim.delay_seconds = 0.0
        await _until(lambda: _placed(certcentral_sim, 2 * HALF), "every request placed")
        # The fleet gauge: every live worker reports the same 150 orders waiting.
        live = [f"127.0.0.1:{ports[1]}", f"127.0.0.1:{ports[2]}"]
        await _until(lambda: _gauge_is(live, HALF), "the pending gauge to show 150")
        for order in list(certcentral_sim.account.orders.values()):
            if order.status == "needs_approval":
                certcentral_sim.approve(order.id)
        docs = await asyncio.wait_for(asyncio.gather(*(h.result() for h in first + second)),
                                      60)
        await _until(lambda: _gauge_is(live, 0), "the pending gauge to drop to 0")
        last += [scrape(live[0]), scrape(live[1])]
    finally:
        for worker in workers:
            worker.stop()

    assert [doc.status for doc in docs] == [OrderStatus.ACTIVE] * 2 * HALF
    assert certcentral_sim.orders_placed == 2 * HALF  # no remote order placed twice
    store = CertificateStore.open(store_url)
    try:
        assert store.count_containers() == 2 * HALF  # one certificate per order
        assert all(store.get_by_order(h.id) is not None for h in first + second)
    finally:
        store.close()
    scrapes = last
    assert sum(s.total(FINISHED, plugin="digicert", status="ACTIVE") for s in scrapes) == 2 * HALF
    assert sum(s.total(STARTED, plugin="digicert") for s in scrapes) == 2 * HALF
    assert sum(s.total("certorder_order_time_to_active_seconds_count") for s in scrapes) == 300
    issued = sum(s.total("certorder_ca_call_seconds_count", method="issue_certificate_request",
                         outcome="certificate generated") for s in scrapes)
    assert 0 < issued <= HALF  # later calls of the killed worker are gone with it
    assert scrapes[0].total("temporal_worker_task_slots_available") > 0  # the SDK's own
    transitions = [json.loads(line) for line in steady.log.read_text().splitlines()
                   if line.startswith("{") and '"order_id"' in line]
    assert transitions and {"order_id", "plugin", "status"} <= set(transitions[0])
