"""Store schema and migrations on SQLite and PostgreSQL, and store URLs."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, insert, inspect, select, text

from certorder.store import CertificateStore, StoreUnavailableError, default_store_url, migrate
from certorder.store.engine import create_store_engine, normalize_url
from certorder.store.schema import certificate_containers, certificate_secrets, metadata


def _version_rows(store: CertificateStore) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_open_migrates_to_head_and_twice_is_fine(empty_database_url: str) -> None:
    first = CertificateStore.open(empty_database_url)
    first.close()
    second = CertificateStore.open(empty_database_url)
    try:
        assert _version_rows(second) == [migrate.head_revision()]
        assert migrate.current_revision(second.engine) == migrate.head_revision()
        tables = set(inspect(second.engine).get_table_names())
        assert {"certificate_containers", "certificate_secrets", "alembic_version"} <= tables
    finally:
        second.close()


def test_migrated_schema_matches_schema_module(store: CertificateStore) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []


_OPEN_AT = """
import sys, time
from certorder.store import CertificateStore
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
CertificateStore.open(sys.argv[1]).close()
"""


def test_concurrent_first_opens_from_processes_migrate_once(empty_database_url: str) -> None:
    # Separate processes, as a worker and a CLI would be: each has its own
    # Alembic state, so only the database's own lock keeps them apart.
    start_at = time.time() + 2.0
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_AT, empty_database_url, str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [opener.communicate(timeout=60)[0] for opener in openers]

    assert [opener.returncode for opener in openers] == [0, 0, 0], outputs
    store = CertificateStore.open(empty_database_url)
    try:
        assert _version_rows(store) == [migrate.head_revision()]
    finally:
        store.close()


def test_concurrent_first_opens_from_threads_migrate_once(empty_database_url: str) -> None:
    openers = 4
    barrier = threading.Barrier(openers)
    stores: list[CertificateStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        barrier.wait()
        try:
            stores.append(CertificateStore.open(empty_database_url))
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert len(stores) == openers
        assert _version_rows(stores[0]) == [migrate.head_revision()]
    finally:
        for store in stores:
            store.close()


def test_downgrade_to_base_and_back(empty_database_url: str) -> None:
    store = CertificateStore.open(empty_database_url)
    try:
        with store.engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "base")
        assert "certificate_containers" not in inspect(store.engine).get_table_names()
        assert migrate.current_revision(store.engine) is None

        migrate.upgrade_to_head(store.engine)
        assert migrate.current_revision(store.engine) == migrate.head_revision()
    finally:
        store.close()


def test_deleting_a_container_cascades_to_its_secrets(store: CertificateStore, order_id) -> None:
    stored = store.store_certificate(
        order_id=order_id, plugin_name="p", ca_id=None, certificate="PEM", intermediates="CHAIN"
    )
    with store.engine.begin() as connection:
        connection.execute(
            delete(certificate_containers).where(
                certificate_containers.c.container_id == stored.container_id
            )
        )
    with store.engine.connect() as connection:
        left = connection.execute(
            select(certificate_secrets.c.name).where(
                certificate_secrets.c.container_id == stored.container_id
            )
        ).all()
    assert left == []


def test_secret_without_container_is_refused(store: CertificateStore) -> None:
    with pytest.raises(Exception, match="(?i)foreign key"):
        with store.engine.begin() as connection:
            connection.execute(
                insert(certificate_secrets).values(
                    secret_id="s1",
                    container_id="missing",
                    name="certificate",
                    content_type="x",
                    payload="y",
                    created_at=text("CURRENT_TIMESTAMP"),
                )
            )


def test_sqlite_file_is_wal_with_foreign_keys(tmp_path: Path) -> None:
    store = CertificateStore.open(default_store_url(tmp_path / "nested" / "dir"))
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        store.close()
    database = tmp_path / "nested" / "dir" / "certorder.db"
    assert database.is_file()
    # journal_mode is a property of the file: a plain sqlite3 connection sees it too.
    with sqlite3.connect(database) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_new_revision_is_numbered_and_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)

    # Numbered after whatever the head is (others add revisions too).
    head = migrate.head_revision()
    after = f"{int(head) + 1:04d}"
    path = migrate.new_revision("add more things")

    assert path == scripts / "versions" / f"{after}_add_more_things.py"
    source = path.read_text()
    assert f"down_revision: str | None = '{head}'" in source
    assert migrate.head_revision() == after
    engine = create_store_engine(f"sqlite:///{tmp_path / 'db' / 'store.db'}")
    try:
        migrate.upgrade_to_head(engine)
        assert migrate.current_revision(engine) == after
    finally:
        engine.dispose()


def test_default_store_url_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    assert default_store_url(tmp_path) == f"sqlite:///{tmp_path}/certorder.db"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:pw@db.example:5433/certs",
        "postgres://u:pw@db.example:5433/certs",
        "postgresql+psycopg://u:pw@db.example:5433/certs",
    ],
)
def test_postgres_urls_use_psycopg3(url: str) -> None:
    parsed = normalize_url(url)

    assert parsed.drivername == "postgresql+psycopg"
    assert (parsed.host, parsed.port, parsed.database, parsed.username) == (
        "db.example",
        5433,
        "certs",
        "u",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "must be sqlite:/// or postgresql://"),
        ("postgresql+psycopg2://u@h/db", "use postgresql\\+psycopg://"),
        ("sqlite://", "in-memory SQLite"),
        ("sqlite:///:memory:", "in-memory SQLite"),
        ("not a url", "not a database URL"),
    ],
)
def test_bad_store_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CertificateStore.open(url)


def test_unreachable_postgres_is_a_one_line_error_without_password() -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    with pytest.raises(StoreUnavailableError) as caught:
        CertificateStore.open("postgresql://u:hunter2@127.0.0.1:1/certs")

    message = str(caught.value)
    assert message.startswith("cannot open the certificate store at postgresql+psycopg://u:***@")
    assert "hunter2" not in message and "\n" not in message


def test_sqlite_directory_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    with pytest.raises(StoreUnavailableError, match="cannot create the certificate store's"):
        CertificateStore.open(f"sqlite:///{blocker}/sub/certorder.db")
