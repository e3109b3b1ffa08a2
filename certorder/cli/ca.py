"""``certorder ca ...``: list, create and delete the CAs the workers' plugins offer, and
write their CRLs.

Each command is a short workflow that a worker carries out with its own plugins and
credentials (see :mod:`certorder.client_admin`), so it acts on the CAs orders are issued
from, and the client needs nothing but Temporal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from certorder.cli import output
from certorder.cli.errors import UsageError

if TYPE_CHECKING:
    from certorder.client_admin import CaAdmin
    from certorder.plugins.interface.dto import CAInfo
    from certorder.settings import Settings

T = TypeVar("T")


CREATE_EPILOG = """\
examples:
  certorder ca create --name "Web servers"                 # under the plugin's default CA
  certorder ca create --name "Team A" --parent <CA ID>     # under another CA
"""


async def _on_workers(settings: Settings, action: Callable[[CaAdmin], Awaitable[T]]) -> T:
    from certorder.client import CertOrderClient

    async with await CertOrderClient.connect(settings) as client:
        return await action(client.cas)


def _info_json(info: CAInfo) -> dict:
    return info.model_dump(mode="json")


async def list_(args: argparse.Namespace, settings: Settings) -> int:
    infos = await _on_workers(settings, lambda cas: cas.list_cas())
    if args.json:
        output.print_json([_info_json(info) for info in infos])
        return 0
    if not infos:
        print("no CAs")
        return 0
    print(
        output.table(
            ("CA ID", "NAME", "PLUGIN", "PARENT", "EXPIRES"),
            [
                (
                    info.ca_id,
                    info.name,
                    info.plugin_name or "-",
                    info.parent_ca_id or "-",
                    output.when(info.expiration),
                )
                for info in infos
            ],
        )
    )
    return 0


async def create(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.plugins.interface.dto import CACreateDTO

    request = CACreateDTO(name=args.name, description=args.description, parent_ca_id=args.parent)
    info = await _on_workers(settings, lambda cas: cas.create_ca(request, args.plugin))
    if args.json:
        output.print_json(_info_json(info))
    else:
        print(info.ca_id)
    return 0


async def delete(args: argparse.Namespace, settings: Settings) -> int:
    await _on_workers(settings, lambda cas: cas.delete_ca(args.ca_id, args.plugin))
    print(f"deleted CA {args.ca_id}")
    return 0


async def crl(args: argparse.Namespace, settings: Settings) -> int:
    if args.der and args.out is None:
        raise UsageError("a DER CRL is binary: give --out FILE")
    pem = await _on_workers(settings, lambda cas: cas.crl(args.ca_id, args.plugin))
    if args.out is None:
        sys.stdout.write(pem)
        return 0
    data = pem.encode()
    if args.der:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        data = x509.load_pem_x509_crl(data).public_bytes(Encoding.DER)
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(args.out)
    return 0


def _non_empty(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``ca`` command group."""
    group = commands.add_parser("ca", help="list, create and delete CAs; write CRLs")
    sub = group.add_subparsers(dest="ca_command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="every CA of every plugin the workers enabled")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=list_)

    p = sub.add_parser(
        "create",
        help="create a subordinate CA; prints its id",
        epilog=CREATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--name", required=True, type=_non_empty, metavar="N", help="the CA's name")
    p.add_argument("--parent", metavar="ID", help="parent CA id (default: the plugin's default CA)")
    p.add_argument("--plugin", metavar="NAME", help="plugin to create it with")
    p.add_argument("--description", metavar="TEXT", help="free text shown in `ca list --json`")
    p.add_argument("--json", action="store_true", help="print the new CA as JSON")
    p.set_defaults(handler=create)

    p = sub.add_parser("delete", help="delete a subordinate CA")
    p.add_argument("ca_id", metavar="ID", help="the CA id (see `certorder ca list`)")
    p.add_argument("--plugin", metavar="NAME", help="the plugin that owns it (default: any)")
    p.set_defaults(handler=delete)

    p = sub.add_parser("crl", help="write the current signed CRL of a CA")
    p.add_argument("ca_id", metavar="ID", help="the CA id (see `certorder ca list`)")
    p.add_argument("--plugin", metavar="NAME", help="the plugin that owns it (default: any)")
    p.add_argument("--out", type=Path, metavar="FILE", help="write here (default: PEM on stdout)")
    p.add_argument("--der", action="store_true", help="DER instead of PEM (needs --out)")
    p.set_defaults(handler=crl)
