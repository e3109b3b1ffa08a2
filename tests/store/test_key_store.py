"""Private keys in the store: envelope encryption, idempotent creation, KEK checks and
rotation, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import os

import pytest
from sqlalchemy import select

from certorder.keys.envelope import Kek, KeyDecryptionError
from certorder.keys.generation import KeyType, build_csr, load_private
from certorder.store import CertificateStore
from certorder.store.key_store import KeyStore
from certorder.store.schema import private_keys


@pytest.fixture
def store(empty_database_url: str):
    """A store of its own: KEK checks and rotation look at every key in the database."""
    opened = CertificateStore.open(empty_database_url)
    yield opened
    opened.close()


def _kek() -> Kek:
    return Kek(os.urandom(32))


@pytest.mark.parametrize("key_type", list(KeyType))
def test_every_key_type_round_trips_and_signs_a_csr(store: CertificateStore,
                                                    key_type: KeyType) -> None:
    keys = KeyStore(store.engine, _kek())
    info = keys.create(f"k-{key_type}", key_type)
    key = keys.private_key(info.key_id)
    assert info.key_type is key_type
    assert "BEGIN CERTIFICATE REQUEST" in build_csr(key, ["www.example.test"], ["127.0.0.1"])


def test_the_row_holds_no_plaintext_key(store: CertificateStore) -> None:
    keys = KeyStore(store.engine, _kek())
    keys.create("k1", KeyType.EC_P256)
    pem = keys.private_pem("k1")
    der_b64 = base64.b64encode(load_private(pem).private_bytes(
        *_der_args())).decode()
    with store.engine.connect() as connection:
        row = connection.execute(select(private_keys).where(private_keys.c.key_id == "k1")).one()
    text = " ".join(str(value) for value in row)
    assert "PRIVATE KEY" not in text and der_b64[:40] not in text


def _der_args():
    from cryptography.hazmat.primitives import serialization
    return (serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())


def test_create_is_idempotent_by_key_id(store: CertificateStore) -> None:
    keys = KeyStore(store.engine, _kek())
    first = keys.create("k1", KeyType.EC_P256)
    again = keys.create("k1", KeyType.EC_P256)
    assert again.public_key == first.public_key
    assert keys.key_ids() == ["k1"]
    with pytest.raises(ValueError, match="exists as ec-p256"):
        keys.create("k1", KeyType.RSA_2048)


def test_a_wrong_kek_is_refused_never_a_corrupt_key(store: CertificateStore) -> None:
    KeyStore(store.engine, _kek()).create("k1", KeyType.EC_P256)
    wrong = KeyStore(store.engine, _kek())
    with pytest.raises(KeyDecryptionError, match="wrong KEK"):
        wrong.check_kek()
    with pytest.raises(KeyDecryptionError):
        wrong.private_pem("k1")


def test_rotation_rewraps_data_keys_and_leaves_keys_alone(store: CertificateStore) -> None:
    old, new = _kek(), _kek()
    keys = KeyStore(store.engine, old)
    for n in range(3):
        keys.create(f"k{n}", KeyType.EC_P256)
    before = {k: keys.private_pem(k) for k in keys.key_ids()}
    with store.engine.connect() as connection:
        ciphertexts = dict(connection.execute(
            select(private_keys.c.key_id, private_keys.c.ciphertext)).all())

    assert keys.rotate_kek(new) == 3
    assert keys.rotate_kek(new) == 0  # a second run finds nothing left to do

    rotated = KeyStore(store.engine, new)
    rotated.check_kek()
    assert {k: rotated.private_pem(k) for k in rotated.key_ids()} == before
    with store.engine.connect() as connection:
        assert dict(connection.execute(
            select(private_keys.c.key_id, private_keys.c.ciphertext)).all()) == ciphertexts
    with pytest.raises(KeyDecryptionError):
        KeyStore(store.engine, old).check_kek()
