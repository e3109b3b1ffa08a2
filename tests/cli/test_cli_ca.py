"""``certorder ca`` and ``certorder plugin`` run on a worker (through Temporal): the
client loads no plugin, and what it lists and creates is what the worker uses."""

from __future__ import annotations

import asyncio
import json

from cli_helpers import assert_one_line_error
from cryptography import x509


async def _cas(cli) -> dict[str, dict]:
    result = await cli("ca", "list", "--json")
    assert result.code == 0, result
    return {ca["ca_id"]: ca for ca in json.loads(result.out)}


async def test_the_worker_lists_its_local_root(live, cli, cli_env):
    cas = await _cas(cli)
    [root] = cas.values()
    assert root["plugin_name"] == "local-ca" and root["parent_ca_id"] is None
    cert = x509.load_pem_x509_certificate(root["ca_signing_certificate"].encode())
    assert cert.issuer == cert.subject
    assert (cli_env / "plugins" / "local-ca").is_dir()  # the worker's data dir


async def test_create_list_and_delete_a_sub_ca(live, cli):
    [root_id] = await _cas(cli)
    created = await cli("ca", "create", "--name", "Web servers", "--description", "for www")
    assert created.code == 0, created
    sub_id = created.out.strip()
    assert sub_id and "\n" not in sub_id

    cas = await _cas(cli)
    assert cas[sub_id]["parent_ca_id"] == root_id
    assert cas[sub_id]["name"] == "Web servers"
    assert cas[sub_id]["description"] == "for www"
    human = await cli("ca", "list")
    assert sub_id in human.out and "Web servers" in human.out

    nested = await cli("ca", "create", "--name", "Team A", "--parent", sub_id, "--json")
    assert nested.code == 0, nested
    assert json.loads(nested.out)["parent_ca_id"] == sub_id

    deleted = await cli("ca", "delete", json.loads(nested.out)["ca_id"])
    assert deleted.code == 0, deleted
    assert set(await _cas(cli)) == {root_id, sub_id}


async def test_every_operation_leaves_an_audit_trail_in_temporal(live, cli, temporal_env):
    assert (await cli("ca", "create", "--name", "audited")).code == 0
    query = f"WorkflowType = 'CaAdminWorkflow' AND TaskQueue = '{live.task_queue}'"
    deadline = asyncio.get_running_loop().time() + 10
    summaries: list[str | None] = []
    while "create CA 'audited'" not in summaries:  # visibility is eventually consistent
        assert asyncio.get_running_loop().time() < deadline, summaries
        await asyncio.sleep(0.1)
        summaries = [
            await (await temporal_env.client.get_workflow_handle(w.id).describe()).static_summary()
            async for w in temporal_env.client.list_workflows(query)]


async def test_unknown_parent_and_unknown_ca_are_input_errors(live, cli):
    result = await cli("ca", "create", "--name", "x", "--parent", "nope")
    assert_one_line_error(result, 2, "nope")
    result = await cli("ca", "delete", "nope")
    assert_one_line_error(result, 2, "nope")


async def test_plugin_list_reports_each_worker_by_identity(live, cli):
    result = await cli("plugin", "list", "--json")
    assert result.code == 0, result
    listing = json.loads(result.out)
    [worker] = listing["workers"]
    assert worker["identity"] and worker["error"] is None
    [local] = worker["description"]["enabled"]
    assert local["name"] == "local-ca"
    assert "simple-cmc" in local["request_types"]
    assert "local-ca" in worker["description"]["installed"]
    human = await cli("plugin", "list")
    assert worker["identity"] in human.out
    assert "local-ca" in human.out and "simple-cmc" in human.out


def test_without_a_worker_each_command_says_so_in_one_line(run_cli, cli_queue, cli_env):
    for argv in (("ca", "list"), ("ca", "create", "--name", "x"), ("plugin", "list")):
        assert_one_line_error(run_cli(*argv), 1, "no worker polls task queue",
                              cli_queue.task_queue)
    assert not cli_env.exists()  # the client created nothing


def test_the_client_reads_its_connection_from_the_config_file(run_cli, cli_queue,
                                                              monkeypatch, tmp_path):
    monkeypatch.delenv("CERTORDER_TASK_QUEUE")
    (tmp_path / "certorder.toml").write_text(f'task_queue = "{cli_queue.task_queue}-cfg"\n')
    result = run_cli("--config", "certorder.toml", "ca", "list")
    assert_one_line_error(result, 1, f"{cli_queue.task_queue}-cfg")
