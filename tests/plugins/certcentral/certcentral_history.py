"""An account's history for CertCentral tests: many old orders for one common name."""

from __future__ import annotations

from x509_helpers import make_csr, make_key

from certorder.plugins.certcentral.order import order_body
from certorder.plugins.certcentral.plugin import CertCentralPlugin
from certorder.plugins.interface.dto import CoreMetaDTO


def place_history(plugin: CertCentralPlugin, common_name: str, count: int) -> None:
    """``count`` orders for ``common_name``, placed straight through the API (renewals of
    other, finished certorder orders); age them with ``sim.age_orders`` afterwards."""
    meta = {"request_type": "simple-cmc", "request_data": make_csr(make_key("p256"),
                                                                   [common_name])}
    plan = plugin.plan(meta, CoreMetaDTO())
    for number in range(count):
        plugin.client.place_order(
            plan.product.name_id, order_body(plan, f"renewal-{number}", plugin.settings)
        )
