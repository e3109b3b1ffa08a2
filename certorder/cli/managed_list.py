"""``certorder cert list [--json]``: every managed certificate, one row each.

The certificates are asked for their state together (``ManagedCertificates.states``):
one whose task queue no worker polls costs its own query timeout, not everybody's, and
shows up as a row that says so instead of hiding the others. The exit code is then 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from certorder.cli import output

if TYPE_CHECKING:
    from certorder.settings import Settings
    from certorder.workflows.managed_models import ManagedCertificate

HEADERS = ("NAME", "SANS", "PLUGIN", "NOT AFTER", "DAYS LEFT", "NEXT RENEWAL", "STATE")
UNANSWERED = "no worker answered"


def _row(state: ManagedCertificate, now: dt.datetime) -> tuple:
    cur = state.current
    return (state.name, ",".join(state.spec.dns_names + state.spec.ip_addresses),
            (cur.plugin_name if cur else None) or state.spec.plugin_name or "-",
            output.when(cur.not_after if cur else None),
            f"{(cur.not_after - now).days}" if cur else "-",
            output.when(state.next_renewal_at), state.status.value)


async def list_(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient
    from certorder.client_managed import ManagedCertificates

    async with await CertOrderClient.connect(settings) as client:
        managed = ManagedCertificates(client.temporal, settings)
        answers = await managed.states(await managed.names())
    states = [a for a in answers.values() if not isinstance(a, Exception)]
    unanswered = {name: a for name, a in answers.items() if isinstance(a, Exception)}
    for name, error in unanswered.items():
        output.warn(f"certificate {name}: {error}")
    if args.json:
        output.print_json([s.model_dump(mode="json") for s in states]
                          + [{"name": name, "error": str(e)} for name, e in unanswered.items()])
    elif not answers:
        print("no managed certificates")
    else:
        now = dt.datetime.now(dt.UTC)
        rows = [_row(s, now) for s in states]
        rows += [(name, "?", "?", "?", "?", "?", UNANSWERED) for name in unanswered]
        print(output.table(HEADERS, sorted(rows)))
    return 1 if unanswered else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="every managed certificate")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=list_)
