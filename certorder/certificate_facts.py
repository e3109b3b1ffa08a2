"""What people read of a certificate or a CSR: names, serial, validity, fingerprint."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from certorder.activities.models import IssuedCertificate


def certificate_facts(pem: str) -> IssuedCertificate:
    """Serial (hex), validity and SHA-256 fingerprint (colon-separated hex) of a PEM leaf."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return IssuedCertificate(
        serial=f"{cert.serial_number:x}", not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper())


def subject_and_sans(csr: x509.CertificateSigningRequest) -> tuple[str | None, list[str]]:
    """The CSR's subject (RFC 4514) and its DNS, IP, e-mail and URI names."""
    subject = csr.subject.rfc4514_string() or None
    try:
        names = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return subject, []
    return subject, [str(getattr(name, "value", name)) for name in names]
