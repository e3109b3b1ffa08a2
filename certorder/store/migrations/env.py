"""Alembic environment of the certificate store.

Normally run by :func:`certorder.store.migrate.upgrade_to_head`, which passes an open
connection in ``config.attributes["connection"]`` (already inside a transaction and,
on PostgreSQL, holding the migration lock). Without one (Alembic's own command line)
it connects to ``sqlalchemy.url`` from the config, else ``CERTORDER_STORE_URL``.
"""

from __future__ import annotations

import os

from alembic import context

from certorder.store.engine import create_store_engine
from certorder.store.schema import metadata


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("CERTORDER_STORE_URL")
    if not url:
        raise RuntimeError("no store URL: set sqlalchemy.url or CERTORDER_STORE_URL")
    return url


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over the shared connection, or over a new one."""
    shared = context.config.attributes.get("connection")
    if shared is not None:
        _run(shared)
        return
    engine = create_store_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (``alembic upgrade --sql``)."""
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
