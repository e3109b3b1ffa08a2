"""Dogtag's agent nonces, as ``CAEngine.getNonces`` and ``CAProcessor.validateNonce``
keep and check them (dogtagpki/pki 10.8 to 11.x).

Each servlet session holds, per kind (``cert-request`` for request reviews,
``cert-revoke`` for certificate reviews), a map from request id or serial to the last
nonce a review issued; it keeps the newest ``ca.maxNumberOfNonces`` (100) ids. An action
is refused with 400 "Missing nonce." when the body has none, 400 "Nonce for <kind> <id>
does not exist" when its session holds none for the id (another session, an evicted or
used nonce), and 403 "Invalid nonce: <n>" when it differs; only a match uses it up.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from simulators.dogtag import shapes

MAX_NONCES = 100


class SessionNonces:
    """The nonces of one kind in every session; safe to share between threads."""

    def __init__(self, kind: str, limit: int = MAX_NONCES) -> None:
        self.kind = kind
        self.limit = limit
        self._sessions: dict[str, OrderedDict[int, int]] = {}
        self._lock = threading.Lock()

    def issue(self, session: str, key: int) -> int:
        """A new nonce for ``key`` in ``session``; a review before replaces it."""
        nonce = secrets.randbits(64) - (1 << 63)  # a Java long
        with self._lock:
            nonces = self._sessions.setdefault(session, OrderedDict())
            nonces[key] = nonce  # a replaced id keeps its place, as in a LinkedHashMap
            while len(nonces) > self.limit:
                nonces.popitem(last=False)
        return nonce

    def consume(self, session: str | None, key: int, sent: object) -> tuple[int, str, str] | None:
        """``None`` if ``sent`` is the nonce of ``key`` in ``session`` (now used up), else
        the refusal as ``(status, class name, message)``."""
        if sent is None:
            return 400, shapes.BAD_REQUEST, "Missing nonce."
        try:
            value = int(str(sent).strip())
        except ValueError:
            return 400, shapes.BAD_REQUEST, f"Invalid nonce: {sent}"
        with self._lock:
            nonces = self._sessions.get(session or "", {})
            stored = nonces.get(key)
            if stored is None:
                return 400, shapes.BAD_REQUEST, f"Nonce for {self.kind} {key} does not exist"
            if value != stored:
                return 403, shapes.FORBIDDEN, f"Invalid nonce: {value}"
            del nonces[key]
        return None
