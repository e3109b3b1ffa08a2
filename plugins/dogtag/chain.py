"""Turning Dogtag's ``CertData`` into the leaf PEM and the intermediates PEM.

Dogtag sends the leaf as PEM (``Encoded``) and the chain as a PKCS#7 bundle
(``PKCS7CertChain``): base64 DER *without* PEM armour in most versions (Dogtag ticket
1374, which Barbican patched by gluing on ``-----BEGIN CERTIFICATE-----`` headers and so
passed a PKCS#7 off as a certificate). Here the bundle is parsed as what it is, and the
certificates are ordered by issuer, leaving out the leaf and the self-signed root.
"""

from __future__ import annotations

import base64
import binascii

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7


class ChainError(ValueError):
    """Dogtag's certificate data could not be understood."""


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(Encoding.PEM).decode()


def _load_leaf(encoded: object) -> x509.Certificate:
    if not isinstance(encoded, str) or not encoded.strip():
        raise ChainError("Dogtag returned no certificate in 'Encoded'")
    try:
        if "-----BEGIN" in encoded:
            return x509.load_pem_x509_certificate(encoded.encode())
        return x509.load_der_x509_certificate(base64.b64decode("".join(encoded.split())))
    except (ValueError, binascii.Error) as exc:
        raise ChainError(f"Dogtag's certificate does not parse: {exc}") from None


def _load_bundle(bundle: object) -> list[x509.Certificate]:
    if not isinstance(bundle, str) or not bundle.strip():
        return []
    try:
        if "-----BEGIN" in bundle:
            return pkcs7.load_pem_pkcs7_certificates(bundle.encode())
        return pkcs7.load_der_pkcs7_certificates(base64.b64decode("".join(bundle.split())))
    except (ValueError, binascii.Error) as exc:
        raise ChainError(f"Dogtag's PKCS#7 chain does not parse: {exc}") from None


def issuer_path(leaf: x509.Certificate, pool: list[x509.Certificate]) -> list[x509.Certificate]:
    """The CA certificates above ``leaf`` found in ``pool``, nearest first, root excluded.

    A PKCS#7 bundle is an unordered SET, so order is rebuilt by names: each step takes
    the certificate whose subject is the current issuer and whose key verifies it.
    """
    path: list[x509.Certificate] = []
    current = leaf
    candidates = [c for c in pool if c != leaf]
    while not _issued(current, current):
        parent = next((c for c in candidates if _issued(current, c)), None)
        if parent is None:
            break
        candidates.remove(parent)
        if _issued(parent, parent):
            break
        path.append(parent)
        current = parent
    return path


def _issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def split_cert_data(cert_data: dict) -> tuple[str, str | None]:
    """``(leaf PEM, intermediates PEM or None)`` from a ``CertData`` dict."""
    leaf = _load_leaf(cert_data.get("Encoded"))
    intermediates = issuer_path(leaf, _load_bundle(cert_data.get("PKCS7CertChain")))
    return _pem(leaf), "".join(_pem(c) for c in intermediates) or None


def chain_above(ca_cert_pem: str, chain_pem: str | None) -> str | None:
    """The PEM chain above a CA certificate (root excluded), from a PKCS#7 PEM bundle."""
    ca_cert = x509.load_pem_x509_certificate(ca_cert_pem.encode())
    path = issuer_path(ca_cert, _load_bundle(chain_pem))
    return "".join(_pem(c) for c in path) or None
