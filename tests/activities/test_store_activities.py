"""The store activity: checks before storing, and stores once per order."""

from __future__ import annotations

import pytest
from order_fixtures import issued_for, new_request
from sqlalchemy import event
from temporalio.testing import ActivityEnvironment

from certorder.activities.models import StoreCertificateInput
from certorder.activities.store_activities import StoreActivities
from certorder.store import CertificateStore


@pytest.fixture
def store(tmp_path):
    opened = CertificateStore.open(f"sqlite:///{tmp_path / 'certorder.db'}")
    yield opened
    opened.close()


def _input(order_id: str, csr: str, issued) -> StoreCertificateInput:
    return StoreCertificateInput(order_id=order_id, plugin_name="local-ca",
                                 certificate=issued.certificate,
                                 intermediates=issued.intermediates, csr=csr)


async def test_a_retried_store_finds_the_container_it_made(store):
    request = new_request()
    activity = StoreActivities(store).store_certificate
    issued = issued_for(request.csr)
    first = await ActivityEnvironment().run(activity, _input("o1", request.csr, issued))
    again = await ActivityEnvironment().run(activity, _input("o1", request.csr, issued))
    assert first.container_id and again.container_id == first.container_id
    assert store.count_containers() == 1


async def test_another_certificate_for_a_stored_order_is_refused_and_the_first_kept(store):
    # An order id reused after Temporal forgot the first order: its certificate must not
    # be handed to the second order, and the second order's must not be dropped silently.
    first, second = new_request("first.example.test"), new_request("second.example.test")
    run, activity = ActivityEnvironment().run, StoreActivities(store).store_certificate
    stored = await run(activity, _input("o3", first.csr, issued_for(first.csr)))
    out = await run(activity, _input("o3", second.csr, issued_for(second.csr)))
    assert out.container_id is None
    assert "order o3 already has another certificate in the store" in out.rejected_reason
    assert store.get_by_order("o3").container_id == stored.container_id


async def test_a_certificate_for_another_key_is_refused_and_nothing_stored(store):
    request, other = new_request(), new_request("other.example.test")
    out = await ActivityEnvironment().run(StoreActivities(store).store_certificate,
                                    _input("o2", request.csr, issued_for(other.csr)))
    assert out.container_id is None
    assert "public key does not match the CSR" in out.rejected_reason
    assert store.get_by_order("o2") is None


async def test_the_certificate_and_the_order_data_are_stored_in_one_commit(store):
    # Each write transaction is a commit (an fsync on SQLite) under the single writer
    # lock: an order's store write is one of them, not one for each table.
    request = new_request()
    inserts_by_commit: list[int] = []
    pending = []
    event.listen(store.engine, "before_cursor_execute", lambda _c, _k, statement, *_: (
        pending.append(statement) if statement.lstrip().startswith("INSERT") else None))
    event.listen(store.engine, "commit", lambda _c: (
        (inserts_by_commit.append(len(pending)), pending.clear()) if pending else None))
    stored = await ActivityEnvironment().run(
        StoreActivities(store).store_certificate,
        _input("o4", request.csr, issued_for(request.csr)).model_copy(
            update={"order_meta": {"profile": "web"}, "plugin_meta": {"serial": "0a"}}))
    assert stored.container_id
    assert len(inserts_by_commit) == 1, inserts_by_commit
    assert store.revocations.order_data("o4").plugin_meta == {"serial": "0a"}
