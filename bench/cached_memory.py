"""What a worker keeps per cached workflow: its RSS with N workflows waiting on timers,
for each cache size asked for (a worker process of its own each).

    python -m bench.cached_memory [--workflows 2000] [--caches 3000 10]
                                  [--local-activity | --orders] [--json]

By default each workflow only sleeps (after one local activity with --local-activity),
so the figure is the SDK's floor under any workflow's cost; with --orders they are
certorder orders waiting on a CA's timer (bench/cached_kinds.py). With a cache that
holds them all it is what caching costs, with a small one what the worker keeps of a
workflow it has evicted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from temporalio.client import WorkflowExecutionStatus

from bench.cached_kinds import BareWorkflows, WaitingOrders
from bench.harness import leave, running
from bench.measure import rss_mb, start_server

#: Workflows started at once, and the warm-up before the first reading.
IN_FLIGHT, WARM_UP = 50, 20
#: How long one workflow may take from its start to its timer.
SETTLE_S = 60


async def main(args: argparse.Namespace) -> list[dict]:
    env = await start_server()
    address = env.client.service_client.config.target_host
    try:
        rows = []
        for cache in args.caches:
            kind = (WaitingOrders(env.client, address) if args.orders
                    else BareWorkflows(env.client, args.local_activity))
            with tempfile.TemporaryDirectory() as data:
                rows.append(await _one_cache(kind, address, Path(data), cache, args.workflows))
        return rows
    finally:
        await env.shutdown()


async def _one_cache(kind, address: str, data_dir: Path, cache: int, workflows: int) -> dict:
    async with running(kind.worker_command(address, data_dir, cache)) as worker:
        # The SDK's lazily built parts (and the first workflows' pages) before the baseline.
        await _start_and_settle(kind, WARM_UP)
        before = await _peak_rss(worker.pid)
        await _start_and_settle(kind, workflows)
        after = await _peak_rss(worker.pid)
    # What an LRU cache of running workflows holds, none of them having ended.
    return {"kind": kind.name, "workflows": workflows, "max_cached_workflows": cache,
            "expected_cached": min(cache, workflows + WARM_UP),
            "worker_rss_before_mb": round(before, 1), "worker_rss_after_mb": round(after, 1),
            "kb_per_workflow": round((after - before) * 1024 / workflows, 1)}


async def _start_and_settle(kind, count: int) -> None:
    """Start ``count`` workflows and return once each is waiting on its timer."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(number: int) -> None:
        async with gate:
            handle = await kind.start(number)
            deadline = time.monotonic() + SETTLE_S
            while True:
                described = await handle.describe()
                if described.status != WorkflowExecutionStatus.RUNNING:
                    raise RuntimeError(f"{handle.id} ended ({described.status.name})")
                if kind.waiting(described):
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{handle.id} did not reach its timer in {SETTLE_S} s")
                await asyncio.sleep(0.2)

    # A task group: the first failure cancels the other pollers.
    async with asyncio.TaskGroup() as group:
        for number in range(count):
            group.create_task(one(number))


async def _peak_rss(pid: int) -> float:
    """The worker's highest RSS of five readings over 2.5 s (a process that has just been
    busy still moves by a little)."""
    readings = []
    for _ in range(5):
        await asyncio.sleep(0.5)
        readings.append(rss_mb(pid))
    return max(readings)


def _print(rows: list[dict]) -> None:
    print(f"{'kind':<22} {'cache':>7} {'workflows':>10} {'cached':>7} {'RSS before':>12} "
          f"{'after':>9} {'KB each':>8}")
    for row in rows:
        print(f"{row['kind']:<22} {row['max_cached_workflows']:>7} {row['workflows']:>10} "
              f"{row['expected_cached']:>7} {row['worker_rss_before_mb']:>9} MB "
              f"{row['worker_rss_after_mb']:>6} MB {row['kb_per_workflow']:>8}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.cached_memory",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--workflows", type=int, default=2000,
                        help="workflows started and left waiting (default 2000)")
    parser.add_argument("--caches", type=int, nargs="+", default=[3000, 10],
                        help="max_cached_workflows of each worker, in turn (default 3000 10)")
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument("--local-activity", action="store_true",
                       help="each bare workflow runs one local activity before its timer")
    kinds.add_argument("--orders", action="store_true",
                       help="certorder orders waiting on a CA's timer, not bare workflows")
    parser.add_argument("--json", action="store_true", help="rows as JSON")
    arguments = parser.parse_args()
    result = asyncio.run(main(arguments))
    print(json.dumps(result, indent=2)) if arguments.json else _print(result)
    leave()
