"""Store URLs and engines: SQLite by default, PostgreSQL through psycopg 3."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.request import pathname2url

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from certorder.store.errors import StoreLocationError

#: How long a SQLite writer waits for another process's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: PostgreSQL: the longest one statement may run, or wait for a lock, before it fails;
#: a hung or locked database then fails the store call, which is retried, instead of
#: holding a worker thread for ever.
STATEMENT_TIMEOUT_MS = 10_000
#: PostgreSQL: how long to wait for a connection to the server.
CONNECT_TIMEOUT_SECONDS = 5
#: Connections per engine (the worker makes few store calls at once; see
#: ``bounded_calls.STORE_THREADS``), and how long a call waits for a free one.
POOL_SIZE = 4
POOL_TIMEOUT_SECONDS = 10

#: SQLite ``PRAGMA synchronous`` levels a store URL may ask for (``?synchronous=normal``).
#: FULL, the default, syncs the WAL on every commit: a commit survives power loss.
#: NORMAL syncs only at checkpoints: a commit survives a killed process, not power
#: loss or an OS crash (docs/store.md, "Durability").
SQLITE_SYNCHRONOUS = ("full", "normal")

#: Execution option asking for ``BEGIN IMMEDIATE`` on SQLite (see ``_sqlite_begin``).
SQLITE_IMMEDIATE = "certorder_sqlite_immediate"

_POSTGRES_DRIVER = "postgresql+psycopg"


def default_store_url(data_dir: Path) -> str:
    """The SQLite URL of the store under ``data_dir``: ``sqlite:///<data_dir>/certorder.db``."""
    return f"sqlite:///{Path(data_dir) / 'certorder.db'}"


def normalize_url(url: str) -> URL:
    """Parse a store URL; plain ``postgresql://`` and ``postgres://`` mean psycopg 3.

    :raises ValueError: for an unparsable URL, an unsupported database, or an
        in-memory SQLite database (each connection would see a different one).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"store URL is not a database URL: {_redacted(url)}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise ValueError(f"store URL uses driver {driver!r}; use postgresql+psycopg://")
        return parsed.set(drivername=_POSTGRES_DRIVER)
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError("store URL names an in-memory SQLite database; give a file path")
        _sqlite_synchronous(parsed)
        # sqlite3 does not expand `~`: it would make a directory named ~ in the cwd.
        return parsed.set(database=str(Path(parsed.database).expanduser()))
    raise ValueError(f"store URL must be sqlite:/// or postgresql://, not {parsed.drivername}://")


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, creates the file's directory first.

    :raises ValueError: for a URL the store cannot use (see :func:`normalize_url`).
    :raises StoreLocationError: when the SQLite directory cannot be created.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = Path(parsed.database).expanduser()
        directory = database.parent
        try:
            # Owner only: the store holds every issued certificate. SQLite gives its
            # -wal and -shm files the database file's mode, so creating it 0600 here
            # covers them too.
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
        except OSError as exc:
            raise StoreLocationError(
                f"cannot create the certificate store's directory {directory}: {exc.strerror}"
            ) from exc
        synchronous = _sqlite_synchronous(parsed)
        engine = create_engine(
            parsed.difference_update_query(["synchronous"]),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )

        def on_connect(dbapi_connection, _record) -> None:
            _sqlite_on_connect(dbapi_connection, synchronous)

        event.listen(engine, "connect", on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # pre_ping: a long-running worker must survive a PostgreSQL restart.
    return create_engine(parsed, **_postgres_options())


def _postgres_options(*settings: str) -> dict:
    timeouts = (f"statement_timeout={STATEMENT_TIMEOUT_MS}", f"lock_timeout={STATEMENT_TIMEOUT_MS}")
    options = " ".join(f"-c {setting}" for setting in (*timeouts, *settings))
    return {
        "pool_pre_ping": True,
        "pool_size": POOL_SIZE,
        "max_overflow": 2,
        "pool_timeout": POOL_TIMEOUT_SECONDS,
        "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options},
    }


def create_reader_engine(url: str) -> Engine:
    """A read-only engine for ``url``: it never creates, migrates or locks anything.

    :raises ValueError: for a URL the store cannot use (see :func:`normalize_url`).
    :raises StoreLocationError: a SQLite file that does not exist.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Read-only sessions: a bug here fails instead of writing.
        return create_engine(parsed, **_postgres_options("default_transaction_read_only=on"))
    path = Path(parsed.database).expanduser()
    if not path.is_file():
        raise StoreLocationError(f"no certificate store at {path}")
    uri = f"file:{pathname2url(str(path.resolve()))}?mode=ro"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False, isolation_level=None)

    # WAL readers take no lock a writer holds, so a reader never waits for a worker.
    engine = create_engine("sqlite://", creator=connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_synchronous(url: URL) -> str:
    value = url.query.get("synchronous", "full")
    if value not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"store URL: synchronous must be full or normal, not {value!r}")
    return value


def _sqlite_on_connect(dbapi_connection, synchronous: str) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin:
    # sqlite3's implicit BEGIN comes only before DML, so reads ran outside any
    # transaction and a read-then-write could not be made atomic.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL lets a worker write while a CLI reads the same file.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # Said even for the default: a build of SQLite may default WAL to NORMAL.
        cursor.execute(f"PRAGMA synchronous = {synchronous.upper()}")
    finally:
        cursor.close()


def _sqlite_begin(connection) -> None:
    # A deferred transaction that reads first and then writes gets SQLITE_BUSY at
    # once, ignoring busy_timeout, if another writer committed in between; writers
    # therefore take the write lock up front.
    if connection.get_execution_options().get(SQLITE_IMMEDIATE):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def _redacted(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url
