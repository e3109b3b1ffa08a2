"""A whole order through the workflow with the store on PostgreSQL."""

from __future__ import annotations

import pytest
from order_fixtures import issued_for, new_request, waiting
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin

from certorder.store import CertificateStore
from certorder.workflows.models import OrderStatus


@pytest.mark.postgres
async def test_order_stores_its_certificate_in_postgres(
    temporal_env, postgres_session_url, tmp_path
):
    plugin = ScriptedPlugin()
    request = new_request()
    async with order_worker(
        temporal_env, {"scripted": plugin}, tmp_path, store_url=postgres_session_url
    ) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, waiting(), issued_for(request.csr))
        doc = await orders.result(handle)
    assert doc.status is OrderStatus.ACTIVE
    # A separate connection, as a later `certorder cert get` would open.
    store = CertificateStore.open(postgres_session_url)
    try:
        container = store.get_by_order(handle.id)
    finally:
        store.close()
    assert container is not None and container.container_id == doc.container_id
    assert container.certificate.startswith("-----BEGIN CERTIFICATE-----")
