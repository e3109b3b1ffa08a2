"""Signing through a real ``cfssl serve``: sign, authsign, profiles, chains, outages."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from x509_helpers import make_csr, make_key, verify_client_chain, verify_server_chain

from certorder.plugins.cfssl.plugin import CfsslPlugin
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.dto import CoreMetaDTO, ResultDTO
from certorder.plugins.interface.errors import (
    CAUnavailableError,
    InvalidOrderError,
    PluginConfigurationError,
)
from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.manager import PluginManager


def _issue(plugin: CfsslPlugin, names: list[str], **order_meta) -> tuple[ResultDTO, dict, dict]:
    meta = {"request_type": "simple-cmc", "request_data": make_csr(make_key(), names), **order_meta}
    plugin_meta: dict = {}
    result = plugin.issue_certificate_request("order-1", meta, plugin_meta, CoreMetaDTO())
    return result, plugin_meta, meta


def _ekus(pem: str) -> list[x509.ObjectIdentifier]:
    leaf = x509.load_pem_x509_certificate(pem.encode())
    return list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def test_sign_with_the_default_profile(cfssl_server, make_cfssl_plugin) -> None:
    names = ["svc.example.test", "alt.example.test"]
    result, plugin_meta, meta = _issue(make_cfssl_plugin(cfssl_server), names)

    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    assert result.intermediates is None  # the signer is the self-signed root
    for name in names:
        verify_server_chain(result.certificate, None, cfssl_server.root_pem(), name)
    leaf = x509.load_pem_x509_certificate(result.certificate.encode())
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == names
    csr = x509.load_pem_x509_csr(meta["request_data"].encode())
    assert leaf.public_key() == csr.public_key()
    assert plugin_meta["serial"] == format(leaf.serial_number, "x")
    assert result.status_message == "signed by CFSSL (profile default)"


def test_profile_from_order_meta(cfssl_server, make_cfssl_plugin) -> None:
    result, plugin_meta, _ = _issue(
        make_cfssl_plugin(cfssl_server), ["robot.example.test"], profile="client"
    )
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    assert _ekus(result.certificate) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    verify_client_chain(result.certificate, result.intermediates, cfssl_server.root_pem())
    assert plugin_meta["profile"] == "client"


def test_authsign_with_the_hmac_key(cfssl_server, make_cfssl_plugin) -> None:
    plugin = make_cfssl_plugin(cfssl_server, auth_key=cfssl_server.auth_key)
    result, _, _ = _issue(plugin, ["secure.example.test"], profile="authed")
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    verify_server_chain(
        result.certificate, result.intermediates, cfssl_server.root_pem(), "secure.example.test"
    )


@pytest.mark.parametrize(
    ("options", "profile", "message"),
    [
        ({}, "authed", "CFSSL refused: authentication required (code 400)"),
        ({"auth_key": "00" * 16}, "authed", "CFSSL refused: invalid token (code 400)"),
        # CFSSL signs an unknown profile with its default one on /sign, but through
        # authsign the default profile has no key, so the mistake surfaces.
        ({"use_server_key": True}, "no-such-profile", "no authentication provider (code 400)"),
    ],
)
def test_cfssl_refusals_fail_the_order_with_its_message(
    cfssl_server, make_cfssl_plugin, options: dict, profile: str, message: str
) -> None:
    if options.pop("use_server_key", False):
        options["auth_key"] = cfssl_server.auth_key
    result, plugin_meta, _ = _issue(
        make_cfssl_plugin(cfssl_server, **options), ["x.example.test"], profile=profile
    )
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert result.status_message.endswith(message)
    assert "certificate" not in plugin_meta


def test_profiles_setting_refuses_unknown_profiles_before_the_order(
    cfssl_server, make_cfssl_plugin
) -> None:
    plugin = make_cfssl_plugin(cfssl_server, profiles=["", "server"])
    plugin.validate_order_meta({"profile": "server"})
    with pytest.raises(InvalidOrderError, match="profile 'client' is not offered"):
        plugin.validate_order_meta({"profile": "client"})
    result, _, _ = _issue(plugin, ["x.example.test"], profile="client")
    assert result.status is CertificateStatus.INVALID_OPERATION


def test_intermediate_signer_travels_in_intermediates(make_cfssl_server, make_cfssl_plugin) -> None:
    server = make_cfssl_server(intermediate=True)
    result, _, _ = _issue(make_cfssl_plugin(server), ["deep.example.test"])
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    assert result.intermediates == server.signer_pem()
    chain = verify_server_chain(
        result.certificate, result.intermediates, server.root_pem(), "deep.example.test"
    )
    assert len(chain) == 3


def test_server_down_then_back(make_cfssl_server, make_cfssl_plugin) -> None:
    server = make_cfssl_server(start=False)
    plugin = make_cfssl_plugin(server)
    meta = {"request_type": "simple-cmc", "request_data": make_csr(make_key(), ["d.example"])}
    plugin_meta: dict = {}

    down = plugin.issue_certificate_request("order-1", meta, plugin_meta, CoreMetaDTO())
    assert down.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert down.retry_msec == 250
    assert "unreachable" in down.status_message and server.base_url in down.status_message
    assert plugin_meta == {}

    server.start()
    up = plugin.issue_certificate_request("order-1", meta, plugin_meta, CoreMetaDTO())
    assert up.status is CertificateStatus.CERTIFICATE_GENERATED
    verify_server_chain(up.certificate, up.intermediates, server.root_pem(), "d.example")
    # Repeats (a retried activity, a late check) return the same certificate, not a new one.
    again = plugin.issue_certificate_request("order-1", meta, plugin_meta, CoreMetaDTO())
    check = plugin.check_certificate_status("order-1", meta, plugin_meta, CoreMetaDTO())
    assert again.certificate == up.certificate == check.certificate


def test_cancel_and_modify(cfssl_server, make_cfssl_plugin) -> None:
    plugin = make_cfssl_plugin(cfssl_server)
    unsigned = plugin.cancel_certificate_request("o", {}, {}, CoreMetaDTO())
    assert unsigned.status is CertificateStatus.REQUEST_CANCELED
    result, plugin_meta, meta = _issue(plugin, ["m.example.test"])
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED
    late = plugin.cancel_certificate_request("o", meta, plugin_meta, CoreMetaDTO())
    assert late.status is CertificateStatus.INVALID_OPERATION
    assert "revoke" in late.status_message
    changed = plugin.modify_certificate_request("o", meta, plugin_meta, CoreMetaDTO())
    assert changed.status is CertificateStatus.INVALID_OPERATION


def test_ca_info_reports_the_signer(make_cfssl_server, make_cfssl_plugin) -> None:
    server = make_cfssl_server(intermediate=True)
    plugin = make_cfssl_plugin(server)
    (info,) = plugin.get_ca_info()
    signer = x509.load_pem_x509_certificate(server.signer_pem().encode())
    assert info.ca_signing_certificate == server.signer_pem()
    assert info.expiration == signer.not_valid_after_utc
    assert server.base_url in info.description
    server.stop()
    with pytest.raises(CAUnavailableError, match="unreachable"):
        plugin.get_ca_info()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "base_url: Field required"),
        ({"base_url": "127.0.0.1:8888"}, "String should match pattern"),
        ({"base_url": "http://x", "auth_key": "not hex"}, "hex key"),
        ({"base_url": "http://x", "profiles": ["a"], "default_profile": "b"}, "not in profiles"),
        ({"base_url": "http://x", "token": "x"}, "Extra inputs"),
    ],
)
def test_bad_settings_stop_start_up(tmp_path: Path, options: dict, message: str) -> None:
    with pytest.raises(PluginConfigurationError, match=message):
        CfsslPlugin(PluginContext(name="cfssl", data_dir=tmp_path, options=options))


def test_stored_key_orders_use_the_core_generated_csr(cfssl_server, make_cfssl_plugin) -> None:
    plugin = make_cfssl_plugin(cfssl_server)
    csr = make_csr(make_key(), ["stored.example.test"])
    plugin_meta: dict = {}
    result = plugin.issue_certificate_request(
        "order-1", {"request_type": "stored-key"}, plugin_meta, CoreMetaDTO(generated_csr=csr)
    )
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    leaf = x509.load_pem_x509_certificate(result.certificate.encode())
    assert leaf.public_key() == x509.load_pem_x509_csr(csr.encode()).public_key()
    missing = plugin.issue_certificate_request(
        "order-2", {"request_type": "stored-key"}, {}, CoreMetaDTO()
    )
    assert missing.status is CertificateStatus.INVALID_OPERATION
    assert missing.status_message == "CSR is empty"


def test_loaded_through_its_entry_point(cfssl_server, tmp_path: Path) -> None:
    options = {"cfssl": {"base_url": cfssl_server.base_url, "profiles": ["", "client"]}}
    with PluginManager(["cfssl"], tmp_path, options) as manager:
        (info,) = manager.ca_info()
        assert info.plugin_name == "cfssl"
        assert info.ca_signing_certificate == cfssl_server.signer_pem()
        csr = make_csr(make_key(), ["e.example.test"])
        order = {"request_type": "simple-cmc", "request_data": csr, "profile": "server"}
        with pytest.raises(InvalidOrderError, match="profile 'server' is not offered"):
            manager.validate_order(order)
        assert manager.validate_order({**order, "profile": "client"}).plugin_name == "cfssl"
