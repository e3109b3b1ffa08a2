"""The container and the order's data (kept for revocation) are one write: one commit,
all or nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from certificate_store_helpers import CHAIN, LEAF
from sqlalchemy import event

from certorder.store import CertificateStore, container_writes
from certorder.store.revocations import OrderData

DATA = OrderData(order_meta={"profile": "web"}, plugin_meta={"serial": "0a"})


def _store(store: CertificateStore, order_id: str, order_data: OrderData | None = DATA):
    return store.store_certificate(order_id=order_id, plugin_name="local-ca", ca_id=None,
                                   certificate=LEAF, intermediates=CHAIN, order_data=order_data)


def _write_commits(store: CertificateStore) -> list[list[str]]:
    """The tables each committed transaction inserted into, from now on."""
    commits: list[list[str]] = []
    pending: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("INSERT INTO"):
            pending.append(statement.split()[2].strip('"'))

    def committed(_conn):
        if pending:
            commits.append(list(pending))
            pending.clear()

    event.listen(store.engine, "before_cursor_execute", seen)
    event.listen(store.engine, "commit", committed)
    return commits


def test_the_container_and_the_order_data_are_one_commit(store, order_id) -> None:
    commits = _write_commits(store)
    container = _store(store, order_id)
    assert len(commits) == 1, commits
    assert {"certificate_containers", "certificate_secrets",
            "certificate_order_data"} <= set(commits[0])
    assert store.revocations.order_data(order_id) == DATA
    assert store.get_by_order(order_id) == container


def test_a_failed_order_data_write_leaves_no_container(store, order_id, monkeypatch) -> None:
    def full_disk(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(container_writes, "insert_order_data", full_disk)
    with pytest.raises(RuntimeError, match="disk full"):
        _store(store, order_id)
    assert store.get_by_order(order_id) is None
    assert store.revocations.order_data(order_id) is None

    monkeypatch.undo()
    assert _store(store, order_id).certificate == LEAF
    assert store.revocations.order_data(order_id) == DATA


def test_a_repeat_writes_nothing_and_keeps_the_first_order_data(store, order_id) -> None:
    first = _store(store, order_id)
    commits = _write_commits(store)
    again = _store(store, order_id, OrderData(order_meta={}, plugin_meta={"serial": "0b"}))
    assert again == first and commits == []
    assert store.revocations.order_data(order_id) == DATA


def test_a_container_stored_without_order_data_gets_it_on_a_repeat(store, order_id) -> None:
    # A container written before its order data, by a version that wrote them in two
    # transactions and stopped in between: the repeated store keeps the data.
    first = _store(store, order_id, order_data=None)
    assert store.revocations.order_data(order_id) is None
    assert _store(store, order_id) == first
    assert store.revocations.order_data(order_id) == DATA
