"""Reading a CertCentral order and turning its state into a :class:`ResultDTO`.

For a ``pending`` order with a token DCV method (DNS TXT, DNS CNAME, HTTP) the reporter
also calls ``check-dcv``: DigiCert then looks for the token at once and, if it is
missing, says so in its own words (``invalid_dns_txt``, ``file_random_value_not_found``),
which becomes the ``CLIENT_DATA_ISSUE_SEEN`` message. Pending orders with email DCV, or
waiting on organization vetting, cannot be told apart through the API, so they are
reported as ``WAITING_FOR_CA``.
"""

from __future__ import annotations

from cryptography import x509

from certorder.plugins.certcentral.chain import split_chain
from certorder.plugins.certcentral.client import CertCentralClient, CertCentralError
from certorder.plugins.certcentral.order import ORDER_KEY
from certorder.plugins.certcentral.products import TOKEN_DCV_METHODS
from certorder.plugins.certcentral.results import (
    CLIENT_MUST_ACT,
    FAILED,
    WORKING,
    canceled,
    client_issue,
    failure_reason,
    generated,
    invalid,
    waiting,
)
from certorder.plugins.certcentral.settings import CertCentralSettings
from certorder.plugins.interface.dto import ResultDTO


class OrderReporter:
    """Maps one CertCentral order's state to a result (see ``docs/plugins/digicert.md``)."""

    def __init__(self, client: CertCentralClient, settings: CertCentralSettings, brand: str):
        self.client = client
        self.settings = settings
        self.brand = brand

    def report(self, plugin_meta: dict, csr: x509.CertificateSigningRequest) -> ResultDTO:
        """Read the order and map its status; download the chain once issued."""
        remote_id = plugin_meta[ORDER_KEY]
        order, retry_after = self.client.poll_order(remote_id)
        status = str(order.get("status", ""))
        plugin_meta["status"] = status
        label = f"{self.brand} order {remote_id}"
        if status == "issued":
            return self._download(order, csr, plugin_meta)
        if status == "pending" and plugin_meta.get("dcv_method") in TOKEN_DCV_METHODS:
            return self._check_dcv(plugin_meta, csr, label, retry_after)
        if status in WORKING:
            return waiting(f"{label} is {status}", _pace(retry_after, self.settings.retry_msec))
        if status == "needs_approval":
            return client_issue(
                f"{label} needs approval by a CertCentral administrator",
                _pace(retry_after, self.settings.dcv_retry_msec),
            )
        if status in CLIENT_MUST_ACT:
            return client_issue(f"{label} is {status}", self.settings.dcv_retry_msec)
        if status == "canceled":
            return canceled(f"{label} was canceled at {self.brand}")
        if status in FAILED:
            reason = failure_reason(order)
            return invalid(f"{label} was {status}" + (f": {reason}" if reason else ""))
        return waiting(f"{label} has unrecognised status {status!r}", self.settings.retry_msec)

    def _check_dcv(self, plugin_meta: dict, csr, label: str, retry_after: int | None) -> ResultDTO:
        method = plugin_meta["dcv_method"]
        try:
            result = self.client.check_dcv(plugin_meta[ORDER_KEY])
        except CertCentralError as exc:
            # Another check of this order (a quick check made again while the first
            # still ran) may have completed DCV meanwhile, and DigiCert refuses a DCV
            # check of an order no longer pending: read the order again before
            # telling the client to act.
            order, _ = self.client.poll_order(plugin_meta[ORDER_KEY])
            if order.get("status") == "issued":
                return self._download(order, csr, plugin_meta)
            token = plugin_meta.get("dcv_random_value")
            hint = f"; publish the {method} value {token}" if token else ""
            return client_issue(
                f"{label} waits on domain control validation: {exc.message} ({exc.code}){hint}",
                self.settings.dcv_retry_msec,
            )
        if result.get("order_status") == "issued":
            return self._download(self.client.order_info(plugin_meta[ORDER_KEY]), csr, plugin_meta)
        return waiting(
            f"{label}: domain control {result.get('dcv_status', 'checked')}; "
            "DigiCert is completing validation",
            _pace(retry_after, self.settings.retry_msec),
        )

    def _download(self, order: dict, csr, plugin_meta: dict) -> ResultDTO:
        certificate_id = (order.get("certificate") or {}).get("id")
        if not certificate_id:
            return waiting(
                f"{self.brand} order is issued but has no certificate id yet",
                self.settings.retry_msec,
            )
        plugin_meta["certificate_id"] = certificate_id
        return self.generated([self.client.download_pem_all(certificate_id)], csr, plugin_meta)

    def generated(self, pems: list[str], csr, plugin_meta: dict) -> ResultDTO:
        """Split a chain into leaf and intermediates: ``CERTIFICATE_GENERATED``."""
        try:
            leaf, intermediates = split_chain(pems, csr)
        except ValueError as exc:
            return invalid(f"{self.brand} returned an unusable chain: {exc}")
        plugin_meta["status"] = "issued"
        return generated(
            leaf, intermediates, f"issued by {self.brand} order {plugin_meta[ORDER_KEY]}"
        )


def _pace(retry_after: int | None, fallback: int) -> int:
    """The server's ``Retry-After`` when it sent one (even 0), else the setting."""
    return fallback if retry_after is None else retry_after
