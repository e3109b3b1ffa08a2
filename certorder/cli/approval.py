"""``certorder order approve|deny``, and the approval options of ``order submit``."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certorder.settings import Settings
    from certorder.workflows.models import ApprovalPolicy

_DURATION = re.compile(r"\A(\d+(?:\.\d+)?)([smhd]?)\Z")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3_600, "d": 86_400}


def duration_seconds(text: str) -> float:
    """``90``, ``90s``, ``30m``, ``2h``, ``7d`` -> seconds.

    :raises argparse.ArgumentTypeError: anything else, or not positive.
    """
    match = _DURATION.match(text.strip())
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"expected a duration like 30m, 2h or 7d, got {text!r}")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def policy_from(args: argparse.Namespace) -> ApprovalPolicy | None:
    """The approval ``order submit`` asks for, or None."""
    from certorder.workflows.models import ApprovalPolicy

    if not args.require_approval:
        return None
    return ApprovalPolicy(timeout_seconds=args.approval_timeout,
                          on_timeout=args.on_approval_timeout)


def add_submit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--require-approval", action="store_true",
                   help="wait for `order approve` before the order reaches a CA")
    p.add_argument("--approval-timeout", type=duration_seconds, metavar="DURATION",
                   help="how long to wait for a decision (e.g. 2h; default: for ever)")
    p.add_argument("--on-approval-timeout", choices=("error", "remind"), default="error",
                   help="then end the order in ERROR (default), or remind and wait again")


async def approve(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient

    async with await CertOrderClient.connect(settings) as client:
        await client.approve(args.order_id, note=args.note, by=args.by)
    print(f"approved {args.order_id}")
    return 0


async def deny(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient

    async with await CertOrderClient.connect(settings) as client:
        await client.deny(args.order_id, reason=args.reason, by=args.by)
    print(f"denied {args.order_id}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``approve`` and ``deny`` to the ``order`` command group."""
    p = sub.add_parser("approve", help="approve an order awaiting approval")
    p.add_argument("order_id", metavar="ORDER_ID")
    p.add_argument("--note", default="", metavar="TEXT", help="recorded with the approval")
    p.add_argument("--by", metavar="NAME", help="who approves (default: user@host)")
    p.set_defaults(handler=approve)
    p = sub.add_parser("deny", help="deny an order awaiting approval (it ends ERROR)")
    p.add_argument("order_id", metavar="ORDER_ID")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why (recorded)")
    p.add_argument("--by", metavar="NAME", help="who denies (default: user@host)")
    p.set_defaults(handler=deny)
