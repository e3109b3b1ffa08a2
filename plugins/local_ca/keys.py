"""CA private keys of the local CA: generation, signature hashes, and keys at rest.

A key is kept as PKCS#8 PEM, encrypted with ``BestAvailableEncryption`` when a
passphrase is set; in the shared store the core seals that PEM again with the KEK.
Key files (a configured root's, or those of the old data_dir layout) are only read.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.backends.openssl import backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes

from certorder.plugins.interface.errors import PluginConfigurationError

log = logging.getLogger(__name__)

#: Key types the local CA can create for its own (root and sub-CA) keys.
CAKeyType = Literal["p256", "p384", "rsa3072", "rsa4096", "ed25519"]

#: The CA signing key types this module can sign with.
CAPrivateKey = CertificateIssuerPrivateKeyTypes


def generate_ca_key(key_type: CAKeyType) -> CAPrivateKey:
    """A fresh private key of ``key_type`` for a CA."""
    if key_type == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    if key_type == "rsa3072":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if key_type == "rsa4096":
        return rsa.generate_private_key(public_exponent=65537, key_size=4096)
    if key_type == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"unknown CA key type {key_type!r}")


def signature_hash(key: CAPrivateKey) -> hashes.HashAlgorithm | None:
    """The hash to sign with: SHA-256 for RSA and ECDSA, none for Ed25519 (it hashes itself)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return hashes.SHA256()
    raise PluginConfigurationError(f"CA key type {type(key).__name__} cannot sign certificates")


def signs_deterministically(key: CAPrivateKey) -> bool:
    """Whether signing the same content with ``key`` again yields the same bytes: RSA
    (PKCS#1 v1.5) and Ed25519 always; ECDSA with RFC 6979 nonces, which cryptography
    offers on OpenSSL 3.2 and later, not in FIPS mode nor on LibreSSL or BoringSSL."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return bool(backend.ecdsa_deterministic_supported())
    return True


def sign_certificate(builder: x509.CertificateBuilder, key: CAPrivateKey) -> x509.Certificate:
    """Sign ``builder``, deterministically where :func:`signs_deterministically`: a
    repeated issue for one order (``issued_orders``) then signs what the first attempt
    did, byte for byte."""
    deterministic = (True if isinstance(key, ec.EllipticCurvePrivateKey)
                     and signs_deterministically(key) else None)
    return builder.sign(key, signature_hash(key), ecdsa_deterministic=deterministic)


def private_key_pem(key: CAPrivateKey, passphrase: str | None) -> bytes:
    """``key`` as PKCS#8 PEM, encrypted when a passphrase is given."""
    encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
    if passphrase:
        encryption = serialization.BestAvailableEncryption(passphrase.encode())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def load_private_key(path: Path, passphrase: str | None) -> CAPrivateKey:
    """Read a CA key from the file ``path`` (see :func:`load_private_key_pem`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PluginConfigurationError(f"cannot read CA key {path}: {exc.strerror}") from None
    return load_private_key_pem(data, passphrase, f"CA key {path}")


def load_private_key_pem(data: bytes, passphrase: str | None, what: str) -> CAPrivateKey:
    """A CA key from PEM ``data`` (``what`` names it in messages), decrypted with
    ``passphrase`` if it is encrypted.

    :raises PluginConfigurationError: wrong or missing passphrase, not a PEM key, or a
        key that cannot sign certificates.
    """
    password = passphrase.encode() if passphrase else None
    try:
        key = serialization.load_pem_private_key(data, password)
    except TypeError:
        if password is None:
            raise PluginConfigurationError(
                f"{what} is encrypted; set the passphrase "
                "(option 'passphrase' or CERTORDER_LOCAL_CA_PASSPHRASE)"
            ) from None
        # A key written before a passphrase was configured: still usable, but say so,
        # because it is kept unencrypted (under the KEK only, in the shared store).
        log.warning("%s is not encrypted although a passphrase is set", what)
        key = serialization.load_pem_private_key(data, None)
    except ValueError:
        raise PluginConfigurationError(
            f"cannot load {what}: wrong passphrase or not a PEM private key"
        ) from None
    signature_hash(key)  # type: ignore[arg-type]  # refuses keys that cannot sign
    return key  # type: ignore[return-value]
