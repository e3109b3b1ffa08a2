"""Plugins' shared state in the store: the SharedState contract, races decided by the
database, secrets sealed with the KEK; on SQLite and PostgreSQL.

The PostgreSQL database is shared by the session's tests, so each test uses plugin
names of its own (the state is scoped by plugin name).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select, update

from certorder.keys.envelope import Kek, KeyDecryptionError
from certorder.plugins.interface.shared_state import MemorySharedState, SharedState
from certorder.plugins.interface.shared_state_files import DirectorySharedState
from certorder.store import CertificateStore
from certorder.store.key_store import KeyStore
from certorder.store.plugin_state import PluginStates, StoreSharedState
from certorder.store.schema import plugin_state


@pytest.fixture
def store_url(module_store_url: str) -> str:
    """This module's own store: its tests leave secrets sealed by KEKs of their own."""
    return module_store_url



def _name() -> str:
    return f"plugin-{uuid.uuid4().hex[:10]}"


def _kek() -> Kek:
    return Kek(os.urandom(32))


@pytest.fixture(params=["memory", "directory", "sqlite",
                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedState]:
    """Each implementation of the contract (the store's on SQLite and PostgreSQL)."""
    if request.param == "memory":
        yield MemorySharedState()
        return
    if request.param == "directory":
        yield DirectorySharedState(tmp_path / "state")
        return
    url = (f"sqlite:///{tmp_path / 'certorder.db'}" if request.param == "sqlite"
           else request.getfixturevalue("new_postgres_database")())
    store = CertificateStore.open(url)
    yield PluginStates(store.engine, _kek())(_name())
    store.close()


def test_the_contract(state: SharedState) -> None:
    assert isinstance(state, SharedState)
    assert state.get("ca/root") is None
    assert state.create("ca/root", {"n": 1}, secret=b"first") == {"n": 1}
    assert state.create("ca/root", {"n": 2}, secret=b"second") == {"n": 1}  # the winner's
    assert state.get_secret("ca/root") == b"first"
    state.put("ca/root", {"n": 3})
    assert state.get("ca/root") == {"n": 3} and state.get_secret("ca/root") == b"first"
    state.put("ca/new", [1, "two"])
    state.create("ca_x/other", "x")  # `_` is no wildcard in a prefix
    assert state.list("ca/") == {"ca/new": [1, "two"], "ca/root": {"n": 3}}
    assert list(state.list()) == ["ca/new", "ca/root", "ca_x/other"]
    assert state.get_secret("ca/new") is None
    assert state.delete("ca/root") is True and state.delete("ca/root") is False
    assert state.get("ca/root") is None and state.get_secret("ca/root") is None
    with pytest.raises(ValueError, match="invalid shared state key"):
        state.get("../escape")


def test_state_is_scoped_by_plugin_name(store: CertificateStore) -> None:
    states = PluginStates(store.engine, _kek())
    one, other = states(_name()), states(_name())
    one.create("k", "one's")
    assert other.get("k") is None and other.list() == {}
    assert other.create("k", "other's") == "other's"


def test_racing_creates_have_one_winner_that_every_racer_gets(store_url: str) -> None:
    # Engines of their own, as separate workers have: only the database decides.
    kek, name = _kek(), _name()
    stores = [CertificateStore.open(store_url) for _ in range(4)]
    try:
        states = [StoreSharedState(s.engine, kek, name) for s in stores]

        def race(index: int) -> tuple[dict, bytes | None]:
            state = states[index % len(states)]
            won = state.create("ca/root", {"by": index}, secret=f"key {index}".encode())
            return won, state.get_secret("ca/root")

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(race, range(16)))
    finally:
        for s in stores:
            s.close()
    assert len({str(r) for r in results}) == 1
    won, secret = results[0]
    assert secret == f"key {won['by']}".encode()


def test_secrets_are_sealed_with_the_kek_and_bound_to_their_row(store: CertificateStore) -> None:
    kek, name = _kek(), _name()
    state = StoreSharedState(store.engine, kek, name)
    pem = b"-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n"
    state.create("ca/root", {"ca_id": "root"}, secret=pem)
    state.create("ca/copy", {"ca_id": "copy"}, secret=b"other")
    with store.engine.connect() as connection:
        rows = connection.execute(select(plugin_state).where(
            plugin_state.c.plugin_name == name)).all()
    assert "PRIVATE KEY" not in " ".join(str(value) for row in rows for value in row)
    assert {row.kek_id for row in rows} == {kek.kek_id}

    with pytest.raises(KeyDecryptionError, match="not by the configured KEK"):
        StoreSharedState(store.engine, _kek(), name).get_secret("ca/root")
    # A sealed secret copied onto another row does not open there.
    root = next(row for row in rows if row.state_key == "ca/root")
    with store.engine.begin() as connection:
        connection.execute(update(plugin_state).where(
            plugin_state.c.plugin_name == name, plugin_state.c.state_key == "ca/copy").values(
            secret_ciphertext=root.secret_ciphertext, wrapped_data_key=root.wrapped_data_key))
    with pytest.raises(KeyDecryptionError):
        state.get_secret("ca/copy")


def test_kek_check_and_rotation_cover_plugin_secrets(empty_database_url: str) -> None:
    store = CertificateStore.open(empty_database_url)
    try:
        old, new, name = _kek(), _kek(), _name()
        StoreSharedState(store.engine, old, name).create("ca/root", {}, secret=b"root key")
        with pytest.raises(KeyDecryptionError, match="plugin secrets wrapped by KEK"):
            KeyStore(store.engine, new).check_kek()
        assert KeyStore(store.engine, old).rotate_kek(new) == 1
        assert KeyStore(store.engine, old).rotate_kek(new) == 0  # nothing left to do
        KeyStore(store.engine, new).check_kek()
        assert StoreSharedState(store.engine, new, name).get_secret("ca/root") == b"root key"
    finally:
        store.close()
