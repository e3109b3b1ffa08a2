"""PluginManager routing: which plugin gets an order, and the checks before it starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_plugins import ProfilePlugin, ScriptedPlugin
from manager_helpers import fails, three_plugins
from x509_helpers import make_csr, make_key

from certorder.plugins import (
    InvalidOrderError,
    PluginNotFoundError,
)
from certorder.plugins.manager import PluginManager, Selection


@pytest.fixture
def manager(tmp_path: Path) -> PluginManager:
    return three_plugins(tmp_path)


def test_select_by_plugin_name(manager: PluginManager) -> None:
    # Named plugins win even over supports(): 'gold' would refuse this order otherwise.
    assert manager.select({"plugin_name": "gold", "request_type": "simple-cmc"}) == Selection(
        plugin_name="gold", plugin_ca_id=None
    )


def test_select_by_name_and_ca_of_that_plugin(manager: PluginManager) -> None:
    selection = manager.select({"plugin_name": "general", "ca_id": "issuing"})

    assert selection == Selection(plugin_name="general", plugin_ca_id="issuing")


def test_select_by_name_with_a_ca_of_another_plugin(manager: PluginManager) -> None:
    message = fails(
        PluginNotFoundError, manager.select, {"plugin_name": "general", "ca_id": "gold-root"}
    )

    assert message == "plugin 'general' has no CA with id 'gold-root'"


def test_select_by_ca_id_finds_the_owner(manager: PluginManager) -> None:
    assert manager.select({"ca_id": "gold-root"}) == Selection(
        plugin_name="gold", plugin_ca_id="gold-root"
    )
    assert manager.select({"ca_id": "custom"}) == Selection(
        plugin_name="custom", plugin_ca_id="custom"
    )


def test_unknown_ca_id(manager: PluginManager) -> None:
    message = fails(PluginNotFoundError, manager.select, {"ca_id": "nowhere"})

    assert message == "no enabled plugin has a CA with id 'nowhere'"


def test_ca_id_offered_by_two_plugins_is_ambiguous(tmp_path: Path) -> None:
    manager = PluginManager.from_plugins(
        {name: ScriptedPlugin.build(name, tmp_path, cas=["shared"]) for name in ("a", "b")}
    )

    message = fails(InvalidOrderError, manager.select, {"ca_id": "shared"})

    assert message == "CA id 'shared' is offered by plugins a, b; add plugin_name to choose one"
    assert manager.select({"ca_id": "shared", "plugin_name": "b"}).plugin_name == "b"


def test_unknown_plugin_name_lists_available(manager: PluginManager) -> None:
    message = fails(PluginNotFoundError, manager.select, {"plugin_name": "ghost"})

    assert message == "unknown plugin 'ghost'; available: gold, general, custom"
    assert fails(PluginNotFoundError, manager.get, "ghost") == message


def test_an_installed_plugin_that_is_not_enabled_names_the_setting(manager: PluginManager) -> None:
    message = fails(PluginNotFoundError, manager.get, "dogtag")  # installed, not enabled here
    assert message == ("plugin 'dogtag' is installed but not enabled: add it to "
                       "enabled_plugins (enabled: gold, general, custom)")


def test_supports_is_asked_in_configured_order(manager: PluginManager, tmp_path: Path) -> None:
    gold_order = {"request_type": "simple-cmc", "profile": "gold"}
    plain_order = {"request_type": "simple-cmc", "profile": "bronze"}

    assert manager.select(gold_order).plugin_name == "gold"
    assert manager.select(plain_order).plugin_name == "general"

    reordered = PluginManager.from_plugins(
        {name: manager.get(name) for name in ("general", "gold")}
    )
    assert reordered.select(gold_order).plugin_name == "general"


def test_select_by_request_type(manager: PluginManager) -> None:
    assert manager.select({"request_type": "stored-key"}).plugin_name == "custom"
    # No request_type means a custom order.
    assert manager.select({}).plugin_name == "custom"
    assert manager.select({"request_type": "simple-cmc"}).plugin_name == "general"


def test_no_plugin_supports_the_order(tmp_path: Path) -> None:
    manager = PluginManager.from_plugins({"general": ScriptedPlugin.build("general", tmp_path)})

    message = fails(PluginNotFoundError, manager.select, {"request_type": "stored-key"})

    assert message == "no enabled plugin supports this stored-key order (enabled: general)"


@pytest.mark.parametrize("key", ["plugin_name", "ca_id"])
def test_routing_keys_must_be_strings(manager: PluginManager, key: str) -> None:
    assert fails(InvalidOrderError, manager.select, {key: 7}) == f"{key} must be a non-empty string"


# -- validate_order ------------------------------------------------------------------


def test_full_cmc_is_rejected(manager: PluginManager) -> None:
    message = fails(InvalidOrderError, manager.validate_order, {"request_type": "full-cmc"})

    assert message == "full-cmc requests are not supported"


def test_unknown_request_type(manager: PluginManager) -> None:
    message = fails(InvalidOrderError, manager.validate_order, {"request_type": "pkcs7"})

    assert message == "unknown request_type 'pkcs7'; use one of custom, simple-cmc, stored-key"


@pytest.mark.parametrize(
    ("request_data", "expected"),
    [
        (None, "simple-cmc orders need request_data: a PEM PKCS#10 CSR"),
        (["not", "text"], "request_data must be a PEM PKCS#10 CSR as a string"),
        ("not a csr", "CSR is neither PEM nor DER"),
    ],
)
def test_bad_csr(manager: PluginManager, request_data, expected: str) -> None:
    order = {"request_type": "simple-cmc", "request_data": request_data}

    assert fails(InvalidOrderError, manager.validate_order, order) == expected


def test_weak_csr_key_message_comes_from_csr_checks(manager: PluginManager) -> None:
    order = {"request_type": "simple-cmc", "request_data": make_csr(make_key("rsa1024"))}

    message = fails(InvalidOrderError, manager.validate_order, order)

    assert message.startswith("RSA key of 1024 bits is too weak")


def test_valid_order_returns_the_selection(manager: PluginManager) -> None:
    order = {"request_type": "simple-cmc", "request_data": make_csr(make_key()), "ca_id": "issuing"}

    assert manager.validate_order(order) == Selection(plugin_name="general", plugin_ca_id="issuing")


def test_named_plugin_must_accept_the_request_type(manager: PluginManager) -> None:
    order = {
        "request_type": "simple-cmc",
        "request_data": make_csr(make_key()),
        "plugin_name": "custom",
    }

    message = fails(InvalidOrderError, manager.validate_order, order)

    assert (
        message
        == "plugin 'custom' does not accept simple-cmc orders; it accepts custom, stored-key"
    )


def test_plugin_order_meta_model_runs_before_start(tmp_path: Path) -> None:
    plugin = ProfilePlugin.build("profiled", tmp_path, request_types=["custom"])
    manager = PluginManager.from_plugins({"profiled": plugin})

    message = fails(InvalidOrderError, manager.validate_order, {"profile": "admin"})

    assert message.startswith("profiled: profile: Input should be 'server' or 'client'")
    assert manager.validate_order({"profile": "server"}) == Selection(plugin_name="profiled")
