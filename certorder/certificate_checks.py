"""The core's check of what a plugin says it issued, before the order goes ACTIVE.

A CA (or a plugin bug) can hand back a certificate for another key, one already
expired, or a chain that does not lead to the leaf; the client would only find out
when a TLS handshake fails. Each problem becomes one clear sentence instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.errors import InvalidOrderError

#: A CA's clock may run ahead of ours: a certificate this fresh is still accepted.
NOT_BEFORE_SKEW = timedelta(minutes=5)


class CertificateCheckError(ValueError):
    """The issued certificate is unusable; the message says what failed, in one line."""


def check_issued_certificate(
    certificate: str, intermediates: str | None, csr_pem: str | None, now: datetime
) -> None:
    """Check a plugin's issued certificate against the order and the clock.

    :param certificate: exactly one PEM certificate, the leaf.
    :param intermediates: PEM certificates from the leaf's issuer upwards, or None/blank.
    :param csr_pem: the order's CSR; when given, the leaf must carry its public key.
    :param now: the current time, timezone-aware (in a workflow: ``workflow.now()``).
    :raises CertificateCheckError: naming the first check that failed.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    leaf = _load_leaf(certificate)
    if csr_pem is not None:
        _check_key_matches_csr(leaf, csr_pem)
    _check_validity(leaf, now)
    if intermediates is not None and intermediates.strip():
        _check_chain(leaf, _load_intermediates(intermediates))


def _load_leaf(certificate: str) -> x509.Certificate:
    if not certificate or not certificate.strip():
        raise CertificateCheckError("issued certificate is empty")
    try:
        certs = x509.load_pem_x509_certificates(certificate.encode())
    except ValueError as exc:
        raise CertificateCheckError(f"issued certificate is not a PEM certificate: {exc}") from None
    if len(certs) != 1:
        raise CertificateCheckError(
            f"issued certificate must be exactly one PEM certificate, found {len(certs)}"
        )
    return certs[0]


def _load_intermediates(intermediates: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(intermediates.encode())
    except ValueError as exc:
        raise CertificateCheckError(f"intermediates are not PEM certificates: {exc}") from None


def _spki(key) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _check_key_matches_csr(leaf: x509.Certificate, csr_pem: str) -> None:
    try:
        csr = load_csr(csr_pem)
    except InvalidOrderError as exc:
        raise CertificateCheckError(f"the order's CSR cannot be read: {exc}") from None
    if _spki(leaf.public_key()) != _spki(csr.public_key()):
        raise CertificateCheckError("issued certificate's public key does not match the CSR")


def _check_validity(leaf: x509.Certificate, now: datetime) -> None:
    not_before = leaf.not_valid_before_utc
    not_after = leaf.not_valid_after_utc
    if now + NOT_BEFORE_SKEW < not_before:
        raise CertificateCheckError(
            f"issued certificate is not valid until {not_before.isoformat()}"
        )
    if now > not_after:
        raise CertificateCheckError(f"issued certificate expired at {not_after.isoformat()}")


def _check_chain(leaf: x509.Certificate, chain: list[x509.Certificate]) -> None:
    issuer = chain[0]
    if leaf.issuer != issuer.subject:
        raise CertificateCheckError(
            f"issued certificate's issuer '{leaf.issuer.rfc4514_string()}' is not the subject "
            f"of the first intermediate '{issuer.subject.rfc4514_string()}'"
        )
    try:
        leaf.verify_directly_issued_by(issuer)
    except InvalidSignature:
        raise CertificateCheckError(
            "issued certificate's signature does not verify with the first intermediate's key"
        ) from None
    except (TypeError, ValueError):
        # A key or signature algorithm cryptography cannot verify: the names
        # matched, which is as far as we can check.
        return
