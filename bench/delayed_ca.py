"""A CA that asks to be checked again after ``delay_msec`` (``order_meta``), or at the
instant ``due_at`` (epoch seconds, for a burst: every order due at once), then issues
through the embedded local CA: orders that wait on a durable timer, for
``bench.pending``. Each check appends to ``lateness.log`` how late it ran (seconds after
its due time) and when it had issued (epoch seconds)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from certorder.plugins.interface.certificate_manager import (
    CertificatePluginBase,
    CertificateStatus,
    PluginContext,
    ResultDTO,
)
from certorder.plugins.local_ca import LocalCAPlugin


class DelayedCAPlugin(CertificatePluginBase):
    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        self._local = LocalCAPlugin(context.model_copy(update={"name": "local-ca"}))
        self._log = Path(context.data_dir) / "lateness.log"
        self._lock = threading.Lock()

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        now = time.time()
        due = order_meta.get("due_at")
        due = (float(due) if due is not None
               else now + int(order_meta.get("delay_msec", 1000)) / 1000)
        plugin_meta["due"] = due
        # A burst order submitted after its due instant is checked at once (and is late).
        return ResultDTO(status=CertificateStatus.WAITING_FOR_CA,
                         retry_msec=max(0, round((due - now) * 1000)), status_message="queued")

    def check_certificate_status(self, order_id, order_meta, plugin_meta, core_meta):
        due = float(plugin_meta.get("due", time.time()))
        started = time.time()
        result = self._local.issue_certificate_request(order_id, order_meta, plugin_meta,
                                                       core_meta)
        # Written once the certificate is issued: the second column says when a burst's
        # backlog has drained, by the bench's own due instant, not the one read here.
        with self._lock, self._log.open("a") as log:
            log.write(f"{started - due:.4f} {time.time():.4f}\n")
        return result

    def modify_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return ResultDTO(status=CertificateStatus.WAITING_FOR_CA, retry_msec=1000)

    def cancel_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return ResultDTO(status=CertificateStatus.REQUEST_CANCELED)


class QuickDelayedCAPlugin(DelayedCAPlugin):
    """The same, declared ``quick_calls`` (its calls are local activities): a check
    costs a local activity's marker instead of an activity and a workflow task."""

    quick_calls = True


class QuickChecksDelayedCAPlugin(DelayedCAPlugin):
    """A remote CA that declares ``quick_checks``: its issue stays an activity with
    heartbeats, its checks are local activities (7 events a poll cycle, not 12)."""

    quick_checks = True
