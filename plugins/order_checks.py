"""Checks of a client's ``order_meta`` that need no plugin: run before an order starts.

The plugin-specific checks (``validate_order_meta``) come after these, in
:meth:`certorder.plugins.manager.PluginManager.validate_order`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.errors import InvalidOrderError
from certorder.plugins.interface.status import CertificateRequestType

__all__ = ["check_request", "optional_text", "request_type_of"]

_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")
_ACCEPTED_TYPES = ", ".join(
    t.value for t in CertificateRequestType if t is not CertificateRequestType.FULL_CMC
)


def request_type_of(order_meta: Mapping[str, Any]) -> CertificateRequestType:
    """The order's request type; ``custom`` when absent.

    :raises InvalidOrderError: unknown, or ``full-cmc`` (never supported).
    """
    raw = order_meta.get("request_type") or CertificateRequestType.CUSTOM.value
    if raw == CertificateRequestType.FULL_CMC:
        raise InvalidOrderError("full-cmc requests are not supported")
    try:
        return CertificateRequestType(raw)
    except ValueError:
        raise InvalidOrderError(
            f"unknown request_type {raw!r}; use one of {_ACCEPTED_TYPES}"
        ) from None


def check_request(order_meta: Mapping[str, Any]) -> CertificateRequestType:
    """Check the request type and, for ``simple-cmc``, the CSR (parsed, signature and
    key checked by :func:`certorder.plugins.interface.csr.load_csr`) and, for
    ``stored-key``, the key id and names the core builds the CSR from; returns the
    request type.

    :raises InvalidOrderError: with the first problem found.
    """
    request_type = request_type_of(order_meta)
    if request_type is CertificateRequestType.STORED_KEY:
        _check_stored_key(order_meta)
    if request_type is CertificateRequestType.SIMPLE_CMC:
        csr = order_meta.get("request_data")
        if not csr:
            raise InvalidOrderError("simple-cmc orders need request_data: a PEM PKCS#10 CSR")
        if not isinstance(csr, str | bytes):
            raise InvalidOrderError("request_data must be a PEM PKCS#10 CSR as a string")
        load_csr(csr)
    return request_type


def _check_stored_key(order_meta: Mapping[str, Any]) -> None:
    # The core builds the CSR from the key it keeps (a worker's activity): the order
    # names the key by id and says which names to put in the CSR.
    key_id = order_meta.get("key_id")
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise InvalidOrderError(
            "stored-key orders need key_id: the id of a key in the store "
            "(letters, digits, '.', '_', '-', at most 200)")
    names = []
    for field in ("dns_names", "ip_addresses"):
        value = order_meta.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise InvalidOrderError(f"{field} must be a list of non-empty strings")
        names += value
    for ip in order_meta.get("ip_addresses", []):
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise InvalidOrderError(f"{ip!r} in ip_addresses is not an IP address") from None
    if not names:
        raise InvalidOrderError("stored-key orders need dns_names or ip_addresses for the CSR")
    if "request_data" in order_meta:
        raise InvalidOrderError("stored-key orders take no request_data: the core builds the CSR")


def optional_text(order_meta: Mapping[str, Any], key: str) -> str | None:
    """``order_meta[key]`` if present; it must then be a non-empty string."""
    value = order_meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidOrderError(f"{key} must be a non-empty string")
    return value
