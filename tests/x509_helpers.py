"""Shared test helpers: make private keys and CSRs of every kind the tests need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509 import DNSName
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store

KeyKind = Literal["p256", "p384", "rsa2048", "rsa1024", "ed25519", "p192"]

_CURVES = {"p256": ec.SECP256R1, "p384": ec.SECP384R1, "p192": ec.SECP192R1}


def make_key(kind: KeyKind = "p256") -> CertificateIssuerPrivateKeyTypes:
    """A fresh private key; ``rsa1024`` and ``p192`` exist to test refusal of weak keys."""
    if kind in _CURVES:
        return ec.generate_private_key(_CURVES[kind]())
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "rsa1024":
        return rsa.generate_private_key(public_exponent=65537, key_size=1024)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"unknown key kind {kind!r}")


def _hash_for(key: CertificateIssuerPrivateKeyTypes) -> hashes.HashAlgorithm | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def make_csr(
    key: CertificateIssuerPrivateKeyTypes,
    dns_names: Sequence[str] = ("www.example.test",),
    common_name: str | None = None,
) -> str:
    """A PEM CSR signed by ``key``: CN (default: the first DNS name) and a SAN of ``dns_names``."""
    cn = common_name or (dns_names[0] if dns_names else "certorder test")
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    )
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]),
            critical=False,
        )
    csr = builder.sign(key, _hash_for(key))
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def tamper_signature(csr_pem: str) -> str:
    """The same CSR with one bit of its signature flipped (so the signature fails)."""
    der = bytearray(
        x509.load_pem_x509_csr(csr_pem.encode()).public_bytes(serialization.Encoding.DER)
    )
    # The signature BIT STRING is the last element of the CSR, so its final byte is
    # signature material; flipping it keeps the DER well-formed.
    der[-1] ^= 0x01
    tampered = x509.load_der_x509_csr(bytes(der))
    return tampered.public_bytes(serialization.Encoding.PEM).decode()


def _load_chain(cert_pem: str, intermediates_pem: str | None, root_pem: str):
    leaf = x509.load_pem_x509_certificate(cert_pem.encode())
    intermediates = (
        x509.load_pem_x509_certificates(intermediates_pem.encode()) if intermediates_pem else []
    )
    root = x509.load_pem_x509_certificate(root_pem.encode())
    return leaf, intermediates, root


def verify_server_chain(
    cert_pem: str,
    intermediates_pem: str | None,
    root_pem: str,
    dns_name: str,
    at: dt.datetime | None = None,
) -> list[x509.Certificate]:
    """Path-validate a TLS server certificate for ``dns_name`` up to ``root_pem`` with
    ``cryptography.x509.verification`` (WebPKI rules); returns the built chain.

    :raises cryptography.x509.verification.VerificationError: if it does not verify.
    """
    leaf, intermediates, root = _load_chain(cert_pem, intermediates_pem, root_pem)
    verifier = (
        PolicyBuilder()
        .store(Store([root]))
        .time(at or dt.datetime.now(dt.UTC))
        .build_server_verifier(DNSName(dns_name))
    )
    return verifier.verify(leaf, intermediates)


def verify_client_chain(
    cert_pem: str, intermediates_pem: str | None, root_pem: str, at: dt.datetime | None = None
) -> list[x509.Certificate]:
    """Path-validate a TLS client certificate up to ``root_pem``; returns the built chain."""
    leaf, intermediates, root = _load_chain(cert_pem, intermediates_pem, root_pem)
    verifier = (
        PolicyBuilder()
        .store(Store([root]))
        .time(at or dt.datetime.now(dt.UTC))
        .build_client_verifier()
    )
    return verifier.verify(leaf, intermediates).chain
