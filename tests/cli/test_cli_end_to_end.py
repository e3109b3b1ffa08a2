"""Through the CLI with a real worker: submit --wait, show, list, cert get, and a chain
that verifies against the local CA's root."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from cli_helpers import assert_one_line_error, closed_port, running_worker
from x509_helpers import make_csr, make_key, verify_server_chain


async def _cli(run_cli, *argv: str):
    # main() runs its own event loop, so it needs a thread of its own here.
    return await asyncio.to_thread(run_cli, *argv)


async def _root_pem(run_cli) -> str:
    cas = json.loads((await _cli(run_cli, "ca", "list", "--json")).out)
    [root] = [ca for ca in cas if ca["parent_ca_id"] is None]
    return root["ca_signing_certificate"]


async def test_submit_wait_show_list_and_get_the_certificate(live, run_cli, cli_env, tmp_path):
    (tmp_path / "www.csr").write_text(make_csr(make_key("p256"), ["www.example.test"]))
    order_id = f"e2e-{uuid.uuid4().hex[:12]}"

    submitted = await _cli(
        run_cli, "order", "submit", "--csr", "www.csr", "--order-id", order_id,
        "--validity-days", "30", "--wait",
    )  # fmt: skip
    assert submitted.code == 0, submitted
    lines = submitted.out.splitlines()
    assert lines[0] == order_id
    assert lines[-1].startswith(f"{order_id}: ACTIVE (certificate generated")
    assert "issue_certificate_request: certificate generated (PENDING -> ACTIVE)" in submitted.err

    shown = await _cli(run_cli, "order", "show", order_id, "--json")
    document = json.loads(shown.out)
    assert document["status"] == "ACTIVE" and document["plugin_name"] == "local-ca"
    assert document["container_id"]
    assert document["transitions"][-1]["to"] == "ACTIVE"
    assert document["subject"] == "CN=www.example.test"
    assert document["sans"] == ["www.example.test"]
    assert document["created_at"] and document["plugin_meta"]
    human = await _cli(run_cli, "order", "show", order_id)
    assert "Status:        ACTIVE" in human.out
    shown_cert = document["certificate"]
    for label, value in (("Subject:", "CN=www.example.test"), ("SANs:", "www.example.test"),
                         ("Serial:", shown_cert["serial"]), ("SHA-256:", shown_cert["sha256"]),
                         ("Not after:", ""), ("Created:", "")):
        assert any(line.startswith(label) and value in line
                   for line in human.out.splitlines()), (label, human.out)

    listed = await _cli(run_cli, "order", "list", "--status", "ACTIVE", "--json")
    rows = {row["order_id"]: row for row in json.loads(listed.out)}
    assert rows[order_id]["plugin_name"] == "local-ca"

    out_dir = tmp_path / "certs"
    out_dir.mkdir()
    fetched = await _cli(run_cli, "cert", "get", order_id, "--out", str(out_dir))
    assert fetched.code == 0, fetched
    leaf = (out_dir / f"{order_id}.crt").read_text()
    chain = (out_dir / f"{order_id}.chain.crt").read_text()
    assert (out_dir / f"{order_id}.fullchain.crt").read_text() == leaf + chain
    assert fetched.out.split() == [
        str(out_dir / f"{order_id}.{suffix}") for suffix in ("crt", "chain.crt", "fullchain.crt")
    ]
    built = verify_server_chain(leaf, chain or None, await _root_pem(run_cli), "www.example.test")
    assert f"{built[0].serial_number:x}" == document["certificate"]["serial"]
    validity = built[0].not_valid_after_utc - built[0].not_valid_before_utc
    assert validity.days in (29, 30)

    as_json = json.loads((await _cli(run_cli, "cert", "get", order_id, "--json")).out)
    assert as_json["certificate"] == leaf and as_json["intermediates"] == chain
    assert as_json["files"]["certificate"].endswith(f"{order_id}.crt")

    # An issued certificate comes from the store: no Temporal needed.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CERTORDER_TEMPORAL_ADDRESS", f"127.0.0.1:{closed_port()}")
        offline = await _cli(run_cli, "cert", "get", order_id, "--out", str(out_dir))
        assert offline.code == 0, offline
        assert_one_line_error(
            await _cli(run_cli, "order", "show", order_id), 1, "cannot reach Temporal"
        )

    watched = await _cli(run_cli, "order", "watch", order_id)
    assert watched.code == 0 and watched.out.startswith(f"{order_id}: ACTIVE")
    streamed = await _cli(run_cli, "order", "watch", order_id, "--jsonl")
    documents = [json.loads(line) for line in streamed.out.splitlines()]
    assert streamed.code == 0 and documents[-1]["status"] == "ACTIVE"

    cancel = await _cli(run_cli, "order", "cancel", order_id)
    assert_one_line_error(cancel, 2, f"order {order_id} is already ACTIVE; nothing to cancel")
    again = await _cli(run_cli, "order", "submit", "--csr", "www.csr", "--order-id", order_id)
    assert_one_line_error(again, 2, f"order {order_id} already exists")


async def test_submit_json_prints_the_final_document(live, run_cli, tmp_path):
    (tmp_path / "api.csr").write_text(make_csr(make_key("ed25519"), ["api.example.test"]))
    result = await _cli(run_cli, "order", "submit", "--csr", "api.csr", "--wait", "--json")
    assert result.code == 0, result
    document = json.loads(result.out)
    assert document["status"] == "ACTIVE" and document["order_id"].startswith("order-")


async def test_an_order_that_fails_at_the_ca_exits_3(cli_queue, run_cli, tmp_path,
                                                     monkeypatch):
    (tmp_path / "db.csr").write_text(make_csr(make_key("p256"), ["db.example.test"]))
    # A second queue shares the data dir (and so the CAs) but has no worker yet, so the
    # order is started before any worker sees it, and its CA can vanish meanwhile.
    admin = cli_queue.model_copy(update={"task_queue": f"{cli_queue.task_queue}-admin"})
    monkeypatch.setenv("CERTORDER_TASK_QUEUE", admin.task_queue)
    async with running_worker(admin):
        sub_ca = (await _cli(run_cli, "ca", "create", "--name", "short-lived")).out.strip()
        monkeypatch.setenv("CERTORDER_TASK_QUEUE", cli_queue.task_queue)
        submitted = await _cli(run_cli, "order", "submit", "--csr", "db.csr", "--ca-id", sub_ca)
        assert submitted.code == 0, submitted
        assert "no worker polls task queue" in submitted.err
        order_id = submitted.out.strip()
        monkeypatch.setenv("CERTORDER_TASK_QUEUE", admin.task_queue)
        assert (await _cli(run_cli, "ca", "delete", sub_ca)).code == 0
    monkeypatch.setenv("CERTORDER_TASK_QUEUE", cli_queue.task_queue)
    async with running_worker(cli_queue):
        watched = await _cli(run_cli, "order", "watch", order_id)
    assert watched.code == 3, watched
    assert watched.out.startswith(f"{order_id}: ERROR")
    fetched = await _cli(run_cli, "cert", "get", order_id)
    assert_one_line_error(fetched, 2, f"order {order_id} ended ERROR")


def test_ctrl_c_while_waiting_leaves_the_order_running(cli_queue, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    (tmp_path / "c.csr").write_text(make_csr(make_key("p256"), ["c.example.test"]))
    process = subprocess.Popen(
        [sys.executable, "-m", "certorder.cli.main", "order", "submit", "--csr", "c.csr", "--wait"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    try:
        order_id = process.stdout.readline().strip()  # printed once the order has started
        assert order_id.startswith("order-"), process.stderr.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "Traceback" not in err
    assert f"follow it with: certorder order watch {order_id}" in err
