"""What the local CA issued for each order id, so that issuing again for the same order
returns the same certificate instead of signing a second one.

The core may call ``issue_certificate_request`` twice for one order: the local CA is
declared ``quick_calls`` (a local activity), and a worker that dies after signing but
before its workflow task completes has the call run again with the old, empty
``plugin_meta``. Only a record outside the workflow can tell that the order was
issued already.

One JSON file per order under ``<data_dir>/issued/``, created once (the first writer
wins; a second attempt reads the first's record). Kept behind :meth:`IssuedOrders.get`
and :meth:`IssuedOrders.put` so that the record can move into a shared store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The plugin_meta keys an issue writes; the record holds exactly these.
ISSUED_KEYS = ("ca_id", "serial", "certificate", "intermediates")


def request_digest(csr_text: str | bytes, ca_id: str | None) -> str:
    """Ties a record to the request it answered: the same order id with another CSR or
    CA is a new request (a test calling the plugin directly), not a repeat."""
    data = csr_text.encode() if isinstance(csr_text, str) else csr_text
    return hashlib.sha256(data + b"\0" + (ca_id or "").encode()).hexdigest()


class IssuedOrders:
    """The issue record of each order id, in one directory."""

    def __init__(self, data_dir: Path) -> None:
        self._dir = Path(data_dir) / "issued"

    def _path(self, order_id: str) -> Path:
        return self._dir / f"{hashlib.sha256(order_id.encode()).hexdigest()}.json"

    def once(self, order_id: str, digest: str,
             issue: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """What was issued for this order and request, else ``issue()``, recorded."""
        earlier = self.get(order_id, digest)
        return earlier if earlier is not None else self.put(order_id, digest, issue())

    def get(self, order_id: str, digest: str) -> dict[str, Any] | None:
        """The plugin_meta of the certificate issued for this order and request, if any."""
        try:
            record = json.loads(self._path(order_id).read_text())
        except (OSError, ValueError):
            return None
        if record.get("order_id") != order_id or record.get("request") != digest:
            return None
        return {key: record.get(key) for key in ISSUED_KEYS}

    def put(self, order_id: str, digest: str, issued: dict[str, Any]) -> dict[str, Any]:
        """Record ``issued`` for the order, unless a record exists: then that one is
        returned (one order, one certificate), else ``issued``."""
        self._dir.mkdir(parents=True, exist_ok=True)
        record = {"order_id": order_id, "request": digest,
                  **{key: issued.get(key) for key in ISSUED_KEYS}}
        fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=".issued-")
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(record, out)
            try:
                os.link(tmp, self._path(order_id))  # fails if a record is there
            except FileExistsError:
                earlier = self.get(order_id, digest)
                if earlier is not None:
                    return earlier
                os.replace(tmp, self._path(order_id))  # another request's: this one wins
                return issued
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return issued
