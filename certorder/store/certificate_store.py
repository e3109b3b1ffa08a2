"""The certificate store: where issued certificates live for good.

Temporal forgets a workflow once its retention period has passed; the store does
not, so it is the source of truth for what an order issued. All methods block:
activities call them through :attr:`CertificateStore.calls`, the store's own threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, bindparam, func, select
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)

from certorder.store import order_ids
from certorder.store.bounded_calls import BoundedCalls
from certorder.store.container_writes import (
    refuse_another_certificate,
    secrets_of,
    write_container,
)
from certorder.store.engine import create_reader_engine, create_store_engine
from certorder.store.errors import StoreLocationError, StoreUnavailableError
from certorder.store.migrate import upgrade_to_head
from certorder.store.models import CertificateContainer
from certorder.store.order_ids import OrderIdClaim
from certorder.store.revocations import OrderData, RevocationRecords
from certorder.store.rows import with_secrets
from certorder.store.schema import certificate_containers
from certorder.store.write_lock import writer

MAX_LIST_LIMIT = 1000


# Built once (every stored certificate looks its order up first): see plugin_state.py.
_BY_ORDER = select(certificate_containers).where(
    certificate_containers.c.order_id == bindparam("order_id"))
_BY_ID = select(certificate_containers).where(
    certificate_containers.c.container_id == bindparam("container_id"))


class CertificateStore:
    """Containers of certificate secrets, one per order, in SQLite or PostgreSQL.

    Thread-safe: one instance may serve every activity of a worker.
    """

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine whose database is already migrated; prefer :meth:`open`."""
        self._engine = engine
        #: Order data kept for revocation, and the revocations done.
        self.revocations = RevocationRecords(engine)
        #: Where async callers (the worker's store activities) run store methods.
        self.calls = BoundedCalls()

    @classmethod
    def open(cls, url: str) -> CertificateStore:
        """Connect to ``url`` and migrate its schema to the newest revision.

        A SQLite file's directory is created when missing.

        :raises ValueError: when ``url`` is not a SQLite or PostgreSQL URL.
        :raises StoreUnavailableError: when the database cannot be reached or created.
        """
        engine = create_store_engine(url)
        try:
            upgrade_to_head(engine)
        except (OperationalError, InterfaceError) as exc:
            engine.dispose()
            raise _unavailable(engine, exc) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    @classmethod
    def open_reader(cls, url: str) -> CertificateStore:
        """Connect to ``url`` read-only: no migration, no write lock, nothing created.

        :raises ValueError: when ``url`` is not a SQLite or PostgreSQL URL.
        :raises StoreLocationError: no store there (a missing file, or no tables).
        :raises StoreUnavailableError: when the database cannot be reached.
        """
        engine = create_reader_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(select(certificate_containers.c.order_id).limit(1)).all()
        except (OperationalError, InterfaceError, ProgrammingError) as exc:
            engine.dispose()
            if "no such table" in str(exc) or "does not exist" in str(exc.orig or ""):
                where = engine.url.render_as_string(hide_password=True)
                if engine.url.get_backend_name() == "sqlite":
                    where = url.removeprefix("sqlite:///")
                raise StoreLocationError(f"no certificate store at {where}") from exc
            raise _unavailable(engine, exc) from exc
        return cls(engine)

    @property
    def engine(self) -> Engine:
        """The underlying engine (for tests and maintenance)."""
        return self._engine

    def store_certificate(
        self,
        *,
        order_id: str,
        plugin_name: str,
        ca_id: str | None,
        certificate: str,
        intermediates: str | None,
        order_data: OrderData | None = None,
    ) -> CertificateContainer:
        """Keep the certificate an order was issued, and the order's data for a later
        revocation; return its container.

        Idempotent by ``order_id`` for the *same* certificate (a retried activity, or
        another worker that won a race): that container is returned, and only order
        data it lacks is written. The container, its secrets and ``order_data`` are
        written in one transaction, which also marks the order id used. Blank
        ``intermediates`` are not stored.

        :raises ValueError: when ``order_id``, ``plugin_name`` or ``certificate`` is blank.
        :raises CertificateConflictError: the order already has another certificate
            (its id was reused, or the CA issued twice); nothing is written.
        """
        for field, value in (
            ("order_id", order_id),
            ("plugin_name", plugin_name),
            ("certificate", certificate),
        ):
            if not value or not value.strip():
                raise ValueError(f"cannot store a certificate: {field} is empty")
        existing = self.get_by_order(order_id)
        if existing is None:
            try:
                with self._writer() as connection:
                    return write_container(
                        connection, order_id=order_id, plugin_name=plugin_name, ca_id=ca_id,
                        secrets=secrets_of(certificate, intermediates), order_data=order_data)
            except IntegrityError:
                # Another writer stored this order between our read and our insert;
                # its transaction committed first, so its container is the one.
                existing = self.get_by_order(order_id)
                if existing is None:
                    raise
        refuse_another_certificate(existing, certificate, plugin_name)
        if order_data is not None and self.revocations.order_data(order_id) is None:
            # A container stored without its order data (by a version that wrote them
            # in two transactions, and stopped in between): keep it now.
            self.revocations.keep_order_data(
                order_id, order_data.order_meta, order_data.plugin_meta)
        return existing

    def claim_order_id(self, order_id: str, claimant: str) -> OrderIdClaim:
        """Mark ``order_id`` used by ``claimant`` (a workflow run) unless it already is.

        Returns the claim that holds: ``claimant``'s own (a first use, or a retry), or
        the earlier one, meaning the id was used before and must be refused.
        """
        with self._writer() as connection:
            return order_ids.claim(connection, order_id, claimant)

    def get_by_order(self, order_id: str) -> CertificateContainer | None:
        """The container of an order, or None when it issued nothing (yet)."""
        return self._get_one(_BY_ORDER, {"order_id": order_id})

    def get(self, container_id: str) -> CertificateContainer | None:
        """A container by its id, or None."""
        return self._get_one(_BY_ID, {"container_id": container_id})

    def list_containers(self, limit: int = 100) -> list[CertificateContainer]:
        """The most recently stored containers, newest first.

        :raises ValueError: when ``limit`` is not between 1 and ``MAX_LIST_LIMIT``.
        """
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIST_LIMIT}, not {limit}")
        query = (
            select(certificate_containers)
            .order_by(
                certificate_containers.c.created_at.desc(),
                certificate_containers.c.container_id,
            )
            .limit(limit)
        )
        with self._engine.connect() as connection, connection.begin():
            rows = connection.execute(query).all()
            return with_secrets(connection, rows)

    def count_containers(self) -> int:
        """How many containers the store holds."""
        with self._engine.connect() as connection:
            query = select(func.count()).select_from(certificate_containers)
            return connection.execute(query).scalar_one()

    def close(self) -> None:
        """Release every pooled connection."""
        self.calls.close()
        self._engine.dispose()

    @contextmanager
    def _writer(self) -> Iterator[Connection]:
        """A connection in a write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with writer(self._engine) as connection, connection.begin():
            yield connection

    def _get_one(self, query, params: dict[str, str]) -> CertificateContainer | None:
        with self._engine.connect() as connection, connection.begin():
            row = connection.execute(query, params).first()
            if row is None:
                return None
            return with_secrets(connection, [row])[0]


def _unavailable(engine: Engine, exc: DBAPIError) -> StoreUnavailableError:
    where = engine.url.render_as_string(hide_password=True)
    cause = str(exc.orig or exc).strip().splitlines()[0]
    return StoreUnavailableError(f"cannot open the certificate store at {where}: {cause}")
