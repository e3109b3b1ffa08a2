"""What a client may change on a CertCentral order that is already placed.

CertCentral lets an API client change a pending order's DCV method
(``PUT order/certificate/{id}/dcv-method``) and send its DCV emails again
(``PUT order/certificate/{id}/resend-emails``). It offers no call that swaps the CSR,
common name or product of a placed order; that takes a new order (or, once issued, a
reissue). So:

* a different CSR or common name is ``INVALID_OPERATION``: the certificate this order
  will receive can no longer match the order's data;
* a different product, organization, validity or hash is ``CLIENT_DATA_ISSUE_SEEN``:
  the order goes on unchanged, and the message says the change was not applied.
"""

from __future__ import annotations

from certorder.plugins.certcentral.client import CertCentralClient
from certorder.plugins.certcentral.order import ORDER_KEY, OrderPlan
from certorder.plugins.certcentral.products import TOKEN_DCV_METHODS
from certorder.plugins.certcentral.results import client_issue, invalid
from certorder.plugins.certcentral.settings import CertCentralSettings
from certorder.plugins.interface.dto import ResultDTO


def apply_modification(
    client: CertCentralClient,
    plan: OrderPlan,
    plugin_meta: dict,
    settings: CertCentralSettings,
    resend_dcv_emails: bool = False,
) -> ResultDTO | None:
    """Apply the changes in ``plan`` to the placed order.

    :returns: a result when the change is refused, ``None`` when everything asked for
        was applied (the caller then reports the order's state).
    :raises CertCentralError: when CertCentral refuses a change it normally allows
        (e.g. the order is no longer pending).
    """
    remote_id = plugin_meta[ORDER_KEY]
    if plugin_meta.get("csr_sha256") and plugin_meta["csr_sha256"] != plan.csr_sha256:
        return invalid(
            f"order {remote_id} at CertCentral was placed with another CSR; a placed order's "
            "CSR and common name cannot be changed (cancel it and place a new order)"
        )
    if plugin_meta.get("product") and plugin_meta["product"] != plan.product.name_id:
        return client_issue(
            f"change not applied: order {remote_id} stays a {plugin_meta['product']} order; "
            "the product of a placed order cannot be changed (cancel and order again)",
            settings.dcv_retry_msec,
        )
    if plan.dcv_method != plugin_meta.get("dcv_method"):
        answer = client.change_dcv_method(remote_id, plan.dcv_method)
        plugin_meta["dcv_method"] = plan.dcv_method
        if answer.get("dcv_random_value"):
            plugin_meta["dcv_random_value"] = answer["dcv_random_value"]
        elif plan.dcv_method not in TOKEN_DCV_METHODS:
            plugin_meta.pop("dcv_random_value", None)
    if resend_dcv_emails:
        client.resend_dcv_emails(remote_id)
    return None
