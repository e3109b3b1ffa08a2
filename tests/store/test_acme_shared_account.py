"""The ACME account in the shared state: workers on one store use one key and one
registration, and an old data_dir's account is imported."""

from __future__ import annotations

import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import josepy as jose
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from certorder.keys.envelope import Kek
from certorder.plugins.acme.account_state import account_url, remember_account_url
from certorder.plugins.acme.plugin import AcmePlugin
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.store import CertificateStore
from certorder.store.plugin_state import StoreSharedState
from certorder.store.schema import plugin_state

DIRECTORY = "https://127.0.0.1:14000/dir"  # never contacted: building a plugin is offline

@pytest.fixture
def store_url(module_store_url: str) -> str:
    """This module's own store: its tests leave secrets sealed by KEKs of their own."""
    return module_store_url



def _workers(store_url: str, tmp_path: Path, count: int):
    kek, name = Kek(os.urandom(32)), f"acme-{uuid.uuid4().hex[:8]}"
    stores = [CertificateStore.open(store_url) for _ in range(count)]

    def build(index: int) -> AcmePlugin:
        data_dir = tmp_path / f"w{index}"
        data_dir.mkdir(exist_ok=True)
        shared = StoreSharedState(stores[index].engine, kek, name)
        return AcmePlugin(PluginContext(name=name, data_dir=data_dir, shared=shared,
                                        options={"directory_url": DIRECTORY}))

    return stores, build


def test_workers_starting_together_share_one_account(store_url: str, tmp_path: Path) -> None:
    stores, build = _workers(store_url, tmp_path, 4)
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            plugins = list(pool.map(build, range(4)))
        assert len({plugin.account.key.thumbprint() for plugin in plugins}) == 1
        states = [plugin.account.state for plugin in plugins]
        with ThreadPoolExecutor(max_workers=4) as pool:
            urls = list(pool.map(lambda i: remember_account_url(
                states[i], DIRECTORY, f"https://127.0.0.1/acct/{i}"), range(4)))
        assert len(set(urls)) == 1
        assert {plugin.account.account_url() for plugin in plugins} == set(urls)
        with stores[0].engine.connect() as connection:
            values = connection.execute(select(plugin_state).where(
                plugin_state.c.plugin_name == plugins[0].name)).all()
        assert "PRIVATE KEY" not in " ".join(str(v) for row in values for v in row)
    finally:
        for store in stores:
            store.close()


def test_an_old_data_dir_account_is_imported(store_url: str, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    old = tmp_path / "w0"
    old.mkdir()
    (old / "account-key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (old / "accounts.json").write_text(json.dumps({DIRECTORY: "https://127.0.0.1/acct/old"}))
    stores, build = _workers(store_url, tmp_path, 2)
    try:
        upgraded, fresh = build(0), build(1)
        assert fresh.account.key.thumbprint() == jose.JWKEC(key=key).thumbprint()
        assert account_url(fresh.account.state, DIRECTORY) == "https://127.0.0.1/acct/old"
        assert upgraded.account.account_url() == "https://127.0.0.1/acct/old"
    finally:
        for store in stores:
            store.close()
