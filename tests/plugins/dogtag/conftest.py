"""Fixtures for the Dogtag plugin tests: the simulator and plugins wired to it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from certorder.plugins.dogtag.plugin import DogtagCAPlugin
from certorder.plugins.interface.certificate_manager import PluginContext
from simulators.dogtag import DogtagSimulator
from tests.simulators.dogtag_fixture import dogtag_sim  # noqa: F401

PluginFactory = Callable[..., DogtagCAPlugin]


@pytest.fixture(autouse=True)
def _no_dogtag_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's CERTORDER_DOGTAG_* variables out of the tests."""
    for name in list(os.environ):
        if name.startswith("CERTORDER_DOGTAG_"):
            monkeypatch.delenv(name)


def sim_options(sim: DogtagSimulator, **options: Any) -> dict[str, Any]:
    """Plugin options pointing at ``sim`` with its agent certificate and CA bundle."""
    return {
        "base_url": sim.base_url,
        "client_cert_file": str(sim.client_cert_file),
        "client_key_file": str(sim.client_key_file),
        "ca_bundle_file": str(sim.ca_bundle_file),
        "timeout_seconds": 5,
        **options,
    }


@pytest.fixture
def make_dogtag(dogtag_sim: DogtagSimulator, tmp_path: Path) -> Iterator[PluginFactory]:  # noqa: F811
    """Build ``DogtagCAPlugin`` instances for the simulator; closed after the test."""
    made: list[DogtagCAPlugin] = []

    def make(**options: Any) -> DogtagCAPlugin:
        context = PluginContext(
            name="dogtag", data_dir=tmp_path / "dogtag", options=sim_options(dogtag_sim, **options)
        )
        plugin = DogtagCAPlugin(context)
        made.append(plugin)
        return plugin

    yield make
    for plugin in made:
        plugin.close()
