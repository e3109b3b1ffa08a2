"""Local CA revocation, observed from the CA side: its signed CRL, checked with
``cryptography`` and with ``openssl crl -verify``."""

from __future__ import annotations

import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from x509_helpers import make_csr, make_key

from certorder.plugins import (
    CACreateDTO,
    CertificateStatus,
    CoreMetaDTO,
    RevocationReason,
    RevocationStatus,
)
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.shared_state_files import DirectorySharedState
from certorder.plugins.local_ca.plugin import LocalCAPlugin


def _plugin(tmp_path, **options) -> LocalCAPlugin:
    return LocalCAPlugin(PluginContext(name="local-ca", data_dir=tmp_path / "ca",
                                       options=options))


def _issue(plugin: LocalCAPlugin, name: str, ca_id: str | None = None) -> x509.Certificate:
    meta = {"request_type": "simple-cmc", "request_data": make_csr(make_key("p256"), [name])}
    result = plugin.issue_certificate_request(f"o-{name}", meta, {},
                                              CoreMetaDTO(plugin_ca_id=ca_id))
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result
    return x509.load_pem_x509_certificate(result.certificate.encode())


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(Encoding.PEM).decode()


def _revoke(plugin, cert, reason):
    return plugin.revoke_certificate("o", _pem(cert), {}, {}, reason)


def _openssl_verify(tmp_path, crl_pem: str, ca_pem: str) -> str:
    (tmp_path / "crl.pem").write_text(crl_pem)
    (tmp_path / "ca.pem").write_text(ca_pem)
    done = subprocess.run(
        ["openssl", "crl", "-in", str(tmp_path / "crl.pem"), "-CAfile", str(tmp_path / "ca.pem"),
         "-verify", "-noout", "-text"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "verify OK" in done.stderr + done.stdout
    return done.stdout


def test_revoked_serials_and_reasons_are_exactly_in_the_signed_crl(tmp_path):
    plugin = _plugin(tmp_path)
    first, second, kept = (_issue(plugin, f"{n}.example.test") for n in ("a", "b", "c"))
    for cert, reason in ((first, RevocationReason.KEY_COMPROMISE),
                         (second, RevocationReason.UNSPECIFIED)):
        assert _revoke(plugin, cert, reason).status is RevocationStatus.REVOKED

    crl_pem = plugin.get_crl("root")
    crl = x509.load_pem_x509_crl(crl_pem.encode())
    root = plugin.store.root().cert
    assert crl.is_signature_valid(root.public_key())
    assert crl.issuer == root.subject
    assert {entry.serial_number for entry in crl} == {first.serial_number, second.serial_number}
    reasons = {}
    for entry in crl:
        try:
            reasons[entry.serial_number] = entry.extensions.get_extension_for_class(
                x509.CRLReason).value.reason
        except x509.ExtensionNotFound:
            reasons[entry.serial_number] = None
    # unspecified is left out of the entry (RFC 5280 5.3.1); the others are there.
    assert reasons == {first.serial_number: x509.ReasonFlags.key_compromise,
                       second.serial_number: None}
    assert kept.serial_number not in {entry.serial_number for entry in crl}

    text = _openssl_verify(tmp_path, crl_pem, _pem(root))
    assert format(first.serial_number, "X").rjust(2, "0") in text.replace(":", "").upper()
    assert "Key Compromise" in text


def test_revoking_twice_answers_revoked_and_lists_the_serial_once(tmp_path):
    plugin = _plugin(tmp_path)
    cert = _issue(plugin, "twice.example.test")
    first = _revoke(plugin, cert, RevocationReason.SUPERSEDED)
    again = _revoke(plugin, cert, RevocationReason.KEY_COMPROMISE)
    assert again.status is RevocationStatus.REVOKED
    assert "already revoked" in again.status_message
    assert again.revoked_at == first.revoked_at
    crl = x509.load_pem_x509_crl(plugin.get_crl(None).encode())
    [entry] = list(crl)
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason \
        is x509.ReasonFlags.superseded


def test_a_sub_ca_certificate_goes_on_the_sub_ca_crl_and_the_crl_number_grows(tmp_path):
    plugin = _plugin(tmp_path)
    sub = plugin.create_ca(CACreateDTO(name="issuing"))
    cert = _issue(plugin, "sub.example.test", sub.ca_id)
    before = x509.load_pem_x509_crl(plugin.get_crl(sub.ca_id).encode())
    assert _revoke(plugin, cert, RevocationReason.CESSATION_OF_OPERATION).status \
        is RevocationStatus.REVOKED
    crl_pem = plugin.get_crl(sub.ca_id)
    crl = x509.load_pem_x509_crl(crl_pem.encode())
    assert [entry.serial_number for entry in crl] == [cert.serial_number]
    assert list(x509.load_pem_x509_crl(plugin.get_crl("root").encode())) == []
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number > before.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    _openssl_verify(tmp_path, crl_pem, sub.ca_signing_certificate)
    # The latest CRL is kept in the shared state (here the directory without a core).
    stored = DirectorySharedState(tmp_path / "ca" / "state").list(f"crl/{sub.ca_id}/")
    assert [record["crl"] for record in stored.values()] == [crl_pem]


def test_a_certificate_of_another_ca_is_refused(tmp_path):
    other = _issue(_plugin(tmp_path / "other"), "foreign.example.test")
    result = _revoke(_plugin(tmp_path), other, RevocationReason.UNSPECIFIED)
    assert result.status is RevocationStatus.REFUSED
    assert "no CA of this local CA signed" in result.status_message


def test_issued_certificates_carry_the_crl_distribution_point_when_configured(tmp_path):
    plugin = _plugin(tmp_path, crl_url_base="http://pki.example.test/crl/")
    cert = _issue(plugin, "dp.example.test")
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [name.value for name in points[0].full_name] == ["http://pki.example.test/crl/root.crl"]
    without = _issue(_plugin(tmp_path / "plain"), "plain.example.test")
    with pytest.raises(x509.ExtensionNotFound):
        without.extensions.get_extension_for_class(x509.CRLDistributionPoints)


def test_a_configured_root_keeps_its_revocations_beside_the_generated_files(tmp_path):
    _plugin(tmp_path / "made").store.root()
    made = DirectorySharedState(tmp_path / "made" / "ca" / "state")
    (tmp_path / "root.pem").write_text(made.get("ca/root")["certificate"])
    (tmp_path / "root.key").write_bytes(made.get_secret("ca/root"))
    plugin = _plugin(tmp_path, root_cert_file=str(tmp_path / "root.pem"),
                     root_key_file=str(tmp_path / "root.key"))
    cert = _issue(plugin, "configured.example.test")
    assert _revoke(plugin, cert, RevocationReason.SUPERSEDED).status is RevocationStatus.REVOKED
    crl = x509.load_pem_x509_crl(plugin.get_crl("root").encode())
    assert [entry.serial_number for entry in crl] == [cert.serial_number]
