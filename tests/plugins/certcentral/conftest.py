"""Fixtures for the CertCentral plugin tests: the simulator and plugins wired to it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from x509_helpers import make_csr, make_key

from certorder.plugins.certcentral.digicert import DigiCertPlugin
from certorder.plugins.certcentral.plugin import CertCentralPlugin
from certorder.plugins.certcentral.symantec import SymantecPlugin
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.dto import CoreMetaDTO, ResultDTO
from simulators.certcentral import CertCentralSimulator
from tests.simulators.certcentral_fixture import certcentral_sim  # noqa: F401

#: The organization the simulated account has validated.
ORG_ID = 112233


@pytest.fixture(autouse=True)
def _no_certcentral_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's CERTORDER_DIGICERT_* / CERTORDER_SYMANTEC_* out of the tests."""
    for name in list(os.environ):
        if name.startswith(("CERTORDER_DIGICERT_", "CERTORDER_SYMANTEC_")):
            monkeypatch.delenv(name)


PluginFactory = Callable[..., CertCentralPlugin]


def _factory(
    cls: type[CertCentralPlugin],
    name: str,
    sim: CertCentralSimulator,
    tmp_path: Path,
    made: list[CertCentralPlugin],
) -> PluginFactory:
    def make(**options: Any) -> CertCentralPlugin:
        merged = {
            "base_url": sim.base_url,
            "api_key": sim.api_key,
            "organization_id": ORG_ID,
            "read_timeout": 5.0,
            **options,
        }
        plugin = cls(PluginContext(name=name, data_dir=tmp_path, options=merged))
        made.append(plugin)
        return plugin

    return make


@pytest.fixture
def make_digicert(
    certcentral_sim: CertCentralSimulator,  # noqa: F811
    tmp_path: Path,
) -> Iterator[PluginFactory]:
    """Build a DigiCertPlugin pointed at the simulator; extra options override."""
    made: list[CertCentralPlugin] = []
    yield _factory(DigiCertPlugin, "digicert", certcentral_sim, tmp_path, made)
    for plugin in made:
        plugin.close()


@pytest.fixture
def make_symantec(
    certcentral_sim: CertCentralSimulator,  # noqa: F811
    tmp_path: Path,
) -> Iterator[PluginFactory]:
    """Build a SymantecPlugin pointed at the simulator; extra options override."""
    made: list[CertCentralPlugin] = []
    yield _factory(SymantecPlugin, "symantec", certcentral_sim, tmp_path, made)
    for plugin in made:
        plugin.close()


class Order:
    """One certorder order driven by hand: its ids and the plugin's calls."""

    def __init__(self, plugin: CertCentralPlugin, order_id: str, order_meta: dict) -> None:
        self.plugin = plugin
        self.order_id = order_id
        self.order_meta = order_meta
        self.plugin_meta: dict = {}
        #: What the core passes; a retried attempt after a crash sets interrupted_since.
        self.core_meta = CoreMetaDTO()

    def issue(self) -> ResultDTO:
        return self.plugin.issue_certificate_request(
            self.order_id, self.order_meta, self.plugin_meta, self.core_meta
        )

    def check(self) -> ResultDTO:
        return self.plugin.check_certificate_status(
            self.order_id, self.order_meta, self.plugin_meta, self.core_meta
        )

    def modify(self, **changes: Any) -> ResultDTO:
        self.order_meta = {**self.order_meta, **changes}
        return self.plugin.modify_certificate_request(
            self.order_id, self.order_meta, self.plugin_meta, self.core_meta
        )

    def cancel(self) -> ResultDTO:
        return self.plugin.cancel_certificate_request(
            self.order_id, self.order_meta, self.plugin_meta, self.core_meta
        )


@pytest.fixture
def new_order() -> Callable[..., Order]:
    """``new_order(plugin, names=(...), **order_meta)``: an order with a fresh P-256 CSR."""
    counter = iter(range(1, 1000))

    def make(
        plugin: CertCentralPlugin, names: tuple[str, ...] = ("www.example.test",), **order_meta: Any
    ) -> Order:
        csr = make_csr(make_key("p256"), list(names))
        meta = {"request_type": "simple-cmc", "request_data": csr, **order_meta}
        return Order(plugin, f"order-{next(counter)}", meta)

    return make
