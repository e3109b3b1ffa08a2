"""A hung store (a table locked on PostgreSQL) stalls only the orders that store: the
sub-status says so, plugin calls of other orders go on, and the orders end ACTIVE once
the store is back."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from order_fixtures import issued_for, new_request, waiting
from order_harness import OrderHarness
from scripted_plugin import ScriptedPlugin
from sqlalchemy.engine import make_url

from certorder.plugins.manager import PluginManager
from certorder.store import CertificateStore
from certorder.store import engine as store_engine
from certorder.worker import build_worker
from certorder.workflows.models import OrderStatus


@pytest.mark.postgres
async def test_locked_store_is_shown_retried_and_does_not_stall_plugin_calls(
    temporal_env, new_postgres_database, monkeypatch
):
    # Short database timeouts so the test does not wait the production ones out.
    monkeypatch.setattr(store_engine, "STATEMENT_TIMEOUT_MS", 500, raising=False)
    url = new_postgres_database()
    plugin = ScriptedPlugin()
    store = CertificateStore.open(url)
    queue = f"tq-{uuid.uuid4().hex}"
    # As few plugin threads as stored orders: a store call that holds one stalls them.
    executor = ThreadPoolExecutor(max_workers=2)
    locker = psycopg.connect(make_url(url).set(drivername="postgresql")
                             .render_as_string(hide_password=False))
    try:
        locker.execute("LOCK TABLE certificate_containers IN ACCESS EXCLUSIVE MODE")
        worker = build_worker(temporal_env.client, task_queue=queue,
                              plugins=PluginManager.from_plugins({"scripted": plugin}),
                              store=store, executor=executor)
        async with worker:
            orders = OrderHarness(temporal_env.client, queue, store, None)
            try:
                requests = [new_request(f"o{i}.example.test") for i in range(2)]
                handles = [await orders.start(r.order_meta) for r in requests]
                for handle, request in zip(handles, requests, strict=True):
                    plugin.script(handle.id, issued_for(request.csr))
                stalled = [await orders.wait_for(h, lambda d: "database unavailable since"
                                                 in (d.sub_status or ""), timeout=20)
                           for h in handles]
                # Another order's plugin call still runs while the store is down.
                other = await orders.start(new_request("other.example.test").order_meta)
                plugin.script(other.id, waiting(3_600_000, "queued"))
                await orders.wait_for(other, lambda d: len(d.transitions) == 1, timeout=20)
            finally:
                locker.rollback()  # a stuck store call must end before the worker can
            done = [await orders.result(h, timeout=30) for h in handles]
            await other.terminate("test over")
    finally:
        locker.close()
        executor.shutdown(wait=False, cancel_futures=True)
        store.close()
    assert all(d.status is OrderStatus.PENDING for d in stalled)
    assert all(d.sub_status.startswith("storing the certificate: database unavailable since")
               for d in stalled)
    assert [d.status for d in done] == [OrderStatus.ACTIVE] * 2
    assert all(d.container_id for d in done)


def test_postgres_engine_has_connect_and_statement_timeouts(postgres_session_url):
    store = CertificateStore.open(postgres_session_url)
    try:
        with store.engine.connect() as connection:
            statement = connection.exec_driver_sql("SHOW statement_timeout").scalar()
            lock = connection.exec_driver_sql("SHOW lock_timeout").scalar()
        assert statement not in ("0", None) and lock not in ("0", None)
        assert store.engine.pool.size() <= 8
    finally:
        store.close()
