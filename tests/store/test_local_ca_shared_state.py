"""The local CA on several workers: each its own data_dir, one store (SQLite and
PostgreSQL). One root, sub-CAs and revocations seen by all, no key in plain text.

Each test names its plugin uniquely: the PostgreSQL database is shared by the session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography import x509
from sqlalchemy import select
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.keys.envelope import Kek
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.dto import CACreateDTO, CoreMetaDTO
from certorder.plugins.interface.revocation import RevocationReason, RevocationStatus
from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.local_ca.plugin import LocalCAPlugin
from certorder.store import CertificateStore
from certorder.store.plugin_state import StoreSharedState
from certorder.store.schema import plugin_state

HOST = "shared.example.test"

Worker = Callable[..., LocalCAPlugin]

@pytest.fixture
def store_url(module_store_url: str) -> str:
    """This module's own store: its tests leave secrets sealed by KEKs of their own."""
    return module_store_url



@pytest.fixture
def worker(store_url: str, tmp_path: Path) -> Iterator[Worker]:
    """``worker(name, **options)``: a local CA as a worker would have it, on a data_dir
    of its own and an engine of its own, on the test's one store."""
    kek, plugin_name, stores = Kek(os.urandom(32)), f"local-ca-{uuid.uuid4().hex[:8]}", []

    def make(name: str, **options) -> LocalCAPlugin:
        stores.append(store := CertificateStore.open(store_url))
        data_dir = tmp_path / name
        data_dir.mkdir(exist_ok=True)
        shared = StoreSharedState(store.engine, kek, plugin_name)
        return LocalCAPlugin(PluginContext(name=plugin_name, data_dir=data_dir,
                                           options=options, shared=shared))

    yield make
    for store in stores:
        store.close()


def _issue(plugin: LocalCAPlugin, ca_id: str | None = None, order_id: str = "o-1"):
    meta = {"request_type": "simple-cmc", "request_data": make_csr(make_key(), [HOST])}
    return plugin.issue_certificate_request(order_id, meta, {}, CoreMetaDTO(plugin_ca_id=ca_id))


def test_two_workers_issue_from_one_root_and_share_sub_cas(worker: Worker) -> None:
    one, two = worker("one"), worker("two")
    root_pem = one.get_default_signing_cert()
    assert two.get_default_signing_cert() == root_pem
    two.get_ca_info()  # two has loaded its view of the hierarchy already

    sub = one.create_ca(CACreateDTO(name="made through one"))
    result = _issue(two, sub.ca_id)
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    verify_server_chain(result.certificate, result.intermediates, root_pem, HOST)
    assert [info.ca_id for info in two.get_ca_info()] == ["root", sub.ca_id]

    two.delete_ca(sub.ca_id)
    refused = _issue(one, sub.ca_id)
    assert refused.status is CertificateStatus.INVALID_OPERATION
    assert sub.ca_id in refused.status_message


def test_workers_racing_to_create_the_root_end_with_exactly_one(
    worker: Worker, store_url: str
) -> None:
    plugins = [worker(f"w{i}") for i in range(4)]

    def issue(index: int) -> str:
        return _issue(plugins[index % 4], order_id=f"o{index}").certificate

    with ThreadPoolExecutor(max_workers=8) as pool:
        leaves = list(pool.map(issue, range(16)))
    roots = {plugin.get_default_signing_cert() for plugin in plugins}
    assert len(roots) == 1
    [root_pem] = roots
    for leaf in leaves:
        verify_server_chain(leaf, None, root_pem, HOST)
    name = plugins[0].name
    store = CertificateStore.open(store_url)
    try:
        with store.engine.connect() as connection:
            keys = connection.execute(select(plugin_state.c.state_key).where(
                plugin_state.c.plugin_name == name,
                plugin_state.c.state_key.startswith("ca/"))).scalars().all()
    finally:
        store.close()
    assert keys == ["ca/root"]


def test_workers_racing_to_issue_one_order_sign_one_serial(
    worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = [worker(f"w{i}") for i in range(2)]
    plugins[0].get_default_signing_cert()  # the root first: only leaves are counted
    serials: set[int] = set()
    real_sign = x509.CertificateBuilder.sign

    def counted(self: x509.CertificateBuilder, *args, **kwargs) -> x509.Certificate:
        serials.add((cert := real_sign(self, *args, **kwargs)).serial_number)
        return cert

    monkeypatch.setattr(x509.CertificateBuilder, "sign", counted)
    request = {"request_type": "simple-cmc", "request_data": make_csr(make_key(), [HOST])}

    def issue(index: int) -> str | None:
        return plugins[index % 2].issue_certificate_request(
            "o-race", dict(request), {}, CoreMetaDTO()).certificate

    with ThreadPoolExecutor(max_workers=6) as pool:
        certificates = set(pool.map(issue, range(6)))
    assert len(certificates) == 1  # the reservations and certificates in the store decide
    [cert] = certificates
    assert serials == {x509.load_pem_x509_certificate(cert.encode()).serial_number}


def test_a_crl_from_one_worker_lists_revocations_made_through_another(worker: Worker) -> None:
    one, two = worker("one"), worker("two")
    sub = one.create_ca(CACreateDTO(name="issuing"))
    leaves = [_issue(one).certificate, _issue(two, sub.ca_id).certificate]
    for plugin, leaf in zip((one, two), leaves, strict=True):
        result = plugin.revoke_certificate("o", leaf, {}, {}, RevocationReason.KEY_COMPROMISE)
        assert result.status is RevocationStatus.REVOKED
    again = two.revoke_certificate("o", leaves[0], {}, {}, RevocationReason.SUPERSEDED)
    assert "already revoked" in again.status_message  # the first revocation stands

    for ca_id, leaf in (("root", leaves[0]), (sub.ca_id, leaves[1])):
        crls = [x509.load_pem_x509_crl(p.get_crl(ca_id).encode()) for p in (two, one)]
        serial = x509.load_pem_x509_certificate(leaf.encode()).serial_number
        assert [[entry.serial_number for entry in crl] for crl in crls] == [[serial]] * 2
        numbers = [crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
                   for crl in crls]
        assert numbers[1] > numbers[0]  # one numbering for every worker


def test_no_private_key_is_in_the_table_in_plain_text(worker: Worker, store_url: str) -> None:
    plugin = worker("one")  # no passphrase: only the KEK protects the keys
    plugin.create_ca(CACreateDTO(name="sub"))
    store = CertificateStore.open(store_url)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(select(plugin_state).where(
                plugin_state.c.plugin_name == plugin.name)).all()
    finally:
        store.close()
    assert len([row for row in rows if row.secret_ciphertext]) == 2
    assert "PRIVATE KEY" not in " ".join(str(value) for row in rows for value in row)
