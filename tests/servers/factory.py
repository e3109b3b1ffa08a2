"""The body of a ``make_<server>`` fixture: servers of the test's own, stopped after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar


class _TestServer(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


ServerT = TypeVar("ServerT", bound=_TestServer)


def own_servers(
    server_class: Callable[..., ServerT], directory: Path, prefix: str
) -> Iterator[Callable[..., ServerT]]:
    """Yield ``make(start=True, **kwargs)``, which makes a server in its own folder
    ``directory/<prefix>-<n>`` (started unless ``start=False``); stop them all afterwards.

    Use as ``yield from own_servers(PebbleServer, tmp_path, "pebble")`` in a fixture.
    """
    servers: list[ServerT] = []

    def make(start: bool = True, **kwargs: Any) -> ServerT:
        server = server_class(directory / f"{prefix}-{len(servers)}", **kwargs)
        servers.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in servers:
        server.stop()
