"""A worker whose workflow cache is smaller than the orders it serves says so in its
metrics: evictions, and the misses (replays) they cause, as docs/operations.md tells
operators to watch them (*Sizing the workflow cache*)."""

from __future__ import annotations

from cli_helpers import running_worker
from metrics_scrape import free_port, scrape
from x509_helpers import make_csr, make_key

from certorder.activities.models import ApprovalPolicy
from certorder.client import CertOrderClient
from certorder.workflows.models import OrderDocument, OrderStatus

ORDERS = 3


def _order(name: str) -> dict:
    return {"request_type": "simple-cmc", "plugin_name": "local-ca",
            "request_data": make_csr(make_key("p256"), [name])}


async def test_a_cache_too_small_shows_as_evictions_and_misses(cli_queue):
    address = f"127.0.0.1:{free_port()}"
    settings = cli_queue.model_copy(update={"max_cached_workflows": 1,
                                            "metrics_address": address})
    async with running_worker(settings):
        client = await CertOrderClient.connect(settings)

        async def approved(order_id: str) -> OrderStatus:
            await client.approve(order_id)
            return (await client.temporal.get_workflow_handle(
                order_id, result_type=OrderDocument).result()).status

        # Each waits for its approval, so every order has a second workflow task; with a
        # cache of one, each order the worker takes evicts the one before.
        ids = [await client.submit(_order(f"c{i}.example.test"), approval=ApprovalPolicy())
               for i in range(ORDERS)]
        statuses = [await approved(order_id) for order_id in ids]
        # The last one alone: still cached when its approval comes.
        last = await client.submit(_order("last.example.test"), approval=ApprovalPolicy())
        statuses.append(await approved(last))
        after = scrape(address)
    assert statuses == [OrderStatus.ACTIVE] * (ORDERS + 1)
    # 0 or 1: the last order may still be cached when its result reaches the client.
    [size] = [value for name, _, value in after.samples if name == "temporal_sticky_cache_size"]
    assert size <= 1
    # Each submission evicted the order before it, and the first approval the last order:
    # every approval found its order evicted, and the worker replayed its history.
    assert after.total("temporal_sticky_cache_total_forced_eviction_total") >= ORDERS
    assert after.total("temporal_sticky_cache_miss_total") >= ORDERS
    assert after.total("temporal_workflow_task_replay_latency_count") >= ORDERS
    assert after.total("temporal_sticky_cache_hit_total") >= 1
