"""Run real certificate orders in tests: a worker with given plugins on the test server.

Usage::

    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start({"request_type": "simple-cmc", "request_data": csr})
        document = await orders.result(handle)
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from certorder.activities.approval_rules import ApprovalRules
from certorder.client_status import document_of_failure
from certorder.keys.envelope import Kek
from certorder.plugins import CertificatePluginBase
from certorder.plugins.manager import PluginManager
from certorder.store import CertificateStore
from certorder.store.key_store import KeyStore
from certorder.worker import build_worker
from certorder.workflows.models import OrderDocument, OrderInput
from certorder.workflows.order_workflow import CertificateOrderWorkflow


class OrderHarness:
    """Start orders on a test worker and look at them."""

    def __init__(self, client: Client, task_queue: str, store: CertificateStore,
                 plugins: PluginManager, keys: KeyStore | None = None) -> None:
        self.keys = keys
        self.client = client
        self.task_queue = task_queue
        self.store = store
        self.plugins = plugins

    async def start(self, order_meta: dict[str, Any], order_id: str | None = None,
                    call_timeout_seconds: float = 30,
                    **start_options: Any) -> WorkflowHandle[Any, OrderDocument]:
        return await self.client.start_workflow(
            CertificateOrderWorkflow.run,
            OrderInput(order_meta=order_meta, call_timeout_seconds=call_timeout_seconds),
            id=order_id or f"order-{uuid.uuid4().hex}",
            task_queue=self.task_queue,
            **start_options,
        )

    async def result(self, handle: WorkflowHandle[Any, OrderDocument],
                     timeout: float = 30) -> OrderDocument:
        """The final order document, whether the run completed (ACTIVE) or failed
        (ERROR, the document in the failure's details)."""
        try:
            return await asyncio.wait_for(handle.result(), timeout)
        except WorkflowFailureError as exc:
            document = document_of_failure(exc.cause)
            if document is None:
                raise
            return document

    async def wait_for(self, handle: WorkflowHandle[Any, OrderDocument],
                       predicate: Callable[[OrderDocument], bool],
                       timeout: float = 15) -> OrderDocument:
        """Poll the ``status`` query until ``predicate`` holds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            document = await handle.query(CertificateOrderWorkflow.status)
            if predicate(document):
                return document
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"condition not reached; last document: {document}")
            await asyncio.sleep(0.05)


@asynccontextmanager
async def order_worker(env: WorkflowEnvironment,
                       plugins: Mapping[str, CertificatePluginBase] | PluginManager,
                       data_dir: Path, *, store_url: str | None = None,
                       task_queue: str | None = None,
                       approvals: ApprovalRules | None = None,
                       kek: Kek | None = None,
                       sandboxed: bool = True) -> AsyncIterator[OrderHarness]:
    """A worker on a fresh task queue with ``plugins``, a store in ``data_dir`` and a
    key store under ``kek`` (default: a new random KEK). ``sandboxed=False``: the
    workflows see this process's modules (a test's monkeypatched constants)."""
    manager = plugins if isinstance(plugins, PluginManager) else PluginManager.from_plugins(plugins)
    store = CertificateStore.open(store_url or f"sqlite:///{data_dir / 'certorder.db'}")
    queue = task_queue or f"tq-{uuid.uuid4().hex}"
    keys = KeyStore(store.engine, kek or Kek(os.urandom(32)))
    executor = ThreadPoolExecutor(max_workers=8)
    try:
        worker = build_worker(env.client, task_queue=queue, plugins=manager, store=store,
                              executor=executor, approvals=approvals, keys=keys,
                              sandboxed=sandboxed)
        async with worker:
            yield OrderHarness(env.client, queue, store, manager, keys)
    finally:
        executor.shutdown(wait=True)
        store.close()
