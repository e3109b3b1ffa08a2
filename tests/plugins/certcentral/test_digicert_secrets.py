"""The CertCentral API key never reaches plugin_meta, result messages or exceptions."""

from __future__ import annotations

import json

import pytest

from certorder.plugins.certcentral.digicert import DigiCertPlugin
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.errors import PluginConfigurationError


def test_api_key_never_in_plugin_meta_or_messages(certcentral_sim, make_digicert, new_order):
    key = certcentral_sim.api_key
    seen: list[str] = []
    for scenario, steps in [("issue", 1), ("dcv", 2), ("reject", 2), ("pending", 2)]:
        certcentral_sim.set_scenario(scenario)
        order = new_order(make_digicert())
        results = [order.issue()] + [order.check() for _ in range(steps - 1)]
        results.append(order.modify(dcv_method="email"))
        results.append(order.cancel())
        seen.append(json.dumps(order.plugin_meta))
        seen.extend(result.status_message or "" for result in results)
    certcentral_sim.fail_next(429, retry_after=1)
    seen.append(new_order(make_digicert()).issue().status_message or "")
    assert seen and all(key not in text for text in seen)


def test_wrong_key_is_refused_without_echoing_it(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert(api_key="not-the-key-1234567890"))
    result = order.issue()
    assert result.status.value == "invalid operation"
    assert "access_denied" in result.status_message
    assert "not-the-key-1234567890" not in result.status_message
    assert certcentral_sim.orders_placed == 0


def test_configuration_errors_do_not_show_the_key(tmp_path):
    with pytest.raises(PluginConfigurationError) as info:
        DigiCertPlugin(
            PluginContext(
                name="digicert",
                data_dir=tmp_path,
                options={"api_key": "s3cr3t-value", "api_key_file": str(tmp_path / "k")},
            )
        )
    assert "s3cr3t-value" not in str(info.value)
    with pytest.raises(PluginConfigurationError) as info:
        DigiCertPlugin(
            PluginContext(
                name="digicert",
                data_dir=tmp_path,
                options={"api_key": "s3cr3t-value", "validity_years": "many"},
            )
        )
    assert "validity_years" in str(info.value)
    assert "s3cr3t-value" not in str(info.value)
