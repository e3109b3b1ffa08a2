"""Driving an ACME order exactly as the core does: ``issue``, then ``check`` after each
``retry_msec`` (a short real sleep here, in the test, never in the plugin)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from x509_helpers import make_csr, make_key

from certorder.plugins.interface.certificate_manager import CertificatePluginBase
from certorder.plugins.interface.dto import CoreMetaDTO, ResultDTO
from certorder.plugins.interface.status import CertificateStatus, PluginMethod

#: Longest wait a test honours between calls; Pebble answers in milliseconds.
MAX_SLEEP_S = 0.5


def unique_name(label: str = "host") -> str:
    """A DNS name never ordered before, so Pebble cannot reuse an old authorization."""
    return f"{label}-{uuid.uuid4().hex[:10]}.example.test"


def order_meta_for(*names: str) -> dict[str, Any]:
    """A simple-cmc order_meta with a fresh P-256 key's CSR for ``names``."""
    return {"request_type": "simple-cmc", "request_data": make_csr(make_key(), list(names))}


@dataclass
class DrivenOrder:
    """What happened to an order driven like the core drives it."""

    result: ResultDTO
    plugin_meta: dict
    calls: list[tuple[str, CertificateStatus]] = field(default_factory=list)

    def statuses(self) -> list[CertificateStatus]:
        """The status of every call, in order."""
        return [status for _, status in self.calls]


def drive(
    plugin: CertificatePluginBase,
    order_meta: dict,
    plugin_meta: dict | None = None,
    *,
    first: PluginMethod = PluginMethod.ISSUE,
    max_calls: int = 60,
    until: Callable[[ResultDTO], bool] | None = None,
) -> DrivenOrder:
    """Call ``first``, then follow the core's rules until a terminal status (or ``until``):
    WAITING_FOR_CA → check after ``retry_msec``; CA_UNAVAILABLE → the same method again."""
    meta = {} if plugin_meta is None else plugin_meta
    order = DrivenOrder(result=None, plugin_meta=meta)  # type: ignore[arg-type]
    method = first
    for _ in range(max_calls):
        result = getattr(plugin, method.value)("order-1", order_meta, meta, CoreMetaDTO())
        order.result = result
        order.calls.append((method.value, result.status))
        if until is not None and until(result):
            return order
        if result.status is CertificateStatus.WAITING_FOR_CA:
            method = PluginMethod.CHECK
        elif result.status is not CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST:
            return order
        time.sleep(min(result.retry_msec / 1000, MAX_SLEEP_S))
    raise AssertionError(f"order not finished after {max_calls} calls: {order.calls}")
