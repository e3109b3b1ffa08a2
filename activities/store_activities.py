"""The activity that checks an issued certificate and stores it."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from certorder.activities.models import StoreCertificateInput, StoreCertificateResult
from certorder.certificate_checks import CertificateCheckError, check_issued_certificate
from certorder.certificate_facts import certificate_facts
from certorder.store import CertificateStore


class StoreActivities:
    """Certificate storage for orders, bound to the worker's store."""

    def __init__(self, store: CertificateStore) -> None:
        self._store = store

    @activity.defn(name="store_certificate")
    def store_certificate(self, request: StoreCertificateInput) -> StoreCertificateResult:
        """Check the certificate against the order, then store it once per order.

        A certificate that fails the check is refused (nothing is stored) and the
        reason returned, so the order ends in ERROR with it. Storing is idempotent by
        order id: a retried activity finds the container it already made.
        """
        existing = self._store.get_by_order(request.order_id)
        if existing is not None:
            return StoreCertificateResult(container_id=existing.container_id,
                                          certificate=certificate_facts(existing.certificate))
        try:
            check_issued_certificate(
                request.certificate, request.intermediates, request.csr, datetime.now(UTC)
            )
        except CertificateCheckError as exc:
            return StoreCertificateResult(rejected_reason=str(exc))
        container = self._store.store_certificate(
            order_id=request.order_id,
            plugin_name=request.plugin_name,
            ca_id=request.ca_id,
            certificate=request.certificate,
            intermediates=request.intermediates,
        )
        return StoreCertificateResult(container_id=container.container_id,
                                      certificate=certificate_facts(request.certificate))
