"""Calling the local CA plugin directly in its tests, as the core would."""

from __future__ import annotations

from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.local_ca import LocalCAPlugin


def issued_meta(plugin: LocalCAPlugin, order_id: str, csr: str) -> dict:
    """Issue ``csr`` for ``order_id`` from a fresh plugin_meta; the plugin_meta it left
    (its ``certificate``, ``serial``...). The issue must succeed."""
    plugin_meta: dict = {}
    result = plugin.issue_certificate_request(
        order_id, {"request_type": "simple-cmc", "request_data": csr}, plugin_meta,
        CoreMetaDTO())
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result
    return plugin_meta
