"""CertificateStore against SQLite and PostgreSQL: round trips, atomicity, listing, input checks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from certificate_store_helpers import CHAIN, LEAF, rows_for_order, store_for_order
from sqlalchemy import func, select

from certorder.store import CertificateStore, container_writes
from certorder.store.schema import certificate_containers, certificate_secrets


def test_round_trip_by_order_and_by_id(store: CertificateStore, order_id: str) -> None:
    before = datetime.now(UTC)
    stored = store_for_order(store, order_id, ca_id="ca-7", intermediates=CHAIN)
    by_order = store.get_by_order(order_id)
    by_id = store.get(stored.container_id)

    assert by_order == stored
    assert by_id == stored
    assert len(stored.container_id) == 32 and int(stored.container_id, 16) >= 0
    assert (stored.order_id, stored.plugin_name, stored.ca_id) == (order_id, "local-ca", "ca-7")
    assert stored.certificate == LEAF
    assert stored.intermediates == CHAIN
    assert by_order.secrets["certificate"].content_type == "application/pem-certificate-chain"
    assert by_order.created_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= by_order.created_at <= datetime.now(UTC)


def test_unknown_order_and_container_are_none(store: CertificateStore, order_id: str) -> None:
    assert store.get_by_order(order_id) is None
    assert store.get("0" * 32) is None


@pytest.mark.parametrize("intermediates", [None, "", "  \n"])
def test_no_intermediates_means_no_secret(
    store: CertificateStore, order_id: str, intermediates: str | None
) -> None:
    stored = store_for_order(store, order_id, intermediates=intermediates)

    assert stored.intermediates is None
    assert store.get_by_order(order_id).intermediates is None
    assert set(store.get_by_order(order_id).secrets) == {"certificate"}
    assert rows_for_order(store, order_id) == (1, ["certificate"])


def test_failure_between_inserts_writes_nothing(
    store: CertificateStore, order_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_insert_secret = container_writes._insert_secret

    def crash_on_intermediates(connection, container_id, secret, now):
        if secret.name == "intermediates":
            raise RuntimeError("disk full")
        real_insert_secret(connection, container_id, secret, now)

    monkeypatch.setattr(container_writes, "_insert_secret", crash_on_intermediates)
    with pytest.raises(RuntimeError, match="disk full"):
        store_for_order(store, order_id, intermediates=CHAIN)

    assert store.get_by_order(order_id) is None
    assert rows_for_order(store, order_id) == (0, [])
    with store.engine.connect() as connection:
        orphans = connection.execute(
            select(func.count())
            .select_from(certificate_secrets)
            .where(
                certificate_secrets.c.container_id.not_in(
                    select(certificate_containers.c.container_id)
                )
            )
        ).scalar_one()
    assert orphans == 0

    monkeypatch.undo()
    stored = store_for_order(store, order_id, intermediates=CHAIN)
    assert stored.intermediates == CHAIN


def test_reopened_store_still_returns_the_certificate(store_url: str, order_id: str) -> None:
    first = CertificateStore.open(store_url)
    stored = store_for_order(first, order_id, intermediates=CHAIN)
    first.close()

    reopened = CertificateStore.open(store_url)
    try:
        found = reopened.get_by_order(order_id)
    finally:
        reopened.close()

    assert found == stored
    assert found.certificate == LEAF


def test_list_newest_first_with_limit_and_count(store: CertificateStore) -> None:
    orders = [f"list-{i}-{uuid.uuid4().hex}" for i in range(3)]
    stored = [store_for_order(store, order) for order in orders]

    newest_two = store.list_containers(limit=2)
    total = store.count_containers()

    assert [c.container_id for c in newest_two] == [stored[2].container_id, stored[1].container_id]
    assert newest_two[0].certificate == LEAF
    assert total >= 3
    store_for_order(store, orders[0])  # a repeat adds nothing
    assert store.count_containers() == total
    with pytest.raises(ValueError, match="limit must be between 1 and"):
        store.list_containers(limit=0)


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("order_id", {"order_id": " "}),
        ("plugin_name", {"plugin_name": ""}),
        ("certificate", {"certificate": "\n"}),
    ],
)
def test_blank_input_is_refused_and_nothing_written(
    store: CertificateStore, order_id: str, field: str, values: dict[str, str]
) -> None:
    arguments = {
        "order_id": order_id,
        "plugin_name": "local-ca",
        "ca_id": None,
        "certificate": LEAF,
        "intermediates": None,
    } | values

    with pytest.raises(ValueError, match=f"cannot store a certificate: {field} is empty"):
        store.store_certificate(**arguments)

    assert rows_for_order(store, order_id) == (0, [])
