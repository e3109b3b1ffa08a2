"""Placing the CertCentral order for a certorder order at most once.

CertCentral has no idempotency key, so the plugin keeps its own record in
``plugin_meta`` (reported as progress, so it survives a dead worker) and decides:

* Nothing was ever sent for this order (no ``placing_since``, not a retried attempt):
  place the order at once, with no search. A new order costs one POST.
* An earlier call or attempt may have sent the order: search for it among the orders
  created since then (:func:`~certorder.plugins.certcentral.tracking.find_placed_order`).
* A POST got no answer (timeout, lost connection, 500/502/504), or the worker died while
  one was in flight, and the search finds nothing: CertCentral may still be creating it.
  Keep searching for ``unconfirmed_order_grace_seconds`` before ordering again.
"""

from __future__ import annotations

import datetime as dt

from certorder.plugins.certcentral.client import CertCentralClient, OutcomeUnknownError
from certorder.plugins.certcentral.order import OrderPlan, order_body
from certorder.plugins.certcentral.settings import CertCentralSettings
from certorder.plugins.certcentral.tracking import find_placed_order
from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.errors import CAUnavailableError

#: When the first order request for this order was about to be sent.
PLACING_SINCE = "placing_since"
#: When the latest order request was sent.
POSTED_AT = "posted_at"
#: When the latest order request ended without an answer.
UNCONFIRMED_SINCE = "unconfirmed_since"


class OrderNotVisibleYet(Exception):
    """An order request may have been carried out, but its order is not listed yet."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _time(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def _earliest_attempt(plugin_meta: dict, core_meta: CoreMetaDTO) -> dt.datetime | None:
    times = [t for t in (_time(plugin_meta.get(PLACING_SINCE)), core_meta.interrupted_since) if t]
    return min(times) if times else None


def _unconfirmed_since(plugin_meta: dict, core_meta: CoreMetaDTO) -> dt.datetime | None:
    if plugin_meta.get(UNCONFIRMED_SINCE):
        return _time(plugin_meta[UNCONFIRMED_SINCE])
    # A retried attempt resumes from the last progress: a POST was in flight when the
    # previous attempt died.
    if core_meta.interrupted_since is not None and plugin_meta.get(POSTED_AT):
        return _time(plugin_meta[POSTED_AT])
    return None


def find_earlier_order(
    client: CertCentralClient, settings: CertCentralSettings, order_id: str, plan: OrderPlan,
    plugin_meta: dict, core_meta: CoreMetaDTO,
) -> dict | None:
    """The order an earlier call or attempt placed, if one may exist and is found."""
    since = _earliest_attempt(plugin_meta, core_meta)
    if since is None:
        return None
    return find_placed_order(
        client, order_id, plan.common_name, plan.product.name_id, since, settings.lookup_limit
    )


def check_not_pending_visibility(
    settings: CertCentralSettings, plugin_meta: dict, core_meta: CoreMetaDTO
) -> None:
    """Call after a search found nothing.

    :raises OrderNotVisibleYet: an unanswered order request may still show up.
    """
    unconfirmed = _unconfirmed_since(plugin_meta, core_meta)
    if unconfirmed is None:
        return
    waited = (_now() - unconfirmed).total_seconds()
    if waited < settings.unconfirmed_order_grace_seconds:
        raise OrderNotVisibleYet(
            f"the order request sent at {unconfirmed.isoformat()} got no answer and "
            f"its order is not listed yet; looking again for up to "
            f"{settings.unconfirmed_order_grace_seconds - waited:.0f} s"
        )


def place_once(
    client: CertCentralClient, settings: CertCentralSettings, order_id: str, plan: OrderPlan,
    plugin_meta: dict, core_meta: CoreMetaDTO,
) -> dict:
    """The CertCentral order for ``order_id``: found, or placed now.

    :raises OrderNotVisibleYet: an unanswered order request may still show up.
    :raises CAUnavailableError: CertCentral cannot be asked or did not answer.
    """
    found = find_earlier_order(client, settings, order_id, plan, plugin_meta, core_meta)
    if found is not None:
        return found
    check_not_pending_visibility(settings, plugin_meta, core_meta)
    now = _now().isoformat()
    first_attempt = PLACING_SINCE not in plugin_meta
    plugin_meta.setdefault(PLACING_SINCE, now)
    plugin_meta[POSTED_AT] = now
    plugin_meta.pop(UNCONFIRMED_SINCE, None)
    core_meta.report_progress(plugin_meta)
    try:
        placed = client.place_order(plan.product.name_id, order_body(plan, order_id, settings))
    except OutcomeUnknownError:
        plugin_meta[UNCONFIRMED_SINCE] = _now().isoformat()
        raise
    except CAUnavailableError:
        # Not carried out (429, 503, no connection): as if it had not been sent.
        plugin_meta.pop(POSTED_AT, None)
        if first_attempt:
            plugin_meta.pop(PLACING_SINCE, None)
        raise
    plugin_meta.pop(POSTED_AT, None)
    return placed
