"""``certorder worker``: run the order worker against the configured Temporal."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certorder.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client_errors import TemporalUnavailableError

    if args.check:
        return asyncio.run(_check(settings))
    from certorder.log_format import configure_logging
    from certorder.worker import run_worker  # the composition root: import only when running it

    configure_logging(settings.log_level, settings.log_format)
    try:
        asyncio.run(run_worker(settings))
    except RuntimeError as exc:
        # temporalio's core reports a refused connection as a bare RuntimeError.
        if "client connect" not in str(exc).lower():
            raise
        raise TemporalUnavailableError(settings.temporal_address) from exc
    return 0


async def _check(settings: Settings) -> int:
    from certorder.client_errors import TemporalUnavailableError
    from certorder.worker_health import check_worker

    try:
        print(await check_worker(settings))
    except RuntimeError as exc:
        if "client connect" not in str(exc).lower():
            raise
        raise TemporalUnavailableError(settings.temporal_address) from exc
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``worker`` command."""
    p = commands.add_parser(
        "worker",
        help="run a worker (Ctrl-C or SIGTERM stops it gracefully)",
        description="Poll the task queue and run orders: the plugins are called from here.",
    )
    p.add_argument(
        "--check", action="store_true",
        help="do not run a worker: exit 0 if one on this host polls the task queue "
        "(the container health check)",
    )
    p.set_defaults(handler=run)
