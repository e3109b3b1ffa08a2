"""The activity that checks an issued certificate and stores it."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from certorder.activities.models import StoreCertificateInput, StoreCertificateResult
from certorder.activities.store_calls import run_store_call
from certorder.certificate_checks import CertificateCheckError, check_issued_certificate
from certorder.certificate_facts import certificate_facts
from certorder.store import CertificateConflictError, CertificateStore
from certorder.store.revocations import OrderData


class StoreActivities:
    """Certificate storage for orders, bound to the worker's store."""

    def __init__(self, store: CertificateStore) -> None:
        self._store = store

    @activity.defn(name="store_certificate")
    async def store_certificate(self, request: StoreCertificateInput) -> StoreCertificateResult:
        """:meth:`check_and_store` on the store's own threads (never the plugins')."""
        return await run_store_call(self._store, self.check_and_store, request)

    def check_and_store(self, request: StoreCertificateInput) -> StoreCertificateResult:
        """Check the certificate against the order, then store it once per order.

        A certificate that fails the check is refused (nothing is stored) and the
        reason returned, so the order ends in ERROR with it. Storing the same
        certificate again (a retried activity) finds the container already made; a
        different one for an order that has a container is refused the same way: one
        order's certificate is never handed to another.
        """
        try:
            check_issued_certificate(
                request.certificate, request.intermediates, request.csr, datetime.now(UTC)
            )
            container = self._store.store_certificate(
                order_id=request.order_id,
                plugin_name=request.plugin_name,
                ca_id=request.ca_id,
                certificate=request.certificate,
                intermediates=request.intermediates,
                order_data=_order_data(request),
            )
        except (CertificateCheckError, CertificateConflictError) as exc:
            return StoreCertificateResult(rejected_reason=str(exc))
        return StoreCertificateResult(container_id=container.container_id,
                                      certificate=certificate_facts(container.certificate))


def _order_data(request: StoreCertificateInput) -> OrderData | None:
    # A revocation needs the plugin's data long after Temporal has forgotten the order;
    # written with the container, in its transaction.
    if request.plugin_meta is None:
        return None
    return OrderData(order_meta=request.order_meta or {}, plugin_meta=request.plugin_meta)
