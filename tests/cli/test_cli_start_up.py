"""The commands that need no server start without loading what only the server path
needs: the parser is built from light modules, and the client, Temporal, SQLAlchemy,
pydantic and cryptography are imported by the handlers that use them. Checked on what
each command leaves in ``sys.modules`` (time itself is measured in docs/performance.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from servers.tls import write_listener_tls

#: Runs ``main(argv)`` and prints the loaded modules, as JSON, as the last line on stdout.
_PROBE = """\
import contextlib, io, json, sys
from certorder.cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""
#: What only a command that reaches the server or the store needs.
SERVER_SIDE = ("temporalio", "sqlalchemy", "alembic", "certorder.client", "certorder.store")
#: What the help, the version and a usage error need not even read the settings with.
NOT_FOR_HELP = (*SERVER_SIDE, "pydantic", "pydantic_settings", "cryptography",
                "certorder.settings")


def _run(*argv: str) -> tuple[int, str, set[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True,
                          text=True, timeout=60, env=dict(os.environ))
    assert done.stdout, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], result["out"], set(result["modules"])


def _loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(p for p in packages if any(m == p or m.startswith(f"{p}.") for m in modules))


@pytest.mark.parametrize("argv", [
    ["--help"], ["order", "submit", "--help"], ["order", "list", "--help"],
    ["cert", "issue", "--help"], ["ca", "crl", "--help"], ["worker", "--help"], ["--version"],
], ids=" ".join)
def test_help_and_version_load_neither_settings_nor_server_modules(cli_env, argv):
    code, out, modules = _run(*argv)
    assert code == 0 and out.strip()
    assert _loaded(modules, NOT_FOR_HELP) == []


def test_a_usage_error_loads_nothing_heavy_either(cli_env):
    code, _, modules = _run("order", "submit", "--bogus")
    assert code == 2
    assert _loaded(modules, NOT_FOR_HELP) == []


def test_the_revoke_help_still_lists_every_reason_without_the_server_side(cli_env):
    from certorder.plugins.interface.revocation import RevocationReason

    code, out, modules = _run("cert", "revoke", "--help")
    assert code == 0
    assert f"reasons (RFC 5280): {', '.join(RevocationReason)}" in " ".join(out.split())
    assert _loaded(modules, SERVER_SIDE) == []


def test_local_commands_read_the_settings_but_load_no_server_side(cli_env, tmp_path):
    _, cert, _ = write_listener_tls(tmp_path)
    for argv in (["completion", "bash"], ["cert", "inspect", str(cert)],
                 ["key", "new-kek", str(tmp_path / "kek")]):
        code, out, modules = _run(*argv)
        assert code == 0 and out.strip(), argv
        assert _loaded(modules, SERVER_SIDE) == [], argv
