"""modify and cancel through the CLI, against a worker whose CA is scripted: the order
waits at the CA, takes a change, is canceled by the CA, and ``watch`` exits 4."""

from __future__ import annotations

import asyncio
import json
import uuid

from cli_helpers import assert_one_line_error
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from x509_helpers import make_csr, make_key

from certorder.plugins import CertificateStatus, ResultDTO

HOUR_MSEC = 3_600_000


async def _cli(run_cli, *argv: str):
    return await asyncio.to_thread(run_cli, *argv)


async def _shown(run_cli, order_id: str, predicate, timeout: float = 15) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await _cli(run_cli, "order", "show", order_id, "--json")
        if result.code == 0 and predicate(json.loads(result.out)):
            return json.loads(result.out)
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never reached; last: {result}")
        await asyncio.sleep(0.1)


async def test_modify_then_cancel_then_watch_exits_4(
    temporal_env, cli_env, monkeypatch, run_cli, tmp_path
):
    queue = f"tq-cli-{uuid.uuid4().hex}"
    address = temporal_env.client.service_client.config.target_host
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", address)
    monkeypatch.setenv("CERTORDER_TASK_QUEUE", queue)
    order_id = f"chg-{uuid.uuid4().hex[:12]}"
    # The CLI checks the order with the real local-ca; the worker's "local-ca" is scripted.
    ca = ScriptedPlugin(name="local-ca")
    ca.script(
        order_id,
        ResultDTO(status=CertificateStatus.WAITING_FOR_CA, status_message="queued",
                  retry_msec=HOUR_MSEC),
        ResultDTO(status=CertificateStatus.WAITING_FOR_CA, status_message="changed",
                  retry_msec=HOUR_MSEC),
        ResultDTO(status=CertificateStatus.REQUEST_CANCELED, status_message="canceled at the CA"),
    )  # fmt: skip
    (tmp_path / "w.csr").write_text(make_csr(make_key("p256"), ["w.example.test"]))

    async with order_worker(temporal_env, {"local-ca": ca}, cli_env, task_queue=queue):
        submitted = await _cli(
            run_cli, "order", "submit", "--csr", "w.csr", "--plugin", "local-ca",
            "--order-id", order_id,
        )  # fmt: skip
        assert submitted.code == 0, submitted
        await _shown(run_cli, order_id, lambda d: d["sub_status_message"] == "queued")

        modified = await _cli(run_cli, "order", "modify", order_id, "--meta", "validity_days=7")
        assert modified.code == 0, modified
        await _shown(run_cli, order_id, lambda d: d["sub_status_message"] == "changed")
        [modify_call] = [c for c in ca.calls_for(order_id) if c.method.startswith("modify")]
        assert modify_call.order_meta["validity_days"] == 7

        canceled = await _cli(run_cli, "order", "cancel", order_id, "--reason", "not needed")
        assert canceled.code == 0, canceled
        watched = await _cli(run_cli, "order", "watch", order_id)

    assert watched.code == 4, watched
    assert watched.out.startswith(f"{order_id}: ACTIVE (request canceled: canceled at the CA)")
    assert [c.method for c in ca.calls_for(order_id)] == [
        "issue_certificate_request", "modify_certificate_request", "cancel_certificate_request",
    ]  # fmt: skip
    no_cert = await _cli(run_cli, "cert", "get", order_id)
    assert_one_line_error(no_cert, 2, f"order {order_id} ended ACTIVE (request canceled)")
