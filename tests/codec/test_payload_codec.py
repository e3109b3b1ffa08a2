"""The AES-GCM payload codec: opaque output, rotation by key id, tamper detection, and
settings mistakes as one line."""

from __future__ import annotations

import base64
import os

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from certorder.codec import ENCODING, AesGcmCodec, PayloadDecryptionError, data_converter
from certorder.settings import Settings, SettingsError

SECRET = b'{"request_data": "-----BEGIN CERTIFICATE REQUEST-----"}'


def _payload(data: bytes = SECRET) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


def _b64_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


async def test_encoded_payloads_are_opaque_and_decode_back():
    codec = AesGcmCodec({"k1": os.urandom(32)}, "k1")
    [encoded] = await codec.encode([_payload()])
    assert encoded.metadata["encoding"] == ENCODING
    assert encoded.metadata["encryption-key-id"] == b"k1"
    assert b"CERTIFICATE" not in encoded.SerializeToString()
    assert await codec.decode([encoded]) == [_payload()]
    # Same plaintext, fresh nonce: nothing to correlate two orders by.
    [again] = await codec.encode([_payload()])
    assert again.data != encoded.data


async def test_rotation_encrypts_with_the_current_id_and_decrypts_any_known_one():
    old_key, new_key = os.urandom(32), os.urandom(32)
    [written_before] = await AesGcmCodec({"k1": old_key}, "k1").encode([_payload()])
    rotated = AesGcmCodec({"k1": old_key, "k2": new_key}, "k2")
    [written_after] = await rotated.encode([_payload()])
    assert written_after.metadata["encryption-key-id"] == b"k2"
    assert await rotated.decode([written_before, written_after]) == [_payload(), _payload()]
    with pytest.raises(PayloadDecryptionError, match="unknown key id 'k2'"):
        await AesGcmCodec({"k1": old_key}, "k1").decode([written_after])


async def test_plain_payloads_of_older_orders_pass_through():
    codec = AesGcmCodec({"k1": os.urandom(32)}, "k1")
    assert await codec.decode([_payload()]) == [_payload()]


async def test_altered_or_relabelled_ciphertext_is_refused():
    codec = AesGcmCodec({"k1": os.urandom(32), "k2": os.urandom(32)}, "k1")
    [encoded] = await codec.encode([_payload()])
    last = bytes([encoded.data[-1] ^ 1])
    flipped = Payload(metadata=encoded.metadata, data=encoded.data[:-1] + last)
    relabelled = Payload(metadata={**encoded.metadata, "encryption-key-id": b"k2"},
                         data=encoded.data)
    for bad in (flipped, relabelled):
        with pytest.raises(PayloadDecryptionError, match="fails authentication"):
            await codec.decode([bad])


def test_no_keys_means_the_plain_pydantic_converter():
    assert data_converter(Settings()) is pydantic_data_converter
    converter = data_converter(Settings(payload_keys={"k1": _b64_key()}))
    assert isinstance(converter.payload_codec, AesGcmCodec)
    assert converter.payload_converter_class is pydantic_data_converter.payload_converter_class


@pytest.mark.parametrize(("keys", "current", "message"), [
    ({"k1": "c2hvcnQ="}, None, "payload_keys.k1 must be 32 bytes in base64"),
    ({"k1": "not base64!"}, None, "payload_keys.k1 must be 32 bytes"),
    ({"k1": _b64_key(), "k2": _b64_key()}, None, "payload_key_id must name the current"),
    ({"k1": _b64_key()}, "k9", "payload_key_id 'k9' is not one of payload_keys"),
])  # fmt: skip
def test_key_mistakes_are_one_settings_error(keys, current, message):
    with pytest.raises(SettingsError, match=message):
        data_converter(Settings(payload_keys=keys, payload_key_id=current))
