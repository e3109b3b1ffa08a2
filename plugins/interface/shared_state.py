"""State that every worker's instance of a plugin shares, kept by the core.

A plugin that runs on several workers must not keep in its data_dir anything another
worker needs (a CA's key, an ACME account): each worker has its own data_dir. The core
gives the plugin :attr:`PluginContext.shared`, a :class:`SharedState` scoped to the
plugin's name and kept in the certificate store (so in PostgreSQL when the workers
share one). Records are small JSON values under ``/``-separated keys.

The one primitive that settles races is :meth:`SharedState.create`: insert-if-absent,
decided by the database, and the loser gets the winner's value. Two workers creating
a root CA at once each build one, both call ``create("ca/root", ...)``, and both go on
with the same one.

A record may carry a *secret* (bytes: a private key). The core seals it with the
worker's key-encryption key before it reaches the database and opens it on
:meth:`~SharedState.get_secret`; the plugin never sees the KEK, and no secret is in
the table in plain text. The secret is given with the record's ``create``, so a
record and its secret cannot come from two different racers.

Without a core (a plugin author's unit tests) ``PluginContext.shared`` is ``None``;
:class:`MemorySharedState` here and :class:`DirectorySharedState` in
``shared_state_files`` implement the same protocol for such uses.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from typing import Any, Protocol, runtime_checkable

__all__ = ["MemorySharedState", "SharedState", "check_state_key"]

#: Keys are ``/``-separated segments of letters, digits, ``.``, ``_``, ``-`` and ``:``
#: (a segment never starts with a dot), so they also name files safely.
_KEY = re.compile(r"[A-Za-z0-9_:-][A-Za-z0-9._:-]*(/[A-Za-z0-9_:-][A-Za-z0-9._:-]*)*\Z")
MAX_KEY_LENGTH = 200


def check_state_key(key: str) -> str:
    """``key`` if it is a usable state key, else ``ValueError``."""
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY.match(key):
        raise ValueError(f"invalid shared state key {key!r}")
    return key


def json_copy(value: Any) -> Any:
    """``value`` round-tripped through JSON: what every implementation stores, so a
    value that is not JSON fails the same way with each of them."""
    return json.loads(json.dumps(value))


@runtime_checkable
class SharedState(Protocol):
    """Namespaced records (JSON values other than ``null``) shared by every instance of
    one plugin.

    Methods block (a database call) and are safe to call from several threads.
    """

    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or ``None``."""

    def create(self, key: str, value: Any, secret: bytes | None = None) -> Any:
        """Store ``value`` (and ``secret``) under ``key`` unless the key exists; return
        the value that is stored now: ``value`` if this call won, else the winner's."""

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``, replacing a value there (a secret stays)."""

    def delete(self, key: str) -> bool:
        """Remove ``key``'s value and secret; whether there was one."""

    def list(self, prefix: str = "") -> dict[str, Any]:
        """Every key starting with ``prefix`` and its value, in key order."""

    def get_secret(self, key: str) -> bytes | None:
        """The secret stored with ``key``'s record, or ``None``."""


class MemorySharedState:
    """A :class:`SharedState` in this process's memory, for tests: instances share
    state only when they share this object."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, tuple[Any, bytes | None]] = {}

    def get(self, key: str) -> Any | None:
        with self._lock:
            record = self._records.get(check_state_key(key))
        return None if record is None else copy.deepcopy(record[0])

    def create(self, key: str, value: Any, secret: bytes | None = None) -> Any:
        stored = json_copy(value)
        with self._lock:
            record = self._records.setdefault(check_state_key(key), (stored, secret))
        return copy.deepcopy(record[0])

    def put(self, key: str, value: Any) -> None:
        stored = json_copy(value)
        with self._lock:
            secret = self._records.get(check_state_key(key), (None, None))[1]
            self._records[key] = (stored, secret)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._records.pop(check_state_key(key), None) is not None

    def list(self, prefix: str = "") -> dict[str, Any]:
        with self._lock:
            found = {k: v for k, (v, _) in self._records.items() if k.startswith(prefix)}
        return {k: copy.deepcopy(found[k]) for k in sorted(found)}

    def get_secret(self, key: str) -> bytes | None:
        with self._lock:
            return self._records.get(check_state_key(key), (None, None))[1]
