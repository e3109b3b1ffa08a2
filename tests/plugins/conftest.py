"""Fixtures for the plugin tests (the local CA's are prefixed ``local_ca``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.dto import CoreMetaDTO, ResultDTO
from certorder.plugins.local_ca.plugin import LocalCAPlugin


@pytest.fixture(autouse=True)
def _no_local_ca_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's CERTORDER_LOCAL_CA_* variables out of the tests."""
    for name in list(os.environ):
        if name.startswith("CERTORDER_LOCAL_CA_"):
            monkeypatch.delenv(name)


@pytest.fixture
def make_local_ca(tmp_path: Path) -> Callable[..., LocalCAPlugin]:
    """Build a LocalCAPlugin on ``data_dir`` (default: the test's tmp dir) with options."""

    def make(data_dir: Path | None = None, **options: Any) -> LocalCAPlugin:
        context = PluginContext(name="local-ca", data_dir=data_dir or tmp_path, options=options)
        return LocalCAPlugin(context)

    return make


@pytest.fixture
def local_ca(make_local_ca: Callable[..., LocalCAPlugin]) -> LocalCAPlugin:
    """A local CA with default settings in the test's tmp dir."""
    return make_local_ca()


IssueFn = Callable[..., tuple[ResultDTO, dict]]


@pytest.fixture
def local_ca_issue() -> IssueFn:
    """``issue(plugin, csr_pem, ca_id=None, **order_meta) -> (result, plugin_meta)``."""

    def issue(
        plugin: LocalCAPlugin, csr_pem: str | None, ca_id: str | None = None, **order_meta: Any
    ) -> tuple[ResultDTO, dict]:
        meta: dict[str, Any] = {"request_type": "simple-cmc", **order_meta}
        if csr_pem is not None:
            meta["request_data"] = csr_pem
        plugin_meta: dict = {}
        result = plugin.issue_certificate_request(
            "order-1", meta, plugin_meta, CoreMetaDTO(plugin_ca_id=ca_id)
        )
        return result, plugin_meta

    return issue
