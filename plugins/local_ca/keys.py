"""CA private keys of the local CA: generation, signature hashes, and keys at rest.

A key file is always created with ``os.open(..., O_EXCL, 0o600)`` so it is never,
even for an instant, readable by others (a ``chmod`` after writing would leave a
window). With a passphrase the content is PKCS#8 encrypted with
``BestAvailableEncryption``; without one it is plain PKCS#8 and the file mode is the
only protection.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

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


def private_key_pem(key: CAPrivateKey, passphrase: str | None) -> bytes:
    """``key`` as PKCS#8 PEM, encrypted when a passphrase is given."""
    encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
    if passphrase:
        encryption = serialization.BestAvailableEncryption(passphrase.encode())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def write_new_file(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (it must not exist) with ``mode`` from the start, and write ``data``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_private_key(path: Path, key: CAPrivateKey, passphrase: str | None) -> None:
    """Write ``key`` to a new mode-0600 file, encrypted when a passphrase is given."""
    write_new_file(path, private_key_pem(key, passphrase), 0o600)


def load_private_key(path: Path, passphrase: str | None) -> CAPrivateKey:
    """Read a CA key from ``path``, decrypting it with ``passphrase`` if it is encrypted.

    :raises PluginConfigurationError: unreadable file, wrong or missing passphrase, or a
        key that cannot sign certificates.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PluginConfigurationError(f"cannot read CA key {path}: {exc.strerror}") from None
    password = passphrase.encode() if passphrase else None
    try:
        key = serialization.load_pem_private_key(data, password)
    except TypeError:
        if password is None:
            raise PluginConfigurationError(
                f"CA key {path} is encrypted; set the passphrase "
                "(option 'passphrase' or CERTORDER_LOCAL_CA_PASSPHRASE)"
            ) from None
        # A key written before a passphrase was configured: still usable, but say so,
        # because it sits on disk unencrypted.
        log.warning("CA key %s is not encrypted although a passphrase is set", path)
        key = serialization.load_pem_private_key(data, None)
    except ValueError:
        raise PluginConfigurationError(
            f"cannot load CA key {path}: wrong passphrase or not a PEM private key"
        ) from None
    signature_hash(key)  # type: ignore[arg-type]  # refuses keys that cannot sign
    return key  # type: ignore[return-value]
