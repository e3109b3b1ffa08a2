"""Dogtag settings, order validation and chain parsing, without a server."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID
from x509_helpers import make_key

from certorder.plugins.dogtag.chain import ChainError, split_cert_data
from certorder.plugins.dogtag.plugin import DogtagCAPlugin
from certorder.plugins.dogtag.settings import DogtagSettings
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.errors import InvalidOrderError, PluginConfigurationError
from simulators.dogtag.crypto import SigningCA, pem


def _plugin(tmp_path, **options) -> DogtagCAPlugin:
    context = PluginContext(
        name="dogtag", data_dir=tmp_path, options={"base_url": "https://ca.test:8443", **options}
    )
    return DogtagCAPlugin(context)


def test_defaults(tmp_path):
    plugin = _plugin(tmp_path)
    try:
        assert plugin.settings.default_profile == "caServerCert"
        assert plugin.settings.auto_approved_profiles == []
        assert plugin.settings.retry_msec == 600_000
    finally:
        plugin.close()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": "ftp:/nowhere"}, "base_url"),
        ({"default_profile": "../etc/passwd"}, "default_profile"),
        ({"auto_approved_profiles": ["caServerCert"]}, "needs an agent client_cert_file"),
        ({"client_cert_file": "/nonexistent.pem"}, "set together"),
        ({"allowed_profiles": ["caOtherCert"]}, "default_profile is not one of"),
        ({"retry_msec": 0}, "retry_msec"),
        ({"pasword": "x"}, "pasword"),
    ],
)
def test_bad_settings_are_refused_at_construction(tmp_path, options, message):
    with pytest.raises(PluginConfigurationError, match=message):
        _plugin(tmp_path, **options)


def test_lists_from_the_environment(monkeypatch):
    monkeypatch.setenv("CERTORDER_DOGTAG_BASE_URL", "https://ca.test:8443/")
    monkeypatch.setenv("CERTORDER_DOGTAG_ALLOWED_PROFILES", "caServerCert, caOtherCert")
    settings = DogtagSettings()
    assert settings.base_url == "https://ca.test:8443"
    assert settings.allowed_profiles == ["caServerCert", "caOtherCert"]


def test_order_profile_is_checked_at_submission(tmp_path):
    plugin = _plugin(tmp_path, allowed_profiles=["caServerCert", "caOtherCert"])
    try:
        plugin.validate_order_meta({"profile": "caOtherCert", "request_data": "..."})
        plugin.validate_order_meta({"request_data": "..."})
        with pytest.raises(InvalidOrderError, match="not offered"):
            plugin.validate_order_meta({"profile": "caUserCert"})
        with pytest.raises(InvalidOrderError, match="not a Dogtag profile id"):
            plugin.validate_order_meta({"profile": "caServerCert?x=1"})
    finally:
        plugin.close()


def _issued_chain():
    root = SigningCA.self_signed("CN=Root,O=T")
    mid = root.sub_ca("CN=Mid,O=T")
    low = mid.sub_ca("CN=Low,O=T")
    key = make_key()
    subject = x509.Name.from_rfc4514_string("CN=leaf.test")
    leaf = low.issue(subject, key.public_key(), 99, None, ExtendedKeyUsageOID.SERVER_AUTH)
    return root, mid, low, leaf


def test_pkcs7_chain_in_any_order_becomes_intermediates_without_leaf_or_root():
    root, mid, low, leaf = _issued_chain()
    der = pkcs7.serialize_certificates([root.cert, leaf, mid.cert, low.cert], Encoding.DER)
    b64 = base64.b64encode(der).decode()
    for chain in (b64, "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))):
        cert, intermediates = split_cert_data({"Encoded": pem(leaf), "PKCS7CertChain": chain})
        assert cert == pem(leaf)
        assert intermediates == pem(low.cert) + pem(mid.cert)
    armoured = pkcs7.serialize_certificates([leaf, low.cert], Encoding.PEM).decode()
    assert split_cert_data({"Encoded": pem(leaf), "PKCS7CertChain": armoured})[1] == pem(low.cert)


def test_chain_of_a_leaf_signed_by_the_root_is_empty():
    root = SigningCA.self_signed("CN=Root,O=T")
    leaf = root.issue(root.cert.subject, make_key().public_key(), 5, None)
    der = pkcs7.serialize_certificates([leaf, root.cert], Encoding.DER)
    data = {"Encoded": pem(leaf), "PKCS7CertChain": base64.b64encode(der).decode()}
    assert split_cert_data(data) == (pem(leaf), None)


@pytest.mark.parametrize(
    "data",
    [
        {"Encoded": ""},
        {"Encoded": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
        {"Encoded": "<ok>", "PKCS7CertChain": "bm90IHBrY3M3"},
    ],
)
def test_unparsable_cert_data_is_a_chain_error(data):
    if data["Encoded"] == "<ok>":
        data = {**data, "Encoded": pem(_issued_chain()[3])}
    with pytest.raises(ChainError):
        split_cert_data(data)


def test_entry_point_names_the_plugin_class():
    from importlib.metadata import entry_points

    (entry,) = entry_points(group="certorder.certificate.plugin", name="dogtag")
    assert entry.load() is DogtagCAPlugin
