"""Checks of a client's ``order_meta`` that need no plugin: run before an order starts.

The plugin-specific checks (``validate_order_meta``) come after these, in
:meth:`certorder.plugins.manager.PluginManager.validate_order`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.errors import InvalidOrderError
from certorder.plugins.interface.status import CertificateRequestType

__all__ = ["check_request", "optional_text", "request_type_of"]

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
    key checked by :func:`certorder.plugins.interface.csr.load_csr`); returns the request type.
    ``stored-key`` is refused until the core's key store exists.

    :raises InvalidOrderError: with the first problem found.
    """
    request_type = request_type_of(order_meta)
    if request_type is CertificateRequestType.STORED_KEY:
        # The core builds stored-key CSRs from keys it keeps; until that key store
        # exists, such an order could only fail later, at the CA.
        raise InvalidOrderError(
            "stored-key requests are not available yet; send a CSR (request_type simple-cmc)"
        )
    if request_type is CertificateRequestType.SIMPLE_CMC:
        csr = order_meta.get("request_data")
        if not csr:
            raise InvalidOrderError("simple-cmc orders need request_data: a PEM PKCS#10 CSR")
        if not isinstance(csr, str | bytes):
            raise InvalidOrderError("request_data must be a PEM PKCS#10 CSR as a string")
        load_csr(csr)
    return request_type


def optional_text(order_meta: Mapping[str, Any], key: str) -> str | None:
    """``order_meta[key]`` if present; it must then be a non-empty string."""
    value = order_meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidOrderError(f"{key} must be a non-empty string")
    return value
