"""``bench.pending --burst``: every order's check falls due at one instant; how fast
the backlog drains, against the same stack's order throughput measured right after
(the yardstick), in the same run."""

from __future__ import annotations

import os
from datetime import datetime

from temporalio.client import Client

from bench.csr import bench_csr
from bench.harness import Batch, run_batch
from bench.measure import cpu_seconds
from certorder.client import CertOrderClient
from certorder.workflows import WORKFLOW_TYPE
from certorder.workflows.models import OrderDocument

#: Yardstick orders in flight at once, as ``bench.throughput``'s higher concurrency.
YARDSTICK_CONCURRENCY = 50
#: Untimed yardstick orders first: the local CA makes its root on its first issue.
WARM_UP = 5


def own_csrs(count: int, prefix: str) -> list[str]:
    """A CSR of its own for every order: a worker parses and verifies a CSR once per
    process, so orders sharing one would drain faster than real orders do."""
    return [bench_csr(f"{prefix}{i}.bench.example.test") for i in range(count)]


def drain_figures(orders: int, due: float, finished: list[float], slack: float,
                  last_closed: datetime | None) -> dict:
    """``finished``: when each check had issued (epoch seconds)."""
    drain = max(finished, default=float("nan")) - due
    closed = last_closed.timestamp() - due if last_closed else float("nan")
    return {"burst_due_at": round(due, 3),
            # Negative: the last submissions came after the due instant (raise --delay).
            "burst_slack_s": round(slack, 1),
            # Negative: a check ran before the due instant (it was not a burst).
            "burst_first_done_s": round(min(finished, default=float("nan")) - due, 2),
            "burst_drain_s": round(drain, 2),
            "burst_checks_per_s": round(orders / drain, 1) if drain > 0 else float("nan"),
            "burst_all_active_s": round(closed, 2)}


def cpu_now(pids: dict[str, int]) -> dict[str, float]:
    return {who: cpu_seconds(pid) for who, pid in pids.items()}


def cpu_per_check(at_due: dict[str, float] | None, after: dict[str, float],
                  orders: int) -> dict:
    """CPU ms per drained check, per process, from the due instant until every order had
    closed: set beside the yardstick's ``cpu_ms_*`` per order, it shows which side a
    check costs more than an order on."""
    if at_due is None:
        return {}
    return {f"burst_cpu_ms_{who}": round((after[who] - at_due[who]) * 1000 / orders, 1)
            for who in at_due}


async def last_closed(client: Client) -> datetime | None:
    """When the last order closed (ACTIVE), by the server's clock: the burst's orders
    are the only ones so far."""
    last = None
    async for execution in client.list_workflows(f'WorkflowType="{WORKFLOW_TYPE}"'):
        if execution.close_time and (last is None or execution.close_time > last):
            last = execution.close_time
    return last


async def all_closed(client: Client) -> bool:
    query = f'WorkflowType="{WORKFLOW_TYPE}" AND ExecutionStatus="Running"'
    return (await client.count_workflows(query)).count == 0


async def yardstick(sdk: CertOrderClient, client: Client, count: int,
                    pids: dict[str, int]) -> dict:
    """``count`` local-CA orders, a CSR of their own each, ``YARDSTICK_CONCURRENCY`` at
    a time, each timed from submit until ACTIVE (its workflow's result)."""
    csrs = own_csrs(count + WARM_UP, "y")

    async def order(i: int) -> None:
        order_id = await sdk.submit({"request_type": "simple-cmc", "request_data": csrs[i],
                                     "plugin_name": "local-ca"})
        await client.get_workflow_handle(order_id, result_type=OrderDocument).result()

    await run_batch(Batch("warm-up", WARM_UP), WARM_UP, lambda i: order(count + i), pids)
    row = (await run_batch(Batch("yardstick", YARDSTICK_CONCURRENCY), count, order,
                           {**pids, "client": os.getpid()})).row()
    return {f"yardstick_{key}": value for key, value in row.items() if key != "kind"}


def ratio(figures: dict) -> dict:
    checks, orders = figures["burst_checks_per_s"], figures.get("yardstick_per_second", 0)
    drain_ratio = round(checks / orders, 2) if orders else float("nan")
    return {"drain_ratio": drain_ratio,
            "burst_summary": f"drained at {checks} checks/s against {orders} orders/s"}
