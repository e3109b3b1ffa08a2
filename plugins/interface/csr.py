"""Reading and checking PKCS#10 certificate signing requests.

Shared by the core (which rejects a bad CSR before an order starts, and checks an
issued certificate against its CSR) and by plugins that sign CSRs themselves.
"""

from __future__ import annotations

import base64
import binascii
import functools

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding

from certorder.plugins.interface.errors import InvalidOrderError

MIN_RSA_BITS = 2048
ALLOWED_CURVES = (ec.SECP256R1, ec.SECP384R1)


def load_csr(data: str | bytes) -> x509.CertificateSigningRequest:
    """Parse a CSR given as PEM, DER, or base64 of either; check signature and key.

    :raises InvalidOrderError: with a message that says what is wrong.
    """
    if not isinstance(data, str | bytes):
        raise InvalidOrderError("CSR must be PEM or DER, as text or bytes")
    return _load_checked(data.encode(errors="replace") if isinstance(data, str) else data)


# One order's CSR is read by the core's checks, the plugin and the store's check of the
# issued certificate, often in one process: each read verifies its signature again.
# Parsed CSRs are immutable, and only CSRs that passed every check are kept.
@functools.lru_cache(maxsize=256)
def _load_checked(raw: bytes) -> x509.CertificateSigningRequest:
    try:
        csr = _parse(raw)
        # cryptography parses lazily: read now everything the core and the plugins
        # read later, so a malformed field is refused here, as a bad order, and not
        # raised as some other exception from deep inside an order.
        key = csr.public_key()
        signed = csr.is_signature_valid
        csr.subject.rfc4514_string()
        for extension in csr.extensions:
            _ = extension.value
        _ = csr.signature_hash_algorithm
    except _MALFORMED as exc:
        raise InvalidOrderError(f"CSR is malformed: {_first_line(exc)}") from None
    if not signed:
        raise InvalidOrderError("CSR signature does not verify against its public key")
    check_public_key(key)
    return csr


#: What cryptography raises for a CSR it cannot read (beyond plain ValueError).
_MALFORMED = (ValueError, TypeError, UnsupportedAlgorithm, x509.DuplicateExtension,
              x509.InvalidVersion)


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _parse(raw: bytes) -> x509.CertificateSigningRequest:
    stripped = raw.strip()
    if not stripped:
        raise InvalidOrderError("CSR is empty")
    if b"-----BEGIN" in stripped:
        try:
            return x509.load_pem_x509_csr(stripped)
        except _MALFORMED as exc:
            raise InvalidOrderError(
                f"CSR is not a valid PEM certificate request: {_first_line(exc)}") from None
    # Barbican's clients sent base64 of the PEM or DER; accept that too.
    try:
        decoded = base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if b"-----BEGIN" in decoded:
        return _parse(decoded)
    for candidate in (stripped, decoded):
        try:
            return x509.load_der_x509_csr(candidate)
        except _MALFORMED:
            continue
    raise InvalidOrderError("CSR is neither PEM nor DER")


def check_public_key(key: CertificatePublicKeyTypes) -> None:
    """Accept RSA ≥ 2048 bits, ECDSA P-256/P-384 and Ed25519; refuse anything else."""
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise InvalidOrderError(
                f"RSA key of {key.key_size} bits is too weak; at least {MIN_RSA_BITS} are required"
            )
        return
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ALLOWED_CURVES):
            raise InvalidOrderError(
                f"elliptic curve {key.curve.name} is not accepted; use P-256 or P-384"
            )
        return
    if isinstance(key, ed25519.Ed25519PublicKey):
        return
    raise InvalidOrderError(f"key type {type(key).__name__} is not accepted")


def csr_pem(csr: x509.CertificateSigningRequest) -> str:
    """The CSR as PEM text."""
    return csr.public_bytes(Encoding.PEM).decode()
