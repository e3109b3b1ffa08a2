"""Which connection a certorder process uses: the Temporal CLI's TEMPORAL_* variables
and profile file (temporalio.envconfig), overridden by certorder's settings when set."""

from __future__ import annotations

import pytest
from temporalio.service import TLSConfig

from certorder.settings import Settings, SettingsError
from certorder.temporal_client import connect_config

PROFILES = """\
[profile.default]
address = "default.example.test:7233"

[profile.prod]
address = "prod.example.test:7233"
namespace = "certs"
api_key = "prod-key"
"""


def test_without_any_configuration_the_defaults_apply():
    config = connect_config(Settings(), env={})
    assert config["target_host"] == "localhost:7233" and config["namespace"] == "default"
    assert "tls" not in config and "api_key" not in config


def test_temporal_variables_are_read_like_the_temporal_cli_does(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not checked before connecting")
    config = connect_config(Settings(), env={
        "TEMPORAL_ADDRESS": "temporal.example.test:7233", "TEMPORAL_NAMESPACE": "certs",
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(ca), "TEMPORAL_TLS_SERVER_NAME": "frontend",
    })  # fmt: skip
    assert config["target_host"] == "temporal.example.test:7233"
    assert config["namespace"] == "certs"
    tls = config["tls"]
    assert isinstance(tls, TLSConfig) and tls.domain == "frontend"
    assert tls.server_root_ca_cert == ca.read_bytes()


def test_a_profile_file_and_a_profile_name(tmp_path):
    profiles = tmp_path / "temporal.toml"
    profiles.write_text(PROFILES)
    env = {"TEMPORAL_CONFIG_FILE": str(profiles)}
    assert connect_config(Settings(), env=env)["target_host"] == "default.example.test:7233"
    prod = connect_config(Settings(), env={**env, "TEMPORAL_PROFILE": "prod"})
    assert (prod["target_host"], prod["namespace"]) == ("prod.example.test:7233", "certs")
    assert prod["api_key"] == "prod-key" and prod["tls"] is True  # an API key implies TLS
    by_setting = connect_config(Settings(temporal_profile="prod"), env=env)
    assert by_setting["target_host"] == "prod.example.test:7233"


def test_certorder_settings_that_are_set_override_field_by_field(tmp_path, monkeypatch):
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_text("CERT")
    key.write_text("KEY")
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", "mine.example.test:7233")
    settings = Settings(temporal_tls_client_cert=cert, temporal_tls_client_key=key)
    config = connect_config(settings, env={"TEMPORAL_ADDRESS": "theirs.example.test:7233",
                                           "TEMPORAL_NAMESPACE": "certs"})
    assert config["target_host"] == "mine.example.test:7233"
    assert config["namespace"] == "certs"  # not set in certorder: TEMPORAL_NAMESPACE wins
    assert (config["tls"].client_cert, config["tls"].client_private_key) == (b"CERT", b"KEY")


@pytest.mark.parametrize(("settings", "env", "message"), [
    (Settings(temporal_profile="nope"), {}, "Profile 'nope' not found"),
    (Settings(), {"TEMPORAL_CONFIG_FILE": "BROKEN"}, "TOML parse error"),
    (Settings(temporal_tls_client_cert="/nonexistent/client.pem"), {},
     "temporal_tls_client_cert: cannot read /nonexistent/client.pem"),
    (Settings(), {"TEMPORAL_TLS_CLIENT_CERT_PATH": "/nonexistent/client.pem"},
     "Temporal TLS file /nonexistent/client.pem: No such file"),
])  # fmt: skip
def test_unusable_connection_settings_are_one_settings_error(tmp_path, settings, env, message):
    if env.get("TEMPORAL_CONFIG_FILE") == "BROKEN":
        (tmp_path / "broken.toml").write_text("[profile.prod\n")
        env = {"TEMPORAL_CONFIG_FILE": str(tmp_path / "broken.toml")}
    with pytest.raises(SettingsError, match=message) as raised:
        connect_config(settings, env=env)
    assert "\n" not in str(raised.value)
