"""A worker killed inside an order's first step, after the local CA signed and before
the certificate was stored (the one local activity that chooses the plugin, claims the
id, issues and stores): the worker that takes the order over issues the same serial,
and the CA keeps one reservation for the order. Real worker processes, a real kill
(SIGKILL), a PostgreSQL store whose container table the test holds locked meanwhile."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid

import psycopg
import pytest
from cryptography import x509
from sqlalchemy.engine import make_url
from worker_process import WorkerProcess
from x509_helpers import make_csr, make_key

from certorder.keys.envelope import new_kek_text
from certorder.store import CertificateStore
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

pytestmark = pytest.mark.postgres


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _records(libpq: str, order_id: str) -> dict[str, str]:
    prefix = f"issued/{hashlib.sha256(order_id.encode()).hexdigest()}"
    with psycopg.connect(libpq) as connection:
        rows = connection.execute(
            "SELECT state_key, value FROM plugin_state WHERE plugin_name = 'local-ca' "
            "AND state_key LIKE %s", (prefix + "%",)).fetchall()
    return dict(rows)


def _waiting_on_a_lock(libpq: str) -> bool:
    with psycopg.connect(libpq) as connection:
        [count] = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()").fetchone()
    return count > 0


async def _until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)


async def test_a_worker_killed_after_signing_in_the_first_step_leaves_one_serial(
        temporal_env, new_postgres_database, tmp_path):
    client = temporal_env.client
    address = client.service_client.config.target_host
    store_url, kek = new_postgres_database(), new_kek_text()
    libpq, queue = _libpq(store_url), f"tq-killed-{uuid.uuid4().hex[:8]}"

    def worker(name: str) -> WorkerProcess:
        return WorkerProcess(tmp_path / name, temporal_address=address, task_queue=queue,
                             enabled=["local-ca"], plugin_options={}, store_url=store_url,
                             kek=kek)

    first = worker("first").start()
    order_id = f"order-{uuid.uuid4().hex}"
    order_meta = {"request_type": "simple-cmc", "plugin_name": "local-ca",
                  "request_data": make_csr(make_key("p256"), ["killed.example.test"])}
    try:
        with psycopg.connect(libpq) as locker:
            # Held until the kill: the first step's store write waits here, after signing.
            locker.execute("LOCK TABLE certificate_containers IN ACCESS EXCLUSIVE MODE")
            handle = await client.start_workflow(
                CertificateOrderWorkflow.run, OrderInput(order_meta=order_meta),
                id=order_id, task_queue=queue)
            await _until(lambda: _records(libpq, order_id) and _waiting_on_a_lock(libpq))
            await asyncio.sleep(0.5)  # signing takes milliseconds once reserved
            first.kill()
            locker.rollback()
    finally:
        first.stop()
    [reserved] = _records(libpq, order_id).values()
    second = worker("second").start()
    try:
        # The dead worker's workflow task times out first (10 s), then the second
        # worker runs the first step again.
        document = await asyncio.wait_for(handle.result(), 60)
    finally:
        second.stop()
    assert document.status is OrderStatus.ACTIVE, document
    assert list(_records(libpq, order_id).values()) == [reserved]  # one reservation only
    store = CertificateStore.open(store_url)
    try:
        container = store.get_by_order(order_id)
    finally:
        store.close()
    assert container is not None
    certificate = x509.load_pem_x509_certificate(container.certificate.encode())
    assert format(certificate.serial_number, "x") == json.loads(reserved)["serial"]
    assert document.container_id == container.container_id
