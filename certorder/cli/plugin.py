"""``certorder plugin list``: which plugins are enabled, and which are installed."""

from __future__ import annotations

import argparse

from certorder.cli import output
from certorder.client import load_plugin_manager
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings


def list_(args: argparse.Namespace, settings: Settings) -> int:
    installed = PluginManager.installed_names()
    manager = load_plugin_manager(settings)
    try:
        enabled = [
            {
                "name": name,
                "request_types": [str(t) for t in manager.get(name).supported_request_types()],
                "default_ca": manager.get(name).get_default_ca_name(),
            }
            for name in manager.names
        ]
    finally:
        manager.close()
    if args.json:
        output.print_json({"enabled": enabled, "installed": installed})
        return 0
    print("Enabled plugins (in order of preference):")
    print(
        output.table(
            ("  NAME", "REQUEST TYPES", "DEFAULT CA"),
            [
                (f"  {p['name']}", ", ".join(p["request_types"]), p["default_ca"] or "-")
                for p in enabled
            ],
        )
    )
    print(f"Installed plugins: {', '.join(installed) or '-'}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``plugin`` command group."""
    group = commands.add_parser("plugin", help="inspect CA plugins")
    sub = group.add_subparsers(dest="plugin_command", required=True, metavar="COMMAND")
    p = sub.add_parser("list", help="enabled plugins with their request types, and installed ones")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=list_)
