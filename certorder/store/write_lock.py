"""One writer at a time per SQLite engine, queued on a mutex in the process.

SQLite has one write lock per file. Threads of one worker that want it at once (the
store's threads, and the plugin threads writing a plugin's shared state) used to meet
in SQLite's busy handler, which sleeps in steps of 1 to 100 ms between tries: under
load an order waited there longer than its write took (docs/performance.md). Queued
on a lock here, the next writer starts as soon as the previous one has committed.
Other processes on the same file still meet in the busy handler, as before.
PostgreSQL does not serialise writers: no lock there.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from certorder.store.engine import SQLITE_BUSY_TIMEOUT_MS, SQLITE_IMMEDIATE

_LOCKS: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


@contextmanager
def writer(engine: Engine) -> Iterator[Connection]:
    """A connection for one write transaction (``BEGIN IMMEDIATE`` on SQLite), held
    alone among this process's writers of ``engine`` until it is closed.

    :raises OperationalError: SQLite's "database is locked", as the busy timeout
        would have said, when another writer holds the lock longer than it allows.
    """
    lock = _lock(engine)
    if not lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
        raise OperationalError("BEGIN IMMEDIATE", None,
                               sqlite3.OperationalError("database is locked"))
    try:
        with engine.connect() as connection:
            connection.execution_options(**{SQLITE_IMMEDIATE: True})
            yield connection
    finally:
        lock.release()


def _lock(engine: Engine):
    if engine.url.get_backend_name() != "sqlite":
        return _NO_LOCK
    with _LOCKS_LOCK:
        # Reentrant: a writer that opens another write connection in the same thread
        # meets SQLite's own lock (and its timeout), as it did before, not a deadlock.
        return _LOCKS.setdefault(engine, threading.RLock())


class _NoLock:
    def acquire(self, timeout: float) -> bool:
        return True

    def release(self) -> None:
        pass


_NO_LOCK = _NoLock()
