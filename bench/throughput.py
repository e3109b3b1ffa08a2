"""Orders against plain Temporal workflows, side by side on one dev server.

    python -m bench.throughput [--runs 200] [--concurrency 10 50] [--rounds 2] [--json]

Each round runs, at each concurrency, plain workflows with one and with three
activities (each makes one ECDSA P-256 key and signature) and local-CA orders
submitted through the client SDK (update-with-start) and awaited on their result;
kinds alternate within a round so the machine's drift hits them alike. Reports runs
per second, p50/p99 latency, CPU ms per run for server, worker and client, and the
history events of one order.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import uuid
from pathlib import Path

from bench.csr import bench_csr
from bench.harness import Batch, leave, run_batch, worker_process
from bench.measure import server_pid, start_server
from bench.plain import OneActivityWorkflow, ThreeActivitiesWorkflow
from bench.worker_main import ORDER_QUEUE, PLAIN_QUEUE
from certorder.client import CertOrderClient
from certorder.settings import Settings
from certorder.workflows.models import OrderDocument

#: Runs of each kind before the measured rounds (imports, caches, the CA's root).
WARM_UP = 10


async def main(args: argparse.Namespace) -> list[dict]:
    env = await start_server()
    address = env.client.service_client.config.target_host
    client = env.client
    sdk = CertOrderClient(Settings(temporal_address=address, task_queue=ORDER_QUEUE), client)
    # A CSR of its own for every order, as real orders have: nothing a worker caches
    # by request (parsed CSRs, the local CA's records) is shared between orders.
    csrs = iter([bench_csr(f"b{i}.bench.example.test")
                 for i in range(WARM_UP + args.rounds * len(args.concurrency) * args.runs + 1)])

    def order() -> dict:
        return {"request_type": "simple-cmc", "request_data": next(csrs),
                "plugin_name": "local-ca"}

    async def plain(workflow, i: int) -> None:
        await client.execute_workflow(workflow.run, f"b{i}", id=f"plain-{uuid.uuid4().hex}",
                                      task_queue=PLAIN_QUEUE)

    async def certorder(i: int) -> None:
        order_id = await sdk.submit(order())
        await client.get_workflow_handle(order_id, result_type=OrderDocument).result()

    kinds = {"plain, 1 activity": lambda i: plain(OneActivityWorkflow, i),
             "plain, 3 activities": lambda i: plain(ThreeActivitiesWorkflow, i),
             "certorder order": certorder}
    rows: list[dict] = []
    try:
        with tempfile.TemporaryDirectory() as data:
            async with worker_process(address, Path(data)) as worker:
                pids = {"server": server_pid(env) or os.getpid(), "worker": worker.pid,
                        "client": os.getpid()}
                for one in kinds.values():  # warm up: imports, caches, the CA's root
                    await run_batch(Batch("warm-up", 5), WARM_UP, one, pids)
                for _ in range(args.rounds):
                    for concurrency in args.concurrency:
                        for kind, one in kinds.items():
                            batch = await run_batch(Batch(kind, concurrency), args.runs, one, pids)
                            rows.append(batch.row())
                sample = await sdk.submit(order())
                await client.get_workflow_handle(sample).result()
                events = len((await client.get_workflow_handle(sample).fetch_history()).events)
                rows.append({"kind": "certorder order", "history_events": events})
    finally:
        await env.shutdown()
    return rows


def _print(rows: list[dict]) -> None:
    for row in rows:
        print("  ".join(f"{key}={value}" for key, value in row.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per kind per round")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    parsed = parser.parse_args()
    result = asyncio.run(main(parsed))
    print(json.dumps(result, indent=1)) if parsed.json else _print(result)
    leave()
