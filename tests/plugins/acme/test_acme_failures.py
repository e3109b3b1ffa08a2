"""Orders that fail, are canceled, or meet a CA that is down: what the core is told."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from acme_driving import drive, order_meta_for, unique_name
from servers.pebble import PebbleServer
from x509_helpers import verify_server_chain

from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus, PluginMethod


@pytest.fixture
def stalled_pebble(make_pebble) -> Iterator[PebbleServer]:
    """A Pebble of its own whose http-01 port is a listener that accepts and never
    answers, so a validation stays in progress (its authorization pending) for seconds.
    (Pebble stalls other requests meanwhile, hence not the shared one.)"""
    server = make_pebble()
    listener = socket.create_server(("127.0.0.1", server.http_port))
    listener.listen(16)
    yield server
    listener.close()


def test_failed_http01_challenge_ends_with_the_acme_problem(
    pebble, make_acme_plugin, tmp_path: Path
) -> None:
    # The plugin writes the response under a webroot, but no web server publishes it:
    # Pebble's validation authority finds nothing listening on the http-01 port.
    webroot = tmp_path / "webroot"
    webroot.mkdir()
    plugin = make_acme_plugin(pebble, webroot=str(webroot))
    name = unique_name()

    order = drive(plugin, order_meta_for(name))

    assert order.result.status is CertificateStatus.INVALID_OPERATION, order.calls
    message = order.result.status_message
    assert f"ACME authorization for {name} is invalid" in message
    assert "connection" in message  # the problem type from Pebble's validation authority
    assert "refused" in message  # and its detail
    # The response file was written for the CA, then removed once the authorization failed.
    assert list((webroot / ".well-known" / "acme-challenge").iterdir()) == []


def test_a_wildcard_needs_dns01_which_http01_cannot_answer(pebble, make_acme_plugin) -> None:
    plugin = make_acme_plugin(pebble)
    base = unique_name()

    order = drive(plugin, order_meta_for(f"*.{base}"))

    assert order.calls == [(PluginMethod.ISSUE.value, CertificateStatus.INVALID_OPERATION)]
    assert order.result.status_message == (
        f"the ACME CA offers only dns-01 for {base}; this plugin is configured for "
        "http-01 (setting challenge_type)"
    )


def test_cancel_while_pending_deactivates_the_authorizations(
    stalled_pebble, make_acme_plugin, tmp_path: Path
) -> None:
    plugin = make_acme_plugin(stalled_pebble, webroot=str(tmp_path))
    order_meta = order_meta_for(unique_name(), unique_name())
    plugin_meta: dict = {}
    issued = plugin.issue_certificate_request("order-1", order_meta, plugin_meta, CoreMetaDTO())
    assert issued.status is CertificateStatus.WAITING_FOR_CA

    canceled = plugin.cancel_certificate_request("order-1", order_meta, plugin_meta, CoreMetaDTO())

    assert canceled.status is CertificateStatus.REQUEST_CANCELED
    assert "2 authorization(s) deactivated" in canceled.status_message
    session = plugin.account.session()
    for url in plugin_meta["authorization_urls"]:
        assert session.authorization(url).body.status.name == "deactivated"
    # The order can never be finalized now: a late check reports it as failed.
    late = plugin.check_certificate_status("order-1", order_meta, plugin_meta, CoreMetaDTO())
    assert late.status is CertificateStatus.INVALID_OPERATION
    assert "deactivated" in late.status_message


def test_cancel_before_any_order_was_placed(pebble, make_acme_plugin) -> None:
    plugin = make_acme_plugin(pebble)
    result = plugin.cancel_certificate_request(
        "order-1", order_meta_for("a.test"), {}, CoreMetaDTO()
    )
    assert result.status is CertificateStatus.REQUEST_CANCELED


def test_pebble_down_at_issue_then_back(make_pebble, make_acme_plugin) -> None:
    server = make_pebble(start=False)
    plugin = make_acme_plugin(server, unavailable_retry_msec=1234)
    name = unique_name()
    order_meta = order_meta_for(name)
    plugin_meta: dict = {}

    down = plugin.issue_certificate_request("order-1", order_meta, plugin_meta, CoreMetaDTO())

    assert down.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert down.retry_msec == 1234
    assert "unreachable" in down.status_message and server.directory_url in down.status_message
    assert plugin_meta == {}  # nothing was placed, so nothing is remembered
    server.start()
    order = drive(plugin, order_meta, plugin_meta)  # the core calls issue again
    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    verify_server_chain(
        order.result.certificate, order.result.intermediates, server.root_pem(), name
    )


def test_pebble_stopped_mid_order(make_pebble, make_acme_plugin) -> None:
    server = make_pebble()
    plugin = make_acme_plugin(server)
    order_meta = order_meta_for(unique_name())
    plugin_meta: dict = {}
    first = plugin.issue_certificate_request("order-1", order_meta, plugin_meta, CoreMetaDTO())
    assert first.status is CertificateStatus.WAITING_FOR_CA
    server.stop_pebble()

    down = plugin.check_certificate_status("order-1", order_meta, plugin_meta, CoreMetaDTO())
    assert down.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert down.retry_msec == 100

    # Pebble keeps orders and accounts in memory only: after a restart the order is
    # gone. The plugin registers its account again and says the order is lost; it never
    # silently places a second order under the same plugin_meta.
    server.start()
    lost = plugin.check_certificate_status("order-1", order_meta, plugin_meta, CoreMetaDTO())
    assert lost.status is CertificateStatus.INVALID_OPERATION, lost.status_message
    assert "no longer knows" in lost.status_message
    assert plugin.account.account_url() != plugin_meta["account_url"]
    # The same worker can order again at once on the new account.
    again = drive(plugin, order_meta)
    assert again.result.status is CertificateStatus.CERTIFICATE_GENERATED, again.calls


def test_modify_after_the_order_is_placed_is_refused_and_the_order_goes_on(
    pebble, make_acme_plugin
) -> None:
    plugin = make_acme_plugin(pebble)
    order_meta = order_meta_for(unique_name())
    plugin_meta: dict = {}
    issued = plugin.issue_certificate_request("order-1", order_meta, plugin_meta, CoreMetaDTO())
    assert issued.status is CertificateStatus.WAITING_FOR_CA, issued.status_message
    placed = plugin_meta["order_url"]

    changed = order_meta_for(unique_name())
    result = plugin.modify_certificate_request("order-1", changed, plugin_meta, CoreMetaDTO())

    assert result.status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    assert "cannot be changed once placed" in result.status_message
    assert plugin_meta["order_url"] == placed
    order = drive(plugin, order_meta, plugin_meta, first=PluginMethod.CHECK)
    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED


def test_cancel_of_a_ready_order_keeps_it_from_being_finalized(
    make_pebble, make_acme_plugin, tmp_path: Path
) -> None:
    server = make_pebble(env={"PEBBLE_VA_ALWAYS_VALID": "1"})
    plugin = make_acme_plugin(server, webroot=str(tmp_path))
    order_meta = order_meta_for(unique_name())
    plugin_meta: dict = {}
    plugin.issue_certificate_request("order-1", order_meta, plugin_meta, CoreMetaDTO())
    session = plugin.account.session()
    deadline = time.monotonic() + 5
    while session.order(plugin_meta["order_url"]).status.name != "ready":
        assert time.monotonic() < deadline, "the order never became ready"
        time.sleep(0.02)

    canceled = plugin.cancel_certificate_request("order-1", order_meta, plugin_meta, CoreMetaDTO())

    assert canceled.status is CertificateStatus.REQUEST_CANCELED
    assert canceled.status_message == "ACME order canceled: 1 authorization(s) deactivated"
    # RFC 8555 calls the order invalid now; Pebble says "deactivated". Either way the
    # core's next check learns that no certificate will come.
    assert session.order(plugin_meta["order_url"]).status.name in {"invalid", "deactivated"}
    late = plugin.check_certificate_status("order-1", order_meta, plugin_meta, CoreMetaDTO())
    assert late.status is CertificateStatus.INVALID_OPERATION
    assert late.status_message.endswith("is deactivated")


def test_cancel_after_issuance_says_so(pebble, make_acme_plugin) -> None:
    plugin = make_acme_plugin(pebble)
    order_meta = order_meta_for(unique_name())
    done = drive(plugin, order_meta)
    assert done.result.status is CertificateStatus.CERTIFICATE_GENERATED

    canceled = plugin.cancel_certificate_request(
        "order-1", order_meta, done.plugin_meta, CoreMetaDTO()
    )

    assert canceled.status is CertificateStatus.REQUEST_CANCELED
    assert canceled.status_message == (
        "ACME order canceled: 0 authorization(s) deactivated "
        "(the CA had already issued; the certificate is not collected)"
    )
