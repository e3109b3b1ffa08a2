"""Store fixtures: every store test runs against SQLite and against PostgreSQL.

PostgreSQL comes from ``CERTORDER_TEST_POSTGRES_URL`` (default: the local server,
user postgres, trust auth). The session creates its own uniquely named databases
on it and drops them at the end; when the server cannot be reached the PostgreSQL
cases are skipped, saying why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from certorder.store import CertificateStore

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The admin URL of the test PostgreSQL server, or a skip when it is unreachable."""
    url = os.environ.get("CERTORDER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        psycopg.connect(_libpq_url(url), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        pytest.skip(f"PostgreSQL at {make_url(url).render_as_string()} unreachable: {reason}")
    return url


@pytest.fixture(scope="session")
def new_postgres_database(postgres_server_url: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh empty databases, all dropped when the session ends."""
    created: list[str] = []
    admin_url = _libpq_url(postgres_server_url)

    def create() -> str:
        name = f"certorder_test_{uuid.uuid4().hex[:12]}"
        # CREATE DATABASE cannot run inside a transaction block.
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return (
            make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
        )

    yield create
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in created:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def postgres_session_url(new_postgres_database: Callable[[], str]) -> str:
    """The database the session's PostgreSQL store tests share."""
    return new_postgres_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A store URL: a SQLite file in a not-yet-existing directory, or the session's database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'certorder.db'}"
    return request.getfixturevalue("postgres_session_url")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A URL of a database nobody has touched yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty' / 'certorder.db'}"
    return request.getfixturevalue("new_postgres_database")()


@pytest.fixture
def store(store_url: str) -> Iterator[CertificateStore]:
    """An open, migrated store, closed after the test."""
    opened = CertificateStore.open(store_url)
    yield opened
    opened.close()


@pytest.fixture
def order_id() -> str:
    """An order id no other test uses (the PostgreSQL database is shared)."""
    return f"order-{uuid.uuid4().hex}"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def module_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A store of the test module's own (SQLite file, or a PostgreSQL database): for
    tests that leave secrets sealed by KEKs of their own, which a later ``check_kek()``
    on the session's shared database would rightly refuse."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'certorder.db'}"
    return request.getfixturevalue("new_postgres_database")()
