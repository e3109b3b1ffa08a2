"""Modify and cancel: signals that cut a durable wait short, arrive early, or arrive late."""

from __future__ import annotations

import asyncio
import threading

import pytest
from order_fixtures import issued_for, new_request, result, waiting
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from temporalio.client import WorkflowExecutionStatus

from certorder.plugins import CertificateStatus
from certorder.workflows.models import CancelRequest, ModifyRequest, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

S = CertificateStatus
HOUR = 3_600_000


@pytest.fixture
def plugin() -> ScriptedPlugin:
    return ScriptedPlugin()


async def test_modify_during_a_long_wait_calls_modify_at_once(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, result(S.CLIENT_DATA_ISSUE_SEEN, "need a contact", HOUR),
                      issued_for(request.csr))
        await orders.wait_for(handle, lambda d: d.sub_status == S.CLIENT_DATA_ISSUE_SEEN.value)
        await handle.signal(CertificateOrderWorkflow.modify,
                            ModifyRequest(order_meta={"contact": "ops@example.test"}))
        # The hour-long timer is interrupted: the order finishes within the test's timeout.
        doc = await orders.result(handle, timeout=10)
    modify = plugin.calls_for(handle.id)[1]
    assert modify.method == "modify_certificate_request"
    assert modify.order_meta["contact"] == "ops@example.test"
    assert modify.order_meta["request_data"] == request.csr
    assert doc.status is OrderStatus.ACTIVE
    # The transition says what the modify changed.
    [step] = [t for t in doc.transitions if t.method == "modify_certificate_request"]
    assert step.message.startswith("changed contact")


async def test_cancel_during_a_long_wait_cancels_at_the_ca(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, waiting(HOUR),
                      result(S.REQUEST_CANCELED, "canceled at the CA"))
        await orders.wait_for(handle, lambda d: len(d.transitions) == 1)
        await handle.signal(CertificateOrderWorkflow.cancel, CancelRequest(reason="not needed"))
        doc = await orders.result(handle, timeout=10)
    assert [c.method for c in plugin.calls_for(handle.id)] == [
        "issue_certificate_request", "cancel_certificate_request"]
    assert doc.status is OrderStatus.ACTIVE
    assert doc.sub_status == S.REQUEST_CANCELED.value
    assert doc.cancel_reason == "not needed"
    assert doc.transitions[-1].message.startswith("reason: not needed")


async def test_cancel_answered_waiting_is_checked_later(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, waiting(HOUR), waiting(30, "cancel queued"),
                      result(S.REQUEST_CANCELED, "done"))
        await orders.wait_for(handle, lambda d: len(d.transitions) == 1)
        await handle.signal(CertificateOrderWorkflow.cancel, CancelRequest())
        doc = await orders.result(handle, timeout=10)
    assert [c.method for c in plugin.calls_for(handle.id)] == [
        "issue_certificate_request", "cancel_certificate_request", "check_certificate_status"]
    assert doc.status is OrderStatus.ACTIVE


async def test_cancel_sent_before_the_first_step_never_reaches_the_ca(temporal_env, plugin,
                                                                     tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        # Signal-with-start: the signal is in history before the workflow's first task.
        handle = await orders.start(request.order_meta, start_signal="cancel",
                                    start_signal_args=[CancelRequest(reason="typo in CN")])
        doc = await orders.result(handle)
    assert plugin.calls_for(handle.id) == []
    assert doc.status is OrderStatus.ACTIVE
    assert doc.sub_status == S.REQUEST_CANCELED.value
    assert "typo in CN" in doc.sub_status_message


async def test_modify_sent_before_the_first_step_changes_what_is_issued(temporal_env, plugin,
                                                                       tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        change = ModifyRequest(order_meta={"profile": "client"})
        handle = await orders.start(request.order_meta, start_signal="modify",
                                    start_signal_args=[change])
        plugin.script(handle.id, issued_for(request.csr))
        doc = await orders.result(handle)
    issue = plugin.calls_for(handle.id)[0]
    assert issue.method == "issue_certificate_request"
    assert issue.order_meta["profile"] == "client"
    assert doc.transitions[0].result_status == "applied before submission"
    assert doc.status is OrderStatus.ACTIVE


async def test_signal_during_the_last_call_is_recorded_as_ignored(temporal_env, plugin,
                                                                  tmp_path):
    request = new_request()
    in_call, release = threading.Event(), threading.Event()

    def slow_issue(order_meta, plugin_meta):
        in_call.set()
        assert release.wait(10)
        return issued_for(request.csr)

    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, slow_issue)
        assert await asyncio.to_thread(in_call.wait, 10)
        await handle.signal(CertificateOrderWorkflow.cancel, CancelRequest(reason="too late"))
        await asyncio.sleep(0.2)
        release.set()
        doc = await orders.result(handle)
    assert doc.status is OrderStatus.ACTIVE
    assert doc.sub_status == S.CERTIFICATE_GENERATED.value
    assert doc.ignored_signals == 1
    assert doc.transitions[-1].result_status == "ignored"
    assert [c.method for c in plugin.calls_for(handle.id)] == ["issue_certificate_request"]


async def test_temporal_cancel_reaches_the_plugin_and_ends_cleanly(temporal_env, plugin,
                                                                   tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, waiting(HOUR), result(S.REQUEST_CANCELED, "canceled at CA"))
        await orders.wait_for(handle, lambda d: len(d.transitions) == 1)
        await handle.cancel()  # what the UI's "Cancel" button does
        doc = await orders.result(handle, timeout=10)
        description = await handle.describe()
    assert [c.method for c in plugin.calls_for(handle.id)] == [
        "issue_certificate_request", "cancel_certificate_request"]
    assert doc.status is OrderStatus.ACTIVE and doc.sub_status == S.REQUEST_CANCELED.value
    assert description.status is WorkflowExecutionStatus.COMPLETED


async def test_temporal_cancel_during_a_call_keeps_its_result(temporal_env, plugin, tmp_path):
    request = new_request()
    in_call, release = threading.Event(), threading.Event()

    def slow_issue(order_meta, plugin_meta):
        in_call.set()
        assert release.wait(10)
        plugin_meta["ca_order"] = "remote-9"
        return waiting(HOUR)

    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, slow_issue, result(S.REQUEST_CANCELED, "canceled at CA"))
        assert await asyncio.to_thread(in_call.wait, 10)
        await handle.cancel()
        await asyncio.sleep(0.2)
        release.set()
        doc = await orders.result(handle, timeout=10)
    cancel = plugin.calls_for(handle.id)[1]
    assert cancel.method == "cancel_certificate_request"
    # The in-flight issue call was not abandoned: the CA's order id reached cancel.
    assert cancel.plugin_meta == {"ca_order": "remote-9"}
    assert doc.sub_status == S.REQUEST_CANCELED.value
