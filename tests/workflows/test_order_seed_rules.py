"""One real order per rule of the seed's plugin sequence, on the real dev server."""

from __future__ import annotations

import pytest
from order_fixtures import issued_for, new_request, result, waiting
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from temporalio.client import WorkflowExecutionStatus

from certorder.plugins import CertificateStatus, PluginMethod
from certorder.workflows.models import OrderStatus

S = CertificateStatus


@pytest.fixture
def plugin() -> ScriptedPlugin:
    return ScriptedPlugin()


async def test_generated_at_once_stores_a_container_and_goes_active(temporal_env, plugin,
                                                                    tmp_path):
    request = new_request()
    issued = issued_for(request.csr)
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta, order_id="order-generated")
        plugin.script(handle.id, issued)
        doc = await orders.result(handle)
        container = orders.store.get_by_order(handle.id)
    assert doc.status is OrderStatus.ACTIVE
    assert doc.sub_status == S.CERTIFICATE_GENERATED.value
    assert container is not None and doc.container_id == container.container_id
    assert container.certificate == issued.certificate
    assert container.intermediates == issued.intermediates
    first = plugin.calls_for(handle.id)[0]
    assert first.method == "issue_certificate_request" and first.plugin_meta == {}


async def test_waiting_for_ca_checks_status_after_retry_msec(temporal_env, plugin, tmp_path):
    request = new_request()

    def remember_ca_order(order_meta, plugin_meta):
        plugin_meta["ca_order"] = "remote-17"
        return waiting(retry_msec=300)

    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, remember_ca_order, waiting(retry_msec=50),
                      issued_for(request.csr))
        pending = await orders.wait_for(handle, lambda d: len(d.transitions) >= 1)
        doc = await orders.result(handle)
    assert pending.status is OrderStatus.PENDING
    assert pending.sub_status == S.WAITING_FOR_CA.value
    assert pending.sub_status_message == "queued at the CA"
    assert pending.next_method is PluginMethod.CHECK
    calls = plugin.calls_for(handle.id)
    assert [c.method for c in calls] == ["issue_certificate_request",
                                         "check_certificate_status", "check_certificate_status"]
    # plugin_meta written by the first call comes back on every later call.
    assert calls[1].plugin_meta == {"ca_order": "remote-17"}
    assert calls[2].plugin_meta == {"ca_order": "remote-17"}
    waited = doc.transitions[1].at - doc.transitions[0].at
    assert waited.total_seconds() >= 0.3
    assert doc.status is OrderStatus.ACTIVE


async def test_ca_unavailable_calls_the_same_method_again(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, result(S.CA_UNAVAILABLE_FOR_REQUEST, "CA down"),
                      waiting(), result(S.CA_UNAVAILABLE_FOR_REQUEST, "CA down again"),
                      issued_for(request.csr))
        doc = await orders.result(handle)
    assert [c.method for c in plugin.calls_for(handle.id)] == [
        "issue_certificate_request", "issue_certificate_request",
        "check_certificate_status", "check_certificate_status"]
    assert [t.result_status for t in doc.transitions] == [
        S.CA_UNAVAILABLE_FOR_REQUEST.value, S.WAITING_FOR_CA.value,
        S.CA_UNAVAILABLE_FOR_REQUEST.value, S.CERTIFICATE_GENERATED.value]
    assert doc.status is OrderStatus.ACTIVE


async def test_client_data_issue_stays_pending_then_checks(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, result(S.CLIENT_DATA_ISSUE_SEEN, "prove control of the domain",
                                        retry_msec=400), issued_for(request.csr))
        pending = await orders.wait_for(handle, lambda d: len(d.transitions) == 1)
        doc = await orders.result(handle)
    assert pending.status is OrderStatus.PENDING
    assert pending.sub_status == S.CLIENT_DATA_ISSUE_SEEN.value
    assert pending.sub_status_message == "prove control of the domain"
    assert pending.next_method is PluginMethod.CHECK
    assert doc.status is OrderStatus.ACTIVE


async def test_request_canceled_by_the_ca_ends_active(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, waiting(), result(S.REQUEST_CANCELED, "canceled at the CA"))
        doc = await orders.result(handle)
        assert orders.store.get_by_order(handle.id) is None
    assert doc.status is OrderStatus.ACTIVE
    assert (doc.sub_status, doc.sub_status_message) == (S.REQUEST_CANCELED.value,
                                                       "canceled at the CA")
    assert doc.container_id is None


async def test_invalid_operation_ends_in_error(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, result(S.INVALID_OPERATION, "profile not allowed"))
        doc = await orders.result(handle)
    assert doc.status is OrderStatus.ERROR
    assert (doc.sub_status, doc.sub_status_message) == (S.INVALID_OPERATION.value,
                                                       "profile not allowed")
    assert doc.next_method is None


async def test_plugin_exception_ends_in_error_with_type_and_message(temporal_env, plugin,
                                                                   tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, waiting(), KeyError("no such request 42"))
        doc = await orders.result(handle)
        failure = (await handle.describe()).status
    assert doc.status is OrderStatus.ERROR
    # The core's vocabulary as sub-status; the exception leads the message.
    assert doc.sub_status == "plugin raised"
    assert doc.sub_status_message.startswith("KeyError: ") and "no such request 42" in \
        doc.sub_status_message
    # Failed in Temporal's own terms, so the UI's list shows which orders failed.
    assert failure is WorkflowExecutionStatus.FAILED
    # Not retried: a plugin exception is the order's outcome, not an infrastructure blip.
    assert len(plugin.calls_for(handle.id)) == 2


async def test_retry_method_in_result_overrides_the_next_call(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id,
                      result(S.WAITING_FOR_CA, retry_method=PluginMethod.ISSUE),
                      issued_for(request.csr))
        doc = await orders.result(handle)
    assert [c.method for c in plugin.calls_for(handle.id)] == [
        "issue_certificate_request", "issue_certificate_request"]
    assert doc.status is OrderStatus.ACTIVE
