"""The local CA, made to keep new orders waiting on demand: a renewal's order stays
running while a test (or a history recording) does something meanwhile."""

from __future__ import annotations

import threading

from certorder.plugins import ResultDTO
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.local_ca.plugin import LocalCAPlugin


class HeldCA(LocalCAPlugin):
    """The local CA, which keeps new orders waiting while ``hold`` is set."""

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        self.hold = threading.Event()
        self.held: set[str] = set()

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        if self.hold.is_set():
            self.held.add(order_id)
            return ResultDTO(status=CertificateStatus.WAITING_FOR_CA, retry_msec=100)
        return super().issue_certificate_request(order_id, order_meta, plugin_meta, core_meta)

    def check_certificate_status(self, order_id, order_meta, plugin_meta, core_meta):
        return self.issue_certificate_request(order_id, order_meta, plugin_meta, core_meta)
