"""Envelope encryption of private keys: AES-256-GCM under a per-key data key, the data
key itself AES-256-GCM-wrapped by the key-encryption key (KEK).

Rotating the KEK re-wraps 32-byte data keys and never touches a key's ciphertext. Both
encryptions bind the key id as associated data, so a ciphertext copied onto another
row fails to decrypt instead of yielding the wrong key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEK_BYTES = 32
_NONCE_BYTES = 12


class KeyDecryptionError(Exception):
    """A stored key cannot be decrypted with the KEK at hand (wrong KEK, damaged row)."""


class Kek:
    """A 256-bit key-encryption key. Its ``kek_id`` (a hash prefix) names it in the store
    and in messages; the key itself is never printed (no ``__repr__`` of the bytes)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != KEK_BYTES:
            raise ValueError(f"a KEK is {KEK_BYTES} bytes, not {len(secret)}")
        self._aead = AESGCM(secret)
        self.kek_id = hashlib.sha256(b"certorder-kek-id:" + secret).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"Kek(kek_id={self.kek_id!r})"

    def wrap(self, data_key: bytes, key_id: str) -> str:
        return _seal(self._aead, data_key, key_id)

    def unwrap(self, wrapped: str, key_id: str) -> bytes:
        return _open(self._aead, wrapped, key_id, f"data key of {key_id}")


def new_kek_text() -> str:
    """A fresh KEK as the base64 text a KEK file or ``CERTORDER_KEK`` holds."""
    return base64.b64encode(os.urandom(KEK_BYTES)).decode("ascii")


@dataclass(frozen=True)
class SealedKey:
    """What the store keeps of one private key: nothing here is secret without the KEK."""

    ciphertext: str
    wrapped_data_key: str
    kek_id: str

    def __repr__(self) -> str:
        return f"SealedKey(kek_id={self.kek_id!r})"


def seal(private_pem: bytes, key_id: str, kek: Kek) -> SealedKey:
    data_key = AESGCM.generate_key(bit_length=256)
    return SealedKey(ciphertext=_seal(AESGCM(data_key), private_pem, key_id),
                     wrapped_data_key=kek.wrap(data_key, key_id), kek_id=kek.kek_id)


def unseal(sealed: SealedKey, key_id: str, kek: Kek) -> bytes:
    if sealed.kek_id != kek.kek_id:
        raise KeyDecryptionError(
            f"key {key_id} is wrapped by KEK {sealed.kek_id}, not by the configured KEK "
            f"{kek.kek_id}")
    data_key = kek.unwrap(sealed.wrapped_data_key, key_id)
    return _open(AESGCM(data_key), sealed.ciphertext, key_id, f"key {key_id}")


def _seal(aead: AESGCM, plaintext: bytes, key_id: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    return base64.b64encode(nonce + aead.encrypt(nonce, plaintext, key_id.encode())).decode()


def _open(aead: AESGCM, sealed: str, key_id: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(sealed, validate=True)
        return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], key_id.encode())
    except (InvalidTag, ValueError):
        raise KeyDecryptionError(f"cannot decrypt the {what}: wrong KEK or damaged row") from None
