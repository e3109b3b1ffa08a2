"""No private key, data key or KEK ever reaches Temporal (history, memo, search
attributes, queries) or a log: orders of every kind run, then everything is scanned."""

from __future__ import annotations

import base64
import json
import logging
import os
import uuid

import pytest
from managed_helpers import spec, start, wait_for
from order_harness import order_worker
from sqlalchemy import select
from x509_helpers import make_csr, make_key

from certorder.keys.envelope import Kek
from certorder.keys.generation import KeyType
from certorder.plugins.manager import PluginManager
from certorder.store.schema import private_keys
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow


@pytest.fixture
def local_ca(tmp_path) -> PluginManager:
    manager = PluginManager(["local-ca"], tmp_path / "data")
    yield manager
    manager.close()


def _secrets_of(key, data_key: bytes) -> list[str]:
    """Every spelling of a key we could leak: PEM lines, DER and raw bytes in base64 and
    hex, and the data key that encrypts it."""
    from cryptography.hazmat.primitives import serialization
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    raw = (key.private_bytes_raw() if hasattr(key, "private_bytes_raw") else
           _int_bytes(key.private_numbers().private_value if hasattr(
               key.private_numbers(), "private_value") else key.private_numbers().d))
    # A PKCS#8 key holds its public half too (an EC key's point, an RSA modulus), which
    # every certificate rightly carries: a PEM line made of public bytes only is no
    # leak, and can appear in a certificate's PEM when the two happen to align.
    public = _public_bytes(key)
    found = [line for line in pem.splitlines()[1:-1]
             if len(line) >= 40 and base64.b64decode(line) not in public]
    for blob in (der, raw, data_key):
        found += [base64.b64encode(blob).decode()[:40], blob.hex()[:40],
                  base64.urlsafe_b64encode(blob).decode()[:40]]
    return found


def _public_bytes(key) -> bytes:
    """The public half of ``key`` as its PKCS#8 form holds it (point or modulus)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.public_key().public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint)
    if isinstance(key, rsa.RSAPrivateKey):
        return _int_bytes(key.public_key().public_numbers().n)
    return key.public_key().public_bytes_raw()


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _decoded(node, out: list[str]) -> None:
    """Payload data in a history's JSON is base64: decode every one, recursively."""
    if isinstance(node, dict):
        if isinstance(node.get("data"), str) and "metadata" in node:
            try:
                out.append(base64.b64decode(node["data"]).decode("utf-8", "replace"))
            except ValueError:
                pass
        for value in node.values():
            _decoded(value, out)
    elif isinstance(node, list):
        for value in node:
            _decoded(value, out)


async def test_no_key_material_in_histories_queries_or_logs(temporal_env, local_ca, tmp_path,
                                                            caplog):
    caplog.set_level(logging.DEBUG)
    kek_bytes = os.urandom(32)
    kek = Kek(kek_bytes)
    user_key = make_key("p256")
    handles = []
    async with order_worker(temporal_env, local_ca, tmp_path, kek=kek) as orders:
        # A CSR order, a stored-key order of each key type, and a managed certificate
        # (key, child order, deployment with a hook, a renewal).
        handles.append(await orders.start({"request_type": "simple-cmc",
                                           "request_data": make_csr(user_key, ["a.test"])}))
        for key_type in KeyType:
            key_id = f"k-{key_type}-{uuid.uuid4().hex[:6]}"
            orders.keys.create(key_id, key_type)
            handles.append(await orders.start({"request_type": "stored-key", "key_id": key_id,
                                               "dns_names": ["b.test"]}))
        handles.append(await orders.start({"request_type": "stored-key", "key_id": "absent",
                                           "dns_names": ["c.test"]}))
        for handle in handles:
            await orders.result(handle, timeout=60)
        managed = await start(orders.client, orders.task_queue, spec(
            tmp_path / "deploy", deploy_hook="cat $CERTORDER_KEY_FILE; exit 1"))
        state = await wait_for(managed, lambda s: len(s.versions) >= 2, timeout=90)
        await managed.signal(ManagedCertificateWorkflow.retire)
        await managed.result()
        with orders.store.engine.connect() as connection:
            rows = connection.execute(select(private_keys)).all()
        keys = {row.key_id: (orders.keys.private_key(row.key_id),
                             kek.unwrap(row.wrapped_data_key, row.key_id)) for row in rows}
        corpus = [json.dumps(state.model_dump(mode="json"))]
        ids = [h.id for h in handles] + [v.order_id for v in state.versions]
        async for execution in orders.client.list_workflows(
                f'WorkflowId STARTS_WITH "{managed.id}"'):
            ids.append(execution.id)
        for workflow_id in set(ids):
            handle = orders.client.get_workflow_handle(workflow_id)
            history = json.loads((await handle.fetch_history()).to_json())
            corpus.append(json.dumps(history))
            _decoded(history, corpus)
            described = await handle.describe()
            corpus.append(repr(described.search_attributes) + repr(await described.memo()))
    corpus += [record.getMessage() for record in caplog.records]
    corpus += [str(record.exc_info) for record in caplog.records if record.exc_info]
    text = "\n".join(corpus)

    assert len(keys) >= len(KeyType) + 2
    assert "PRIVATE KEY" not in text
    secrets = [s for key, data_key in keys.values() for s in _secrets_of(key, data_key)]
    secrets += _secrets_of(user_key, b"") + [base64.b64encode(kek_bytes).decode()[:40],
                                             kek_bytes.hex()[:40]]
    leaked = [s for s in secrets if s and s in text]
    assert leaked == []
    # The scan looked at real content: key ids and certificates are there.
    assert state.versions[0].key_id in text and "BEGIN CERTIFICATE" in text
