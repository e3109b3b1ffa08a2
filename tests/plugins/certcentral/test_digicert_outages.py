"""The digicert plugin when CertCentral is slow, rate-limited, down, or the worker crashed."""

from __future__ import annotations

import datetime as dt
import time

from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus

UNAVAILABLE = CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
ISSUED = CertificateStatus.CERTIFICATE_GENERATED


def test_rate_limit_honours_retry_after(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert(unavailable_retry_msec=99_000))
    certcentral_sim.fail_next(429, retry_after=7)
    result = order.issue()
    assert result.status is UNAVAILABLE
    assert result.retry_msec == 7000
    assert "request_limit_exceeded" in result.status_message
    assert certcentral_sim.orders_placed == 0
    assert order.issue().status is ISSUED
    assert certcentral_sim.orders_placed == 1


def test_503_without_retry_after_uses_the_setting(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=5)
    order = new_order(make_digicert(unavailable_retry_msec=45_000))
    assert order.issue().status is CertificateStatus.WAITING_FOR_CA
    certcentral_sim.fail_next(503)
    result = order.check()
    assert result.status is UNAVAILABLE
    assert result.retry_msec == 45_000


def test_refused_connection_then_recovery(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert(unavailable_retry_msec=10_000))
    certcentral_sim.go_offline()
    result = order.issue()
    assert result.status is UNAVAILABLE
    assert result.retry_msec == 10_000
    assert "cannot connect" in result.status_message
    assert order.plugin_meta == {}
    certcentral_sim.go_online()
    assert order.issue().status is ISSUED
    assert certcentral_sim.orders_placed == 1


def test_outage_while_polling_keeps_the_remote_order(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=1)
    order = new_order(make_digicert())
    assert order.issue().status is CertificateStatus.WAITING_FOR_CA
    remote_id = order.plugin_meta["certcentral_order_id"]
    certcentral_sim.go_offline()
    assert order.check().status is UNAVAILABLE
    certcentral_sim.go_online()
    assert order.check().status is ISSUED
    assert order.plugin_meta["certcentral_order_id"] == remote_id


def test_timeout_is_unavailable(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert(read_timeout=0.3))
    certcentral_sim.delay_seconds = 1.0
    result = order.issue()
    assert result.status is UNAVAILABLE
    assert "timed out" in result.status_message


def test_retried_issue_after_a_crash_places_one_order(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=3)
    plugin = make_digicert()
    order = new_order(plugin)
    scheduled = dt.datetime.now(dt.UTC)
    assert order.issue().status is CertificateStatus.WAITING_FOR_CA
    first_remote = order.plugin_meta["certcentral_order_id"]
    # the worker died before plugin_meta was persisted (or reported): the core calls
    # issue again, saying since when the interrupted call ran
    order.plugin_meta = {}
    order.core_meta = CoreMetaDTO(interrupted_since=scheduled)
    assert order.issue().status is CertificateStatus.WAITING_FOR_CA
    assert order.plugin_meta["certcentral_order_id"] == first_remote
    # and a fresh plugin instance (a restarted worker) finds it too
    order.plugin = make_digicert()
    order.plugin_meta = {}
    order.issue()
    assert order.plugin_meta["certcentral_order_id"] == first_remote
    assert certcentral_sim.orders_placed == 1


def test_lost_order_answer_does_not_buy_twice(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert(read_timeout=0.3))
    # CertCentral creates the order, but its answer arrives after the client gave up
    certcentral_sim.delay_seconds = 0.8
    certcentral_sim.delay_method = "POST"
    assert order.issue().status is UNAVAILABLE
    assert "certcentral_order_id" not in order.plugin_meta
    certcentral_sim.delay_seconds = 0.0
    deadline = time.monotonic() + 5
    while certcentral_sim.orders_placed == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # the simulator finishes the request the client gave up on
    assert certcentral_sim.orders_placed == 1
    assert order.issue().status is ISSUED
    assert certcentral_sim.orders_placed == 1


def test_orders_for_the_same_names_are_told_apart(certcentral_sim, make_digicert, new_order):
    plugin = make_digicert()
    first = new_order(plugin)
    second = new_order(plugin)
    second.order_meta["request_data"] = first.order_meta["request_data"]
    assert first.issue().status is ISSUED
    assert second.issue().status is ISSUED
    assert certcentral_sim.orders_placed == 2
    assert first.plugin_meta["certcentral_order_id"] != second.plugin_meta["certcentral_order_id"]


def test_known_remote_order_is_never_placed_again(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=0)
    order = new_order(make_digicert())
    order.issue()
    assert certcentral_sim.orders_placed == 1
    # plugin_meta names the order: no lookup, no new order, whatever the list says
    certcentral_sim.account.orders.clear()
    result = order.issue()
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert "not_found|order" in result.status_message
    assert certcentral_sim.orders_placed == 1
