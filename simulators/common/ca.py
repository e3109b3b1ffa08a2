"""The certificate pieces every simulated CA builds the same way.

Simulators (and the test CA servers) issue real chains with ``cryptography`` so that a
plugin's chain handling is checked against real verification. What differs per CA
(names, validity, serials, which key identifiers it writes) stays with that CA: the
builders here return a ``CertificateBuilder`` the caller finishes and signs.
Keys are ECDSA P-256 because they take milliseconds to make: every test gets fresh CAs.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def new_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 private key."""
    return ec.generate_private_key(ec.SECP256R1())


def pem(cert: x509.Certificate) -> str:
    """A certificate as PEM text."""
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def private_key_pem(
    key: ec.EllipticCurvePrivateKey,
    fmt: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8,
) -> bytes:
    """An unencrypted private key as PEM bytes."""
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())


def _key_usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


#: Key usage of a CA certificate: signs certificates and CRLs (and OCSP answers).
CA_KEY_USAGE = _key_usage(ca=True)
#: Key usage of an ECDSA TLS leaf: digital signature only.
LEAF_KEY_USAGE = _key_usage(ca=False)


def ca_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    *,
    not_before: dt.datetime,
    not_after: dt.datetime,
    path_length: int | None = None,
) -> x509.CertificateBuilder:
    """A CA certificate for ``public_key``: random serial, critical basic constraints and
    key usage, subject key identifier. The caller adds any authority key identifier."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def leaf_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key,
    *,
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
    usage: x509.ObjectIdentifier,
) -> x509.CertificateBuilder:
    """An end-entity certificate: critical ``CA:FALSE`` and key usage, one extended key
    usage. The caller adds names and key identifiers."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(LEAF_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )
