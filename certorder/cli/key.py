"""``certorder key``: the key-encryption key (KEK) of the keys the workers keep.

Both commands act on the store directly (as a worker does), with the KEK from the
settings: run them where the workers' settings are.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from certorder.cli.errors import UsageError

if TYPE_CHECKING:
    from certorder.settings import Settings

ROTATE_EPILOG = """\
Re-wraps every key's data key under the new KEK in one transaction; the keys and
their ciphertexts are untouched. Afterwards point kek_file (or CERTORDER_KEK) at the
new KEK and restart the workers. Running it again is harmless.

example:
  certorder key new-kek /etc/certorder/kek.new
  certorder key rotate-kek --new-kek-file /etc/certorder/kek.new
"""


def new_kek(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.keys.kek_source import write_new_kek

    kek = write_new_kek(args.file)
    print(f"wrote KEK {kek.kek_id} to {args.file} (mode 0600); keep a backup of it")
    return 0


def rotate_kek(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.keys.envelope import KeyDecryptionError
    from certorder.keys.kek_source import load_kek
    from certorder.store import CertificateStore
    from certorder.store.key_store import KeyStore

    old = load_kek(settings)
    new = load_kek(settings.model_copy(update={"kek": None, "kek_file": args.new_kek_file}))
    store = CertificateStore.open(settings.resolved_store_url)
    try:
        keys = KeyStore(store.engine, old)
        try:
            count = keys.rotate_kek(new)
        except KeyDecryptionError as exc:
            raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(f"re-wrapped {count} data keys from KEK {old.kek_id} to KEK {new.kek_id}; "
          f"now configure kek_file = {args.new_kek_file} and restart the workers")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``key`` command group."""
    group = commands.add_parser("key", help="the key-encryption key of stored keys")
    sub = group.add_subparsers(dest="key_command", required=True, metavar="COMMAND")
    p = sub.add_parser("new-kek", help="write a new KEK to FILE (mode 0600)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=new_kek)
    p = sub.add_parser("rotate-kek", help="re-wrap every data key under a new KEK",
                       epilog=ROTATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--new-kek-file", type=Path, required=True, metavar="FILE",
                   help="the new KEK (made with `certorder key new-kek`)")
    p.set_defaults(handler=rotate_kek)
