"""Plugins' shared state in the store: the core's side of ``SharedState``.

Every worker on one store sees the same records, so a CA created through one worker is
used by the others. ``create`` is an INSERT that the primary key (plugin name, key)
lets exactly one racer win, on SQLite and PostgreSQL alike; the losers read the
winner's row. Secrets are sealed with the worker's KEK (``certorder.keys.envelope``),
bound to ``<plugin name>/<key>``, so a sealed secret copied onto another row or another
plugin fails to open instead of yielding the wrong key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from certorder.keys.envelope import Kek, KeyDecryptionError, SealedKey, seal, unseal
from certorder.plugins.interface.shared_state import check_state_key, json_copy
from certorder.store.schema import plugin_state
from certorder.store.write_lock import writer

__all__ = ["PluginStates", "StoreSharedState", "check_plugin_secrets", "rewrap_plugin_secrets"]

#: Tries of a write that lost to a concurrent one (each try then sees that one's row).
_ATTEMPTS = 3

# Built once: an order's issue reads and inserts records here, and a statement built
# per call costs SQLAlchemy more CPU (its construction and cache key) than running it.
_ONE = and_(plugin_state.c.plugin_name == bindparam("plugin_name"),
            plugin_state.c.state_key == bindparam("state_key"))
_GET_VALUE = select(plugin_state.c.value).where(_ONE)
_INSERT = insert(plugin_state)


class StoreSharedState:
    """The shared state of the plugin ``plugin_name``, in the store's database."""

    def __init__(self, engine: Engine, kek: Kek, plugin_name: str) -> None:
        self._engine = engine
        self._kek = kek
        self.plugin_name = plugin_name

    def get(self, key: str) -> Any | None:
        with self._engine.connect() as connection:
            row = connection.execute(_GET_VALUE, {"plugin_name": self.plugin_name,
                                                  "state_key": check_state_key(key)}).first()
        return None if row is None else json.loads(row.value)

    def create(self, key: str, value: Any, secret: bytes | None = None) -> Any:
        # Insert first: most records are new (an order's reservation), and a taken key
        # fails the insert, as a read would have told. Read first only before sealing
        # a secret (a CA key), which costs more than the read.
        if secret is not None and (existing := self.get(key)) is not None:
            return existing
        now = datetime.now(UTC)
        row: dict[str, Any] = dict(plugin_name=self.plugin_name, state_key=check_state_key(key),
                                   value=json.dumps(json_copy(value)), created_at=now,
                                   updated_at=now)
        if secret is not None:
            sealed = seal(secret, self._bound(key), self._kek)
            row.update(secret_ciphertext=sealed.ciphertext,
                       wrapped_data_key=sealed.wrapped_data_key, kek_id=sealed.kek_id)
        for _ in range(_ATTEMPTS):
            try:
                with self._writer() as connection, connection.begin():
                    connection.execute(_INSERT, row)
                return json.loads(row["value"])  # ours is the record: no need to read it
            except IntegrityError:
                pass  # another worker created it first: its record is the one
            winner = self.get(key)
            if winner is not None:
                return winner
            # Created and deleted again between our insert and our read: once more.
        raise RuntimeError(f"shared state key {key!r} keeps vanishing")

    def put(self, key: str, value: Any) -> None:
        text, now = json.dumps(json_copy(value)), datetime.now(UTC)
        for _ in range(_ATTEMPTS):
            try:
                with self._writer() as connection, connection.begin():
                    changed = connection.execute(update(plugin_state).where(self._is(key))
                                                 .values(value=text, updated_at=now))
                    if changed.rowcount == 0:
                        connection.execute(insert(plugin_state).values(
                            plugin_name=self.plugin_name, state_key=key, value=text,
                            created_at=now, updated_at=now))
                return
            except IntegrityError:
                continue  # another worker inserted the key meanwhile: update it now
        raise RuntimeError(f"shared state key {key!r}: cannot store it")

    def delete(self, key: str) -> bool:
        with self._writer() as connection, connection.begin():
            return connection.execute(delete(plugin_state).where(self._is(key))).rowcount > 0

    def list(self, prefix: str = "") -> dict[str, Any]:
        query = (select(plugin_state.c.state_key, plugin_state.c.value)
                 .where(plugin_state.c.plugin_name == self.plugin_name,
                        plugin_state.c.state_key.startswith(prefix, autoescape=True)))
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        # Sorted here: a PostgreSQL collation may order punctuation otherwise.
        return {row.state_key: json.loads(row.value)
                for row in sorted(rows, key=lambda row: row.state_key)}

    def get_secret(self, key: str) -> bytes | None:
        c = plugin_state.c
        row = self._row(key, c.secret_ciphertext, c.wrapped_data_key, c.kek_id)
        if row is None or row.secret_ciphertext is None:
            return None
        sealed = SealedKey(row.secret_ciphertext, row.wrapped_data_key, row.kek_id)
        return unseal(sealed, self._bound(key), self._kek)

    def _bound(self, key: str) -> str:
        return bound_name(self.plugin_name, key)

    def _is(self, key: str):
        return and_(plugin_state.c.plugin_name == self.plugin_name,
                    plugin_state.c.state_key == check_state_key(key))

    def _row(self, key: str, *columns):
        with self._engine.connect() as connection:
            return connection.execute(select(*columns).where(self._is(key))).first()

    def _writer(self):
        return writer(self._engine)


class PluginStates:
    """Makes each plugin's :class:`StoreSharedState` (the factory the plugin loader
    calls with a plugin's name)."""

    def __init__(self, engine: Engine, kek: Kek) -> None:
        self._engine = engine
        self._kek = kek

    def __call__(self, plugin_name: str) -> StoreSharedState:
        return StoreSharedState(self._engine, self._kek, plugin_name)


def bound_name(plugin_name: str, key: str) -> str:
    """What a secret is bound to (AES-GCM associated data)."""
    return f"plugin-state:{plugin_name}/{key}"


def _sealed_rows(connection: Connection):
    c = plugin_state.c
    return connection.execute(
        select(c.plugin_name, c.state_key, c.wrapped_data_key, c.kek_id)
        .where(c.secret_ciphertext.is_not(None))).all()


def check_plugin_secrets(connection: Connection, kek: Kek) -> None:
    """Prove ``kek`` opens the plugins' secrets (one of each KEK id found).

    :raises KeyDecryptionError: a secret is wrapped by another KEK, or this one fails.
    """
    seen: set[str] = set()
    for row in _sealed_rows(connection):
        if row.kek_id in seen:
            continue
        seen.add(row.kek_id)
        if row.kek_id != kek.kek_id:
            raise KeyDecryptionError(
                f"the store holds plugin secrets wrapped by KEK {row.kek_id} but the "
                f"configured KEK is {kek.kek_id}: wrong KEK (or a rotation not finished)")
        kek.unwrap(row.wrapped_data_key, bound_name(row.plugin_name, row.state_key))


def rewrap_plugin_secrets(connection: Connection, old: Kek, new: Kek) -> int:
    """Re-wrap every plugin secret's data key from ``old`` to ``new`` (inside the
    caller's transaction); secrets already under ``new`` are skipped."""
    count = 0
    for row in _sealed_rows(connection):
        if row.kek_id == new.kek_id:
            continue
        bound = bound_name(row.plugin_name, row.state_key)
        if row.kek_id != old.kek_id:
            raise KeyDecryptionError(
                f"plugin secret {bound} is wrapped by KEK {row.kek_id}, neither the old "
                "nor the new one; nothing was changed")
        data_key = old.unwrap(row.wrapped_data_key, bound)
        connection.execute(
            update(plugin_state)
            .where(plugin_state.c.plugin_name == row.plugin_name,
                   plugin_state.c.state_key == row.state_key)
            .values(wrapped_data_key=new.wrap(data_key, bound), kek_id=new.kek_id))
        count += 1
    return count
