"""Building Dogtag enrollment requests, and finding one already placed for an order.

Dogtag keeps no client order id, but every stock enrollment profile has the
"Requestor Information" input (``submitterInfoInputImpl``), whose ``requestor_name``
Dogtag stores with the request and shows an agent in the review. The plugin writes
``"<requestor_name> order <order_id>"`` there, so that a call retried after a crash can
find the request it placed before it could record the request id.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from plugins.dogtag_client import DogtagAPIError, DogtagClient, request_number

#: Dogtag's request states, as ``CertRequestInfo.requestStatus`` reports them.
PENDING, COMPLETE, REJECTED, CANCELED = "pending", "complete", "rejected", "canceled"

#: Page size for the agent listing during recovery.
_PAGE = 50


def order_tag(requestor_name: str, order_id: str) -> str:
    """The ``requestor_name`` value that marks a request as this order's."""
    return f"{requestor_name} order {order_id}"


def fill_template(template: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The enrollment request: the profile's template with ``values`` set on the
    attributes of the same name (as the official client's ``create_enrollment_request``).

    :raises ValueError: if the profile has no input for a value the plugin must send.
    """
    request = copy.deepcopy(template)
    missing = {"cert_request", "cert_request_type"}
    for profile_input in request.get("Input") or []:
        for attribute in profile_input.get("Attribute") or []:
            name = attribute.get("name")
            if name in values:
                attribute["Value"] = values[name]
                missing.discard(name)
    if missing:
        profile = template.get("ProfileID")
        raise ValueError(f"Dogtag profile {profile!r} takes no PKCS#10 request input")
    return request


def review_value(review: dict[str, Any], name: str) -> str | None:
    """The value of input attribute ``name`` in a ``CertReviewResponse``."""
    for profile_input in review.get("Input") or []:
        for attribute in profile_input.get("Attribute") or []:
            if attribute.get("name") == name:
                return attribute.get("Value")
    return None


def find_placed(client: DogtagClient, tag: str, limit: int) -> dict[str, Any] | None:
    """The pending request carrying ``tag``, looking at no more than ``limit`` requests.

    Only pending requests are searched: a request that was already approved or canceled
    cannot be told from an older order's without reviewing every request ever made.
    """
    for info in _pending(client, limit):
        try:
            review = client.review(info["requestID"])
        except DogtagAPIError:
            continue  # handled by someone else meanwhile; not ours to pick up
        if review_value(review, "requestor_name") == tag:
            return info
    return None


def _pending(client: DogtagClient, limit: int) -> Iterator[dict[str, Any]]:
    start, seen = 0, 0
    while seen < limit:
        page = client.list_requests(PENDING, start, min(_PAGE, limit - seen))
        entries = page.get("entries") or [] if isinstance(page, dict) else []
        if not entries:
            return
        for info in entries:
            seen += 1
            yield info
        start = request_number(entries[-1]["requestID"]) + 1


def rejection_reason(client: DogtagClient, info: dict[str, Any]) -> str:
    """Why Dogtag rejected a request: its ``errorMessage`` (a profile constraint), else
    the agent's notes from the review, else a plain statement."""
    if info.get("errorMessage"):
        return str(info["errorMessage"])
    try:
        notes = client.review(info["requestID"]).get("requestNotes")
    except DogtagAPIError:
        notes = None
    if notes:
        return f"rejected by a Dogtag agent: {notes}"
    return "rejected by a Dogtag agent (no reason given)"
