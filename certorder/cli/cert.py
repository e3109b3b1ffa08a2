"""``certorder cert get``: write an order's certificate and chain to files."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from certorder.cli import managed, output, revoke
from certorder.cli.errors import UsageError

if TYPE_CHECKING:
    from certorder.settings import Settings

GET_EPILOG = """\
writes <DIR>/<ID>.crt (the leaf), <ID>.chain.crt (the intermediates) and
<ID>.fullchain.crt (leaf then intermediates, what most TLS servers want).

examples:
  certorder cert get order-1234 --out /etc/ssl/www
  certorder cert get order-1234 --json | jq -r .certificate
"""


def _pem(text: str | None) -> str:
    text = (text or "").strip()
    return f"{text}\n" if text else ""


def files_for(order_id: str, out: Path) -> dict[str, Path]:
    """Where each part goes: ``certificate``, ``chain`` and ``fullchain`` paths."""
    return {
        "certificate": out / f"{order_id}.crt",
        "chain": out / f"{order_id}.chain.crt",
        "fullchain": out / f"{order_id}.fullchain.crt",
    }


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def get(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.client import CertOrderClient
    from certorder.client_orders import check_order_id
    from certorder.client_status import stored_container

    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a directory")
    check_order_id(args.order_id)
    # The store alone suffices for an issued certificate, so this works with Temporal
    # down; Temporal is asked only to explain why there is none.
    container = await asyncio.to_thread(stored_container, settings, args.order_id)
    if container is None:
        async with await CertOrderClient.connect(settings) as client:
            container = await client.get_certificate(args.order_id)
    leaf = _pem(container.certificate)
    chain = _pem(container.intermediates)
    paths = files_for(args.order_id, out)
    try:
        # Made only now that there is something to write (0700: keys may join later).
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomically(paths["certificate"], leaf)
        write_atomically(paths["chain"], chain)
        write_atomically(paths["fullchain"], leaf + chain)
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror or exc}") from None
    if args.json:
        output.print_json(
            {
                "order_id": container.order_id,
                "container_id": container.container_id,
                "plugin_name": container.plugin_name,
                "ca_id": container.ca_id,
                "certificate": leaf,
                "intermediates": chain,
                "files": {name: str(path) for name, path in paths.items()},
            }
        )
    else:
        for path in paths.values():
            print(path)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``cert`` command group."""
    group = commands.add_parser("cert", help="issued and managed certificates: get, revoke, issue")
    sub = group.add_subparsers(dest="cert_command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "get",
        help="write an order's certificate, chain and full chain",
        epilog=GET_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("order_id", metavar="ID", help="the order id")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="directory to write to (default: the current one)",
    )
    p.add_argument("--json", action="store_true", help="also print the PEMs and paths as JSON")
    p.set_defaults(handler=get)
    revoke.register(sub)
    managed.register(sub)
