"""Building Dogtag enrollment requests, and reading an order's mark back from one.

Dogtag keeps no client order id, but every stock enrollment profile has the
"Requestor Information" input (``submitterInfoInputImpl``), whose ``requestor_name``
Dogtag stores with the request and shows an agent in the review. The plugin writes
``"<requestor_name> order <order_id>"`` there, so that a call retried after a crash can
find the request it placed before it could record the request id
(:mod:`certorder.plugins.dogtag.recovery`).
"""

from __future__ import annotations

import copy
from typing import Any

from certorder.plugins.dogtag.client import DogtagAPIError, DogtagClient

#: Dogtag's request states, as ``CertRequestInfo.requestStatus`` reports them.
PENDING, COMPLETE, REJECTED, CANCELED = "pending", "complete", "rejected", "canceled"


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


def approve(client: DogtagClient, request_id: str) -> dict[str, Any]:
    """Approve a pending request as an agent; its ``CertRequestInfo`` afterwards."""
    try:
        client.review_and_act(request_id, "approve")
    except DogtagAPIError as exc:
        # 400: no longer pending (a person acted first), or the session lost the nonce
        # (expired); the status read below says which, and a pending one is approved
        # by the next call.
        if exc.status != 400:
            raise
    return client.get_request(request_id)
