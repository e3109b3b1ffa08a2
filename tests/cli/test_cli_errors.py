"""A user's mistake is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import pytest
from cli_helpers import assert_one_line_error
from x509_helpers import make_csr, make_key, tamper_signature

from certorder.keys.envelope import new_kek_text


@pytest.fixture
def good_csr(cli_env):
    path = cli_env.parent / "www.csr"
    path.write_text(make_csr(make_key("p256"), ["www.example.test"]))
    return path


def test_missing_csr_file(run_subprocess):
    result = run_subprocess("order", "submit", "--csr", "missing.csr")
    assert_one_line_error(result, 2, "missing.csr", "does not exist")


def test_csr_that_is_not_a_csr(run_subprocess, cli_env):
    (cli_env.parent / "junk.csr").write_text("hello\n")
    result = run_subprocess("order", "submit", "--csr", "junk.csr")
    assert_one_line_error(result, 2, "CSR")


def test_csr_with_a_bad_signature(run_cli, cli_env):
    csr = tamper_signature(make_csr(make_key("p256")))
    (cli_env.parent / "tampered.csr").write_text(csr)
    result = run_cli("order", "submit", "--csr", "tampered.csr")
    assert_one_line_error(result, 2, "signature")


def test_csr_with_a_weak_key(run_cli, cli_env):
    (cli_env.parent / "weak.csr").write_text(make_csr(make_key("rsa1024")))
    result = run_cli("order", "submit", "--csr", "weak.csr")
    assert_one_line_error(result, 2, "1024")


# What only the plugins can check is checked by a worker, which answers at once.
@pytest.mark.parametrize("argv, fragment", [
    (["--plugin", "nope"], "unknown plugin 'nope'"),
    (["--ca-id", "no-such-ca"], "no-such-ca"),
    (["--profile", "teapot"], "profile"),
])
async def test_the_worker_rejects_what_its_plugins_refuse(live, cli, good_csr, argv, fragment):
    result = await cli("order", "submit", "--csr", str(good_csr), *argv)
    assert_one_line_error(result, 2, "rejected", fragment)


def test_invalid_order_id(run_cli, good_csr):
    result = run_cli("order", "submit", "--csr", str(good_csr), "--order-id", "../etc/passwd")
    assert_one_line_error(result, 2, "invalid order id")


def test_bad_setting(run_subprocess, good_csr):
    result = run_subprocess("plugin", "list", env={"CERTORDER_DEV_PORT": "soon"})
    assert_one_line_error(result, 2, "dev_port")


def test_missing_config_file(run_cli, cli_env):
    result = run_cli("--config", "nowhere.toml", "ca", "list")
    assert_one_line_error(result, 2, "nowhere.toml")


def test_unknown_enabled_plugin_in_the_worker_settings(run_subprocess):
    result = run_subprocess("worker", env={"CERTORDER_ENABLED_PLUGINS": '["ghost"]'})
    assert result.code == 2, result
    assert result.err_lines[-1].startswith("certorder worker: error: ") or \
        result.err_lines[-1].startswith("certorder: error: ")
    assert "ghost" in result.err_lines[-1] and "Traceback" not in result.err


def test_server_down_on_submit(run_subprocess, good_csr):
    # cli_env points CERTORDER_TEMPORAL_ADDRESS at a closed loopback port.
    result = run_subprocess("order", "submit", "--csr", str(good_csr))
    assert_one_line_error(result, 1, "cannot reach Temporal at 127.0.0.1:", "certorder dev")
    assert result.out == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["order", "show", "order-1"],
        ["order", "list"],
        ["order", "cancel", "order-1"],
        ["order", "modify", "order-1", "--meta", "a=1"],
    ],
)
def test_server_down_on_other_commands(run_cli, cli_env, argv):
    result = run_cli(*argv)
    assert_one_line_error(result, 1, "cannot reach Temporal at")


def test_cert_get_into_a_file_instead_of_a_directory(run_cli, cli_env):
    (cli_env.parent / "a-file").write_text("x")
    result = run_cli("cert", "get", "order-1", "--out", "a-file")
    assert_one_line_error(result, 2, "a-file", "not a directory")


def test_cert_get_of_a_missing_order_creates_no_directory(run_cli, cli_env):
    result = run_cli("cert", "get", "order-1", "--out", "certs")
    assert result.code != 0 and not (cli_env.parent / "certs").exists()


def test_unexpected_errors_are_one_line_with_a_debug_hint(run_cli, cli_env, monkeypatch):
    import certorder.cli.ca as ca_module

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(ca_module, "_on_workers", broken)
    result = run_cli("ca", "list")
    assert_one_line_error(result, 1, "ZeroDivisionError", "CERTORDER_DEBUG=1")
    monkeypatch.setenv("CERTORDER_DEBUG", "1")
    assert "Traceback" in run_cli("ca", "list").err


def test_worker_with_the_server_down(run_subprocess):
    result = run_subprocess("worker", env={"CERTORDER_KEK": new_kek_text()})
    assert result.code == 1, result
    assert "Traceback" not in result.err
    assert result.err_lines[-1].startswith("certorder: error: cannot reach Temporal at 127.0.0.1:")


async def test_a_reader_that_goes_away_is_not_an_error_line(live):
    import asyncio
    import os
    import subprocess
    import sys

    await asyncio.to_thread(_list_into_a_closed_pipe, os, subprocess, sys)


def _list_into_a_closed_pipe(os, subprocess, sys) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "certorder.cli.main", "ca", "list", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ),
    )  # fmt: skip
    process.stdout.close()  # like `certorder ... | head -c 0`
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert err == ""
