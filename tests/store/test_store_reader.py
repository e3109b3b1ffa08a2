"""The read-only store: reads what a writer stored, and can write, create or lock nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from certorder.store import CertificateStore, StoreLocationError


def test_reader_sees_what_was_stored_and_cannot_write(store, store_url, order_id):
    stored = store.store_certificate(order_id=order_id, plugin_name="p", ca_id=None,
                                     certificate="PEM", intermediates=None)
    reader = CertificateStore.open_reader(store_url)
    try:
        assert reader.get_by_order(order_id) == stored
        with pytest.raises(DBAPIError, match="(?i)read-only|readonly"):
            with reader.engine.begin() as connection:
                connection.execute(text("DELETE FROM certificate_containers"))
    finally:
        reader.close()
    assert store.get_by_order(order_id) == stored


def test_reader_of_a_missing_sqlite_file_creates_nothing(tmp_path):
    with pytest.raises(StoreLocationError, match="no certificate store at"):
        CertificateStore.open_reader(f"sqlite:///{tmp_path / 'nope' / 'certorder.db'}")
    assert not (tmp_path / "nope").exists()


def test_reader_of_a_database_without_tables(empty_database_url, tmp_path):
    if empty_database_url.startswith("sqlite"):
        path = empty_database_url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True)
        sqlite3.connect(path).close()
    with pytest.raises(StoreLocationError, match="no certificate store at"):
        CertificateStore.open_reader(empty_database_url)
