"""Bad settings values are one line and exit 2, and nothing is created."""

from __future__ import annotations

import asyncio

import pytest
from cli_helpers import assert_one_line_error

from certorder.keys.envelope import new_kek_text


@pytest.mark.parametrize(("variable", "value", "fragment"), [
    ("CERTORDER_STORE_URL", "mysql://db/certs", "store_url"),
    ("CERTORDER_STORE_URL", "sqlite:///:memory:", "store_url"),
    ("CERTORDER_TEMPORAL_ADDRESS", "http://localhost:7233", "temporal_address"),
    ("CERTORDER_TEMPORAL_ADDRESS", "localhost", "temporal_address"),
    ("CERTORDER_PLUGIN_CALL_TIMEOUT_SECONDS", "inf", "plugin_call_timeout_seconds"),
    ("CERTORDER_CONFIG", "/dev/null", "CERTORDER_CONFIG"),
])  # fmt: skip
@pytest.mark.parametrize("command", [("worker",), ("order", "list")])
def test_bad_setting_is_one_line(run_cli, cli_env, monkeypatch, variable, value, fragment,
                                 command):
    monkeypatch.setenv(variable, value)
    assert_one_line_error(run_cli(*command), 2, fragment)
    assert not cli_env.exists()


def test_data_dir_that_cannot_be_created_is_one_line(run_cli, cli_env, monkeypatch):
    monkeypatch.setenv("CERTORDER_DATA_DIR", "/proc/no-such-dir")
    assert_one_line_error(run_cli("worker"), 2, "/proc/no-such-dir")


def test_store_directory_that_cannot_be_created_is_one_line(run_cli, cli_env, monkeypatch):
    monkeypatch.setenv("CERTORDER_KEK", new_kek_text())  # so the store is what fails
    monkeypatch.setenv("CERTORDER_STORE_URL", "sqlite:////proc/no-such-dir/certorder.db")
    assert_one_line_error(run_cli("worker"), 2, "/proc/no-such-dir")


def test_unreachable_postgres_store_is_one_line(run_cli, cli_env, monkeypatch):
    monkeypatch.setenv("CERTORDER_KEK", new_kek_text())
    monkeypatch.setenv("CERTORDER_STORE_URL", "postgresql://postgres:pw@127.0.0.1:1/x")
    result = run_cli("worker")
    # Operational, like an unreachable Temporal: the setting may well be right.
    assert_one_line_error(result, 1, "cannot open the certificate store")
    assert "pw" not in result.err


async def test_wrong_namespace_is_not_no_order(temporal_env, run_cli, cli_env, monkeypatch):
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", temporal_env.client.service_client.config
                       .target_host)
    monkeypatch.setenv("CERTORDER_TEMPORAL_NAMESPACE", "no-such-namespace")
    result = await asyncio.to_thread(run_cli, "order", "show", "order-x")
    assert_one_line_error(result, 2, "namespace", "no-such-namespace")
    assert "no order" not in result.err
