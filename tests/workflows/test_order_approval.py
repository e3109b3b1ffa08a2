"""Durable approvals: an order that needs approval waits, visibly, before it reaches
a CA; a person approves or denies it; a deadline ends it or reminds."""

from __future__ import annotations

import pytest
from order_fixtures import issued_for, new_request
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin

from certorder.activities.approval_rules import ApprovalRules
from certorder.activities.models import ApprovalPolicy
from certorder.client import CertOrderClient
from certorder.client_errors import InvalidInputError
from certorder.plugins import CertificateStatus as S
from certorder.settings import Settings
from certorder.workflows.models import OrderDocument, OrderStatus
from certorder.workflows.search_attributes import ORDER_SUB_STATUS

AWAITING = "awaiting approval"


@pytest.fixture
def plugin() -> ScriptedPlugin:
    return ScriptedPlugin()


def _client(env, orders) -> CertOrderClient:
    address = env.client.service_client.config.target_host
    return CertOrderClient(Settings(temporal_address=address, task_queue=orders.task_queue),
                           env.client)


def _handle(env, order_id: str):
    return env.client.get_workflow_handle(order_id, result_type=OrderDocument)


async def test_an_approved_order_goes_to_its_ca_and_records_who_approved(
        temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        client = _client(temporal_env, orders)
        submission = await client.submit_order(request.order_meta, "approve-1",
                                               approval=ApprovalPolicy())
        assert submission.verdict.accepted
        handle = _handle(temporal_env, "approve-1")
        waiting = await orders.wait_for(handle, lambda d: d.sub_status == AWAITING)
        assert waiting.status is OrderStatus.PENDING and plugin.calls_for("approve-1") == []
        assert "certorder order approve approve-1" in waiting.sub_status_message
        attributes = (await handle.describe()).typed_search_attributes
        assert attributes.get(ORDER_SUB_STATUS) == AWAITING  # searchable
        plugin.script("approve-1", issued_for(request.csr))
        await client.approve("approve-1", note="change 42", by="alice")
        document = await orders.result(handle)
    assert document.status is OrderStatus.ACTIVE
    assert any(t.method == "approval" and t.message == "approved by alice: change 42"
               for t in document.transitions)


async def test_a_denied_order_ends_error_and_never_reaches_the_ca(temporal_env, plugin,
                                                                  tmp_path):
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        client = _client(temporal_env, orders)
        await client.submit_order(new_request().order_meta, "deny-1", approval=ApprovalPolicy())
        handle = _handle(temporal_env, "deny-1")
        await orders.wait_for(handle, lambda d: d.sub_status == AWAITING)
        await client.deny("deny-1", reason="not our domain", by="bob")
        document = await orders.result(handle)
    assert (document.status, document.sub_status) == (OrderStatus.ERROR, "approval denied")
    assert document.sub_status_message == "denied by bob: not our domain"
    assert plugin.calls_for("deny-1") == []


async def test_no_decision_in_time_ends_the_order(temporal_env, plugin, tmp_path):
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        client = _client(temporal_env, orders)
        await client.submit_order(new_request().order_meta, "late-1",
                                  approval=ApprovalPolicy(timeout_seconds=0.5))
        document = await orders.result(_handle(temporal_env, "late-1"))
    assert (document.status, document.sub_status) == (OrderStatus.ERROR, "approval timed out")
    assert plugin.calls_for("late-1") == []


async def test_remind_keeps_waiting_and_says_so(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        client = _client(temporal_env, orders)
        policy = ApprovalPolicy(timeout_seconds=0.3, on_timeout="remind")
        await client.submit_order(request.order_meta, "remind-1", approval=policy)
        handle = _handle(temporal_env, "remind-1")
        reminded = await orders.wait_for(
            handle, lambda d: (d.sub_status_message or "").startswith("reminder 2:"))
        assert reminded.status is OrderStatus.PENDING and reminded.sub_status == AWAITING
        plugin.script("remind-1", issued_for(request.csr))
        await client.approve("remind-1", by="carol")
        document = await orders.result(handle)
    assert document.status is OrderStatus.ACTIVE


async def test_worker_settings_require_approval_per_plugin(temporal_env, plugin, tmp_path):
    rules = ApprovalRules(["scripted"])
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path,
                            approvals=rules) as orders:
        client = _client(temporal_env, orders)
        await client.submit_order(new_request().order_meta, "rule-1")  # no approval asked
        await orders.wait_for(_handle(temporal_env, "rule-1"), lambda d: d.sub_status == AWAITING)
        await client.cancel("rule-1", reason="withdrawn")
        document = await orders.result(_handle(temporal_env, "rule-1"))
    # Canceled while awaiting approval: nothing was at the CA, so the CA is not asked.
    assert (document.status, document.sub_status) == (OrderStatus.ACTIVE,
                                                      S.REQUEST_CANCELED.value)
    assert plugin.calls_for("rule-1") == [] and document.cancel_reason == "withdrawn"


async def test_approving_an_order_that_does_not_await_approval_is_refused(
        temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        client = _client(temporal_env, orders)
        plugin.script("plain-1", issued_for(request.csr))
        await client.submit_order(request.order_meta, "plain-1")
        await orders.result(_handle(temporal_env, "plain-1"))
        with pytest.raises(InvalidInputError, match="not awaiting approval"):
            await client.approve("plain-1")


async def test_the_ui_cancel_button_ends_an_order_awaiting_approval(temporal_env, plugin,
                                                                     tmp_path):
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        client = _client(temporal_env, orders)
        await client.submit_order(new_request().order_meta, "ui-cancel-1",
                                  approval=ApprovalPolicy())
        handle = _handle(temporal_env, "ui-cancel-1")
        await orders.wait_for(handle, lambda d: d.sub_status == AWAITING)
        await handle.cancel()
        document = await orders.result(handle)
    assert (document.status, document.sub_status) == (OrderStatus.ACTIVE,
                                                      S.REQUEST_CANCELED.value)
    assert plugin.calls_for("ui-cancel-1") == []
