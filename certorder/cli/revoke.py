"""``certorder cert revoke``: revoke an order's certificate through its CA plugin.

Exit codes: 0 revoked (or started, without ``--wait``); 2 bad input, including a
plugin that offers no revocation (nothing reached the CA); 3 the CA refused or the
plugin failed.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from certorder.cli import output

if TYPE_CHECKING:
    from certorder.client import CertOrderClient
    from certorder.settings import Settings
    from certorder.workflows.revocation_models import RevocationDocument


def revoke_epilog() -> str:
    """The help's epilog: made when the help is shown, as the reasons need pydantic."""
    from certorder.plugins.interface.revocation import RevocationReason

    return f"""\
reasons (RFC 5280): {", ".join(reason.value for reason in RevocationReason)}

examples:
  certorder cert revoke order-1234 --reason superseded
  certorder cert revoke order-1234 --reason keyCompromise --wait
  certorder cert revoke www --reason keyCompromise     (a managed certificate: renewed
                                                        at once with a new key)
"""


EXIT_REFUSED = 3


def revocation_line(document: RevocationDocument) -> str:
    """``order-1: REVOKED (keyCompromise): serial ... revoked``."""
    message = f": {document.message}" if document.message else ""
    return f"{document.order_id}: {document.state} ({document.reason}){message}"


class _Progress:
    # By the last step's time, not a count: the document keeps only its last 50 steps,
    # so past 50 a count would never grow again and progress would fall silent. Steps
    # of one workflow task share its time, hence how many at that time were printed.
    def __init__(self) -> None:
        self._last = None
        self._printed_at_last = 0

    def __call__(self, document: RevocationDocument) -> None:
        same = 0
        for step in document.steps:
            if self._last is not None and step.at < self._last:
                continue
            if step.at == self._last:
                same += 1
                if same <= self._printed_at_last:
                    continue
                self._printed_at_last = same
            else:
                self._last, self._printed_at_last, same = step.at, 1, 1
            message = f": {step.message}" if step.message else ""
            print(f"{output.when(step.at)}  revoke: {step.outcome} ({step.state}){message}",
                  file=sys.stderr)


def _stalled(message: str) -> None:
    output.warn(f"{message}; still waiting")


async def revoke(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient
    from certorder.client_errors import InvalidInputError, OrderNotFoundError
    from certorder.client_revocation import parse_reason
    from certorder.client_revocation_subject import revocation_subject

    parse_reason(args.reason)  # before connecting: a typo is reported the same offline
    async with await CertOrderClient.connect(settings) as client:
        subject = await revocation_subject(client, args.target)
        announce = None if subject.name is None else (
            f"certificate {subject.name}: revoking its current certificate "
            f"(order {subject.order_id})")
        try:
            document = await revoke_and_follow(
                client, subject.order_id, args.reason, wait=args.wait,
                managed_workflow_id=subject.managed_workflow_id, announce=announce)
        except OrderNotFoundError:
            raise InvalidInputError(f"no order or managed certificate {args.target}") from None
    return finish_revocation(document, args.json)


async def revoke_and_follow(client: CertOrderClient, order_id: str, reason: str, *,
                            wait: bool, managed_workflow_id: str | None = None,
                            announce: str | None = None) -> RevocationDocument:
    """Start (or, with ``wait``, join) the revocation of ``order_id``; refuse in one line
    when the worker found nothing the CA could be asked; else print ``announce`` (to
    stderr) and, with ``wait``, follow it."""
    document = await start_checked_revocation(
        client, order_id, reason, join=wait, managed_workflow_id=managed_workflow_id,
        announce=announce)
    return await follow_revocation(client, document, wait=wait)


async def start_checked_revocation(client: CertOrderClient, order_id: str, reason: str, *,
                                   join: bool, managed_workflow_id: str | None = None,
                                   announce: str | None = None) -> RevocationDocument:
    """Start (or, with ``join``, join a running) revocation of ``order_id`` without
    waiting for it; refuse in one line when the worker found nothing the CA could be
    asked; else print ``announce`` (to stderr)."""
    from certorder.client_revocation import (
        RevocationRunningError,
        read_revocation,
        start_revocation,
    )
    from certorder.workflows.revocation_models import revocation_workflow_id

    try:
        document = await start_revocation(client, order_id, reason,
                                          managed_workflow_id=managed_workflow_id)
    except RevocationRunningError:
        if not join:
            raise
        document = await read_revocation(client, order_id)
    _refuse_if_nothing_reached_the_ca(document)
    if announce:
        print(announce, file=sys.stderr)
    if not document.checked:
        workflow_id = revocation_workflow_id(order_id)
        output.warn(f"{workflow_id}: {document.message}" if document.waiting_for_plugin
                    else f"no worker has picked up {workflow_id} yet")
    return document


async def follow_revocation(client: CertOrderClient, document: RevocationDocument, *,
                            wait: bool) -> RevocationDocument:
    """With ``wait``, follow a started revocation to its end (through CA outages);
    else tell how to follow it."""
    from certorder.client_revocation import wait_revocation
    from certorder.workflows.revocation_models import revocation_workflow_id

    order_id = document.order_id
    if wait:
        progress = _Progress()
        progress(document)
        if not document.state.is_terminal:
            document = await wait_revocation(client, order_id, on_change=progress,
                                             on_stall=_stalled)
    elif not document.state.is_terminal:
        print(f"{revocation_workflow_id(order_id)} started; follow it with: "
              f"certorder cert revoke {order_id} --reason {document.reason} --wait",
              file=sys.stderr)
    return document


def _refuse_if_nothing_reached_the_ca(document: RevocationDocument) -> None:
    from certorder.client_errors import InvalidInputError
    from certorder.workflows.revocation_fsm import RevocationState

    # Refused by the worker's check (no plugin that can revoke) before any CA call:
    # for the user that is bad input, like an unknown order.
    if document.state is RevocationState.REFUSED and document.calls == 0:
        raise InvalidInputError(f"cannot revoke order {document.order_id}: {document.message}")


def finish_revocation(document: RevocationDocument, as_json: bool) -> int:
    """Print the revocation's outcome; its exit code."""
    from certorder.workflows.revocation_fsm import RevocationState

    _refuse_if_nothing_reached_the_ca(document)
    if as_json:
        output.print_json(document.model_dump(mode="json"))
    else:
        print(revocation_line(document))
    if document.state in (RevocationState.REFUSED, RevocationState.ERROR):
        return EXIT_REFUSED
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``cert revoke`` to the ``cert`` group."""
    p = sub.add_parser(
        "revoke", help="revoke an order's (or a managed certificate's) certificate at its CA",
        epilog=revoke_epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Start the revocation of an order's certificate (or of a managed "
                    "certificate's current one); it goes on through CA outages until the "
                    "CA has revoked (or refused) it.")
    p.add_argument("target", metavar="ORDER_ID|NAME",
                   help="the order whose certificate to revoke, or a managed certificate's "
                        "NAME (its current certificate)")
    p.add_argument("--reason", required=True, metavar="R",
                   help="RFC 5280 reason, e.g. keyCompromise or superseded")
    p.add_argument("--wait", action="store_true", help="follow the revocation until it ends")
    p.add_argument("--json", action="store_true", help="print the revocation as JSON")
    p.set_defaults(handler=revoke)
