"""Full certificate orders through the real workflow, with the digicert plugin and the
CertCentral simulator: every behaviour of issue 4, end to end."""

from __future__ import annotations

import pytest
from history_events import activities, kinds, local_activities
from order_harness import order_worker
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins import CertificateStatus
from certorder.workflows.models import CancelRequest, ModifyRequest, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

S = CertificateStatus
HOUR = 3_600_000
NAME = "www.example.test"


@pytest.fixture
def digicert(make_digicert):
    """A plugin that polls every 20 ms, waits an hour on client issues."""
    return make_digicert(retry_msec=20, unavailable_retry_msec=50, dcv_retry_msec=HOUR)


def _order_meta(**extra) -> dict:
    csr = make_csr(make_key("p256"), [NAME])
    return {"request_type": "simple-cmc", "request_data": csr, "plugin_name": "digicert", **extra}


async def _issued(orders, handle, sim):
    doc = await orders.result(handle)
    assert doc.status is OrderStatus.ACTIVE, doc
    assert doc.sub_status == S.CERTIFICATE_GENERATED.value
    container = orders.store.get_by_order(handle.id)
    verify_server_chain(container.certificate, container.intermediates, sim.root_pem, NAME)
    return doc


async def test_immediate_issue(temporal_env, certcentral_sim, digicert, tmp_path):
    async with order_worker(temporal_env, {"digicert": digicert}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        await _issued(orders, handle, certcentral_sim)
    assert certcentral_sim.orders_placed == 1


async def test_pending_then_issued(temporal_env, certcentral_sim, digicert, tmp_path):
    certcentral_sim.set_scenario("pending", polls=3)
    async with order_worker(temporal_env, {"digicert": digicert}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        doc = await _issued(orders, handle, certcentral_sim)
        history = await handle.fetch_history()
    assert [t.result_status for t in doc.transitions][:2] == [S.WAITING_FOR_CA.value] * 2
    assert certcentral_sim.orders_placed == 1
    # The plugin declares quick_checks: the order is placed by an activity with
    # heartbeats, every check is a local activity's marker.
    checks = [t.method for t in doc.transitions].count("check_certificate_status")
    assert checks >= 1
    assert activities(history.events) == ["issue_certificate_request"], kinds(history.events)
    assert local_activities(history.events).count("quick_plugin_call") == checks


async def test_dcv_issue_then_issued_after_modify(
    temporal_env, certcentral_sim, digicert, tmp_path
):
    certcentral_sim.set_scenario("dcv")
    async with order_worker(temporal_env, {"digicert": digicert}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        doc = await orders.wait_for(
            handle, lambda d: d.sub_status == S.CLIENT_DATA_ISSUE_SEEN.value
        )
        assert "Could not find a valid TXT record" in doc.sub_status_message
        await handle.signal(
            CertificateOrderWorkflow.modify, ModifyRequest(order_meta={"dcv_method": "http-token"})
        )
        await _issued(orders, handle, certcentral_sim)
    assert certcentral_sim.orders_placed == 1


async def test_rejection_ends_in_error(temporal_env, certcentral_sim, digicert, tmp_path):
    certcentral_sim.set_scenario("reject", polls=1, reason="Organization could not be verified.")
    async with order_worker(temporal_env, {"digicert": digicert}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        doc = await orders.result(handle)
        assert orders.store.get_by_order(handle.id) is None
    assert doc.status is OrderStatus.ERROR
    assert doc.sub_status == S.INVALID_OPERATION.value
    assert "Organization could not be verified." in doc.sub_status_message


async def test_cancel_while_pending(temporal_env, certcentral_sim, make_digicert, tmp_path):
    certcentral_sim.set_scenario("pending", polls=1000)
    plugin = make_digicert(retry_msec=HOUR)
    async with order_worker(temporal_env, {"digicert": plugin}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        await orders.wait_for(handle, lambda d: d.sub_status == S.WAITING_FOR_CA.value)
        await handle.signal(CertificateOrderWorkflow.cancel, CancelRequest(reason="not needed"))
        doc = await orders.result(handle)
    assert doc.status is OrderStatus.ACTIVE
    assert doc.sub_status == S.REQUEST_CANCELED.value
    [remote] = certcentral_sim.account.orders.values()
    assert remote.status == "canceled"


async def test_outage_keeps_the_order_pending_until_recovery(
    temporal_env, certcentral_sim, digicert, tmp_path
):
    certcentral_sim.go_offline()
    async with order_worker(temporal_env, {"digicert": digicert}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        doc = await orders.wait_for(
            handle, lambda d: d.sub_status == S.CA_UNAVAILABLE_FOR_REQUEST.value
        )
        assert doc.status is OrderStatus.PENDING
        certcentral_sim.go_online()
        await _issued(orders, handle, certcentral_sim)
    assert certcentral_sim.orders_placed == 1


async def test_rate_limited_order_completes(temporal_env, certcentral_sim, digicert, tmp_path):
    certcentral_sim.fail_next(429, count=2, retry_after=0)
    async with order_worker(temporal_env, {"digicert": digicert}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        doc = await _issued(orders, handle, certcentral_sim)
    assert S.CA_UNAVAILABLE_FOR_REQUEST.value in [t.result_status for t in doc.transitions]
    assert certcentral_sim.orders_placed == 1


async def test_answer_lost_after_the_order_was_placed_buys_once(
    temporal_env, certcentral_sim, make_digicert, tmp_path
):
    # CertCentral creates the order but the worker never gets the answer (it times
    # out): the call's plugin_meta is lost, exactly as when the worker dies there.
    plugin = make_digicert(retry_msec=20, unavailable_retry_msec=1000, read_timeout=0.3)
    certcentral_sim.delay_seconds = 0.6
    certcentral_sim.delay_method = "POST"
    async with order_worker(temporal_env, {"digicert": plugin}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        await orders.wait_for(handle, lambda d: d.sub_status == S.CA_UNAVAILABLE_FOR_REQUEST.value)
        certcentral_sim.delay_seconds = 0.0
        doc = await _issued(orders, handle, certcentral_sim)
    assert [t.method for t in doc.transitions][:2] == ["issue_certificate_request"] * 2
    assert certcentral_sim.orders_placed == 1


async def test_symantec_secure_site_order(temporal_env, certcentral_sim, make_symantec, tmp_path):
    certcentral_sim.set_scenario("pending", polls=1)
    plugin = make_symantec(retry_msec=20)
    async with order_worker(temporal_env, {"symantec": plugin}, tmp_path) as orders:
        handle = await orders.start(
            _order_meta(plugin_name="symantec", profile="ssl_securesite_pro")
        )
        await _issued(orders, handle, certcentral_sim)
        history = await handle.fetch_history()
    [remote] = certcentral_sim.account.orders.values()
    assert remote.req.product == "ssl_securesite_pro"
    assert activities(history.events) == ["issue_certificate_request"], kinds(history.events)
    assert "quick_plugin_call" in local_activities(history.events)
