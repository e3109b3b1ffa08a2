"""Fixtures for the ACME plugin against a real Pebble (prefixed ``acme_``/``pebble``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from servers.factory import own_servers
from servers.pebble import CHALLTESTSRV, PEBBLE, PebbleServer

from certorder.plugins.acme.plugin import AcmePlugin
from certorder.plugins.interface.certificate_manager import PluginContext


@pytest.fixture(autouse=True)
def _no_acme_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's CERTORDER_ACME_* variables out of the tests."""
    for name in list(os.environ):
        if name.startswith("CERTORDER_ACME_"):
            monkeypatch.delenv(name)


def _require_pebble() -> None:
    if PEBBLE is None or CHALLTESTSRV is None:
        pytest.skip("Debian's pebble is not installed (apt-get install pebble)")


@pytest.fixture
def make_pebble(tmp_path: Path) -> Iterator[Callable[..., PebbleServer]]:
    """``make_pebble(env={...}, eab_keys={...}, start=True)``: a Pebble of the test's own."""
    _require_pebble()
    yield from own_servers(PebbleServer, tmp_path, "pebble")


@pytest.fixture(scope="module")
def pebble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PebbleServer]:
    """A Pebble shared by a test module, with real validation and default nonce rejection."""
    _require_pebble()
    server = PebbleServer(tmp_path_factory.mktemp("pebble"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_acme_plugin(tmp_path: Path) -> Iterator[Callable[..., AcmePlugin]]:
    """``make_acme_plugin(pebble, data_dir=None, **options)``: an AcmePlugin for that Pebble,
    its http-01 responder on the port Pebble's validation authority uses. Closed after
    the test."""
    plugins: list[AcmePlugin] = []

    def make(server: PebbleServer, data_dir: Path | None = None, **options: Any) -> AcmePlugin:
        defaults = {
            "directory_url": server.directory_url,
            "ca_bundle": str(server.ca_bundle),
            "terms_agreed": True,
            "contact_email": "ops@example.test",
            "http_responder_host": "127.0.0.1",
            "http_responder_port": server.http_port,
            "poll_retry_msec": 50,
            "unavailable_retry_msec": 100,
            "network_timeout": 5,
        }
        context = PluginContext(
            name="acme", data_dir=data_dir or tmp_path / "acme-data", options=defaults | options
        )
        plugin = AcmePlugin(context)
        plugins.append(plugin)
        return plugin

    yield make
    for plugin in plugins:
        plugin.close()
