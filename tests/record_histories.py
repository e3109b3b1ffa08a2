"""Record order histories for the replay test: ``python tests/record_histories.py``.

Run it when a release ships, and commit the new files under ``tests/histories/``:
each is a real order that a later change to the workflow must still replay, or
running orders would break.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

from order_fixtures import issued_for, new_request, result, waiting  # noqa: E402
from order_harness import order_worker  # noqa: E402
from scripted_plugin import (  # noqa: E402
    QuickCheckScriptedPlugin,
    QuickScriptedPlugin,
    ScriptedPlugin,
)
from temporal_server import start_dev_server  # noqa: E402

from certorder.client import CertOrderClient  # noqa: E402
from certorder.client_submit import OrderRejectedError  # noqa: E402
from certorder.plugins import CertificateStatus as S  # noqa: E402
from certorder.settings import Settings  # noqa: E402
from certorder.workflows.models import CancelRequest, ModifyRequest  # noqa: E402
from certorder.workflows.order_workflow import CertificateOrderWorkflow  # noqa: E402

HISTORIES = Path(__file__).parent / "histories"


async def record(version: str) -> None:
    env = await start_dev_server()
    plugin = ScriptedPlugin()
    quick = QuickScriptedPlugin("quick")  # its calls are local activities (v0.4 on)
    checks = QuickCheckScriptedPlugin("checks")  # its checks are local activities (v0.5 on)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with order_worker(env, {"scripted": plugin, "quick": quick,
                                          "checks": checks}, Path(tmp)) as orders:
                request = new_request()
                waits = await orders.start(request.order_meta, order_id="waits-then-issued")
                plugin.script(waits.id, waiting(), result(S.CA_UNAVAILABLE_FOR_REQUEST, "down"),
                              result(S.CLIENT_DATA_ISSUE_SEEN, "dcv", 60_000),
                              issued_for(request.csr))
                await orders.wait_for(
                    waits, lambda d: d.sub_status == S.CLIENT_DATA_ISSUE_SEEN.value)
                await waits.signal(CertificateOrderWorkflow.modify,
                                   ModifyRequest(order_meta={"contact": "a@example.test"}))
                await orders.result(waits)

                canceled = await orders.start(new_request().order_meta, order_id="canceled")
                plugin.script(canceled.id, waiting(60_000), result(S.REQUEST_CANCELED, "ok"))
                await orders.wait_for(canceled, lambda d: len(d.transitions) == 1)
                await canceled.signal(CertificateOrderWorkflow.cancel, CancelRequest(reason="x"))
                await orders.result(canceled)

                failed = await orders.start(new_request().order_meta, order_id="plugin-raised")
                plugin.script(failed.id, RuntimeError("boom"))
                await orders.result(failed)

                # Through the SDK: update-with-start, the workers' verdict, and a rejection.
                client = CertOrderClient(Settings(
                    temporal_address=env.client.service_client.config.target_host,
                    task_queue=orders.task_queue), env.client)
                submitted = request_for_sdk = new_request()
                plugin.script("submitted", issued_for(request_for_sdk.csr))
                await client.submit_order(submitted.order_meta, order_id="submitted")
                accepted = env.client.get_workflow_handle("submitted")
                await accepted.result()
                try:
                    await client.submit_order({**new_request().order_meta,
                                               "plugin_name": "ghost"}, order_id="rejected")
                except OrderRejectedError:
                    pass
                rejected = env.client.get_workflow_handle("rejected")

                # A quick plugin: issued at once in one workflow task, and one that waits
                # (local-activity checks), is modified, then issued.
                at_once = new_request()
                quick.script("quick-submitted", issued_for(at_once.csr))
                await client.submit_order({**at_once.order_meta, "plugin_name": "quick"},
                                          order_id="quick-submitted")
                quick_at_once = env.client.get_workflow_handle("quick-submitted")
                await quick_at_once.result()
                later = new_request()
                quick.script("quick-waits", waiting(), result(S.CLIENT_DATA_ISSUE_SEEN, "dcv",
                                                               60_000), issued_for(later.csr))
                quick_waits = await orders.start({**later.order_meta, "plugin_name": "quick"},
                                                 order_id="quick-waits")
                await orders.wait_for(
                    quick_waits, lambda d: d.sub_status == S.CLIENT_DATA_ISSUE_SEEN.value)
                await quick_waits.signal(CertificateOrderWorkflow.modify,
                                         ModifyRequest(order_meta={"contact": "a@example.test"}))
                await orders.result(quick_waits)

                # A remote-like plugin with quick checks: issue an activity, the checks
                # (patch quick-checks) local activities.
                checked = new_request()
                checks.script("quick-checks-waits", waiting(), waiting(), issued_for(checked.csr))
                quick_checks = await orders.start({**checked.order_meta, "plugin_name": "checks"},
                                                  order_id="quick-checks-waits")
                await orders.result(quick_checks)

                for handle in (waits, canceled, failed, accepted, rejected, quick_at_once,
                               quick_waits, quick_checks):
                    history = await handle.fetch_history()
                    path = HISTORIES / f"{version}-{handle.id}.json"
                    path.write_text(history.to_json())
                    print(f"wrote {path}")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1] if len(sys.argv) > 1 else "v0.1"))
