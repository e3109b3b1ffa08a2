"""``certorder ca`` and ``certorder plugin`` with the local CA, in a fresh data dir."""

from __future__ import annotations

import json

from cli_helpers import assert_one_line_error
from cryptography import x509


def _cas(run_cli) -> dict[str, dict]:
    result = run_cli("ca", "list", "--json")
    assert result.code == 0, result
    return {ca["ca_id"]: ca for ca in json.loads(result.out)}


def test_a_fresh_data_dir_lists_the_local_root(run_cli, cli_env):
    cas = _cas(run_cli)
    [root] = cas.values()
    assert root["plugin_name"] == "local-ca" and root["parent_ca_id"] is None
    cert = x509.load_pem_x509_certificate(root["ca_signing_certificate"].encode())
    assert cert.issuer == cert.subject
    assert (cli_env / "plugins" / "local-ca").is_dir()


def test_create_list_and_delete_a_sub_ca(run_cli, cli_env):
    [root_id] = _cas(run_cli)
    created = run_cli("ca", "create", "--name", "Web servers", "--description", "for www")
    assert created.code == 0, created
    sub_id = created.out.strip()
    assert sub_id and "\n" not in sub_id

    cas = _cas(run_cli)
    assert cas[sub_id]["parent_ca_id"] == root_id
    assert cas[sub_id]["name"] == "Web servers"
    assert cas[sub_id]["description"] == "for www"
    human = run_cli("ca", "list")
    assert sub_id in human.out and "Web servers" in human.out

    nested = run_cli("ca", "create", "--name", "Team A", "--parent", sub_id, "--json")
    assert nested.code == 0, nested
    assert json.loads(nested.out)["parent_ca_id"] == sub_id

    deleted = run_cli("ca", "delete", json.loads(nested.out)["ca_id"])
    assert deleted.code == 0, deleted
    assert set(_cas(run_cli)) == {root_id, sub_id}


def test_unknown_parent_and_unknown_ca_are_input_errors(run_cli, cli_env):
    result = run_cli("ca", "create", "--name", "x", "--parent", "nope")
    assert_one_line_error(result, 2, "nope")
    result = run_cli("ca", "delete", "nope")
    assert_one_line_error(result, 2, "nope")


def test_plugin_list_shows_enabled_and_installed(run_cli, cli_env):
    result = run_cli("plugin", "list", "--json")
    assert result.code == 0, result
    listing = json.loads(result.out)
    [local] = listing["enabled"]
    assert local["name"] == "local-ca"
    assert "simple-cmc" in local["request_types"]
    assert "local-ca" in listing["installed"]
    human = run_cli("plugin", "list")
    assert "local-ca" in human.out and "simple-cmc" in human.out


def test_config_file_sets_the_data_dir(run_cli, cli_env, monkeypatch, tmp_path):
    monkeypatch.delenv("CERTORDER_DATA_DIR")
    other = tmp_path / "from-config"
    (tmp_path / "certorder.toml").write_text(
        f'data_dir = "{other}"\nenabled_plugins = ["local-ca"]\n'
    )
    result = run_cli("--config", "certorder.toml", "ca", "list")
    assert result.code == 0, result
    assert (other / "plugins" / "local-ca").is_dir()
    assert not cli_env.exists()
