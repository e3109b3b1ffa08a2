"""CertOrderClient against the session's Temporal dev server, with no worker running:
what a client can do and refuse on its own (it loads no plugin)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from x509_helpers import make_csr, make_key

from certorder.client import CertOrderClient
from certorder.client_errors import (
    CertOrderError,
    InvalidInputError,
    OrderClosedError,
    OrderExistsError,
    OrderNotFoundError,
    WorkerUnavailableError,
)
from certorder.settings import Settings
from certorder.workflows.models import OrderStatus
from certorder.workflows.search_attributes import ORDER_STATUS, PLUGIN_NAME


@pytest.fixture
async def client(temporal_env, cli_env):
    settings = Settings(
        temporal_address=temporal_env.client.service_client.config.target_host,
        task_queue=f"tq-nobody-{uuid.uuid4().hex}",  # no worker polls it
        data_dir=cli_env,
    )
    client = await CertOrderClient.connect(settings)
    client.query_timeout = timedelta(seconds=1)
    yield client
    client.close()


def _order(names=("www.example.test",), **extra) -> dict:
    return {"request_type": "simple-cmc", "request_data": make_csr(make_key("p256"), names),
            **extra}


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def test_submit_starts_the_workflow_as_given_with_summary_and_attributes(client):
    order_meta = _order(["shop.example.test", "www.shop.example.test"])
    submission = await client.submit_order(order_meta)
    order_id = submission.order_id
    # No worker polls: started all the same (durably), and the verdict says why it waits.
    assert submission.verdict.waiting and "no worker polls" in submission.verdict.message
    assert order_id.startswith("order-") and len(order_id) == len("order-") + 32

    description = await client.temporal.get_workflow_handle(order_id).describe()
    assert description.workflow_type == "CertificateOrderWorkflow"
    assert description.task_queue == client.settings.task_queue
    assert description.typed_search_attributes.get(ORDER_STATUS) == "PENDING"
    # The plugin is the workers' choice: not known until one has chosen.
    assert description.typed_search_attributes.get(PLUGIN_NAME) is None
    summary = await description.static_summary()
    assert summary == f"Certificate order {order_id}: shop.example.test"

    history = await client.temporal.get_workflow_handle(order_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    [payload] = started.input.payloads
    # The client's order_meta goes through untouched: no plugin_name slipped in.
    assert b"plugin_name" not in payload.data
    assert order_meta["request_data"].splitlines()[1].encode() in payload.data


async def test_a_used_order_id_is_refused(client):
    order_id = await client.submit(_order(), order_id=_unique("dup"))
    with pytest.raises(OrderExistsError, match=f"order {order_id} already exists"):
        await client.submit(_order(), order_id=order_id)


async def test_a_bad_order_never_starts_a_workflow(client):
    order_id = _unique("bad")
    with pytest.raises(InvalidInputError, match="CSR"):
        await client.submit({"request_type": "simple-cmc", "request_data": "junk"}, order_id)
    with pytest.raises(InvalidInputError, match="request_type"):
        await client.submit({**_order(), "request_type": "teapot"}, order_id)
    with pytest.raises(OrderNotFoundError, match=f"no order {order_id}"):
        await client.status(order_id)


async def test_unknown_orders(client):
    with pytest.raises(OrderNotFoundError, match="no order ghost-1"):
        await client.status("ghost-1")
    with pytest.raises(OrderNotFoundError):
        await client.modify("ghost-1", {"validity_days": 3})
    with pytest.raises(OrderNotFoundError):
        await client.cancel("ghost-1")


async def test_a_running_order_without_worker_says_so(client):
    order_id = await client.submit(_order())
    with pytest.raises(WorkerUnavailableError, match="no worker answered"):
        await client.status(order_id)
    stalls: list[str] = []
    with pytest.raises(CertOrderError, match="after 1.5s"):
        await client.wait(order_id, poll_seconds=0.1, timeout=1.5, on_stall=stalls.append)
    assert len(stalls) == 1 and "no worker" in stalls[0]
    # Signals do not need a worker: they wait in the workflow's history.
    await client.modify(order_id, {"validity_days": 3})
    await client.cancel(order_id, reason="test")


async def test_an_order_ended_by_an_operator_reads_as_error_and_refuses_changes(client):
    order_id = await client.submit(_order(plugin_name="local-ca"))
    await client.temporal.get_workflow_handle(order_id).terminate("operator cleanup")
    document = await client.status(order_id)
    assert document.status is OrderStatus.ERROR
    assert document.sub_status == "workflow terminated"
    assert document.plugin_name == "local-ca"
    closed = f"order {order_id} is already ERROR; nothing to cancel"
    with pytest.raises(OrderClosedError, match=closed):
        await client.cancel(order_id)
    with pytest.raises(OrderClosedError, match="nothing to modify"):
        await client.modify(order_id, {"validity_days": 3})


async def test_modify_checks_its_input(client):
    with pytest.raises(InvalidInputError, match="at least one"):
        await client.modify("any-1", {})
    with pytest.raises(InvalidInputError, match="CSR"):
        await client.modify("any-1", {"request_data": "junk"})


async def test_list_orders_filters_by_status(client):
    mine = await client.submit(_order(plugin_name="local-ca"))

    async def listed(status):
        for _ in range(50):  # visibility is updated asynchronously
            ids = {row.order_id for row in await client.list_orders(status=status, limit=1000)}
            if mine in ids:
                return ids
            await asyncio.sleep(0.1)
        return ids

    assert mine in await listed(OrderStatus.PENDING)
    assert mine not in {row.order_id for row in await client.list_orders(OrderStatus.ERROR)}
    [row] = [row for row in await client.list_orders() if row.order_id == mine]
    assert (row.status, row.plugin_name, row.workflow_status) == (
        OrderStatus.PENDING, "local-ca", "RUNNING"
    )


async def test_certificate_of_a_pending_order(client):
    order_id = await client.submit(_order())
    await client.temporal.get_workflow_handle(order_id).terminate("stop")
    with pytest.raises(InvalidInputError, match=f"order {order_id} ended ERROR"):
        await client.get_certificate(order_id)
    with pytest.raises(OrderNotFoundError):
        await client.get_certificate("ghost-2")


async def test_recorded_status_needs_no_worker(client):
    order_id = await client.submit(_order(plugin_name="local-ca"))
    with pytest.raises(WorkerUnavailableError):
        await client.status(order_id)
    recorded = await client.recorded_status(order_id)
    assert recorded.status is OrderStatus.PENDING
    assert recorded.plugin_name == "local-ca"
    assert recorded.transitions == []


async def test_a_terminated_order_is_listed_as_error_never_as_pending(client):
    mine = await client.submit(_order(plugin_name="local-ca"))
    await client.temporal.get_workflow_handle(mine).terminate("operator cleanup")

    async def ids(status):
        return {row.order_id for row in await client.list_orders(status=status, limit=1000)}

    for _ in range(50):  # visibility is updated asynchronously
        if mine in await ids(OrderStatus.ERROR):
            break
        await asyncio.sleep(0.1)
    assert mine in await ids(OrderStatus.ERROR)
    assert mine not in await ids(OrderStatus.PENDING)
    [row] = [row for row in await client.list_orders(limit=1000) if row.order_id == mine]
    assert (row.status, row.workflow_status) == (OrderStatus.ERROR, "TERMINATED")


async def test_orders_are_listed_newest_first(client):
    first = await client.submit(_order())
    second = await client.submit(_order())
    for _ in range(50):
        rows = [r.order_id for r in await client.list_orders(limit=1000)]
        if first in rows and second in rows:
            break
        await asyncio.sleep(0.1)
    assert rows.index(second) < rows.index(first)
    starts = [r.start_time for r in await client.list_orders(limit=1000)]
    assert starts == sorted(starts, reverse=True)
