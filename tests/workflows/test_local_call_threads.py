"""Local activities have threads of their own: a worker whose plugin threads are all
busy with remote CAs' calls still issues a quick plugin's order at once, and a remote
call never queues behind local ones (where it would spend its timeout and be made again)."""

from __future__ import annotations

import asyncio
import threading
import uuid

from order_fixtures import issued_for, new_request
from order_harness import order_worker
from scripted_plugin import QuickScriptedPlugin, ScriptedPlugin

from certorder.workflows.models import OrderStatus

PLUGIN_THREADS = 8  # order_worker's executor


async def test_a_quick_order_is_issued_while_every_plugin_thread_is_busy(temporal_env, tmp_path):
    remote, quick = ScriptedPlugin("remote"), QuickScriptedPlugin("quick")
    release, busy = threading.Event(), threading.Semaphore(0)

    def blocked(csr: str):
        def answer(_order_meta, _plugin_meta):
            busy.release()
            assert release.wait(60), "never released"
            return issued_for(csr)
        return answer

    async with order_worker(temporal_env, {"remote": remote, "quick": quick},
                            tmp_path) as orders:
        slow = []
        try:
            for _ in range(PLUGIN_THREADS):
                request, order_id = new_request(), f"remote-{uuid.uuid4().hex}"
                remote.script(order_id, blocked(request.csr))
                slow.append(await orders.start({**request.order_meta,
                                                "plugin_name": "remote"}, order_id=order_id))
            for _ in range(PLUGIN_THREADS):  # every plugin thread is in a remote call
                assert await asyncio.to_thread(busy.acquire, True, 30)

            request, order_id = new_request(), f"quick-{uuid.uuid4().hex}"
            quick.script(order_id, issued_for(request.csr))
            handle = await orders.start({**request.order_meta, "plugin_name": "quick"},
                                        order_id=order_id)
            document = await asyncio.wait_for(orders.result(handle), 20)
            assert document.status is OrderStatus.ACTIVE
            assert not release.is_set()
        finally:
            release.set()
        for handle in slow:
            assert (await orders.result(handle)).status is OrderStatus.ACTIVE
