"""What ``cert inspect`` shows of a certificate: plain data, for people and for JSON."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa


def describe(pem: str | bytes) -> dict[str, Any]:
    """Subject, SANs, issuer, serial, validity, key, SHA-256 fingerprint, extensions of
    the first certificate in ``pem``.

    :raises ValueError: not a PEM certificate.
    """
    data = pem.encode() if isinstance(pem, str) else pem
    cert = x509.load_pem_x509_certificates(data)[0]
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n.value) for n in sans]
    except x509.ExtensionNotFound:
        names = []
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "sans": names,
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key": _key(cert.public_key()),
        "sha256_fingerprint": cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        "extensions": [
            {"name": getattr(ext.oid, "_name", None) or ext.oid.dotted_string,
             "oid": ext.oid.dotted_string, "critical": ext.critical, "value": _value(ext.value)}
            for ext in cert.extensions],
    }


def _key(public_key: object) -> str:
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"RSA {public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return f"EC {public_key.curve.name} ({public_key.key_size} bits)"
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(public_key, ed448.Ed448PublicKey):
        return "Ed448"
    return type(public_key).__name__


def _value(value: x509.ExtensionType) -> str:
    if isinstance(value, x509.SubjectAlternativeName):
        return ", ".join(str(n.value) for n in value)
    if isinstance(value, x509.ExtendedKeyUsage):
        return ", ".join(getattr(u, "_name", u.dotted_string) for u in value)
    if isinstance(value, x509.BasicConstraints):
        return f"CA={value.ca}" + (f", pathlen={value.path_length}"
                                   if value.path_length is not None else "")
    if isinstance(value, x509.KeyUsage):
        flags = ("digital_signature", "content_commitment", "key_encipherment",
                 "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign")
        return ", ".join(f for f in flags if getattr(value, f))
    if isinstance(value, x509.SubjectKeyIdentifier):
        return value.digest.hex(":")
    if isinstance(value, x509.AuthorityKeyIdentifier) and value.key_identifier:
        return value.key_identifier.hex(":")
    return repr(value)
