"""`cert list` when one managed certificate has no worker: the others are still listed,
the silent one is a row that says so, and the command does not wait for each in turn."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import timedelta

from managed_helpers import spec, start

from certorder import client_managed


async def _cli(run_cli, *argv: str):
    return await asyncio.to_thread(run_cli, *argv)


async def test_list_shows_every_certificate_when_one_has_no_worker(
        live, run_cli, temporal_env, monkeypatch):
    monkeypatch.setattr(client_managed, "QUERY_TIMEOUT", timedelta(seconds=1))
    served = f"served-{uuid.uuid4().hex[:8]}"
    issued = await _cli(run_cli, "cert", "issue", served, "--dns", "served.example.test",
                        "--wait")
    assert issued.code == 0, issued
    # Three certificates on a task queue that no worker polls: their queries time out.
    orphans = [await start(temporal_env.client, f"tq-nobody-{uuid.uuid4().hex}", spec())
               for _ in range(3)]
    try:
        names = {served} | {h.id.removeprefix("certificate-") for h in orphans}
        for _ in range(100):  # visibility may lag a moment behind the starts
            began = time.monotonic()
            listed = await _cli(run_cli, "cert", "list", "--json")
            took = time.monotonic() - began
            rows = {row["name"]: row for row in json.loads(listed.out)}
            if names <= rows.keys():
                break
            await asyncio.sleep(0.2)
        assert listed.code == 1, listed
        assert rows[served]["status"] == "ACTIVE"
        for handle in orphans:
            orphan = handle.id.removeprefix("certificate-")
            assert "no worker answered" in rows[orphan]["error"]
            assert f"certificate {orphan}: no worker answered" in listed.err
        # Asked together: about one timeout, not one per silent certificate.
        assert took < 3 * 1.0, took

        table = await _cli(run_cli, "cert", "list")
        assert table.code == 1
        [row] = [line for line in table.out.splitlines() if line.startswith(orphans[0].id[12:])]
        assert row.rstrip().endswith("no worker answered")
        assert any(line.startswith(served) and "ACTIVE" in line
                   for line in table.out.splitlines())
    finally:
        for handle in orphans:
            await handle.terminate("test over")
        await _cli(run_cli, "cert", "retire", served)
