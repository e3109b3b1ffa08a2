"""``certorder order ...``: submit, show, watch, list, modify and cancel orders."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from certorder.cli import approval, output
from certorder.cli.follow import follow
from certorder.cli.order_input import build_order_meta, meta_dict, parse_meta_item
from certorder.workflows.order_status import OrderStatus

if TYPE_CHECKING:
    from certorder.settings import Settings

SUBMIT_EPILOG = """\
examples:
  certorder order submit --csr www.csr
  certorder order submit --csr www.csr --profile server --validity-days 30 --wait
  certorder order submit --csr www.csr --plugin local-ca --meta contact=ops@example.com
"""

async def submit(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient
    from certorder.client_errors import plugin_errors
    from certorder.client_orders import check_order_id
    from certorder.plugins.order_checks import check_request

    meta = build_order_meta(args)
    if args.order_id is not None:
        check_order_id(args.order_id)
    # The checks that need no plugin come before connecting: a bad CSR is reported the
    # same with the server down. The workers check the rest and answer at once.
    with plugin_errors():
        check_request(meta)
    async with await CertOrderClient.connect(settings) as client:
        submission = await client.submit_order(meta, order_id=args.order_id,
                                               approval=approval.policy_from(args))
        if submission.verdict.waiting:
            print(f"certorder: warning: {submission.verdict.message}", file=sys.stderr)
        if not args.wait:
            if args.json:
                output.print_json({"order_id": submission.order_id,
                                   "plugin_name": submission.verdict.plugin_name,
                                   "waiting": submission.verdict.message
                                   if submission.verdict.waiting else None})
            else:
                print(submission.order_id)
            return 0
        if not (args.json or args.jsonl):
            print(submission.order_id, flush=True)
        return await follow(client, submission.order_id, _mode(args))


async def show(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient
    from certorder.client_errors import WorkerUnavailableError
    from certorder.client_revocation import recorded_revocation

    async with await CertOrderClient.connect(settings) as client:
        try:
            document = await client.status(args.order_id)
        except WorkerUnavailableError as exc:
            # Without a worker the live document is out of reach, but Temporal still
            # knows the status it last recorded: show that rather than nothing.
            document = await client.recorded_status(args.order_id)
            output.warn(f"{exc}; showing the status Temporal last recorded")
    revoked = await asyncio.to_thread(recorded_revocation, settings, args.order_id)
    if args.json:
        output.print_json({**output.document_json(document),
                           "revocation": revoked.model_dump(mode="json") if revoked else None})
    else:
        extra = [("Revoked", f"{output.when(revoked.revoked_at)} ({revoked.reason})")] \
            if revoked is not None else []
        output.show_document(document, settings.order_url(args.order_id), extra)
    return 0


async def watch(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient

    async with await CertOrderClient.connect(settings) as client:
        return await follow(client, args.order_id, _mode(args))


def _mode(args: argparse.Namespace) -> str:
    return "jsonl" if args.jsonl else "json" if args.json else "text"


async def list_(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient

    async with await CertOrderClient.connect(settings) as client:
        rows = await client.list_orders(status=args.status, limit=args.limit)
    if args.json:
        output.print_json([row.model_dump(mode="json") for row in rows])
    else:
        output.show_summaries(rows)
    return 0


async def modify(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient

    async with await CertOrderClient.connect(settings) as client:
        await client.modify(args.order_id, meta_dict(args.meta))
    print(f"modify sent to {args.order_id}")
    return 0


async def cancel(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient

    async with await CertOrderClient.connect(settings) as client:
        await client.cancel(args.order_id, reason=args.reason)
    print(f"cancel sent to {args.order_id}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``order`` command group."""
    group = commands.add_parser("order", help="submit and follow certificate orders")
    sub = group.add_subparsers(dest="order_command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "submit",
        help="submit a CSR as a new order",
        epilog=SUBMIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check the request, start the order and wait (about a second) for a\n"
        "worker to accept it; prints the order id. The CA plugin is chosen on a worker.",
    )
    p.add_argument("--csr", type=Path, required=True, metavar="FILE", help="PEM PKCS#10 CSR")
    p.add_argument("--plugin", metavar="NAME", help="the plugin to use (default: first that fits)")
    p.add_argument("--ca-id", metavar="ID", help="the CA to issue from (see `certorder ca list`)")
    p.add_argument("--profile", metavar="P", help="certificate profile, e.g. server or client")
    p.add_argument("--validity-days", type=_positive, metavar="N", help="requested validity")
    _meta_option(p, "extra order_meta field (repeatable); JSON-looking values are parsed")
    p.add_argument("--order-id", metavar="ID", help="choose the order id (default: order-<uuid>)")
    p.add_argument("--wait", action="store_true", help="follow the order until it ends")
    approval.add_submit_options(p)
    _json_option(p)
    _jsonl_option(p)
    p.set_defaults(handler=submit)
    approval.register(sub)

    p = sub.add_parser("show", help="show an order's status and history")
    p.add_argument("order_id", metavar="ID", help="the order id")
    _json_option(p)
    p.set_defaults(handler=show)

    p = sub.add_parser("watch", help="follow an order until it ends")
    p.add_argument("order_id", metavar="ID", help="the order id")
    _json_option(p)
    _jsonl_option(p)
    p.set_defaults(handler=watch)

    p = sub.add_parser("list", help="list orders, newest first")
    p.add_argument(
        "--status",
        type=lambda text: OrderStatus(text.upper()),
        choices=list(OrderStatus),
        metavar="S",
        help="only PENDING, ACTIVE or ERROR orders",
    )
    p.add_argument(
        "--limit", type=_positive, default=100, metavar="N", help="at most N (default 100)"
    )
    _json_option(p)
    p.set_defaults(handler=list_)

    p = sub.add_parser(
        "modify",
        help="change a pending order's order_meta",
        epilog="example:\n  certorder order modify order-1 --meta validity_days=30",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("order_id", metavar="ID", help="the order id")
    _meta_option(p, "order_meta field to change (repeatable)", required=True)
    p.set_defaults(handler=modify)

    p = sub.add_parser("cancel", help="ask the CA to cancel a pending order")
    p.add_argument("order_id", metavar="ID", help="the order id")
    p.add_argument("--reason", default="", metavar="TEXT", help="why (kept in the order's history)")
    p.set_defaults(handler=cancel)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _meta_option(parser: argparse.ArgumentParser, text: str, required: bool = False) -> None:
    parser.add_argument(
        "--meta",
        type=parse_meta_item,
        action="extend",
        nargs="+",
        metavar="KEY=VALUE",
        required=required,
        help=text,
    )


def _jsonl_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jsonl", action="store_true",
                   help="with --wait (watch: always): one JSON document per change, one per line")


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for programs")
