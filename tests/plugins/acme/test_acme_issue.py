"""Issuing through a real Pebble: real http-01 validation, resumption, the ALWAYS_VALID mode."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path

import pytest
from acme_driving import drive, order_meta_for, unique_name
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import IPAddress
from cryptography.x509.verification import PolicyBuilder, Store
from x509_helpers import make_key, verify_server_chain

from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.errors import InvalidOrderError
from certorder.plugins.interface.status import CertificateStatus, PluginMethod


def test_real_http01_order_issues_a_chain_that_verifies(pebble, make_acme_plugin) -> None:
    plugin = make_acme_plugin(pebble)
    names = [unique_name("www"), unique_name("api")]
    order_meta = order_meta_for(*names)

    order = drive(plugin, order_meta)

    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    # The first call only answers the challenges: issuance needs at least one check.
    assert order.calls[0] == (PluginMethod.ISSUE.value, CertificateStatus.WAITING_FOR_CA)
    assert order.calls[-1][0] == PluginMethod.CHECK.value
    root = pebble.root_pem()
    for name in names:
        verify_server_chain(order.result.certificate, order.result.intermediates, root, name)
    leaf = x509.load_pem_x509_certificate(order.result.certificate.encode())
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(san.get_values_for_type(x509.DNSName)) == sorted(names)
    csr = x509.load_pem_x509_csr(order_meta["request_data"].encode())
    assert leaf.public_key() == csr.public_key()
    # Pebble's chain is leaf + one intermediate; the intermediate is not self-signed.
    (intermediate,) = x509.load_pem_x509_certificates(order.result.intermediates.encode())
    assert intermediate.subject != intermediate.issuer
    meta = order.plugin_meta
    assert meta["order_url"].startswith(pebble.directory_url.removesuffix("/dir"))
    assert meta["certificate_url"] and meta["finalize_url"] and meta["account_url"]
    assert len(meta["authorization_urls"]) == 2
    assert meta["acme_status"] == "valid"


def test_a_repeated_issue_continues_the_same_order(pebble, make_acme_plugin) -> None:
    plugin = make_acme_plugin(pebble)
    name = unique_name()
    order_meta = order_meta_for(name)
    plugin_meta: dict = {}
    first = plugin.issue_certificate_request("order-1", order_meta, plugin_meta, CoreMetaDTO())
    assert first.status is CertificateStatus.WAITING_FOR_CA
    placed = dict(plugin_meta)

    # The core runs issue again when an activity is retried after a crash.
    order = drive(plugin, order_meta, plugin_meta)

    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    assert order.plugin_meta["order_url"] == placed["order_url"]
    assert order.plugin_meta["authorization_urls"] == placed["authorization_urls"]
    verify_server_chain(
        order.result.certificate, order.result.intermediates, pebble.root_pem(), name
    )


def test_a_new_worker_resumes_the_order_from_plugin_meta(
    pebble, make_acme_plugin, tmp_path: Path
) -> None:
    data_dir = tmp_path / "shared-data"
    before = make_acme_plugin(pebble, data_dir=data_dir)
    name = unique_name()
    order_meta = order_meta_for(name)
    plugin_meta: dict = {}
    # Run until the order is finalized and the CA is issuing ...
    drive(before, order_meta, plugin_meta, until=lambda _: plugin_meta["acme_status"] != "pending")
    assert plugin_meta["acme_status"] in {"processing", "valid"}
    before.close()  # ... then the worker dies, with everything it held in memory.

    after = make_acme_plugin(pebble, data_dir=data_dir)
    order = drive(after, order_meta, plugin_meta, first=PluginMethod.CHECK)

    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    assert after.account.account_url() == plugin_meta["account_url"]
    verify_server_chain(
        order.result.certificate, order.result.intermediates, pebble.root_pem(), name
    )


def test_always_valid_pebble_issues_without_any_responder(
    make_pebble, make_acme_plugin, tmp_path: Path
) -> None:
    server = make_pebble(env={"PEBBLE_VA_ALWAYS_VALID": "1"})
    # A webroot nobody serves: the order can only succeed because Pebble skips validation.
    webroot = tmp_path / "unserved"
    webroot.mkdir()
    plugin = make_acme_plugin(server, webroot=str(webroot))
    name = unique_name()

    order = drive(plugin, order_meta_for(name))

    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    verify_server_chain(
        order.result.certificate, order.result.intermediates, server.root_pem(), name
    )
    assert list((webroot / ".well-known" / "acme-challenge").iterdir()) == []


def test_heavy_nonce_rejection_is_retried(make_pebble, make_acme_plugin) -> None:
    # Pebble's default rejects 5 %; at 30 % two rejections in a row are common, and the
    # library alone (one retry) would fail most orders.
    server = make_pebble(env={"PEBBLE_WFE_NONCEREJECT": "30"})
    plugin = make_acme_plugin(server, nonce_retries=8)
    name = unique_name()

    order = drive(plugin, order_meta_for(name))

    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    verify_server_chain(
        order.result.certificate, order.result.intermediates, server.root_pem(), name
    )


def test_stored_key_orders_use_the_core_generated_csr(pebble, make_acme_plugin) -> None:
    plugin = make_acme_plugin(pebble)
    name = unique_name("stored")
    csr = order_meta_for(name)["request_data"]
    core_meta = CoreMetaDTO(generated_csr=csr)
    meta: dict = {}
    order_meta = {"request_type": "stored-key"}
    result = plugin.issue_certificate_request("order-1", order_meta, meta, core_meta)
    for _ in range(40):
        if result.status is not CertificateStatus.WAITING_FOR_CA:
            break
        time.sleep(result.retry_msec / 1000)
        result = plugin.check_certificate_status("order-1", order_meta, meta, core_meta)
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    leaf = x509.load_pem_x509_certificate(result.certificate.encode())
    assert leaf.public_key() == x509.load_pem_x509_csr(csr.encode()).public_key()


def test_a_csr_without_names_is_refused_before_the_order(pebble, make_acme_plugin) -> None:
    plugin = make_acme_plugin(pebble)
    nameless = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .sign(make_key(), hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )
    with pytest.raises(InvalidOrderError, match="names no DNS name or IP address"):
        plugin.validate_order_meta({"request_type": "simple-cmc", "request_data": nameless})


def test_ip_address_identifier_is_validated_over_http01(pebble, make_acme_plugin) -> None:
    loopback = ipaddress.ip_address("127.0.0.1")
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(loopback)]), critical=False)
        .sign(make_key(), hashes.SHA256())
    )
    order_meta = {
        "request_type": "simple-cmc",
        "request_data": csr.public_bytes(serialization.Encoding.PEM).decode(),
    }

    order = drive(make_acme_plugin(pebble), order_meta)

    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    root = x509.load_pem_x509_certificate(pebble.root_pem().encode())
    verifier = PolicyBuilder().store(Store([root])).build_server_verifier(IPAddress(loopback))
    verifier.verify(
        x509.load_pem_x509_certificate(order.result.certificate.encode()),
        x509.load_pem_x509_certificates(order.result.intermediates.encode()),
    )
