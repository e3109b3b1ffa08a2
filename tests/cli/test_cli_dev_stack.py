"""The dev stack: the Temporal dev server's lifecycle and the ``certorder dev`` command."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from cli_helpers import assert_one_line_error, closed_port
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from certorder.client_workers import live_workers
from certorder.dev_stack import DevServer, DevServerError, port_is_free
from certorder.settings import Settings
from certorder.temporal_client import connect
from certorder.workflows.search_attributes import ORDER_STATUS, PLUGIN_NAME


def _settings(server: DevServer) -> Settings:
    return Settings(temporal_address=server.address, data_dir=server.data_dir)


async def test_state_and_search_attributes_survive_a_restart(tmp_path):
    server = DevServer(tmp_path, port=closed_port(), ui_port=closed_port())
    with server:
        client = await connect(_settings(server))
        attributes = TypedSearchAttributes(
            [SearchAttributePair(ORDER_STATUS, "PENDING"), SearchAttributePair(PLUGIN_NAME, "x")]
        )
        # No worker polls this queue: the workflow just stays open in the server's state.
        await client.start_workflow(
            "CertificateOrderWorkflow", {}, id="kept-1", task_queue="nobody",
            search_attributes=attributes,
        )  # fmt: skip
    assert not server.running and port_is_free(server.port)
    assert server.db_path.is_file()

    with server:
        client = await connect(_settings(server))
        description = await client.get_workflow_handle("kept-1").describe()
        assert description.typed_search_attributes.get(PLUGIN_NAME) == "x"
        found = [
            wf.id
            async for wf in client.list_workflows("CertificateOrderStatus = 'PENDING'")
        ]
        assert found == ["kept-1"]


def test_a_taken_port_is_one_clear_error(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        server = DevServer(tmp_path, port=port, ui_port=closed_port())
        with pytest.raises(DevServerError, match=f"port {port} .* already in use"):
            server.start()
        assert not server.running


def test_a_server_that_exits_early_is_reported_with_its_last_words(tmp_path):
    server = DevServer(
        tmp_path, port=closed_port(), ui_port=closed_port(), extra_args=("--no-such-flag",)
    )
    server.start()
    with pytest.raises(DevServerError, match="exited with code"):
        server.wait_ready(timeout=20)
    server.stop()


async def _pollers(port: int) -> list[str]:
    settings = Settings(temporal_address=f"127.0.0.1:{port}")
    return await live_workers(await connect(settings), settings)


def _start_dev(tmp_path, port: int | None = None) -> tuple[subprocess.Popen[str], int]:
    port = port or closed_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CERTORDER_")},
        "CERTORDER_DATA_DIR": str(tmp_path / "data"),
        "CERTORDER_DEV_PORT": str(port),
        "CERTORDER_DEV_UI_PORT": str(closed_port()),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "certorder.cli.main", "dev"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    return process, port


def _wait_for_worker(process: subprocess.Popen[str]) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "worker running" in line:
            return lines
    process.kill()
    raise AssertionError(f"certorder dev did not start: {''.join(lines)}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_certorder_dev_runs_and_stops_cleanly(tmp_path, signum):
    process, port = _start_dev(tmp_path)
    try:
        early = "".join(_wait_for_worker(process))
        # Said only once the worker polls: a script's first command finds it serving.
        assert asyncio.run(_pollers(port)), early
        assert not port_is_free(port)
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
        err = early + err
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "/namespaces/default/workflows" in out
    assert "stopped" in err
    # The default temporal_address (localhost:7233) is not this server's: say so.
    assert f"CERTORDER_TEMPORAL_ADDRESS=127.0.0.1:{port}" in err
    assert port_is_free(port)
    assert (tmp_path / "data" / "temporal.db").is_file()


def test_certorder_dev_with_its_port_taken(tmp_path, run_subprocess):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = run_subprocess("dev", env={"CERTORDER_DEV_PORT": str(port)})
    assert_one_line_error(result, 1, f"port {port}", "already in use")


def test_certorder_dev_with_a_bad_plugin_fails_before_starting_a_server(run_subprocess, cli_env):
    port = closed_port()
    result = run_subprocess(
        "dev", env={"CERTORDER_DEV_PORT": str(port), "CERTORDER_ENABLED_PLUGINS": '["ghost"]'}
    )
    assert_one_line_error(result, 2, "ghost")
    assert result.out == ""
    assert not (cli_env / "temporal.db").exists()


def test_a_killed_certorder_dev_takes_its_server_down(tmp_path):
    process, port = _start_dev(tmp_path)
    try:
        _wait_for_worker(process)
        process.kill()  # SIGKILL: no cleanup code runs in certorder itself
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while not port_is_free(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert port_is_free(port)
    finally:
        if process.poll() is None:
            process.kill()
