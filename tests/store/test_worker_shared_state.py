"""The composition root gives every plugin its shared state in the worker's store."""

from __future__ import annotations

import os
from pathlib import Path

from certorder.keys.envelope import Kek
from certorder.settings import Settings
from certorder.store import CertificateStore
from certorder.store.plugin_state import StoreSharedState
from certorder.worker import open_plugins


def test_plugins_get_the_stores_shared_state_under_their_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'certorder.db'}"
    settings = Settings(data_dir=tmp_path, store_url=url, enabled_plugins=["local-ca"])
    store = CertificateStore.open(url)
    try:
        with open_plugins(settings, store, Kek(os.urandom(32))) as plugins:
            plugin = plugins.get("local-ca")
            shared = plugin.context.shared
            assert isinstance(shared, StoreSharedState) and shared.plugin_name == "local-ca"
            root = plugin.get_default_signing_cert()
            assert shared.get("ca/root")["certificate"] == root
            assert not (tmp_path / "plugins" / "local-ca" / "state").exists()
    finally:
        store.close()
