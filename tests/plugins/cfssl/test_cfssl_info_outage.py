"""Load and fault test: CFSSL's ``info`` endpoint is down while orders arrive.

The plugin signs, then asks ``info`` for the chain. A leaf signed before an ``info``
failure must be kept (in ``plugin_meta``), so each order is signed exactly once however
often the chain lookup is retried. Signatures are counted by a loopback proxy in front
of the real ``cfssl serve``.
"""

from __future__ import annotations

import asyncio
import time

from order_harness import order_worker
from servers.fault_proxy import FaultProxy
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.workflows.models import OrderStatus

ORDERS = 30
OUTAGE_SECONDS = 12.0
SIGN, INFO = "/api/v1/cfssl/sign", "/api/v1/cfssl/info"


async def test_orders_during_an_info_outage_are_each_signed_exactly_once(
    temporal_env, make_cfssl_server, make_cfssl_plugin, tmp_path
):
    server = make_cfssl_server(intermediate=True)
    proxy = FaultProxy(server.base_url).start()
    proxy.failing.add(INFO)
    plugin = make_cfssl_plugin(server, base_url=proxy.base_url, unavailable_retry_msec=250)
    names = [f"svc{i}.outage.example.test" for i in range(ORDERS)]
    try:
        async with order_worker(temporal_env, {"cfssl": plugin}, tmp_path) as orders:
            began = time.monotonic()
            handles = [
                await orders.start({"request_type": "simple-cmc",
                                    "request_data": make_csr(make_key(), [name])})
                for name in names
            ]
            deadline = began + OUTAGE_SECONDS
            while time.monotonic() < deadline:  # the outage lasts its full length
                await asyncio.sleep(0.1)
            assert proxy.count(INFO) > ORDERS, "the outage was not exercised"
            proxy.failing.clear()
            docs = await asyncio.gather(*(orders.result(h, timeout=30) for h in handles))
            containers = [orders.store.get_by_order(h.id) for h in handles]
    finally:
        proxy.stop()
    assert [d.status for d in docs] == [OrderStatus.ACTIVE] * ORDERS, docs
    for container, name in zip(containers, names, strict=True):
        verify_server_chain(container.certificate, container.intermediates,
                            server.root_pem(), name)
    assert proxy.count(SIGN) == ORDERS
