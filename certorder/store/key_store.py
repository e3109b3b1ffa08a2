"""Private keys in the store: made once per key id, kept encrypted, decrypted on demand.

Key ids are chosen by the workflow before the key exists, so a retried activity (its
worker died mid-generation) finds the key the first attempt stored instead of making
a second one: one key per id, whatever happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from certorder.keys import generation
from certorder.keys.envelope import Kek, KeyDecryptionError, SealedKey, seal, unseal
from certorder.keys.generation import KeyType, PrivateKey
from certorder.store.plugin_state import check_plugin_secrets, rewrap_plugin_secrets
from certorder.store.schema import private_keys
from certorder.store.write_lock import writer


@dataclass(frozen=True)
class KeyInfo:
    """The public facts of a stored key."""

    key_id: str
    key_type: KeyType
    public_key: str
    kek_id: str
    created_at: datetime


class KeyStore:
    """Encrypted private keys, in the certificate store's database."""

    def __init__(self, engine: Engine, kek: Kek) -> None:
        self._engine = engine
        self._kek = kek

    @property
    def kek_id(self) -> str:
        return self._kek.kek_id

    def create(self, key_id: str, key_type: KeyType) -> KeyInfo:
        """Make and store the key ``key_id``, or return it if it exists (same type)."""
        existing = self.info(key_id)
        if existing is None:
            key = generation.generate(key_type)
            sealed = seal(generation.private_pem(key), key_id, self._kek)
            row = dict(key_id=key_id, key_type=key_type.value,
                       public_key=generation.public_pem(key), ciphertext=sealed.ciphertext,
                       wrapped_data_key=sealed.wrapped_data_key, kek_id=sealed.kek_id,
                       created_at=datetime.now(UTC))
            try:
                # Generated before taking the writer lock: the lock is held for the
                # insert only, not for the (slow) key generation.
                with writer(self._engine) as connection, connection.begin():
                    connection.execute(insert(private_keys).values(**row))
            except IntegrityError:
                pass  # another attempt stored it first: that one is the key
            existing = self.info(key_id)
            assert existing is not None
        if existing.key_type is not key_type:
            raise ValueError(f"key {key_id} exists as {existing.key_type}, not {key_type}")
        return existing

    def info(self, key_id: str) -> KeyInfo | None:
        row = self._row(key_id)
        if row is None:
            return None
        created = row.created_at
        return KeyInfo(key_id=row.key_id, key_type=KeyType(row.key_type),
                       public_key=row.public_key, kek_id=row.kek_id,
                       created_at=created.replace(tzinfo=UTC) if created.tzinfo is None
                       else created)

    def private_key(self, key_id: str) -> PrivateKey:
        return generation.load_private(self.private_pem(key_id))

    def private_pem(self, key_id: str) -> bytes:
        """The decrypted PEM of ``key_id``.

        :raises KeyError: no such key.  :raises KeyDecryptionError: wrong KEK.
        """
        row = self._row(key_id)
        if row is None:
            raise KeyError(key_id)
        return unseal(SealedKey(row.ciphertext, row.wrapped_data_key, row.kek_id),
                      key_id, self._kek)

    def key_ids(self) -> list[str]:
        with self._engine.connect() as connection:
            return list(connection.execute(
                select(private_keys.c.key_id).order_by(private_keys.c.key_id)).scalars())

    def delete(self, key_id: str) -> bool:
        with writer(self._engine) as connection, connection.begin():
            return connection.execute(
                delete(private_keys).where(private_keys.c.key_id == key_id)).rowcount > 0

    def check_kek(self) -> None:
        """Prove the KEK opens the store's keys: one data key of each KEK id found.

        :raises KeyDecryptionError: a key is wrapped by another KEK, or this one fails.
        """
        with self._engine.connect() as connection:
            firsts = connection.execute(
                select(private_keys.c.kek_id, func.min(private_keys.c.key_id))
                .group_by(private_keys.c.kek_id)).all()
            rows = [connection.execute(select(private_keys).where(
                private_keys.c.key_id == key_id)).one() for _, key_id in firsts]
            check_plugin_secrets(connection, self._kek)
        for row in rows:
            if row.kek_id != self._kek.kek_id:
                raise KeyDecryptionError(
                    f"the store holds keys wrapped by KEK {row.kek_id} but the configured "
                    f"KEK is {self._kek.kek_id}: wrong KEK (or a rotation not finished)")
            self._kek.unwrap(row.wrapped_data_key, row.key_id)

    def rotate_kek(self, new_kek: Kek) -> int:
        """Re-wrap every data key (plugins' secrets too) under ``new_kek`` in one
        transaction; keys untouched.

        Returns how many were re-wrapped. Keys already under ``new_kek`` are skipped, so
        an interrupted rotation can simply be run again.
        """
        count = 0
        with writer(self._engine) as connection, connection.begin():
            rows = connection.execute(select(
                private_keys.c.key_id, private_keys.c.wrapped_data_key,
                private_keys.c.kek_id)).all()
            for row in rows:
                if row.kek_id == new_kek.kek_id:
                    continue
                if row.kek_id != self._kek.kek_id:
                    raise KeyDecryptionError(
                        f"key {row.key_id} is wrapped by KEK {row.kek_id}, neither the "
                        "old nor the new one; nothing was changed")
                data_key = self._kek.unwrap(row.wrapped_data_key, row.key_id)
                connection.execute(
                    update(private_keys).where(private_keys.c.key_id == row.key_id)
                    .values(wrapped_data_key=new_kek.wrap(data_key, row.key_id),
                            kek_id=new_kek.kek_id))
                count += 1
            count += rewrap_plugin_secrets(connection, self._kek, new_kek)
        return count

    def _row(self, key_id: str):
        with self._engine.connect() as connection:
            return connection.execute(
                select(private_keys).where(private_keys.c.key_id == key_id)).first()


__all__ = ["KeyDecryptionError", "KeyInfo", "KeyStore"]
