"""Canceling a CertCentral order, also one an earlier attempt placed before a crash.

Without a remote order id in ``plugin_meta`` the order may still have been placed
(the POST's answer lost, or the worker died): look for it first, and cancel only once
it shows, or once the grace period says it never will
(:func:`~certorder.plugins.certcentral.placement.check_not_pending_visibility`).
A canceled order is REQUEST_CANCELED again on a repeated call; an issued or failed one
cannot be canceled (INVALID_OPERATION).
"""

from __future__ import annotations

from collections.abc import Callable

from certorder.plugins.certcentral.client import CertCentralClient, CertCentralError
from certorder.plugins.certcentral.order import ORDER_KEY, OrderPlan, remember_order
from certorder.plugins.certcentral.placement import (
    OrderNotVisibleYet,
    check_not_pending_visibility,
    find_earlier_order,
)
from certorder.plugins.certcentral.results import FAILED, canceled, invalid, unavailable
from certorder.plugins.certcentral.settings import CertCentralSettings
from certorder.plugins.interface.dto import CoreMetaDTO, ResultDTO
from certorder.plugins.interface.errors import CAUnavailableError, InvalidOrderError


def cancel_at_certcentral(
    client: CertCentralClient,
    settings: CertCentralSettings,
    brand: str,
    order_id: str,
    plugin_meta: dict,
    core_meta: CoreMetaDTO,
    *,
    plan_order: Callable[[], OrderPlan],
) -> ResultDTO:
    """Cancel the order's pending CertCentral order; ``plan_order`` builds the order as it
    would be placed (only needed to look for an earlier one)."""
    try:
        remote_id = plugin_meta.get(ORDER_KEY)
        if not remote_id:
            plan = plan_order()
            placed = find_earlier_order(client, settings, order_id, plan, plugin_meta, core_meta)
            if placed is None:
                # An unanswered order request may still become an order: cancel
                # only once it shows, or once the grace period says it never will.
                check_not_pending_visibility(settings, plugin_meta, core_meta)
                return canceled(f"canceled before any {brand} order was placed")
            remember_order(plugin_meta, placed, plan)
            remote_id = plugin_meta[ORDER_KEY]
        status = client.order_info(remote_id).get("status")
        if status == "canceled":
            return canceled(f"{brand} order {remote_id} is canceled")
        if status in FAILED or status == "issued":
            return invalid(f"{brand} order {remote_id} is {status}; it cannot be canceled")
        client.cancel_order(remote_id, note=f"canceled by certorder order {order_id}")
        plugin_meta["status"] = "canceled"
        return canceled(f"{brand} order {remote_id} canceled")
    except InvalidOrderError as exc:
        return invalid(str(exc))
    except OrderNotVisibleYet as exc:
        return unavailable(CAUnavailableError(
            f"{brand}: {exc}; cancel again then", settings.unavailable_retry_msec
        ))
    except CAUnavailableError as exc:
        return unavailable(exc)
    except CertCentralError as exc:
        return invalid(f"{brand} refused to cancel: {exc.message} ({exc.code})")
