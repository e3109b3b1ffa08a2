"""CertificateStore against SQLite and PostgreSQL: round trips, idempotency, atomicity."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from certorder.store import (
    CertificateConflictError,
    CertificateContainer,
    CertificateStore,
    container_writes,
)
from certorder.store.schema import certificate_containers, certificate_secrets


def _pem_certificate(common_name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode()


LEAF = _pem_certificate("leaf.example.test")
CHAIN = _pem_certificate("Issuing CA") + _pem_certificate("Policy CA")


def _store(store: CertificateStore, order_id: str, **overrides) -> CertificateContainer:
    """store_certificate with defaults: local-ca, no ca_id, LEAF, no intermediates."""
    arguments = {
        "plugin_name": "local-ca",
        "ca_id": None,
        "certificate": LEAF,
        "intermediates": None,
    } | overrides
    return store.store_certificate(order_id=order_id, **arguments)


def _rows_for_order(store: CertificateStore, order_id: str) -> tuple[int, list[str]]:
    """(containers of the order, names of their secrets), read straight from the tables."""
    with store.engine.connect() as connection:
        containers = connection.execute(
            select(func.count())
            .select_from(certificate_containers)
            .where(certificate_containers.c.order_id == order_id)
        ).scalar_one()
        names = connection.execute(
            select(certificate_secrets.c.name)
            .join(certificate_containers)
            .where(certificate_containers.c.order_id == order_id)
        ).scalars()
        return containers, sorted(names)


def test_round_trip_by_order_and_by_id(store: CertificateStore, order_id: str) -> None:
    before = datetime.now(UTC)
    stored = _store(store, order_id, ca_id="ca-7", intermediates=CHAIN)
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


def test_same_certificate_again_returns_the_first_container(
    store: CertificateStore, order_id: str
) -> None:
    first = _store(store, order_id, intermediates=CHAIN)
    again = _store(store, order_id, intermediates=CHAIN)

    assert again == first
    assert _rows_for_order(store, order_id) == (1, ["certificate", "intermediates"])


def test_another_certificate_for_a_stored_order_is_refused_loudly(
    store: CertificateStore, order_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    # An order id reused after Temporal forgot the first order: the second order's
    # certificate must neither replace the first nor be swapped for it.
    first = _store(store, order_id, intermediates=CHAIN)
    with pytest.raises(CertificateConflictError, match=f"order {order_id} already has"):
        _store(store, order_id, plugin_name="other", certificate=_pem_certificate("new"))

    assert store.get_by_order(order_id) == first
    assert _rows_for_order(store, order_id) == (1, ["certificate", "intermediates"])
    assert any(order_id in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


def test_lost_race_between_read_and_insert_returns_the_winner(
    store: CertificateStore, order_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = _store(store, order_id)
    real_get_by_order = store.get_by_order
    calls = []

    def blind_first_read(wanted: str):
        # The first read happens "before" the winner committed: it sees nothing.
        calls.append(wanted)
        return None if len(calls) == 1 else real_get_by_order(wanted)

    monkeypatch.setattr(store, "get_by_order", blind_first_read)
    loser = _store(store, order_id, intermediates=CHAIN)

    assert len(calls) == 2, "the unique order_id must have rejected the second insert"
    assert loser.container_id == winner.container_id
    assert _rows_for_order(store, order_id) == (1, ["certificate"])


def test_concurrent_stores_for_one_order_make_one_container(
    store: CertificateStore, store_url: str, order_id: str
) -> None:
    # A second store has its own connection pool, as another process would.
    other = CertificateStore.open(store_url)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    errors: list[BaseException] = []

    def race(index: int) -> None:
        target = store if index % 2 else other
        barrier.wait()
        try:
            container = _store(
                target,
                order_id,
                certificate=LEAF,
                intermediates=CHAIN,
            )
            results.append(container.container_id)
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=race, args=(i,)) for i in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.close()

    assert errors == []
    assert len(results) == threads_count
    assert len(set(results)) == 1
    assert _rows_for_order(store, order_id) == (1, ["certificate", "intermediates"])
    assert store.get_by_order(order_id).container_id == results[0]


@pytest.mark.parametrize("intermediates", [None, "", "  \n"])
def test_no_intermediates_means_no_secret(
    store: CertificateStore, order_id: str, intermediates: str | None
) -> None:
    stored = _store(store, order_id, intermediates=intermediates)

    assert stored.intermediates is None
    assert store.get_by_order(order_id).intermediates is None
    assert set(store.get_by_order(order_id).secrets) == {"certificate"}
    assert _rows_for_order(store, order_id) == (1, ["certificate"])


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
        _store(store, order_id, intermediates=CHAIN)

    assert store.get_by_order(order_id) is None
    assert _rows_for_order(store, order_id) == (0, [])
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
    stored = _store(store, order_id, intermediates=CHAIN)
    assert stored.intermediates == CHAIN


def test_reopened_store_still_returns_the_certificate(store_url: str, order_id: str) -> None:
    first = CertificateStore.open(store_url)
    stored = _store(first, order_id, intermediates=CHAIN)
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
    stored = [_store(store, order) for order in orders]

    newest_two = store.list_containers(limit=2)
    total = store.count_containers()

    assert [c.container_id for c in newest_two] == [stored[2].container_id, stored[1].container_id]
    assert newest_two[0].certificate == LEAF
    assert total >= 3
    _store(store, orders[0])  # a repeat adds nothing
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

    assert _rows_for_order(store, order_id) == (0, [])
