"""What the local CA issued for each order id, so that issuing again for the same order
signs no second certificate: the CA issues one serial per order and request.

The core may call ``issue_certificate_request`` twice for one order: the local CA is
declared ``quick_calls`` (a local activity), and a worker that dies after signing but
before its workflow task completes has the call run again, maybe on another worker,
with the old, empty ``plugin_meta``; a retry may even run while the first attempt's
thread still does. Only records outside the workflow, in the plugin's shared state
(the store, shared by every worker), can tell.

So the serial, the validity and the CRL address are *reserved* before anything is
signed::

    issued/<sha256(order_id)>/<request digest>          the reservation: {"order_id",
        "request", "ca_id", "serial", "not_before", "not_after", "crl_url"}

It is made with ``create`` (first writer wins), and every attempt signs only what the
reservation that ``create`` returned says, with deterministic signatures (RFC 6979
ECDSA, PKCS#1 v1.5 RSA, Ed25519: ``keys.sign_certificate``): attempts that race or
follow a crash sign the same to-be-signed certificate into the same bytes, so the CA
issues one serial and one certificate per order, and no record after signing is
needed (one store write per issue, not two).

Records of older versions are still honoured when they answer the same request: one
per order (``issued/<sha256(order_id)>``), and the ``<reservation>/signed`` record that
held the certificate of a reservation signed with random ECDSA nonces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from cryptography import x509

from certorder.plugins.interface.shared_state import SharedState
from certorder.plugins.local_ca.issuer import leaf_validity

#: The plugin_meta keys an issue writes.
ISSUED_KEYS = ("ca_id", "serial", "certificate", "intermediates")

#: What :class:`IssuedOrders` asks to be signed: the reservation record.
Reservation = dict[str, Any]


def request_digest(csr_text: str | bytes, ca_id: str | None) -> str:
    """Ties a record to the request it answered: the same order id with another CSR or
    CA is a new request (a test calling the plugin directly), not a repeat."""
    data = csr_text.encode() if isinstance(csr_text, str) else csr_text
    return hashlib.sha256(data + b"\0" + (ca_id or "").encode()).hexdigest()


def leaf_reservation(ca_id: str, issuer: x509.Certificate, days: int,
                     crl_url: str | None) -> Reservation:
    """A fresh serial and the validity of a leaf of ``days`` from now, for CA ``ca_id``,
    and the CRL address it names (a worker configured otherwise signs the same).

    :raises CAExpiredError: if the issuer is no longer valid (nothing is reserved).
    """
    not_before, not_after = leaf_validity(issuer, days, dt.datetime.now(dt.UTC))
    return {"ca_id": ca_id,
            # 159 random bits, positive: unpredictable serials (CA/B Forum asks for >= 64).
            "serial": format(x509.random_serial_number(), "x"),
            "not_before": not_before.isoformat(), "not_after": not_after.isoformat(),
            "crl_url": crl_url}


def reserved_serial(reservation: Reservation) -> int:
    """The serial a reservation decided."""
    return int(reservation["serial"], 16)


def reserved_validity(reservation: Reservation) -> tuple[dt.datetime, dt.datetime]:
    """The (notBefore, notAfter) a reservation decided: never "now" at signing, so a
    repeat signs the same validity as the first attempt did."""
    return (dt.datetime.fromisoformat(reservation["not_before"]),
            dt.datetime.fromisoformat(reservation["not_after"]))


def order_key(order_id: str) -> str:
    """The prefix of ``order_id``'s records (and an older version's record of it)."""
    return f"issued/{hashlib.sha256(order_id.encode()).hexdigest()}"


class IssuedOrders:
    """The reservations and certificates of each order id, under ``issued/``."""

    def __init__(self, state: SharedState) -> None:
        self._state = state

    def once(self, order_id: str, digest: str, reserve: Callable[[], Reservation],
             sign: Callable[[Reservation], dict[str, Any]], *,
             deterministic: bool = True) -> dict[str, Any]:
        """What was issued for this order and request; else ``reserve()`` a serial and a
        validity (unless another attempt did first) and ``sign(reservation)``, which
        must sign exactly what the reservation says and return its ``certificate`` and
        ``intermediates``. ``deterministic``: ``sign`` yields the same bytes every time;
        if not, what the first attempt signed is kept (``.../signed``) for the others."""
        legacy = self._state.get(order_key(order_id))
        if _answers(legacy, order_id, digest) and legacy.get("certificate"):
            return _issued(legacy)
        key = f"{order_key(order_id)}/{digest}"
        reservation = self._state.get(key)
        first = False
        if not _answers(reservation, order_id, digest):
            mine = {"order_id": order_id, "request": digest, **reserve()}
            reservation = self._state.create(key, mine)  # the first reservation decides
            first = reservation == mine  # ours (a serial of 159 random bits)
        if first and deterministic:
            return _issued({**reservation, **sign(reservation)})
        # A repeat, or random nonces: what an attempt (or an older version) kept decides.
        signed = None if first else self._state.get(f"{key}/signed")
        if not isinstance(signed, dict) or not signed.get("certificate"):
            signed = sign(reservation)
            if not deterministic:
                signed = self._state.create(f"{key}/signed", {
                    "certificate": signed["certificate"],
                    "intermediates": signed["intermediates"]})
        return _issued({**reservation, **signed})


def _answers(record: Any, order_id: str, digest: str) -> bool:
    return (isinstance(record, dict) and record.get("order_id") == order_id
            and record.get("request") == digest)


def _issued(record: dict[str, Any]) -> dict[str, Any]:
    return {name: record.get(name) for name in ISSUED_KEYS}
