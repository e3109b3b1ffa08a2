"""``certorder codec-server``: decrypt orders for the Temporal UI and CLI (HTTP)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import TYPE_CHECKING

from certorder.cli.errors import UsageError

if TYPE_CHECKING:
    from certorder.settings import Settings

#: The UI of `certorder dev` and the one of docker/compose.yaml.
DEFAULT_ORIGINS = ["http://localhost:8233", "http://localhost:8080"]


def run(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.codec import codec_from_settings
    from certorder.codec_server import CodecServer

    codec = codec_from_settings(settings)
    if codec is None:
        raise UsageError("no payload_keys configured: the codec server has nothing to "
                         "decrypt with (see docs/operations.md, Payload encryption)")
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        server = CodecServer(codec, args.host, args.port, args.cors_origin or DEFAULT_ORIGINS)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="codec-server", daemon=True)
    thread.start()
    print(f"codec server on http://{args.host}:{server.server_port} "
          f"(current key {codec.current}); CORS for {', '.join(server.cors_origins)}",
          flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``codec-server`` command."""
    p = commands.add_parser(
        "codec-server",
        help="serve Temporal's codec protocol so the UI and CLI can read encrypted orders",
        description="POST /encode and /decode with the configured payload_keys.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8089, help="port (default 8089)")
    p.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                   help="UI origin allowed to call it (repeatable; default: "
                   f"{' and '.join(DEFAULT_ORIGINS)})")
    p.set_defaults(handler=run)
