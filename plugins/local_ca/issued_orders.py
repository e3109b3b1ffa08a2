"""What the local CA issued for each order id, so that issuing again for the same order
returns the same certificate instead of signing a second one.

The core may call ``issue_certificate_request`` twice for one order: the local CA is
declared ``quick_calls`` (a local activity), and a worker that dies after signing but
before its workflow task completes has the call run again, maybe on another worker,
with the old, empty ``plugin_meta``. Only a record outside the workflow can tell that
the order was issued already: one per order id in the plugin's shared state (the
store, shared by every worker; the first record written wins).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from certorder.plugins.interface.shared_state import SharedState

#: The plugin_meta keys an issue writes; the record holds exactly these.
ISSUED_KEYS = ("ca_id", "serial", "certificate", "intermediates")


def request_digest(csr_text: str | bytes, ca_id: str | None) -> str:
    """Ties a record to the request it answered: the same order id with another CSR or
    CA is a new request (a test calling the plugin directly), not a repeat."""
    data = csr_text.encode() if isinstance(csr_text, str) else csr_text
    return hashlib.sha256(data + b"\0" + (ca_id or "").encode()).hexdigest()


class IssuedOrders:
    """The issue record of each order id, under ``issued/`` in the shared state."""

    def __init__(self, state: SharedState) -> None:
        self._state = state

    def once(self, order_id: str, digest: str,
             issue: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """What was issued for this order and request, else ``issue()``, recorded."""
        key = f"issued/{hashlib.sha256(order_id.encode()).hexdigest()}"
        earlier = self._state.get(key)
        if _answers(earlier, order_id, digest):
            return _issued(earlier)
        record = {"order_id": order_id, "request": digest,
                  **{name: value for name, value in issue().items() if name in ISSUED_KEYS}}
        if earlier is None:
            winner = self._state.create(key, record)
            if _answers(winner, order_id, digest):
                return _issued(winner)  # this call's, or a concurrent repeat's
        self._state.put(key, record)  # another request's record: this one replaces it
        return _issued(record)


def _answers(record: Any, order_id: str, digest: str) -> bool:
    return (isinstance(record, dict) and record.get("order_id") == order_id
            and record.get("request") == digest)


def _issued(record: dict[str, Any]) -> dict[str, Any]:
    return {name: record.get(name) for name in ISSUED_KEYS}
