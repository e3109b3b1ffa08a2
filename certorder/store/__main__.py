"""Store maintenance by hand.

``python -m certorder.store upgrade URL`` migrates a store to the newest revision;
``python -m certorder.store revision "add private keys"`` writes the next numbered
revision file (``0002_add_private_keys.py``) into ``migrations/versions``.
"""

from __future__ import annotations

import argparse

from certorder.store.certificate_store import CertificateStore
from certorder.store.errors import StoreUnavailableError
from certorder.store.migrate import current_revision, new_revision


def main(argv: list[str] | None = None) -> None:
    """Command line: ``upgrade URL`` or ``revision MESSAGE``."""
    parser = argparse.ArgumentParser(prog="python -m certorder.store")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("upgrade", help="migrate a store to the newest revision").add_argument("url")
    sub.add_parser("revision", help="write the next revision file").add_argument("message")
    args = parser.parse_args(argv)
    if args.action == "revision":
        print(new_revision(args.message))
        return
    try:
        store = CertificateStore.open(args.url)
    except (ValueError, StoreUnavailableError) as exc:
        parser.exit(1, f"error: {exc}\n")
    try:
        print(f"store at revision {current_revision(store.engine)}")
    finally:
        store.close()


if __name__ == "__main__":
    main()
