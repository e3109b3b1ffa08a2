"""check_issued_certificate: what the core refuses before an order goes ACTIVE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from certorder.certificate_checks import CertificateCheckError, check_issued_certificate

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(Encoding.PEM).decode()


def _certificate(
    subject,
    subject_key,
    issuer,
    issuer_key,
    *,
    start=NOW - timedelta(days=1),
    end=NOW + timedelta(days=90),
    ca=False,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(subject_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    return builder.sign(issuer_key, hashes.SHA256())


class Pki:
    """A root, an issuing CA under it, and a CSR for a leaf."""

    def __init__(self) -> None:
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _certificate(
            _name("Test Root"),
            self.root_key.public_key(),
            _name("Test Root"),
            self.root_key,
            ca=True,
        )
        self.issuer_key = ec.generate_private_key(ec.SECP256R1())
        self.issuer = _certificate(
            _name("Test Issuing CA"),
            self.issuer_key.public_key(),
            self.root.subject,
            self.root_key,
            ca=True,
        )
        self.leaf_key = ec.generate_private_key(ec.SECP256R1())
        self.csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(_name("www.example.test"))
            .sign(self.leaf_key, hashes.SHA256())
        )
        self.csr_pem = self.csr.public_bytes(Encoding.PEM).decode()
        self.chain = _pem(self.issuer) + _pem(self.root)

    def leaf(self, key=None, **validity) -> str:
        public_key = (key or self.leaf_key).public_key()
        return _pem(
            _certificate(
                self.csr.subject, public_key, self.issuer.subject, self.issuer_key, **validity
            )
        )


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def test_good_certificate_with_chain_passes(pki: Pki) -> None:
    check_issued_certificate(pki.leaf(), pki.chain, pki.csr_pem, NOW)


def test_good_certificate_without_csr_or_chain_passes(pki: Pki) -> None:
    check_issued_certificate(pki.leaf(), None, None, NOW)
    check_issued_certificate(pki.leaf(), "  \n", None, NOW)


def test_certificate_for_another_key_is_refused(pki: Pki) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())

    with pytest.raises(
        CertificateCheckError, match="^issued certificate's public key does not match the CSR$"
    ):
        check_issued_certificate(pki.leaf(key=stranger), pki.chain, pki.csr_pem, NOW)


def test_expired_certificate_is_refused_with_its_end_date(pki: Pki) -> None:
    end = datetime(2026, 1, 1, tzinfo=UTC)
    expired = pki.leaf(start=end - timedelta(days=30), end=end)

    with pytest.raises(CertificateCheckError) as caught:
        check_issued_certificate(expired, pki.chain, pki.csr_pem, NOW)
    assert str(caught.value) == "issued certificate expired at 2026-01-01T00:00:00+00:00"


def test_not_yet_valid_certificate_is_refused(pki: Pki) -> None:
    later = pki.leaf(start=NOW + timedelta(hours=2))

    with pytest.raises(
        CertificateCheckError,
        match=r"^issued certificate is not valid until 2026-06-01T14:00:00\+00:00$",
    ):
        check_issued_certificate(later, None, pki.csr_pem, NOW)


def test_small_clock_skew_on_not_before_is_allowed(pki: Pki) -> None:
    check_issued_certificate(pki.leaf(start=NOW + timedelta(minutes=4)), None, None, NOW)
    with pytest.raises(CertificateCheckError, match="not valid until"):
        check_issued_certificate(pki.leaf(start=NOW + timedelta(minutes=6)), None, None, NOW)


@pytest.mark.parametrize(
    ("certificate", "message"),
    [
        ("", "^issued certificate is empty$"),
        ("not a certificate", "^issued certificate is not a PEM certificate: "),
        (
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "^issued certificate is not a PEM certificate: ",
        ),
    ],
)
def test_garbage_certificate_is_refused(pki: Pki, certificate: str, message: str) -> None:
    with pytest.raises(CertificateCheckError, match=message):
        check_issued_certificate(certificate, None, pki.csr_pem, NOW)


def test_two_certificates_as_the_leaf_are_refused(pki: Pki) -> None:
    with pytest.raises(CertificateCheckError, match="exactly one PEM certificate, found 2"):
        check_issued_certificate(pki.leaf() + pki.leaf(), None, None, NOW)


@pytest.mark.parametrize(
    "intermediates",
    ["garbage", "-----BEGIN CERTIFICATE-----\nZm9v\n-----END CERTIFICATE-----\n"],
)
def test_garbage_intermediates_are_refused(pki: Pki, intermediates: str) -> None:
    with pytest.raises(CertificateCheckError, match="^intermediates are not PEM certificates: "):
        check_issued_certificate(pki.leaf(), intermediates, pki.csr_pem, NOW)


def test_chain_that_does_not_start_at_the_leafs_issuer_is_refused(pki: Pki) -> None:
    root_first = _pem(pki.root) + _pem(pki.issuer)

    with pytest.raises(CertificateCheckError) as caught:
        check_issued_certificate(pki.leaf(), root_first, pki.csr_pem, NOW)
    assert str(caught.value) == (
        "issued certificate's issuer 'CN=Test Issuing CA' is not the subject of the first "
        "intermediate 'CN=Test Root'"
    )


def test_issuer_with_the_right_name_but_another_key_is_refused(pki: Pki) -> None:
    impostor_key = ec.generate_private_key(ec.SECP256R1())
    impostor = _certificate(
        pki.issuer.subject, impostor_key.public_key(), pki.root.subject, pki.root_key, ca=True
    )

    with pytest.raises(CertificateCheckError, match="signature does not verify"):
        check_issued_certificate(pki.leaf(), _pem(impostor), pki.csr_pem, NOW)


def test_unreadable_csr_is_reported(pki: Pki) -> None:
    with pytest.raises(CertificateCheckError, match="^the order's CSR cannot be read: "):
        check_issued_certificate(pki.leaf(), None, "not a csr", NOW)


def test_naive_now_is_a_programming_error(pki: Pki) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check_issued_certificate(pki.leaf(), None, None, NOW.replace(tzinfo=None))
