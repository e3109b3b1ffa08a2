"""DigiCert orders in an account that has ordered the same name for years, and order
requests whose answer is lost: no certificate is bought twice, and what an order costs
in API reads does not grow with the account's history."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from certcentral_history import place_history

from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus, PluginMethod

NAME = "www.example.test"
HISTORY = 120  # more than the old lookup_limit of 100
UNAVAILABLE = CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
WAITING = CertificateStatus.WAITING_FOR_CA


def _drive_issue(order, deadline_seconds: float = 20):
    """Call issue as the core would, until it stops asking for issue again."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        result = order.issue()
        again = result.status is UNAVAILABLE or (
            result.status is WAITING and result.retry_method is PluginMethod.ISSUE)
        if not again:
            return result
        assert time.monotonic() < deadline, result
        time.sleep(result.retry_msec / 1000)


def _settled(sim, deadline_seconds: float = 10) -> None:
    """Wait until every order request the simulator received has been carried out."""
    deadline = time.monotonic() + deadline_seconds
    while sim.orders_placed < sim.requests_received["POST"] and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_new_order_costs_the_same_with_a_long_history(
        certcentral_sim, make_digicert, new_order):
    plugin = make_digicert()
    place_history(plugin, NAME, HISTORY)
    certcentral_sim.age_orders(days=30)
    reads_before = certcentral_sim.requests_received["GET"]
    order = new_order(plugin, names=(NAME,))
    assert order.issue().status is CertificateStatus.CERTIFICATE_GENERATED
    assert certcentral_sim.requests_received["GET"] - reads_before <= 2
    assert certcentral_sim.orders_placed == HISTORY + 1


def test_an_interrupted_order_is_found_beyond_a_long_history(
        certcentral_sim, make_digicert, new_order):
    plugin = make_digicert()
    place_history(plugin, NAME, HISTORY)
    certcentral_sim.age_orders(days=30)
    certcentral_sim.set_scenario("pending", polls=50)
    orders = [new_order(plugin, names=(NAME,)) for _ in range(10)]
    scheduled = datetime.now(UTC)
    for order in orders:
        assert order.issue().status is WAITING
    reads_before = certcentral_sim.requests_received["GET"]
    for order in orders:
        remote = order.plugin_meta["certcentral_order_id"]
        # the worker died before plugin_meta was recorded: the core calls issue again
        order.plugin_meta = {}
        order.core_meta = CoreMetaDTO(interrupted_since=scheduled)
        assert order.issue().status is WAITING
        assert order.plugin_meta["certcentral_order_id"] == remote
    assert certcentral_sim.orders_placed == HISTORY + 10
    assert (certcentral_sim.requests_received["GET"] - reads_before) / 10 <= 15


def test_a_slow_order_request_retried_is_bought_once(certcentral_sim, make_digicert, new_order):
    # CertCentral takes 1.5 s to create the order; the client gives up after 0.3 s and
    # the core retries every 0.1 s, long before the order is listed.
    order = new_order(make_digicert(read_timeout=0.3, unavailable_retry_msec=100))
    certcentral_sim.delay_method, certcentral_sim.delay_seconds = "POST", 1.5
    result = _drive_issue(order)
    _settled(certcentral_sim)
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result
    assert certcentral_sim.orders_placed == 1


def test_a_cancel_waits_for_an_unanswered_order_to_show(
        certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=50)
    order = new_order(make_digicert(read_timeout=0.3, unavailable_retry_msec=100))
    certcentral_sim.delay_method, certcentral_sim.delay_seconds = "POST", 1.0
    assert order.issue().status is UNAVAILABLE
    # Not yet listed: "canceled, nothing was placed" could leave a live order behind.
    early = order.cancel()
    assert early.status is UNAVAILABLE, early
    assert "not listed yet" in early.status_message
    _settled(certcentral_sim)
    certcentral_sim.delay_seconds = 0.0
    done = order.cancel()
    assert done.status is CertificateStatus.REQUEST_CANCELED, done
    [remote] = certcentral_sim.account.orders.values()
    assert remote.status == "canceled"
    assert certcentral_sim.orders_placed == 1
