"""Exactly one CertCentral order per certorder order, even across crashes.

A CertCentral order costs money, and the API has no idempotency key. So the certorder
order id travels with the remote order, in the order's ``comments`` (CertCentral keeps
them on the order's first request, ``requests[].comments``) and, when the account has
a custom order field for it, in ``custom_fields``. Before placing an order the plugin
lists the account's orders for the same common name and product and looks for that
mark; if one is found it adopts it instead of buying a second certificate.

The hazard this closes: the worker dies (or the answer is lost) after CertCentral
created the order but before ``plugin_meta`` with the remote id was persisted; the
core then calls ``issue_certificate_request`` again.

The search is limited to orders *created since* the earliest attempt that may have
placed one (``filters[date_created]``, a whole-day range as the Services API filters
dates), so its cost does not grow with the account's history: every renewal adds an
order for the same common name, and an account with years of them would otherwise make
each search read hundreds of orders, or (with a cap) miss the one it looks for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from certorder.plugins.certcentral.client import CertCentralClient

#: Prefix of the mark written into the order's comments.
MARK_PREFIX = "certorder-order-id:"
#: Orders asked for per page when scanning the order list.
PAGE_SIZE = 50


def order_mark(order_id: str) -> str:
    """The text that ties a CertCentral order to a certorder order."""
    return f"{MARK_PREFIX}{order_id}"


def _marks(order: dict) -> Iterator[str]:
    for request in order.get("requests") or ():
        if isinstance(request, dict) and request.get("comments"):
            yield str(request["comments"])
    if order.get("comments"):
        yield str(order["comments"])
    for field in order.get("custom_fields") or ():
        if isinstance(field, dict) and field.get("value"):
            yield str(field["value"])


def has_mark(order: dict, order_id: str) -> bool:
    """Whether a CertCentral order (as ``order_info`` returns it) carries our mark.

    The mark must be a whole word: ``...:ab`` must not match an order marked ``...:abc``.
    """
    mark = order_mark(order_id)
    return any(mark in text.split() for text in _marks(order))


def created_since_filter(since: dt.datetime, now: dt.datetime | None = None) -> str:
    """``filters[date_created]`` covering ``since`` until today, a day wider on each
    side: the filter takes whole dates, and CertCentral's day need not be UTC's."""
    now = now or dt.datetime.now(dt.UTC)
    first = (since - dt.timedelta(days=1)).date()
    last = (now + dt.timedelta(days=1)).date()
    return f"{first.isoformat()}...{last.isoformat()}"


def find_placed_order(
    client: CertCentralClient,
    order_id: str,
    common_name: str,
    product_name_id: str,
    since: dt.datetime,
    limit: int,
) -> dict | None:
    """The ``order_info`` of an order already placed for ``order_id``, or ``None``.

    Lists the account's orders for the common name and product created since ``since``,
    and inspects at most ``limit`` of them (each needs an ``order_info`` call: the list
    omits comments).
    :raises CAUnavailableError: when CertCentral cannot be asked; the caller must then
        not place an order.
    """
    filters = {
        "common_name": common_name,
        "product_name_id": product_name_id,
        "date_created": created_since_filter(since),
    }
    seen = 0
    offset = 0
    while seen < limit:
        page = client.list_orders(filters, offset=offset, limit=min(PAGE_SIZE, limit - seen))
        orders = page.get("orders") or []
        if not orders:
            return None
        for summary in orders:
            seen += 1
            info = client.order_info(int(summary["id"]))
            if has_mark(info, order_id):
                return info
        offset += len(orders)
        total = (page.get("page") or {}).get("total")
        if isinstance(total, int) and offset >= total:
            return None
    return None
