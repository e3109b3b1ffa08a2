"""Settings a user can get wrong are refused with one line, before anything is created."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from certorder.settings import SettingsError, load_settings
from certorder.workflows.models import OrderInput


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for key in [k for k in os.environ if k.startswith("CERTORDER_")]:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


def _error(**overrides) -> str:
    with pytest.raises(SettingsError) as raised:
        load_settings(**overrides)
    message = str(raised.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("value", ["inf", "nan", "1e309", "1e15", "1e-9", "0", "-5"])
def test_plugin_call_timeout_is_bounded(monkeypatch, value):
    monkeypatch.setenv("CERTORDER_PLUGIN_CALL_TIMEOUT_SECONDS", value)
    assert "invalid setting plugin_call_timeout_seconds" in _error()


@pytest.mark.parametrize("value", [float("inf"), 1e15, 1e-9, float("nan")])
def test_order_input_refuses_an_unusable_call_timeout(value):
    with pytest.raises(ValidationError):
        OrderInput(call_timeout_seconds=value)


def test_sane_call_timeouts_are_kept(monkeypatch):
    monkeypatch.setenv("CERTORDER_PLUGIN_CALL_TIMEOUT_SECONDS", "3600")
    assert load_settings().plugin_call_timeout_seconds == 3600
    assert OrderInput(call_timeout_seconds=1).call_timeout_seconds == 1


@pytest.mark.parametrize("url", ["mysql://db/certs", "sqlite://", "not a url", "sqlite:///:memory:"])
def test_bad_store_url_is_one_line(monkeypatch, url):
    monkeypatch.setenv("CERTORDER_STORE_URL", url)
    assert "invalid setting store_url" in _error()


@pytest.mark.parametrize("address", ["", "localhost", "localhost:0", "localhost:99999",
                                     "host:port", "http://localhost:7233", "a b:7233"])
def test_bad_temporal_address_is_one_line(monkeypatch, address):
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", address)
    assert "invalid setting temporal_address" in _error()


@pytest.mark.parametrize("address", ["localhost:7233", "127.0.0.1:7233", "[::1]:7233",
                                     "temporal.internal:443"])
def test_good_temporal_addresses_are_kept(monkeypatch, address):
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", address)
    assert load_settings().temporal_address == address


def test_data_dir_that_is_a_file_is_refused(monkeypatch, tmp_path):
    (tmp_path / "afile").write_text("")
    monkeypatch.setenv("CERTORDER_DATA_DIR", str(tmp_path / "afile"))
    assert "invalid setting data_dir" in _error()


def test_tilde_in_data_dir_is_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CERTORDER_DATA_DIR", "~/certs")
    settings = load_settings()
    assert settings.data_dir == tmp_path / "home" / "certs"
    assert str(tmp_path / "home" / "certs") in settings.resolved_store_url
    assert not Path("~").exists()


@pytest.mark.parametrize("target", ["missing.toml", "adir", "/dev/null"])
def test_certorder_config_naming_no_file_is_refused(monkeypatch, tmp_path, target):
    (tmp_path / "adir").mkdir()
    monkeypatch.setenv("CERTORDER_CONFIG", target)
    message = _error()
    assert "CERTORDER_CONFIG" in message and target in message


def test_nothing_is_created_by_loading_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTORDER_DATA_DIR", str(tmp_path / "not-yet"))
    load_settings()
    assert not (tmp_path / "not-yet").exists()


def test_tilde_in_a_sqlite_store_url_is_the_home_directory(monkeypatch, tmp_path):
    from certorder.store import CertificateStore

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    CertificateStore.open("sqlite:///~/certs/certorder.db").close()
    assert (tmp_path / "home" / "certs" / "certorder.db").is_file()
    assert not Path("~").exists()
