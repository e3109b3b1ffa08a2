"""Finding the request a crashed call placed for an order, so that it is not placed twice.

Most interrupted calls need no search: the plugin reports the request id as progress the
moment Dogtag answers the enrollment, and a retried attempt resumes from it. A search is
made only when an enrollment may have reached Dogtag without its answer being recorded
(:func:`may_have_enrolled`): the call was interrupted, or ``enrolling`` is set.

Dogtag keeps no client order id; the plugin marks each request with
``"<requestor_name> order <order_id>"`` in the profile's Requestor Name input (see
:mod:`certorder.plugins.dogtag.enrollment`) and reads the mark back with an agent review. A call
retried with an empty ``plugin_meta`` looks in two places before enrolling:

* the pending requests: Dogtag has no VLV index for that filter, so the listing is one
  unpaged search capped by ``maxResults`` (``CMSRequestDAO.listCMSRequests``);
* the newest enrollment requests in any state. ``(requesttype=enrollment)`` is a VLV
  filter: Dogtag sorts it by request number, ascending only, from ``start`` (a request
  number, not a position). The REST API has no "from the end", so the newest number is
  found by probing one-entry pages, and the window below it is read in one page.

Request numbers grow with time only with Dogtag's default sequential ids; with random
ids (RSNv3) the probing gives up after :data:`MAX_PROBES` pages and only pending
requests are searched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from certorder.plugins.dogtag.client import DogtagAPIError, DogtagClient, Session, request_number
from certorder.plugins.dogtag.enrollment import CANCELED, PENDING, review_value
from certorder.plugins.interface.dto import CoreMetaDTO

#: plugin_meta key set while an enrollment may have reached Dogtag without its answer.
ENROLLING = "enrolling"


def may_have_enrolled(plugin_meta: dict, core_meta: CoreMetaDTO) -> bool:
    """Whether an earlier call or attempt may have placed a request for this order:
    only then is Dogtag searched for it (the search costs tens of calls)."""
    return bool(plugin_meta.get(ENROLLING)) or core_meta.interrupted_since is not None


#: Most one-entry pages read to find the newest request number (about twice log2 of it).
MAX_PROBES = 64


class PlacedRequestFinder:
    """Looks for this order's request among the pending and the newest requests.

    It remembers the newest request number it has seen, so that later searches start
    probing there instead of at zero; the memory is only a shortcut (a wrong value
    costs probes, never a wrong answer).
    """

    def __init__(self, client: DogtagClient, limit: int) -> None:
        self.client = client
        self.limit = limit
        self._newest_seen = 0
        self._sequential = True
        self._lock = threading.Lock()

    def saw(self, request_id: str) -> None:
        """Note a request number the plugin met (e.g. one it just placed)."""
        number = request_number(request_id)
        with self._lock:
            self._newest_seen = max(self._newest_seen, number)

    def find(self, tag: str) -> dict[str, Any] | None:
        """The ``CertRequestInfo`` of the newest request carrying ``tag``, if any.

        A *canceled* request is passed over: with this order's mark it is what the
        plugin's own modify (or cancel) left behind, and enrolling again after it adds
        no second certificate.
        """
        reviewed: set[int] = set()
        session = Session()  # one servlet session for the scan's reviews, not one each
        for info in self._pending():
            if self._carries(info, tag, reviewed, session):
                return info
        for info in self._newest():
            if info.get("requestStatus") == CANCELED:
                continue
            if self._carries(info, tag, reviewed, session):
                return info
        return None

    def _carries(self, info: dict[str, Any], tag: str, reviewed: set[int], session) -> bool:
        number = request_number(info["requestID"])
        if number in reviewed:
            return False
        reviewed.add(number)
        try:
            review = self.client.review(info["requestID"], session)
        except DogtagAPIError:
            return False  # gone meanwhile (pruned); not ours to pick up
        return review_value(review, "requestor_name") == tag

    def _pending(self) -> list[dict[str, Any]]:
        page = self.client.list_requests(PENDING, max_results=self.limit)
        return _entries(page)[: self.limit]

    def _newest(self) -> Iterable[dict[str, Any]]:
        """The newest ``limit`` enrollment requests, newest first."""
        bracket = self._bracket_newest()
        if bracket is None:
            return []
        low, high = bracket
        start = max(0, low - self.limit + 1)
        page = _entries(self.client.list_requests(None, start=start, size=high - start))
        # Requests numbered ``high`` or more were placed after this search began.
        window = [i for i in page if request_number(i["requestID"]) < high][-self.limit :]
        if window:
            self.saw(window[-1]["requestID"])
        return reversed(window)

    def _bracket_newest(self) -> tuple[int, int] | None:
        """``(low, high)``: a request numbered ``low`` exists, none at ``high`` or above,
        and ``high - low <= limit``; ``None`` if there are no requests, or their numbers
        do not grow with time (random ids)."""
        if not self._sequential:
            return None
        probes = _Probe(self.client)
        low = probes.first_from(self._newest_seen)
        if low is None and self._newest_seen:
            low = probes.first_from(0)
        if low is None:
            return None
        step = self.limit
        while (found := probes.first_from(low + step)) is not None:
            low, step = found, step * 2
            if probes.count > MAX_PROBES:
                self._sequential = False
                return None
        high = low + step
        while high - low > self.limit:
            middle = (low + high) // 2
            found = probes.first_from(middle)
            if found is None or found >= high:
                high = middle
            else:
                low = found
        return low, high


class _Probe:
    """One-entry pages of the VLV listing: the first request numbered ``start`` or more."""

    def __init__(self, client: DogtagClient) -> None:
        self.client = client
        self.count = 0

    def first_from(self, start: int) -> int | None:
        self.count += 1
        entries = _entries(self.client.list_requests(None, start=start, size=1))
        return request_number(entries[0]["requestID"]) if entries else None


def _entries(page: Any) -> list[dict[str, Any]]:
    entries = page.get("entries") if isinstance(page, dict) else None
    return [e for e in entries or [] if isinstance(e, dict) and e.get("requestID")]
