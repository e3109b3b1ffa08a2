"""``GET /ca/rest/agent/certrequests``: the agent's request listing, with Dogtag's paging.

``AgentCertRequestService.listRequests`` turns ``requestState``/``requestType`` into an
LDAP filter, and ``CMSRequestDAO.listCMSRequests`` pages it only when a VLV index exists
for it; otherwise the search is unpaged and capped.
"""

from __future__ import annotations

from typing import Any

from simulators.dogtag import shapes
from simulators.dogtag.engine import DogtagError, Engine, parse_id

#: ``(requestState, requestType)`` pairs whose LDAP filter has a VLV index in Dogtag
#: (``CMSRequestDAO.vlvFilters``). Only these are paged: ascending by request number from
#: the number ``start``, ``pageSize`` entries, ``total`` the size of the whole list. Any
#: other filter (``pending`` above all) is an unpaged search that ignores ``start`` and
#: ``pageSize`` and returns at most ``maxResults`` (default 100) requests.
VLV_FILTERS = {
    (state, kind)
    for state in (None, "canceled", "rejected", "complete")
    for kind in (None, "enrollment", "recovery")
}


def list_requests(engine: Engine, query: dict[str, str], base_url: str) -> dict[str, Any]:
    """The ``CertRequestInfos`` for the listing's query parameters."""
    state, kind = query.get("requestState"), query.get("requestType")
    # ``requestState`` is the server's name; the 11.2.1 python client sends
    # ``requestStatus``, which Dogtag ignores (so its filter never applies).
    start = parse_id(query.get("start") or "0")
    size, most = _int_param(query, "pageSize", 20), _int_param(query, "maxResults", 100)
    if start is None or size is None or most is None:
        raise DogtagError(404, shapes.NOT_FOUND, "Invalid paging parameters")
    matches = [
        r
        for _, r in sorted(engine.requests.items())
        if (state is None or r.status == state) and kind in (None, "enrollment")
    ]
    if (state, kind) not in VLV_FILTERS:
        entries = [shapes.request_info_json(r, base_url) for r in matches[:most]]
        return shapes.collection(entries)
    page = [r for r in matches if r.number >= start][: max(size, 0)]
    entries = [shapes.request_info_json(r, base_url) for r in page]
    return shapes.collection(entries, total=len(matches))


def _int_param(query: dict[str, str], name: str, default: int) -> int | None:
    try:
        return int(query.get(name) or default)
    except ValueError:
        return None
