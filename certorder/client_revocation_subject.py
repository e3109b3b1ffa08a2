"""What ``cert revoke ORDER_ID|NAME`` revokes: an order's certificate, or a managed
certificate's current one, and the managed certificate the order belongs to.

An order id is looked up in the store first (the store alone knows certificates whose
workflows Temporal has forgotten); a NAME is a managed certificate, workflow
``certificate-NAME``, whose current version names its order. Only the client checks
here; nothing is started.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from temporalio.service import RPCError, RPCStatusCode

from certorder.client import CertOrderClient
from certorder.client_errors import InvalidInputError, temporal_errors
from certorder.client_managed import ManagedCertificates
from certorder.client_orders import check_order_id
from certorder.client_revocation import stored_revocation_facts
from certorder.workflows.managed_models import MANAGED_ID_PREFIX, managed_workflow_id


@dataclass(frozen=True)
class RevocationSubject:
    """The order whose certificate to revoke, and its managed certificate, if any."""

    order_id: str
    #: ``certificate-NAME`` when the order is one of a managed certificate's versions.
    managed_workflow_id: str | None = None
    #: The NAME the user gave, when they gave one.
    name: str | None = None


class NothingToRevokeError(InvalidInputError):
    """Neither an order nor a managed certificate with a certificate."""


async def revocation_subject(client: CertOrderClient, target: str) -> RevocationSubject:
    """Resolve ``target`` (an order id or a managed certificate's name).

    :raises InvalidInputError: a managed certificate that has no certificate yet, or a
        target that is neither (then the order's own checks word the error).
    """
    check_order_id(target)
    container, recorded = await asyncio.to_thread(stored_revocation_facts, client.settings,
                                                  target)
    if container is not None or recorded is not None:
        return RevocationSubject(target, await _managed_parent(client, target))
    managed = ManagedCertificates(client.temporal, client.settings)
    if not await _workflow_exists(client, managed_workflow_id(target)):
        return RevocationSubject(target)  # start_revocation says "no order ..."
    state = await managed.state(target)
    current = state.current
    if current is None:
        raise NothingToRevokeError(
            f"managed certificate {target} has no certificate yet ({state.status.value})")
    return RevocationSubject(current.order_id, managed_workflow_id(target), name=target)


async def _workflow_exists(client: CertOrderClient, workflow_id: str) -> bool:
    with temporal_errors(client.settings.temporal_address):
        try:
            await client.temporal.get_workflow_handle(workflow_id).describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return False
            raise
    return True


async def _managed_parent(client: CertOrderClient, order_id: str) -> str | None:
    # A managed certificate's orders are its child workflows. Temporal may have forgotten
    # an old order (retention): then no managed certificate is told, which only matters
    # for keyCompromise of a current version, whose order is recent.
    try:
        description = await client.temporal.get_workflow_handle(order_id).describe()
    except RPCError:
        return None
    parent = description.parent_id
    return parent if parent and parent.startswith(MANAGED_ID_PREFIX) else None
