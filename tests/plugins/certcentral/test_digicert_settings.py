"""Settings and order fields of the CertCentral plugins: checked before any order starts."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from certorder.plugins.certcentral.client import retry_after_msec
from certorder.plugins.certcentral.digicert import DigiCertPlugin
from certorder.plugins.certcentral.symantec import SymantecPlugin
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.errors import InvalidOrderError, PluginConfigurationError


def _plugin(tmp_path, **options) -> DigiCertPlugin:
    return DigiCertPlugin(PluginContext(name="digicert", data_dir=tmp_path, options=options))


def test_entry_points_are_registered():
    names = {ep.name: ep.value for ep in entry_points(group="certorder.certificate.plugin")}
    assert names["digicert"] == "certorder.plugins.certcentral:DigiCertPlugin"
    assert names["symantec"] == "certorder.plugins.certcentral:SymantecPlugin"


def test_defaults(tmp_path):
    plugin = _plugin(tmp_path, api_key="k")
    assert plugin.settings.base_url == "https://www.digicert.com/services/v2/"
    assert plugin.settings.default_product == "ssl_basic"
    assert plugin.settings.retry_msec == 300_000
    plugin.close()


def test_key_from_environment_and_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CERTORDER_DIGICERT_API_KEY", "from-env")
    monkeypatch.setenv("CERTORDER_DIGICERT_ORGANIZATION_ID", "42")
    plugin = _plugin(tmp_path)
    assert plugin.settings.resolved_api_key().get_secret_value() == "from-env"
    assert plugin.settings.organization_id == 42
    monkeypatch.delenv("CERTORDER_DIGICERT_API_KEY")
    key_file = tmp_path / "key"
    key_file.write_text("from-file\n")
    plugin = _plugin(tmp_path, api_key_file=str(key_file))
    assert plugin.settings.resolved_api_key().get_secret_value() == "from-file"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "exactly one of api_key and api_key_file"),
        ({"api_key": "k", "default_product": "ssl_securesite_flex"}, "default_product"),
        ({"api_key": "k", "base_url": "ftp://x"}, "base_url"),
        ({"api_key": "k", "colour": "blue"}, "colour"),
        ({"api_key_file": "/nonexistent/key"}, "cannot read api_key_file"),
    ],
)
def test_bad_settings_stop_start_up(tmp_path, options, expected):
    with pytest.raises(PluginConfigurationError, match=expected):
        _plugin(tmp_path, **options)


@pytest.mark.parametrize(
    ("order_meta", "expected"),
    [
        ({"profile": "ssl_securesite_pro"}, "unknown product 'ssl_securesite_pro'"),
        ({"profile": "no_such_product"}, "unknown product"),
        ({"dcv_method": "carrier-pigeon"}, "dcv_method"),
        ({"validity_years": 9}, "validity_years"),
        ({"signature_hash": "md5"}, "signature_hash"),
    ],
)
def test_bad_order_fields_are_refused_at_submission(tmp_path, order_meta, expected):
    plugin = _plugin(tmp_path, api_key="k", organization_id=1)
    with pytest.raises(InvalidOrderError, match=expected):
        plugin.validate_order_meta(order_meta)


def test_ov_product_without_organization_is_refused(tmp_path):
    plugin = _plugin(tmp_path, api_key="k")
    with pytest.raises(InvalidOrderError, match="organization_id"):
        plugin.validate_order_meta({"profile": "ssl_ev_basic"})
    plugin.validate_order_meta({"profile": "ssl_basic", "organization_id": 7})
    plugin.validate_order_meta({"profile": "ssl_dv_rapidssl"})


def test_symantec_refuses_digicert_products(tmp_path):
    plugin = SymantecPlugin(
        PluginContext(
            name="symantec", data_dir=tmp_path, options={"api_key": "k", "organization_id": 1}
        )
    )
    with pytest.raises(InvalidOrderError, match="unknown product 'ssl_basic'"):
        plugin.validate_order_meta({"profile": "ssl_basic"})
    plugin.validate_order_meta({"profile": "ssl_ev_securesite_pro"})


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, 5), ("7", 7000), ("0", 0), ("soon", 5), ("Wed, 21 Oct 2015 07:28:00 GMT", 0)],
)
def test_retry_after_parsing(header, expected):
    assert retry_after_msec(header, 5) == expected
