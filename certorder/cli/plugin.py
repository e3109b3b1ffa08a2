"""``certorder plugin list``: what each live worker has loaded, as the worker says.

Plugins live on the workers only, so each worker is asked on its own task queue (see
:func:`certorder.workflows.worker_task_queue`); a worker that has gone away does not
answer, and says so in the list.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from certorder.cli import output

if TYPE_CHECKING:
    from certorder.settings import Settings


async def list_(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient

    async with await CertOrderClient.connect(settings) as client:
        answers = await client.cas.describe_workers()
    if args.json:
        output.print_json({"task_queue": settings.task_queue,
                           "workers": [a.model_dump(mode="json") for a in answers]})
        return 0
    for answer in answers:
        print(f"Worker {answer.identity} on task queue {settings.task_queue}:")
        if answer.description is None:
            print(f"  did not answer ({answer.error})")
            continue
        enabled = answer.description.enabled
        print("  Enabled plugins (in order of preference):")
        print(output.table(
            ("    NAME", "REQUEST TYPES", "DEFAULT CA"),
            [(f"    {p.name}", ", ".join(p.request_types), p.default_ca or "-") for p in enabled],
        ))
        print(f"  Installed plugins: {', '.join(answer.description.installed) or '-'}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``plugin`` command group."""
    group = commands.add_parser("plugin", help="inspect the workers' CA plugins")
    sub = group.add_subparsers(dest="plugin_command", required=True, metavar="COMMAND")
    p = sub.add_parser("list", help="each live worker's enabled plugins (with request types) "
                                    "and installed ones")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=list_)
