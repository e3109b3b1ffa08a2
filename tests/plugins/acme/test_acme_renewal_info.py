"""ACME Renewal Information (RFC 9773) for a managed certificate, against a real Pebble
behind a strict ARI responder (Pebble 2.4 has none): the CA's window wins over the
2/3 policy, its Retry-After paces the re-checks, and a window that has begun renews."""

from __future__ import annotations

import base64
import datetime as dt

import httpx
import pytest
from acme_driving import unique_name
from cryptography import x509
from managed_helpers import spec, start, wait_for
from order_harness import order_worker
from servers.ari_responder import AriResponder

from certorder.workflows.managed_models import RenewalPolicy
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow


@pytest.fixture
def responder(pebble):
    server = AriResponder(pebble)
    server.start()
    yield server
    server.stop()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _far(serial: int):
    now = dt.datetime.now(dt.UTC)
    return now + dt.timedelta(days=30), now + dt.timedelta(days=31), 1


def _statuses(responder: AriResponder, cert_path: str) -> list[int]:
    return [status for path, status in responder.requests if path == cert_path]


async def test_the_cas_window_wins_and_retry_after_paces_the_rechecks(
        temporal_env, pebble, responder, make_acme_plugin, tmp_path):
    responder.window = _far
    plugin = make_acme_plugin(pebble, directory_url=responder.directory_url)
    async with order_worker(temporal_env, {"acme": plugin}, tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue,
                             spec(dns_names=[unique_name("ari")], validity_days=None,
                                  renewal=RenewalPolicy()))
        first = await wait_for(handle, lambda s: s.renewal_window is not None, timeout=90)
        cert = x509.load_pem_x509_certificate(first.certificate.encode())
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        octets = cert.serial_number.to_bytes(cert.serial_number.bit_length() // 8 + 1, "big")
        path = f"/renewal-info/{_b64(aki.key_identifier)}.{_b64(octets)}"
        # Retry-After: 1 s: asked again and again while the window is a month away.
        await wait_for(handle, lambda s: len(_statuses(responder, path)) >= 3, timeout=30)
        v1_serial = cert.serial_number
        now = dt.datetime.now(dt.UTC)
        responder.window = lambda serial: (
            (now - dt.timedelta(minutes=1), now, 1) if serial == v1_serial else _far(serial))
        second = await wait_for(handle, lambda s: len(s.versions) == 2, timeout=90)
        await handle.signal(ManagedCertificateWorkflow.retire)
        await handle.result()
    window = first.renewal_window
    assert window.start <= first.next_renewal_at <= window.end
    assert "in the CA's suggested window" in first.next_renewal_reason
    assert "(ARI)" in first.next_renewal_reason
    # Not the policy's 2/3 of Pebble's years-long lifetime: a month from issuance.
    assert first.next_renewal_at - first.versions[0].issued_at < dt.timedelta(days=32)
    assert second.versions[1].serial != second.versions[0].serial
    # Every request the plugin made was well formed and for a certificate Pebble issued.
    assert responder.requests and {status for _, status in responder.requests} == {200}
    assert set(_statuses(responder, path)) == {200}


def test_the_responder_is_strict_and_plain_pebble_offers_no_window(
        pebble, responder, make_acme_plugin):
    intermediate = x509.load_pem_x509_certificate(pebble.intermediate_pem().encode())
    key_id = _b64(intermediate.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier).value.digest)
    cases = {
        "no-dot": 400, f"{key_id}.AQ==": 400, f"{key_id}.AAE": 400, f"{key_id}.gA": 400,
        f"{key_id}.AQ.AQ": 400, f"{key_id}.MDk": 404, f"{_b64(b'other')}.AQ": 404,
    }
    for cert_id, status in cases.items():
        got = httpx.get(f"{responder.renewal_info_url}/{cert_id}", timeout=5).status_code
        assert got == status, (cert_id, got)
    # Pebble's own directory has no renewalInfo: no window, the policy decides.
    leaf = _self_issued_leaf()
    assert make_acme_plugin(pebble).suggested_renewal_window(leaf, {}, {}) is None


def _self_issued_leaf() -> str:
    from datetime import timedelta

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "leaf.example.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()
