"""Optional payload encryption: AES-256-GCM, keys named by id so they can be rotated.

Orders' histories hold CSRs, certificates, ``plugin_meta`` and DCV tokens. With keys
configured (``payload_keys``: id → base64 of 32 bytes; ``payload_key_id``: the one new
payloads are encrypted with), every payload leaves the process encrypted, and Temporal
stores only ciphertext. Decryption accepts any configured id, so rotating is: add the
new key, make it current, keep the old ones as long as histories encrypted with them
are retained. Payloads that are not encrypted (orders from before encryption was
turned on) pass through unchanged. Search attributes are never encoded (they hold
statuses and plugin names only, see ``workflows/search_attributes.py``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

from certorder.settings import Settings, SettingsError

#: The payload encoding of the ciphertext, as in Temporal's encryption samples.
ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
_NONCE_BYTES = 12


class PayloadDecryptionError(ValueError):
    """A payload cannot be decrypted (unknown key id, or tampered); one line."""


class AesGcmCodec(PayloadCodec):
    """Encrypt with the current key id, decrypt with whichever id a payload names."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"current key id {current!r} is not among the keys")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current = current

    def encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(_NONCE_BYTES)
        # The key id is authenticated data: relabelling a payload breaks its tag.
        sealed = self._ciphers[self.current].encrypt(
            nonce, payload.SerializeToString(), self.current.encode())
        return Payload(metadata={"encoding": ENCODING, KEY_ID: self.current.encode()},
                       data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadDecryptionError(f"payload encrypted with unknown key id {key_id!r}")
        try:
            plain = cipher.decrypt(payload.data[:_NONCE_BYTES], payload.data[_NONCE_BYTES:],
                                   key_id.encode())
        except InvalidTag:
            raise PayloadDecryptionError(
                f"payload with key id {key_id!r} fails authentication (altered, or "
                "another key under the same id)") from None
        return Payload.FromString(plain)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]


def codec_from_settings(settings: Settings) -> AesGcmCodec | None:
    """The codec the settings configure, or None when no key is configured.

    :raises SettingsError: a key that is not base64 of 32 bytes, or an unknown current id.
    """
    if not settings.payload_keys:
        return None
    keys = {key_id: _key(key_id, secret.get_secret_value())
            for key_id, secret in settings.payload_keys.items()}
    current = settings.payload_key_id
    if current is None:
        if len(keys) > 1:
            raise SettingsError("payload_key_id must name the current one of several payload_keys")
        [current] = keys
    if current not in keys:
        raise SettingsError(f"payload_key_id {current!r} is not one of payload_keys "
                            f"({', '.join(sorted(keys))})")
    return AesGcmCodec(keys, current)


def _key(key_id: str, text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise SettingsError(f"payload_keys.{key_id} must be 32 bytes in base64 "
                            "(e.g. `openssl rand -base64 32`)")
    return key


def data_converter(settings: Settings) -> DataConverter:
    """The project's pydantic converter, with the payload codec when keys are configured.

    Failure messages and stack traces are encoded too then: a CA's error text may quote
    the request.
    """
    codec = codec_from_settings(settings)
    if codec is None:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter, payload_codec=codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes)
