"""Fixtures for the CFSSL plugin against a real ``cfssl serve`` (prefixed ``cfssl``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from servers.cfssl import CFSSL, CFSSLJSON, CfsslServer
from servers.factory import own_servers

from certorder.plugins.cfssl.plugin import CfsslPlugin
from certorder.plugins.interface.certificate_manager import PluginContext


@pytest.fixture(autouse=True)
def _no_cfssl_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's CERTORDER_CFSSL_* variables out of the tests."""
    for name in list(os.environ):
        if name.startswith("CERTORDER_CFSSL_"):
            monkeypatch.delenv(name)


def _require_cfssl() -> None:
    if CFSSL is None or CFSSLJSON is None:
        pytest.skip("Debian's golang-cfssl is not installed (apt-get install golang-cfssl)")


@pytest.fixture(scope="module")
def cfssl_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CfsslServer]:
    """A CFSSL CA signing with its self-signed root, shared by a test module."""
    _require_cfssl()
    server = CfsslServer(tmp_path_factory.mktemp("cfssl"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_cfssl_server(tmp_path: Path) -> Iterator[Callable[..., CfsslServer]]:
    """``make_cfssl_server(intermediate=False, start=True)``: a CFSSL of the test's own."""
    _require_cfssl()
    yield from own_servers(CfsslServer, tmp_path, "cfssl")


@pytest.fixture
def make_cfssl_plugin(tmp_path: Path) -> Iterator[Callable[..., CfsslPlugin]]:
    """``make_cfssl_plugin(server, **options)``: a CfsslPlugin for that server."""
    plugins: list[CfsslPlugin] = []

    def make(server: CfsslServer, **options: Any) -> CfsslPlugin:
        defaults = {"base_url": server.base_url, "timeout": 5, "unavailable_retry_msec": 250}
        context = PluginContext(name="cfssl", data_dir=tmp_path, options=defaults | options)
        plugin = CfsslPlugin(context)
        plugins.append(plugin)
        return plugin

    yield make
    for plugin in plugins:
        plugin.close()
