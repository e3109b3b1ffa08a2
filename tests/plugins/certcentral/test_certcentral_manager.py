"""Both CertCentral plugins loaded through their entry points by the PluginManager."""

from __future__ import annotations

import pytest
from x509_helpers import make_csr, make_key

from certorder.plugins.interface.errors import InvalidOrderError, PluginNotFoundError
from certorder.plugins.manager import PluginManager


@pytest.fixture
def manager(certcentral_sim, tmp_path):
    common = {
        "base_url": certcentral_sim.base_url,
        "api_key": certcentral_sim.api_key,
        "organization_id": 112233,
    }
    manager = PluginManager(
        ["digicert", "symantec"], tmp_path, options={"digicert": common, "symantec": common}
    )
    yield manager
    manager.close()


def _order(**extra) -> dict:
    return {
        "request_type": "simple-cmc",
        "request_data": make_csr(make_key("p256"), ["www.example.test"]),
        **extra,
    }


def test_orders_are_routed_by_product(manager):
    assert manager.validate_order(_order(profile="ssl_securesite_pro")).plugin_name == "symantec"
    assert manager.validate_order(_order(profile="ssl_basic")).plugin_name == "digicert"
    assert manager.validate_order(_order()).plugin_name == "digicert"  # first enabled


def test_unusable_products_are_refused_before_the_order_starts(manager):
    with pytest.raises(PluginNotFoundError):
        manager.validate_order(_order(profile="ssl_gold_plated"))
    with pytest.raises(InvalidOrderError, match="unknown product 'ssl_basic'"):
        manager.validate_order(_order(plugin_name="symantec", profile="ssl_basic"))


def test_each_plugin_is_its_own_ca(manager):
    assert {info.ca_id for info in manager.ca_info()} == {"digicert", "symantec"}
