"""``certorder``: the command line entry point (``main``) and the argument parser."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import inspect
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from certorder.cli import ca, cert, codec_server, completion, dev, key, order, plugin, worker
from certorder.cli.errors import EXIT_USAGE, fail, guarded

EPILOG = """\
quick start:
  certorder dev                                   # Temporal dev server + UI + worker
  certorder order submit --csr www.csr --wait     # in another terminal
  certorder cert get <ORDER ID> --out .

Settings come from CERTORDER_* environment variables, then --config FILE (or
CERTORDER_CONFIG, or ./certorder.toml). Exit codes: 0 ok, 1 operational failure,
2 usage or input error, 3 order ended in ERROR, 4 order canceled.
"""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see `{self.prog} --help`)")
        sys.exit(EXIT_USAGE)

    def format_help(self) -> str:
        # An epilog may be a function, when making its text needs a heavy import (the
        # revocation reasons): it is called only when the help is shown.
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()


def _version() -> str:
    try:
        return importlib.metadata.version("certorder")
    except importlib.metadata.PackageNotFoundError:  # run from a tree that is not installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The full ``certorder`` parser (every subcommand sets ``handler``)."""
    parser = Parser(
        prog="certorder",
        description="Order X.509 certificates from pluggable CAs; "
        "every order is a Temporal workflow.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML)")
    parser.add_argument("--version", action="version", version=f"certorder {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (order, cert, plugin, ca, key, dev, worker, codec_server, completion):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (the console script exits with it)."""
    args = build_parser().parse_args(argv)

    def action() -> int:
        from certorder.settings import load_settings  # pydantic: not for --help

        settings = load_settings(args.config)
        result = args.handler(args, settings)
        if inspect.isawaitable(result):
            result = asyncio.run(result)
        return int(result)

    return guarded(action)


def entry() -> NoReturn:
    """The console script: run ``main`` and leave at once with its exit code.

    Everything the command opened is closed by then. Leaving through ``os._exit``
    skips interpreter finalization, where the Temporal SDK's native threads can hang or
    abort the process when a command was interrupted mid-RPC (sdk-python issue 300).
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
