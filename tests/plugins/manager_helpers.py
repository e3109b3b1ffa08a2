"""Shared by the PluginManager tests: a three-plugin manager and a one-line-error check."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_plugins import ScriptedPlugin

from certorder.plugins.manager import PluginManager


def three_plugins(tmp_path: Path) -> PluginManager:
    """Three plugins: 'gold' (profile gold only), 'general' (CSR orders), 'custom'."""
    return PluginManager.from_plugins(
        {
            "gold": ScriptedPlugin.build("gold", tmp_path, cas=["gold-root"], profiles=["gold"]),
            "general": ScriptedPlugin.build("general", tmp_path, cas=["root", "issuing"]),
            "custom": ScriptedPlugin.build(
                "custom", tmp_path, request_types=["custom", "stored-key"], can_create_ca=True
            ),
        }
    )


def fails(exc_type: type[Exception], call, *args) -> str:
    with pytest.raises(exc_type) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message
    return message
