"""Parsing the managed-certificate options: durations, fractions, the renewal policy."""

from __future__ import annotations

import argparse
import re
from fractions import Fraction
from typing import TYPE_CHECKING

from certorder.keys.key_types import KeyType

if TYPE_CHECKING:
    from certorder.workflows.managed_models import RenewalPolicy

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def duration_seconds(text: str) -> float:
    """``30d``, ``12h``, ``1d12h``, ``90m``, ``45s`` -> seconds."""
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 30d, 12h or 1d12h")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total <= 0:
        raise argparse.ArgumentTypeError("the duration must be longer than 0")
    from certorder.workflows.managed_models import MAX_POLICY_SECONDS

    if total > MAX_POLICY_SECONDS:
        raise argparse.ArgumentTypeError(
            f"the duration must be at most {MAX_POLICY_SECONDS // 86_400}d")
    return float(total)


def fraction(text: str) -> float:
    """``2/3`` or ``0.66`` -> a number strictly between 0 and 1."""
    try:
        value = float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction like 2/3") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("the fraction must be between 0 and 1, like 2/3")
    return value


def add_renewal_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--renew-before", type=duration_seconds, metavar="DURATION",
                       help="renew this long before notAfter (e.g. 30d)")
    group.add_argument("--renew-at", type=fraction, metavar="FRACTION",
                       help="renew at this fraction of the lifetime (default 2/3)")


def renewal_policy(args: argparse.Namespace, base: RenewalPolicy | None = None) -> \
        RenewalPolicy | None:
    """The policy the options ask for, or None when they name none."""
    from certorder.workflows.managed_models import RenewalPolicy

    if args.renew_before is None and args.renew_at is None:
        return None
    base = base or RenewalPolicy()
    # Validated, not model_copy(update=...): a value the model refuses must not reach
    # a workflow, whose every task would then fail to decode its input.
    if args.renew_before is not None:
        return RenewalPolicy.model_validate(
            {**base.model_dump(), "renew_before_seconds": args.renew_before})
    return RenewalPolicy.model_validate(
        {**base.model_dump(), "renew_at": args.renew_at, "renew_before_seconds": None})


def add_name_options(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("--dns", action="append", metavar="NAME", required=required,
                        help="a DNS name (repeat for more; the first is the CN)")
    parser.add_argument("--ip", action="append", metavar="ADDRESS",
                        help="an IP address SAN (repeat for more)")


KEY_TYPES = [t.value for t in KeyType]
