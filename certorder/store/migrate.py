"""Schema migrations, run from code: no alembic.ini is needed at run time.

By hand: ``python -m certorder.store upgrade URL`` and
``python -m certorder.store revision "add private keys"`` (see ``__main__``).
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from certorder.store.engine import SQLITE_IMMEDIATE

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Any fixed 64-bit number, the same in every process that migrates the store:
# a worker and a CLI started together on an empty database must not both create
# the tables.
_POSTGRES_MIGRATION_LOCK = 0x63657274_6F726472  # "certordr"

# Alembic runs env.py through module-global proxies (alembic.context, alembic.op):
# two threads migrating at once in one process trample each other's state, so
# in-process callers queue here before the database lock serialises processes.
_IN_PROCESS_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged scripts, sharing ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in the packaged scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration scripts in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database to the newest revision, in one transaction, under a lock.

    Safe to call on every start and from several processes at once: the first
    migrates, the others wait for it and then find nothing to do.
    """
    with _IN_PROCESS_LOCK, engine.connect() as connection:
        connection.execution_options(**{SQLITE_IMMEDIATE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": _POSTGRES_MIGRATION_LOCK},
                )
            command.upgrade(alembic_config(connection), "head")


def new_revision(message: str) -> Path:
    """Write an empty revision numbered after the current head; return its path."""
    rev_id = f"{int(head_revision()) + 1:04d}"
    script = command.revision(alembic_config(), message=message, rev_id=rev_id)
    return Path(script.path)
