"""Orders end to end with the real local CA, loaded through its entry point."""

from __future__ import annotations

import pytest
from order_harness import order_worker
from temporalio.client import WorkflowFailureError
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins import CACreateDTO, CertificateStatus
from certorder.plugins.manager import PluginManager
from certorder.workflows.models import OrderDocument, OrderStatus


@pytest.fixture
def local_ca(tmp_path) -> PluginManager:
    manager = PluginManager(["local-ca"], tmp_path / "data")
    yield manager
    manager.close()


def _root_pem(manager: PluginManager) -> str:
    [root] = [ca for ca in manager.ca_info() if ca.parent_ca_id is None]
    return root.ca_signing_certificate


async def test_order_chosen_by_supports_is_issued_and_verifies(temporal_env, local_ca, tmp_path):
    csr = make_csr(make_key("p256"), ["api.example.test", "www.example.test"])
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        handle = await orders.start({"request_type": "simple-cmc", "request_data": csr,
                                     "validity_days": 30})
        doc = await orders.result(handle)
        container = orders.store.get_by_order(handle.id)
    assert doc.status is OrderStatus.ACTIVE, doc
    assert doc.plugin_name == "local-ca"
    chain = verify_server_chain(container.certificate, container.intermediates,
                                _root_pem(local_ca), "api.example.test")
    leaf = chain[0]
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days in (30, 29)


async def test_order_for_a_sub_ca_is_signed_by_it(temporal_env, local_ca, tmp_path):
    sub = local_ca.create_ca("local-ca", CACreateDTO(name="issuing-1"))
    csr = make_csr(make_key("ed25519"), ["svc.example.test"])
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        handle = await orders.start({"request_type": "simple-cmc", "request_data": csr,
                                     "ca_id": sub.ca_id})
        doc = await orders.result(handle)
        container = orders.store.get_by_order(handle.id)
    assert doc.status is OrderStatus.ACTIVE and doc.ca_id == sub.ca_id
    chain = verify_server_chain(container.certificate, container.intermediates,
                                _root_pem(local_ca), "svc.example.test")
    assert chain[1].subject == chain[0].issuer
    assert len(chain) == 3  # leaf, issuing-1, root


async def test_bad_input_reaching_the_workflow_ends_in_error(temporal_env, local_ca, tmp_path):
    # The client SDK refuses this before starting; a raw Temporal client does not,
    # so the workflow's own selection step must refuse it too.
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        handle = await orders.start({"request_type": "simple-cmc", "request_data": "junk"})
        # Rejected: the run fails (freeing the id) and carries the order document.
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        assert failed.value.cause.type == "order rejected"
        doc = OrderDocument.model_validate(failed.value.cause.details[0])
        assert orders.store.get_by_order(handle.id) is None
    assert doc.status is OrderStatus.ERROR
    assert doc.sub_status == "order rejected"
    assert doc.sub_status_message.startswith("InvalidOrderError: ")
    assert "CSR" in doc.sub_status_message
    assert doc.sub_status != CertificateStatus.CERTIFICATE_GENERATED.value
