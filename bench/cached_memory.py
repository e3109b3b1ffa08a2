"""What the SDK itself keeps per cached workflow: worker RSS with N bare workflows
waiting on timers, for each cache size asked for (a worker process of its own each).

    python -m bench.cached_memory [--workflows 2000] [--caches 3000 10]
                                  [--local-activity] [--json]

Each workflow only sleeps (after one local activity with --local-activity), so the
figure is the floor under any workflow's cost, certorder's orders included: with a
cache that holds them all it is what caching costs, with a small one what the SDK
keeps of a workflow it has evicted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid

from temporalio.client import Client, WorkflowExecutionStatus

from bench.harness import leave, start_until_ready
from bench.measure import rss_mb, start_server

#: Workflows started at once, and the warm-up before the first reading.
IN_FLIGHT, WARM_UP = 50, 20
#: How long one workflow may take from its start to its timer.
SETTLE_S = 60


async def main(args: argparse.Namespace) -> list[dict]:
    env = await start_server()
    address = env.client.service_client.config.target_host
    try:
        return [await _one_cache(env.client, address, cache, args) for cache in args.caches]
    finally:
        await env.shutdown()


async def _one_cache(client: Client, address: str, cache: int,
                     args: argparse.Namespace) -> dict:
    queue = f"floor-{cache}-{uuid.uuid4().hex[:8]}"
    worker = await start_until_ready([sys.executable, "-m", "bench.floor_worker", address,
                                      queue, str(cache)])
    try:
        # The SDK's lazily built parts (and the first workflows' pages) before the baseline.
        await _start_and_settle(client, queue, WARM_UP, args.local_activity)
        before = await _peak_rss(worker.pid)
        await _start_and_settle(client, queue, args.workflows, args.local_activity)
        after = await _peak_rss(worker.pid)
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(30)
    # What an LRU cache of running workflows holds, none of them having ended.
    return {"workflows": args.workflows, "max_cached_workflows": cache,
            "expected_cached": min(cache, args.workflows + WARM_UP),
            "local_activity": args.local_activity,
            "worker_rss_before_mb": round(before, 1), "worker_rss_after_mb": round(after, 1),
            "kb_per_workflow": round((after - before) * 1024 / args.workflows, 1)}


async def _start_and_settle(client: Client, queue: str, count: int, local: bool) -> None:
    """Start ``count`` workflows and return once each is waiting on its timer."""
    gate = asyncio.Semaphore(IN_FLIGHT)
    # Started, the task's three events and the timer's; with the local activity its
    # marker too.
    events = 6 if local else 5

    async def one() -> None:
        async with gate:
            handle = await client.start_workflow("SleepingWorkflow", local,
                                                 id=f"floor-{uuid.uuid4()}", task_queue=queue)
            deadline = time.monotonic() + SETTLE_S
            while True:
                described = await handle.describe()
                if described.status != WorkflowExecutionStatus.RUNNING:
                    raise RuntimeError(f"{handle.id} ended ({described.status.name})")
                raw = described.raw_description
                if (raw.workflow_execution_info.history_length >= events
                        and not raw.HasField("pending_workflow_task")):
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{handle.id} did not reach its timer in {SETTLE_S} s")
                await asyncio.sleep(0.2)

    # A task group: the first failure cancels the other pollers.
    async with asyncio.TaskGroup() as group:
        for _ in range(count):
            group.create_task(one())


async def _peak_rss(pid: int) -> float:
    """The worker's highest RSS of five readings over 2.5 s (a process that has just been
    busy still moves by a little)."""
    readings = []
    for _ in range(5):
        await asyncio.sleep(0.5)
        readings.append(rss_mb(pid))
    return max(readings)


def _print(rows: list[dict]) -> None:
    print(f"{'cache':>7} {'workflows':>10} {'cached':>7} {'RSS before':>12} {'after':>9} "
          f"{'KB each':>8}")
    for row in rows:
        print(f"{row['max_cached_workflows']:>7} {row['workflows']:>10} "
              f"{row['expected_cached']:>7} {row['worker_rss_before_mb']:>9} MB "
              f"{row['worker_rss_after_mb']:>6} MB {row['kb_per_workflow']:>8}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.cached_memory",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--workflows", type=int, default=2000,
                        help="bare workflows started and left waiting (default 2000)")
    parser.add_argument("--caches", type=int, nargs="+", default=[3000, 10],
                        help="max_cached_workflows of each worker, in turn (default 3000 10)")
    parser.add_argument("--local-activity", action="store_true",
                        help="each workflow runs one local activity before its timer")
    parser.add_argument("--json", action="store_true", help="rows as JSON")
    arguments = parser.parse_args()
    result = asyncio.run(main(arguments))
    print(json.dumps(result, indent=2)) if arguments.json else _print(result)
    leave()
