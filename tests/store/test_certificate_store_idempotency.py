"""CertificateStore idempotency: one container per order, also under races, and a
different certificate for a stored order refused loudly."""

from __future__ import annotations

import threading

import pytest
from certificate_store_helpers import CHAIN, LEAF, pem_certificate, rows_for_order, store_for_order

from certorder.store import CertificateConflictError, CertificateStore


def test_same_certificate_again_returns_the_first_container(
    store: CertificateStore, order_id: str
) -> None:
    first = store_for_order(store, order_id, intermediates=CHAIN)
    again = store_for_order(store, order_id, intermediates=CHAIN)

    assert again == first
    assert rows_for_order(store, order_id) == (1, ["certificate", "intermediates"])


def test_another_certificate_for_a_stored_order_is_refused_loudly(
    store: CertificateStore, order_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    # An order id reused after Temporal forgot the first order: the second order's
    # certificate must neither replace the first nor be swapped for it.
    first = store_for_order(store, order_id, intermediates=CHAIN)
    with pytest.raises(CertificateConflictError, match=f"order {order_id} already has"):
        store_for_order(store, order_id, plugin_name="other", certificate=pem_certificate("new"))

    assert store.get_by_order(order_id) == first
    assert rows_for_order(store, order_id) == (1, ["certificate", "intermediates"])
    assert any(order_id in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


def test_lost_race_between_read_and_insert_returns_the_winner(
    store: CertificateStore, order_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = store_for_order(store, order_id)
    real_get_by_order = store.get_by_order
    calls = []

    def blind_first_read(wanted: str):
        # The first read happens "before" the winner committed: it sees nothing.
        calls.append(wanted)
        return None if len(calls) == 1 else real_get_by_order(wanted)

    monkeypatch.setattr(store, "get_by_order", blind_first_read)
    loser = store_for_order(store, order_id, intermediates=CHAIN)

    assert len(calls) == 2, "the unique order_id must have rejected the second insert"
    assert loser.container_id == winner.container_id
    assert rows_for_order(store, order_id) == (1, ["certificate"])


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
            container = store_for_order(
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
    assert rows_for_order(store, order_id) == (1, ["certificate", "intermediates"])
    assert store.get_by_order(order_id).container_id == results[0]
