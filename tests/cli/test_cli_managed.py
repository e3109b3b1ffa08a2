"""Managed certificates through the CLI with a real worker: issue --wait, list, show,
inspect, get (with and without --key), modify, renew, retire; bad input in one line."""

from __future__ import annotations

import asyncio
import json
import stat
import uuid

from cli_helpers import assert_one_line_error
from cryptography import x509
from cryptography.hazmat.primitives import serialization


async def _cli(run_cli, *argv: str):
    return await asyncio.to_thread(run_cli, *argv)


async def _until(run_cli, name: str, predicate, timeout: float = 60) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        shown = await _cli(run_cli, "cert", "show", name, "--json")
        state = json.loads(shown.out) if shown.code == 0 else None
        if state is not None and predicate(state):
            return state
        assert asyncio.get_running_loop().time() < deadline, (shown, state)
        await asyncio.sleep(0.3)


async def test_issue_show_inspect_get_renew_retire(live, run_cli, tmp_path):
    name = f"www-{uuid.uuid4().hex[:8]}"
    deploy = tmp_path / "deploy"
    issued = await _cli(run_cli, "cert", "issue", name, "--dns", "www.example.test",
                        "--ip", "127.0.0.1", "--key-type", "ec-p384", "--validity-days", "30",
                        "--renew-before", "10d", "--deploy-dir", str(deploy), "--wait")
    assert issued.code == 0, issued
    assert f"certificate {name}: ACTIVE" in issued.out
    assert "10d before notAfter" in issued.out

    # `cert list` reads Temporal's visibility, which may lag a moment behind a start.
    for _ in range(100):
        listed = await _cli(run_cli, "cert", "list")
        rows = [line for line in listed.out.splitlines() if line.startswith(name)]
        if rows:
            break
        await asyncio.sleep(0.2)
    [row] = rows
    assert "www.example.test,127.0.0.1" in row and "ACTIVE" in row and " 29 " in row

    inspected = json.loads((await _cli(run_cli, "cert", "inspect", name, "--json")).out)
    assert inspected["sans"] == ["www.example.test", "127.0.0.1"]
    assert inspected["key"].startswith("EC secp384r1")
    from_file = await _cli(run_cli, "cert", "inspect", str(deploy / "current" / "cert.pem"))
    assert f"serial: {inspected['serial']}" in from_file.out

    out = tmp_path / "out" / "new"
    got = await _cli(run_cli, "cert", "get", name, "--out", str(out), "--key")
    assert got.code == 0, got
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE((out / f"{name}.key").stat().st_mode) == 0o600
    key = serialization.load_pem_private_key((out / f"{name}.key").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((out / f"{name}.crt").read_bytes())
    assert key.public_key() == cert.public_key()
    assert (deploy / "current" / "privkey.pem").read_bytes() == (out / f"{name}.key").read_bytes()

    modified = await _cli(run_cli, "cert", "modify", name, "--dns", "www.example.test",
                          "--dns", "alt.example.test", "--renew")
    assert modified.code == 0, modified
    state = await _until(run_cli, name, lambda s: len(s["versions"]) == 2)
    assert state["versions"][1]["key_id"] != state["versions"][0]["key_id"]
    assert state["spec"]["dns_names"] == ["www.example.test", "alt.example.test"]
    renewed = await _cli(run_cli, "cert", "renew", name)
    assert renewed.code == 0
    await _until(run_cli, name, lambda s: len(s["versions"]) == 3)

    retired = await _cli(run_cli, "cert", "retire", name)
    assert retired.code == 0
    state = await _until(run_cli, name, lambda s: s["status"] == "RETIRED")
    assert (deploy / "current" / "cert.pem").exists()


async def test_bad_input_is_one_line(live, run_cli, tmp_path):
    result = await _cli(run_cli, "cert", "issue", "web")
    assert_one_line_error(result, 2, "at least one --dns or --ip")
    result = await _cli(run_cli, "cert", "issue", "bad/name", "--dns", "a.test")
    assert_one_line_error(result, 2, "certificate name 'bad/name'")
    result = await _cli(run_cli, "cert", "issue", "web", "--dns", "a.test", "--renew-at", "3/2")
    assert_one_line_error(result, 2, "between 0 and 1")
    # Longer than a timer or a datetime can hold: refused here, not a stuck workflow.
    result = await _cli(run_cli, "cert", "issue", "web", "--dns", "a.test",
                        "--renew-before", "99999999d")
    assert_one_line_error(result, 2, "at most 36500d")
    result = await _cli(run_cli, "cert", "issue", "web", "--ip", "300.1.1.1")
    assert_one_line_error(result, 2, "'300.1.1.1' in ip_addresses is not an IP address")
    result = await _cli(run_cli, "cert", "show", "ghost")
    assert_one_line_error(result, 2, "no managed certificate ghost")
    result = await _cli(run_cli, "cert", "renew", "ghost")
    assert_one_line_error(result, 2, "no managed certificate ghost")
    result = await _cli(run_cli, "cert", "inspect", str(tmp_path / "missing.pem"))
    assert_one_line_error(result, 2, "does not exist")
