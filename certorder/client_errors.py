"""Errors of the client SDK: everything a user can cause, as one line each.

::

    CertOrderError                  root; ``str(exc)`` is one line for the user
     ├─ InvalidInputError           the request can never succeed as given (bad CSR,
     │   │                          unknown plugin, bad order id, bad settings)
     │   ├─ OrderNotFoundError      no order with that id
     │   ├─ OrderExistsError        an order with that id was already started
     │   ├─ OrderClosedError        the order has ended; it cannot be changed any more
     │   └─ StoreMissingError       no certificate store where the settings say
     ├─ TemporalUnavailableError    the Temporal frontend cannot be reached
     └─ WorkerUnavailableError      the order is running but no worker answered

``exit_code`` is what the CLI exits with: 2 for input mistakes, 1 for operational
failures. Lower-level errors (temporalio's, the plugin layer's) are translated here,
at one boundary, so callers never see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio.client import WorkflowQueryFailedError
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from certorder.one_line import one_line
from certorder.plugins.interface.errors import (
    CAOperationError,
    CAUnavailableError,
    CertificatePluginError,
    InvalidOrderError,
    PluginConfigurationError,
    PluginLoadError,
    PluginNotFoundError,
    UnknownCAError,
)


class CertOrderError(Exception):
    """Root of the client's errors; the message is one line a person can act on."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class InvalidInputError(CertOrderError):
    """The caller's input is wrong; retrying the same request cannot help."""

    exit_code = 2


class OrderNotFoundError(InvalidInputError):
    """No order has that id."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id}")
        self.order_id = order_id


class OrderExistsError(InvalidInputError):
    """An order with that id exists (running or ended); ids are never reused."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} already exists")
        self.order_id = order_id


class OrderClosedError(InvalidInputError):
    """The order has ended; modify and cancel no longer apply."""


class StoreMissingError(InvalidInputError):
    """No certificate store where the settings say (a mistyped data_dir or store_url,
    or no worker has run there yet)."""


class TemporalUnavailableError(CertOrderError):
    """The Temporal frontend did not answer."""

    def __init__(self, address: str, detail: str = "") -> None:
        hint = "is `certorder dev` running?"
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"cannot reach Temporal at {address}{suffix}: {hint}")


class WorkerUnavailableError(CertOrderError):
    """A running order's status query went unanswered: no worker polls its queue."""


_UNREACHABLE = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


@contextmanager
def temporal_errors(address: str, order_id: str | None = None) -> Iterator[None]:
    """Translate temporalio's exceptions raised inside the block into CertOrderErrors."""
    try:
        yield
    except CertOrderError:
        raise
    except WorkflowAlreadyStartedError:
        raise OrderExistsError(order_id or "?") from None
    except WorkflowQueryFailedError as exc:
        # The worker answered but the workflow could not: its task is failing (a bug
        # or a non-deterministic change); the Temporal UI shows why.
        raise CertOrderError(f"order {order_id}: the status query failed: {exc}") from exc
    except RPCError as exc:
        raise rpc_error(exc, address, order_id) from exc


def rpc_error(exc: RPCError, address: str, order_id: str | None) -> CertOrderError:
    """The CertOrderError for one RPCError."""
    if exc.status == RPCStatusCode.NOT_FOUND and "namespace" in exc.message.lower():
        # Every call in a missing namespace is NOT_FOUND: not a missing order.
        return InvalidInputError(
            f"Temporal at {address}: {exc.message.rstrip('.')} (check temporal_namespace)")
    if exc.status == RPCStatusCode.NOT_FOUND and order_id is not None:
        return OrderNotFoundError(order_id)
    if exc.status == RPCStatusCode.ALREADY_EXISTS and order_id is not None:
        return OrderExistsError(order_id)
    if exc.status in _UNREACHABLE:
        return TemporalUnavailableError(address, exc.message)
    if exc.status == RPCStatusCode.INVALID_ARGUMENT and "search attribute" in exc.message.lower():
        # A cluster that was not prepared for certorder: the UI filters need these.
        return CertOrderError(
            f"Temporal rejected the order's search attributes ({exc.message}); register them "
            "with `temporal operator search-attribute create --name CertificateOrderStatus "
            "--type Keyword` (and the others in docs/operations.md)"
        )
    if exc.status == RPCStatusCode.INVALID_ARGUMENT:
        return InvalidInputError(f"Temporal rejected the request: {exc.message}")
    return CertOrderError(f"Temporal error ({exc.status.name}): {exc.message}")


@contextmanager
def plugin_errors() -> Iterator[None]:
    """Translate the plugin layer's errors into CertOrderErrors with their own messages."""
    try:
        yield
    except (InvalidOrderError, PluginNotFoundError, UnknownCAError) as exc:
        raise InvalidInputError(str(exc)) from exc
    except (PluginLoadError, PluginConfigurationError) as exc:
        raise InvalidInputError(f"cannot load plugins: {exc}") from exc
    except CAUnavailableError as exc:
        raise CertOrderError(f"CA unavailable: {exc}") from exc
    except CAOperationError as exc:
        # The plugin refuses what was asked (delete the root, no plugin named): the
        # request is wrong, retrying it cannot help.
        raise InvalidInputError(str(exc)) from exc
    except CertificatePluginError as exc:
        raise CertOrderError(str(exc)) from exc
