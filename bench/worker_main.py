"""The benchmarks' worker, in a process of its own so that its CPU and memory are its
own: plain workflows on ``bench-plain``, certorder orders (local CA, and the delayed
CA of bench.pending) on ``bench-orders``, built by the real composition root.

    python -m bench.worker_main ADDRESS DATA_DIR [MAX_CACHED_WORKFLOWS]
"""

from __future__ import annotations

import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from bench.delayed_ca import DelayedCAPlugin, QuickChecksDelayedCAPlugin, QuickDelayedCAPlugin
from bench.plain import OneActivityWorkflow, ThreeActivitiesWorkflow, sign_once
from certorder.keys.envelope import Kek
from certorder.metrics.runtime import worker_runtime
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.local_ca import LocalCAPlugin
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.store import CertificateStore
from certorder.store.plugin_state import PluginStates
from certorder.worker import build_worker
from certorder.worker_tuning import MAX_CACHED_WORKFLOWS

PLAIN_QUEUE, ORDER_QUEUE = "bench-plain", "bench-orders"


async def main(address: str, data_dir: Path, max_cached: int = MAX_CACHED_WORKFLOWS) -> None:
    # The worker's runtime: the SDK core's warnings are log records (on stderr), as in
    # `certorder worker`, not lines on stdout.
    client = await Client.connect(address, data_converter=pydantic_data_converter,
                                  runtime=worker_runtime(Settings(temporal_address=address)))
    store = CertificateStore.open(f"sqlite:///{data_dir / 'certorder.db'}")
    # As the worker composes it: the local CA's CAs in the store, sealed by a KEK.
    shared = PluginStates(store.engine, Kek(os.urandom(32)))
    plugins = PluginManager.from_plugins({
        "local-ca": LocalCAPlugin(PluginContext(name="local-ca", data_dir=data_dir / "ca",
                                                shared=shared("local-ca"))),
        "delayed-ca": DelayedCAPlugin(PluginContext(name="delayed-ca", data_dir=data_dir)),
        "delayed-ca-quick": QuickDelayedCAPlugin(
            PluginContext(name="delayed-ca-quick", data_dir=data_dir)),
        "delayed-ca-checks": QuickChecksDelayedCAPlugin(
            PluginContext(name="delayed-ca-checks", data_dir=data_dir)),
    })
    with ThreadPoolExecutor(16) as orders_pool, ThreadPoolExecutor(16) as plain_pool:
        # As certorder.worker.run_worker builds it (unsandboxed).
        orders = build_worker(client, task_queue=ORDER_QUEUE, plugins=plugins, store=store,
                              executor=orders_pool, sandboxed=False,
                              max_cached_workflows=max_cached)
        plain = Worker(client, task_queue=PLAIN_QUEUE, activity_executor=plain_pool,
                       workflows=[OneActivityWorkflow, ThreeActivitiesWorkflow],
                       activities=[sign_once])
        async with orders, plain:
            print("bench worker ready", flush=True)
            await asyncio.Event().wait()


if __name__ == "__main__":
    data = Path(sys.argv[2])
    (data / "ca").mkdir(parents=True, exist_ok=True)
    asyncio.run(main(sys.argv[1], data, *(int(arg) for arg in sys.argv[3:4])))
