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
"""


EXIT_REFUSED = 3


def revocation_line(document: RevocationDocument) -> str:
    """``order-1: REVOKED (keyCompromise): serial ... revoked``."""
    message = f": {document.message}" if document.message else ""
    return f"{document.order_id}: {document.state} ({document.reason}){message}"


class _Progress:
    def __init__(self) -> None:
        self._seen = 0

    def __call__(self, document: RevocationDocument) -> None:
        for step in document.steps[self._seen:]:
            message = f": {step.message}" if step.message else ""
            print(f"{output.when(step.at)}  revoke: {step.outcome} ({step.state}){message}",
                  file=sys.stderr)
        self._seen = len(document.steps)


def _stalled(message: str) -> None:
    output.warn(f"{message}; still waiting")


async def revoke(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient
    from certorder.client_revocation import (
        RevocationRunningError,
        parse_reason,
        read_revocation,
        start_revocation,
        wait_revocation,
    )
    from certorder.workflows.revocation_models import revocation_workflow_id

    parse_reason(args.reason)  # before connecting: a typo is reported the same offline
    async with await CertOrderClient.connect(settings) as client:
        try:
            document = await start_revocation(client, args.order_id, args.reason)
        except RevocationRunningError:
            if not args.wait:
                raise
            document = await read_revocation(client, args.order_id)
        _refuse_if_nothing_reached_the_ca(document)
        if not document.checked:
            output.warn(f"no worker has picked up {revocation_workflow_id(args.order_id)} yet")
        if args.wait:
            progress = _Progress()
            progress(document)
            if not document.state.is_terminal:
                document = await wait_revocation(client, args.order_id, on_change=progress,
                                                 on_stall=_stalled)
        elif not document.state.is_terminal:
            print(f"{revocation_workflow_id(args.order_id)} started; follow it with: "
                  f"certorder cert revoke {args.order_id} --wait", file=sys.stderr)
    return _finish(document, args.json)


def _refuse_if_nothing_reached_the_ca(document: RevocationDocument) -> None:
    from certorder.client_errors import InvalidInputError
    from certorder.workflows.revocation_fsm import RevocationState

    # Refused by the worker's check (no plugin that can revoke) before any CA call:
    # for the user that is bad input, like an unknown order.
    if document.state is RevocationState.REFUSED and document.calls == 0:
        raise InvalidInputError(f"cannot revoke order {document.order_id}: {document.message}")


def _finish(document: RevocationDocument, as_json: bool) -> int:
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
        "revoke", help="revoke an order's certificate at its CA (a durable workflow)",
        epilog=revoke_epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Start the revocation of an order's certificate; it goes on "
                    "through CA outages until the CA has revoked (or refused) it.")
    p.add_argument("order_id", metavar="ORDER_ID", help="the order whose certificate to revoke")
    p.add_argument("--reason", required=True, metavar="R",
                   help="RFC 5280 reason, e.g. keyCompromise or superseded")
    p.add_argument("--wait", action="store_true", help="follow the revocation until it ends")
    p.add_argument("--json", action="store_true", help="print the revocation as JSON")
    p.set_defaults(handler=revoke)
