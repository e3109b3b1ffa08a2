"""Writers of one process take turns on a mutex per SQLite engine (not in SQLite's
sleeping busy handler); PostgreSQL's writers do not wait for each other."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import OperationalError

from certorder.store import CertificateStore, write_lock


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
