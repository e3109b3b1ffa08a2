"""stored-key orders: the core builds the CSR from a key the workers keep."""

from __future__ import annotations

import pytest
from order_harness import order_worker
from x509_helpers import verify_server_chain

from certorder.keys.generation import KeyType, public_pem
from certorder.plugins.manager import PluginManager
from certorder.workflows.models import OrderStatus


@pytest.fixture
def local_ca(tmp_path) -> PluginManager:
    manager = PluginManager(["local-ca"], tmp_path / "data")
    yield manager
    manager.close()


@pytest.mark.parametrize("key_type", [KeyType.EC_P256, KeyType.RSA_2048, KeyType.ED25519])
async def test_a_stored_key_order_is_issued_for_the_stored_key(temporal_env, local_ca, tmp_path,
                                                                key_type):
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        orders.keys.create("web-1", key_type)
        handle = await orders.start({"request_type": "stored-key", "key_id": "web-1",
                                     "dns_names": ["web.example.test"],
                                     "ip_addresses": ["127.0.0.1"]})
        doc = await orders.result(handle)
        container = orders.store.get_by_order(handle.id)
        key = orders.keys.private_key("web-1")
    assert doc.status is OrderStatus.ACTIVE, doc
    [root] = [ca for ca in local_ca.ca_info() if ca.parent_ca_id is None]
    leaf = verify_server_chain(container.certificate, container.intermediates,
                               root.ca_signing_certificate, "web.example.test")[0]
    assert public_pem(key) == leaf.public_key().public_bytes(
        *_spki()).decode()


def _spki():
    from cryptography.hazmat.primitives import serialization
    return serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo


async def test_an_unknown_key_ends_the_order_in_error_naming_only_the_id(temporal_env, local_ca,
                                                                          tmp_path):
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        handle = await orders.start({"request_type": "stored-key", "key_id": "nope",
                                     "dns_names": ["web.example.test"]})
        doc = await orders.result(handle)
    assert doc.status is OrderStatus.ERROR
    assert "cannot build the CSR: no stored key 'nope'" in doc.sub_status_message
