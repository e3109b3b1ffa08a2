"""Writers of one process (the key store's too) take turns on a mutex per SQLite engine
(not in SQLite's sleeping busy handler); PostgreSQL's writers do not wait for each other."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy.exc import OperationalError

from certorder.keys.envelope import Kek
from certorder.keys.generation import KeyType
from certorder.store import CertificateStore, write_lock
from certorder.store.key_store import KeyStore


def test_a_writer_waits_for_another_thread_and_fails_like_a_locked_database(
        tmp_path, monkeypatch) -> None:
    store = CertificateStore.open(f"sqlite:///{tmp_path / 'certorder.db'}")
    monkeypatch.setattr(write_lock, "SQLITE_BUSY_TIMEOUT_MS", 200)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_lock.writer(store.engine) as connection, connection.begin():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(OperationalError, match="database is locked"):
            store.claim_order_id("o1", "run-1")
    finally:
        release.set()
        holder.join(10)
    assert store.claim_order_id("o1", "run-1").claimant == "run-1"
    store.close()


@pytest.mark.postgres
def test_postgres_writers_do_not_queue_in_the_process(postgres_session_url) -> None:
    store = CertificateStore.open(postgres_session_url)
    try:
        with write_lock.writer(store.engine) as first, first.begin():
            # Another thread would not wait: the same thread takes a second writer.
            with write_lock.writer(store.engine) as second, second.begin():
                pass
    finally:
        store.close()


@pytest.mark.parametrize("write", ["create", "delete", "rotate_kek"])
def test_key_store_writes_queue_on_the_writer_lock(tmp_path, monkeypatch, write) -> None:
    store = CertificateStore.open(f"sqlite:///{tmp_path / 'certorder.db'}")
    kek = Kek(os.urandom(32))
    keys = KeyStore(store.engine, kek)
    keys.create("k-old", KeyType.EC_P256)
    monkeypatch.setattr(write_lock, "SQLITE_BUSY_TIMEOUT_MS", 200)
    writes = {"create": lambda: keys.create("k-new", KeyType.EC_P256),
              "delete": lambda: keys.delete("k-old"),
              "rotate_kek": lambda: keys.rotate_kek(Kek(os.urandom(32)))}
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        # Only the process's mutex, not SQLite's lock: a key-store write that went
        # around the mutex would not wait at all.
        lock = write_lock._lock(store.engine)
        with lock:
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(OperationalError, match="database is locked"):
            writes[write]()
    finally:
        release.set()
        holder.join(10)
    assert keys.key_ids() == ["k-old"]  # the refused write changed nothing
    writes[write]()
    store.close()
