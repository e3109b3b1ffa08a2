"""Used order ids: an id that was ever used is refused for good, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import insert

from certorder.store import CertificateStore, migrate
from certorder.store.schema import certificate_containers


def test_first_claim_holds_and_its_retry_is_the_same_claim(
    store: CertificateStore, order_id: str
) -> None:
    first = store.claim_order_id(order_id, "run-1")
    retried = store.claim_order_id(order_id, "run-1")

    assert first.claimant == "run-1"
    assert retried == first


def test_another_claimant_gets_the_first_claim_back(store: CertificateStore, order_id: str) -> None:
    first = store.claim_order_id(order_id, "run-1")
    second = store.claim_order_id(order_id, "run-2")

    assert second == first
    assert second.claimant == "run-1"


def test_an_id_with_a_stored_certificate_is_used_even_unclaimed(
    store: CertificateStore, order_id: str
) -> None:
    # Orders that started before claims existed only ever stored their certificate.
    store.store_certificate(order_id=order_id, plugin_name="p", ca_id=None,
                            certificate="PEM", intermediates=None)

    assert store.claim_order_id(order_id, "run-2").claimant is None


def test_concurrent_claims_have_one_winner(store: CertificateStore, store_url: str,
                                           order_id: str) -> None:
    other = CertificateStore.open(store_url)
    barrier = threading.Barrier(6)
    claims = []

    def race(index: int) -> None:
        barrier.wait()
        claims.append((store if index % 2 else other).claim_order_id(order_id, f"run-{index}"))

    try:
        threads = [threading.Thread(target=race, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.close()

    assert len(claims) == 6
    assert len({claim.claimant for claim in claims}) == 1


def test_upgrade_marks_ids_of_stored_certificates_used(empty_database_url: str) -> None:
    store = CertificateStore.open(empty_database_url)
    try:
        with store.engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "0001")
        with store.engine.begin() as connection:
            connection.execute(insert(certificate_containers).values(
                container_id="c-old", order_id="order-old", plugin_name="p",
                created_at=datetime.now(UTC)))
        migrate.upgrade_to_head(store.engine)

        assert store.claim_order_id("order-old", "run-new").claimant is None
    finally:
        store.close()
