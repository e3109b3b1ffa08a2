"""The local CA's leaf certificates: chains, extensions, validity, serials, bad CSRs."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import VerificationError
from x509_helpers import (
    make_csr,
    make_key,
    tamper_signature,
    verify_client_chain,
    verify_server_chain,
)

from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.errors import InvalidOrderError
from certorder.plugins.interface.status import CertificateStatus

NAMES = ["app.example.test", "api.example.test"]
HOST = NAMES[0]
SLACK = dt.timedelta(seconds=30)


def _cert(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def _ext(cert: x509.Certificate, kind: type) -> x509.Extension:
    return cert.extensions.get_extension_for_class(kind)


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "p384", "ed25519"])
def test_every_accepted_key_type_gets_a_verifiable_server_certificate(
    local_ca, local_ca_issue, kind
):
    key = make_key(kind)
    before = dt.datetime.now(dt.UTC)
    result, plugin_meta = local_ca_issue(local_ca, make_csr(key, NAMES))
    after = dt.datetime.now(dt.UTC)

    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    assert result.intermediates is None  # issued by the root itself
    root_pem = local_ca.get_default_signing_cert()
    for name in NAMES:
        chain = verify_server_chain(result.certificate, None, root_pem, name)
        assert chain[-1] == _cert(root_pem)

    cert, root = _cert(result.certificate), _cert(root_pem)
    assert cert.version is x509.Version.v3
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == NAMES[0]
    assert cert.issuer == root.subject
    assert cert.public_key() == key.public_key()
    assert _ext(cert, x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName) == NAMES
    constraints = _ext(cert, x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca is False
    usage = _ext(cert, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature
    assert usage.value.key_encipherment is isinstance(key, rsa.RSAPrivateKey)
    assert not usage.value.key_cert_sign
    assert list(_ext(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    ski = _ext(cert, x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    aki = _ext(cert, x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == _ext(root, x509.SubjectKeyIdentifier).value.digest
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)

    days = dt.timedelta(days=90)
    assert before + days - SLACK <= cert.not_valid_after_utc <= after + days
    backdate = dt.timedelta(minutes=5)
    assert before - backdate - SLACK <= cert.not_valid_before_utc <= after - backdate
    assert plugin_meta["certificate"] == result.certificate
    assert plugin_meta["serial"] == format(cert.serial_number, "x")


@pytest.mark.parametrize(
    ("profile", "ekus", "server_ok", "client_ok"),
    [
        ("server", [ExtendedKeyUsageOID.SERVER_AUTH], True, False),
        ("client", [ExtendedKeyUsageOID.CLIENT_AUTH], False, True),
        (
            "server-client",
            [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
            True,
            True,
        ),
    ],
)
def test_profiles_set_usages_that_verifiers_honour(
    local_ca, local_ca_issue, profile, ekus, server_ok, client_ok
):
    result, _ = local_ca_issue(local_ca, make_csr(make_key("rsa2048"), NAMES), profile=profile)
    cert = _cert(result.certificate)
    assert list(_ext(cert, x509.ExtendedKeyUsage).value) == ekus
    usage = _ext(cert, x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment is (profile != "client")

    root_pem = local_ca.get_default_signing_cert()
    for ok, verify in [
        (server_ok, lambda: verify_server_chain(result.certificate, None, root_pem, NAMES[1])),
        (client_ok, lambda: verify_client_chain(result.certificate, None, root_pem)),
    ]:
        if ok:
            verify()
        else:
            with pytest.raises(VerificationError):
                verify()


def test_validity_days_is_honoured(local_ca, local_ca_issue):
    now = dt.datetime.now(dt.UTC)
    result, _ = local_ca_issue(local_ca, make_csr(make_key()), validity_days=7)
    not_after = _cert(result.certificate).not_valid_after_utc
    assert abs(not_after - (now + dt.timedelta(days=7))) < SLACK
    later = now + dt.timedelta(days=6, hours=23)
    root_pem = local_ca.get_default_signing_cert()
    verify_server_chain(result.certificate, None, root_pem, "www.example.test", at=later)
    with pytest.raises(VerificationError):
        verify_server_chain(
            result.certificate, None, root_pem, "www.example.test", at=later + dt.timedelta(days=2)
        )


def test_validity_is_clamped_to_the_ca_expiry(make_local_ca, local_ca_issue):
    plugin = make_local_ca(root_validity_days=10)
    result, _ = local_ca_issue(plugin, make_csr(make_key()), validity_days=90)
    root = _cert(plugin.get_default_signing_cert())
    assert _cert(result.certificate).not_valid_after_utc == root.not_valid_after_utc


def test_serials_are_random_positive_and_distinct(local_ca, local_ca_issue):
    key = make_key()
    serials = [
        _cert(local_ca_issue(local_ca, make_csr(key))[0].certificate).serial_number
        for _ in range(12)
    ]
    assert len(set(serials)) == len(serials)
    assert all(0 < s < 2**159 and s.bit_length() > 63 for s in serials)
    # 159 random bits: twelve serials all under 2**152 would be a 1 in 2**84 event.
    assert max(serials).bit_length() > 152


@pytest.mark.parametrize(
    ("csr", "reason"),
    [
        (lambda: "this is not a CSR", "neither PEM nor DER"),
        (lambda: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END", "not a valid PEM"),
        (lambda: tamper_signature(make_csr(make_key())), "signature does not verify"),
        (lambda: make_csr(make_key("rsa1024")), "RSA key of 1024 bits is too weak"),
        (lambda: make_csr(make_key("p192")), "secp192r1 is not accepted"),
    ],
    ids=["garbage", "broken-pem", "tampered-signature", "rsa1024", "p192"],
)
def test_bad_csrs_are_refused_with_the_reason(local_ca, local_ca_issue, csr, reason):
    result, plugin_meta = local_ca_issue(local_ca, csr())
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert reason in result.status_message
    assert result.certificate is None and plugin_meta == {}


def test_missing_request_data_is_refused(local_ca, local_ca_issue):
    result, _ = local_ca_issue(local_ca, None)
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert result.status_message == "order_meta has no request_data (a PEM CSR)"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"validity_days": 826}, "at most 825 days"),
        ({"validity_days": 0}, "validity_days"),
        ({"profile": "codesign"}, "profile"),
    ],
)
def test_out_of_range_order_fields_are_refused(local_ca, local_ca_issue, fields, reason):
    result, _ = local_ca_issue(local_ca, make_csr(make_key()), **fields)
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert reason in result.status_message
    with pytest.raises(InvalidOrderError, match=reason):
        local_ca.validate_order_meta(fields)


def test_max_validity_days_setting_is_the_ceiling(make_local_ca, local_ca_issue):
    plugin = make_local_ca(max_validity_days=30, default_validity_days=10)
    with pytest.raises(InvalidOrderError, match="at most 30 days"):
        plugin.validate_order_meta({"validity_days": 31, "unrelated": "ignored"})
    plugin.validate_order_meta({"validity_days": 30, "profile": "client"})
    now = dt.datetime.now(dt.UTC)
    result, _ = local_ca_issue(plugin, make_csr(make_key()))
    not_after = _cert(result.certificate).not_valid_after_utc
    assert abs(not_after - (now + dt.timedelta(days=10))) < SLACK


def test_stored_key_orders_use_the_core_generated_csr(local_ca):
    key = make_key("p384")
    order_meta = {"request_type": "stored-key"}
    core_meta = CoreMetaDTO(generated_csr=make_csr(key, ["stored.example.test"]))
    result = local_ca.issue_certificate_request("o", order_meta, {}, core_meta)
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED
    assert _cert(result.certificate).public_key() == key.public_key()

    missing = local_ca.issue_certificate_request("o", order_meta, {}, CoreMetaDTO())
    assert missing.status is CertificateStatus.INVALID_OPERATION
    assert "no CSR generated by the core" in missing.status_message
    assert {str(t) for t in local_ca.supported_request_types()} == {"simple-cmc", "stored-key"}


def test_other_order_methods_have_nothing_pending(local_ca, local_ca_issue):
    core = CoreMetaDTO()
    for method in (local_ca.modify_certificate_request, local_ca.cancel_certificate_request):
        result = method("o", {}, {}, core)
        assert result.status is CertificateStatus.INVALID_OPERATION
        assert "issues synchronously" in result.status_message
    unknown = local_ca.check_certificate_status("o", {}, {}, core)
    assert unknown.status is CertificateStatus.INVALID_OPERATION
    assert "nothing to check" in unknown.status_message

    issued, plugin_meta = local_ca_issue(local_ca, make_csr(make_key()))
    again = local_ca.check_certificate_status("o", {}, plugin_meta, core)
    assert again.status is CertificateStatus.CERTIFICATE_GENERATED
    assert again.certificate == issued.certificate
    rerun = local_ca.issue_certificate_request("o", {}, plugin_meta, core)
    assert rerun.certificate == issued.certificate  # a re-run does not sign twice


def test_names_come_from_the_csr_and_an_empty_subject_makes_the_san_critical(
    local_ca, local_ca_issue
):
    key = make_key()
    bare = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([]))
    with_san = bare.add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), False)
    pem = with_san.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
    result, _ = local_ca_issue(local_ca, pem)
    cert = _cert(result.certificate)
    assert list(cert.subject) == [] and _ext(cert, x509.SubjectAlternativeName).critical

    nameless = bare.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
    result, _ = local_ca_issue(local_ca, nameless)
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert result.status_message == "CSR has neither a subject nor a subjectAltName"
