"""The data directory is 0700 and what certorder and the dev server write there is
0600: orders' histories, certificates and keys are readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cli_helpers import closed_port

from certorder.data_dir import ensure_data_dir
from certorder.dev_stack import DevServer
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.store import CertificateStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    import os

    previous = os.umask(0o022)  # what most users have: files 0644 unless made private
    yield
    os.umask(previous)


def test_ensure_data_dir_makes_it_private(tmp_path):
    ensure_data_dir(tmp_path / "data")
    assert _mode(tmp_path / "data") == 0o700


def test_store_file_and_directory_are_private(tmp_path):
    store = CertificateStore.open(f"sqlite:///{tmp_path / 'data' / 'certorder.db'}")
    try:
        store.store_certificate(order_id="o-1", plugin_name="p", ca_id=None,
                                certificate="PEM", intermediates=None)
        modes = {p.name: _mode(p) for p in (tmp_path / "data").iterdir()}  # with -wal, -shm
    finally:
        store.close()
    assert _mode(tmp_path / "data") == 0o700
    assert len(modes) == 3 and modes == dict.fromkeys(modes, 0o600)


def test_loading_plugins_makes_a_private_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    PluginManager(settings.enabled_plugins, settings.data_dir, settings.plugins).close()
    assert _mode(tmp_path / "data") == 0o700
    for path in (tmp_path / "data").rglob("*"):
        assert not _mode(path) & 0o077, f"{path} is {oct(_mode(path))}"


def test_dev_server_files_are_private(tmp_path):
    server = DevServer(tmp_path / "data", port=closed_port(), ui_port=closed_port())
    with server:
        pass
    assert _mode(tmp_path / "data") == 0o700
    for path in (server.db_path, server.log_path):
        assert _mode(path) == 0o600, f"{path} is {oct(_mode(path))}"
