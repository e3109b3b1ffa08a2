"""Revocation through a real Pebble (RFC 8555 section 7.6), checked from Pebble's side."""

from __future__ import annotations

from acme_driving import drive, order_meta_for, unique_name
from cryptography import x509

from certorder.plugins import RevocationReason, RevocationStatus
from certorder.plugins.interface.status import CertificateStatus


def _issued(plugin) -> str:
    order = drive(plugin, order_meta_for(unique_name("rev")))
    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    return order.result.certificate


def _serial(pem: str) -> int:
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


def test_revoke_is_seen_by_pebble_with_its_reason_and_a_repeat_is_revoked(
        pebble, make_acme_plugin):
    plugin = make_acme_plugin(pebble)
    certificate = _issued(plugin)
    assert pebble.cert_status(_serial(certificate))["Status"] == "Valid"

    result = plugin.revoke_certificate("o-1", certificate, {}, {},
                                       RevocationReason.KEY_COMPROMISE)
    assert result.status is RevocationStatus.REVOKED, result
    status = pebble.cert_status(_serial(certificate))
    assert status["Status"] == "Revoked"
    assert status["Reason"] == 1

    again = plugin.revoke_certificate("o-1", certificate, {}, {}, RevocationReason.SUPERSEDED)
    assert again.status is RevocationStatus.REVOKED
    assert "already revoked" in again.status_message
    assert pebble.cert_status(_serial(certificate))["Reason"] == 1


def test_an_account_without_authority_over_the_names_is_refused(
        pebble, make_acme_plugin, tmp_path):
    certificate = _issued(make_acme_plugin(pebble))
    stranger = make_acme_plugin(pebble, data_dir=tmp_path / "stranger")
    result = stranger.revoke_certificate("o-2", certificate, {}, {}, RevocationReason.UNSPECIFIED)
    assert result.status is RevocationStatus.REFUSED, result
    assert "unauthorized" in result.status_message
    assert pebble.cert_status(_serial(certificate))["Status"] == "Valid"


def test_a_stopped_pebble_is_ca_unavailable(make_pebble, make_acme_plugin):
    server = make_pebble()
    plugin = make_acme_plugin(server)
    certificate = _issued(plugin)
    server.stop_pebble()
    result = plugin.revoke_certificate("o-3", certificate, {}, {}, RevocationReason.SUPERSEDED)
    assert result.status is RevocationStatus.CA_UNAVAILABLE, result
    assert result.retry_msec == 100
