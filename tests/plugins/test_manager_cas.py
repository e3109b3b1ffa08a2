"""PluginManager's CAs: every plugin's CAs listed, failures kept, CA operations routed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_plugins import ScriptedPlugin
from manager_helpers import fails, three_plugins

from certorder.plugins import CACreateDTO, CAOperationError, CAUnavailableError, PluginNotFoundError
from certorder.plugins.manager import PluginManager


@pytest.fixture
def manager(tmp_path: Path) -> PluginManager:
    return three_plugins(tmp_path)


def test_ca_info_lists_every_plugin_with_plugin_name(manager: PluginManager) -> None:
    listed = [(info.plugin_name, info.ca_id) for info in manager.ca_info()]

    assert listed == [
        ("gold", "gold-root"),
        ("general", "root"),
        ("general", "issuing"),
        ("custom", "custom"),
    ]


def test_ca_info_failure_is_not_silently_dropped(tmp_path: Path) -> None:
    manager = PluginManager.from_plugins(
        {
            "ok": ScriptedPlugin.build("ok", tmp_path),
            "broken": ScriptedPlugin.build("broken", tmp_path, ca_info_error="broken"),
        }
    )

    message = fails(CAOperationError, manager.ca_info)

    assert message == "plugin 'broken' could not list its CAs: KeyError: 'cert'"


def test_ca_info_unavailable_keeps_its_type_and_delay(tmp_path: Path) -> None:
    plugin = ScriptedPlugin.build("remote", tmp_path, ca_info_error="unavailable")
    manager = PluginManager.from_plugins({"remote": plugin})

    with pytest.raises(CAUnavailableError) as caught:
        manager.ca_info()

    assert str(caught.value) == "plugin 'remote': CA at https://127.0.0.1:1 refused the connection"
    assert caught.value.retry_msec == 42_000


def test_create_ca_routes_to_the_parent_owner(manager: PluginManager) -> None:
    info = manager.create_ca(None, CACreateDTO(name="team", parent_ca_id="custom"))

    assert (info.plugin_name, info.ca_id, info.parent_ca_id) == ("custom", "custom/team", "custom")
    assert manager.select({"ca_id": "custom/team"}).plugin_name == "custom"
    manager.delete_ca("custom/team")
    assert fails(PluginNotFoundError, manager.select, {"ca_id": "custom/team"})


def test_create_ca_refusals(manager: PluginManager) -> None:
    assert fails(CAOperationError, manager.create_ca, "general", CACreateDTO(name="x")) == (
        "plugin 'general' cannot create sub-CAs"
    )
    assert fails(CAOperationError, manager.create_ca, None, CACreateDTO(name="x")) == (
        "creating a CA needs a plugin name or a parent_ca_id"
    )
    assert (
        fails(
            PluginNotFoundError,
            manager.create_ca,
            "custom",
            CACreateDTO(name="x", parent_ca_id="root"),
        )
        == "plugin 'custom' has no CA with id 'root'"
    )
