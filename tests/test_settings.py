"""Settings come from CERTORDER_* variables, then certorder.toml, then defaults."""

from __future__ import annotations

import pytest

from certorder.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for key in ("CERTORDER_CONFIG", "CERTORDER_TASK_QUEUE", "CERTORDER_ENABLED_PLUGINS",
                "CERTORDER_DATA_DIR", "CERTORDER_STORE_URL", "CERTORDER_TEMPORAL_ADDRESS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_use_a_sqlite_store_in_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTORDER_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.enabled_plugins == ["local-ca"]
    assert settings.task_queue == "certificate-orders"
    assert settings.resolved_store_url == f"sqlite:///{tmp_path / 'data' / 'certorder.db'}"


def test_toml_file_then_environment_wins(monkeypatch, tmp_path):
    config = tmp_path / "site.toml"
    config.write_text(
        'task_queue = "from-file"\n'
        'enabled_plugins = ["local-ca", "dogtag"]\n'
        '[plugins.local-ca]\nvalidity = 30\n'
    )
    monkeypatch.setenv("CERTORDER_TASK_QUEUE", "from-env")
    settings = load_settings(config)
    assert settings.task_queue == "from-env"
    assert settings.enabled_plugins == ["local-ca", "dogtag"]
    assert settings.plugins == {"local-ca": {"validity": 30}}


def test_certorder_toml_in_the_working_directory_is_read(tmp_path):
    (tmp_path / "certorder.toml").write_text('temporal_address = "temporal.internal:7233"\n')
    assert load_settings().temporal_address == "temporal.internal:7233"


def test_environment_list_is_json(monkeypatch):
    monkeypatch.setenv("CERTORDER_ENABLED_PLUGINS", '["acme"]')
    assert load_settings().enabled_plugins == ["acme"]


@pytest.mark.parametrize("content, expected", [
    ("max_concurrent_activities = 0\n", "invalid setting max_concurrent_activities"),
    ("no_such_setting = 1\n", "invalid setting no_such_setting"),
    ("task_queue = \n", "cannot read settings"),
])
def test_bad_settings_are_one_line(tmp_path, content, expected):
    config = tmp_path / "bad.toml"
    config.write_text(content)
    with pytest.raises(SettingsError) as raised:
        load_settings(config)
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_missing_config_file_is_reported(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize("value, expected", [
    ("local-ca,acme", ["local-ca", "acme"]),
    (" local-ca , acme ", ["local-ca", "acme"]),
    ('["local-ca", "cfssl"]', ["local-ca", "cfssl"]),
])
def test_enabled_plugins_from_the_environment_as_json_or_commas(monkeypatch, value, expected):
    monkeypatch.setenv("CERTORDER_ENABLED_PLUGINS", value)
    assert load_settings().enabled_plugins == expected


def test_a_broken_json_list_says_what_it_expected(monkeypatch):
    monkeypatch.setenv("CERTORDER_ENABLED_PLUGINS", "[oops")
    with pytest.raises(SettingsError, match="expected a JSON list or comma-separated names"):
        load_settings()


def test_a_broken_settings_file_is_named(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("data_dir = [\n")
    with pytest.raises(SettingsError, match=f"cannot read settings from {broken}"):
        load_settings(broken)
