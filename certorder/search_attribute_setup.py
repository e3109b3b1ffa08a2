"""Making sure the namespace has certorder's search attributes before a worker runs.

An order whose workflow upserts an attribute the namespace lacks fails every workflow
task until someone registers it: so the dev stack registers what is missing (also
after an upgrade added one), and a worker refuses to start without them, naming the
commands that fix it.
"""

from __future__ import annotations

import logging

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError

from certorder.workflows.search_attributes import registrations

log = logging.getLogger(__name__)


class MissingSearchAttributesError(Exception):
    """The namespace lacks some of certorder's search attributes; one line for the user."""


async def missing_search_attributes(client: Client) -> list[tuple[str, str]] | None:
    """``(name, type)`` of each attribute the namespace lacks; None if it cannot be asked
    (an operator API that this identity may not call: then the worker goes on)."""
    try:
        response = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace))
    except RPCError as exc:
        log.warning("cannot list the namespace's search attributes (%s); not checked", exc)
        return None
    return [(name, kind) for name, kind in registrations()
            if name not in response.custom_attributes]


async def register_missing(client: Client) -> list[str]:
    """Register what is missing (the dev stack); returns the names registered."""
    missing = await missing_search_attributes(client) or []
    if missing:
        await client.operator_service.add_search_attributes(AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={name: IndexedValueType.Value(f"INDEXED_VALUE_TYPE_{kind.upper()}")
                               for name, kind in missing}))
    return [name for name, _ in missing]


async def require_search_attributes(client: Client) -> None:
    """:raises MissingSearchAttributesError: naming the commands that register them."""
    missing = await missing_search_attributes(client)
    if missing:
        commands = "; ".join(f"temporal operator search-attribute create --namespace "
                             f"{client.namespace} --name {name} --type {kind}"
                             for name, kind in missing)
        raise MissingSearchAttributesError(
            f"namespace {client.namespace} lacks search attributes "
            f"{', '.join(name for name, _ in missing)}: {commands}")
