"""``certorder cert retire NAME [--revoke [--reason R] [--wait]]``: stop renewing a
managed certificate, and with ``--revoke`` revoke its current certificate through the
same revocation workflow as ``cert revoke`` (``revoke-<order id>``).

The default reason is ``cessationOfOperation`` (RFC 5280: the certificate is no longer
needed, and nothing was compromised); give ``--reason keyCompromise`` if the key leaked.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from certorder.cli.errors import UsageError

if TYPE_CHECKING:
    from certorder.settings import Settings

#: Retiring means the certificate is no longer needed: not superseded (nothing
#: replaces it) and not compromised.
RETIRE_REASON = "cessationOfOperation"


async def retire(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.cli.revoke import (
        finish_revocation,
        follow_revocation,
        start_checked_revocation,
    )
    from certorder.client import CertOrderClient
    from certorder.client_errors import InvalidInputError
    from certorder.client_managed import ManagedCertificates
    from certorder.client_revocation import parse_reason

    if (args.reason or args.wait) and not args.revoke:
        raise UsageError("--reason and --wait go with --revoke")
    reason = args.reason or RETIRE_REASON
    parse_reason(reason)
    async with await CertOrderClient.connect(settings) as client:
        managed = ManagedCertificates(client.temporal, settings)
        document = None
        if args.revoke:
            # Checked and started before the retire: a refusal leaves it all unchanged.
            state = await managed.state(args.name)
            if state.current is None:
                raise InvalidInputError(f"certificate {args.name} has no certificate to "
                                        f"revoke yet ({state.status.value})")
            # No managed certificate is named: a retiring one must not renew, whatever
            # the reason.
            document = await start_checked_revocation(client, state.current.order_id,
                                                      reason, join=True)
            if document.waiting_for_plugin:
                # No verdict yet (the plugin may offer no revocation): retired only once
                # a worker with the plugin has taken the revocation.
                raise InvalidInputError(
                    f"certificate {args.name} is not retired: its revocation waits for a "
                    f"worker with plugin {document.plugin_name!r}; retry once one runs")
        # Retired before following the revocation, which may wait through CA outages:
        # meanwhile an active workflow could renew and deploy an unrevoked
        # certificate, and a Ctrl-C would leave it revoked but still renewing.
        await managed.retire(args.name)
        print(f"certificate {args.name}: retired (no more renewals; deployed files stay)",
              flush=True)
        if document is not None:
            document = await follow_revocation(client, document, wait=args.wait)
    return 0 if document is None else finish_revocation(document, as_json=False)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``cert retire`` to the ``cert`` group."""
    p = sub.add_parser(
        "retire", help="stop renewing (deployed files stay); --revoke also revokes the "
                       "current certificate",
        description="Stop renewing a managed certificate; its deployed files stay. With "
                    "--revoke, its current certificate is revoked too: the revocation is "
                    "checked and started first (a refusal retires nothing), then the "
                    "certificate is retired, then --wait follows the revocation.")
    p.add_argument("name", metavar="NAME",
                   help="the managed certificate to retire (as given to `cert issue`)")
    p.add_argument("--revoke", action="store_true",
                   help="revoke the current certificate at its CA (see `cert revoke`)")
    p.add_argument("--reason", metavar="R", help=f"revocation reason (default "
                   f"{RETIRE_REASON}; keyCompromise if the key leaked)")
    p.add_argument("--wait", action="store_true", help="follow the revocation until it ends")
    p.set_defaults(handler=retire)
