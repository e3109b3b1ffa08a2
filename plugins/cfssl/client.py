"""The few calls of CFSSL's REST API (``/api/v1/cfssl/...``) the plugin makes.

Every answer is an envelope ``{"success": bool, "result": ..., "errors": [{"code",
"message"}], "messages": [...]}``; CFSSL reports refusals with ``success: false`` and
HTTP 400. ``authsign`` wraps the sign request: ``{"token": b64(HMAC-SHA256(key,
request)), "request": b64(request)}``, where ``request`` is the exact JSON bytes that
were authenticated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
from typing import Any

import httpx

from certorder.plugins.cfssl.settings import CfsslSettings
from certorder.plugins.interface.errors import CAUnavailableError

API = "/api/v1/cfssl/"


class CfsslRefusedError(Exception):
    """CFSSL answered ``success: false``; the message is CFSSL's own."""


def _retry_msec(response: httpx.Response, default: int) -> int:
    value = response.headers.get("Retry-After", "")
    return int(value) * 1000 if value.isdigit() else default


class CfsslClient:
    """A keep-alive HTTP client for one CFSSL server."""

    def __init__(self, settings: CfsslSettings) -> None:
        self.settings = settings
        verify: ssl.SSLContext | bool = True
        if settings.ca_bundle is not None:
            verify = ssl.create_default_context(cafile=str(settings.ca_bundle))
        self._http = httpx.Client(
            base_url=settings.base_url.rstrip("/") + API, timeout=settings.timeout, verify=verify
        )

    def sign(self, csr_pem: str, hosts: list[str], profile: str) -> str:
        """Sign ``csr_pem``; ``authsign`` when an auth key is configured.

        :returns: the certificate, PEM.
        :raises CfsslRefusedError: CFSSL refused (bad profile, authentication, CSR).
        :raises CAUnavailableError: CFSSL cannot be reached or failed (5xx).
        """
        request: dict[str, Any] = {
            "certificate_request": csr_pem,
            "hosts": hosts,
            "profile": profile,
            "label": self.settings.label,
        }
        key = self.settings.auth_key_bytes()
        if key is None:
            result = self._call("sign", request)
        else:
            raw = json.dumps(request).encode()
            token = hmac.new(key, raw, hashlib.sha256).digest()
            wrapped = {
                "token": base64.b64encode(token).decode(),
                "request": base64.b64encode(raw).decode(),
            }
            result = self._call("authsign", wrapped)
        certificate = result.get("certificate") if isinstance(result, dict) else None
        if not certificate:
            raise CfsslRefusedError("CFSSL answered success without a certificate")
        return str(certificate)

    def info(self, profile: str = "") -> dict[str, Any]:
        """The signer's description: ``certificate`` (PEM), ``usages``, ``expiry``."""
        result = self._call("info", {"label": self.settings.label, "profile": profile})
        if not isinstance(result, dict) or not result.get("certificate"):
            raise CfsslRefusedError("CFSSL info answered without the CA certificate")
        return result

    def revoke(self, serial: str, authority_key_id: str, reason: str) -> None:
        """Mark a certificate revoked in the server's certificate database.

        :raises CfsslRefusedError: CFSSL refused (not found, bad reason, no database).
        :raises CAUnavailableError: CFSSL cannot be reached or failed (5xx).
        """
        self._call("revoke", {"serial": serial, "authority_key_id": authority_key_id,
                              "reason": reason})

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _call(self, endpoint: str, body: dict[str, Any]) -> Any:
        where = f"CFSSL {self.settings.base_url} {endpoint}"
        try:
            response = self._http.post(endpoint, json=body)
        except httpx.TransportError as exc:
            raise CAUnavailableError(
                f"{where}: unreachable ({type(exc).__name__})", self.settings.unavailable_retry_msec
            ) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise CAUnavailableError(
                f"{where}: HTTP {response.status_code}",
                _retry_msec(response, self.settings.unavailable_retry_msec),
            )
        try:
            envelope = response.json()
        except ValueError:
            raise CfsslRefusedError(
                f"{where}: HTTP {response.status_code} with a body that is not CFSSL's JSON"
            ) from None
        if not isinstance(envelope, dict) or not envelope.get("success"):
            errors = envelope.get("errors") if isinstance(envelope, dict) else None
            text = "; ".join(
                f"{error.get('message')} (code {error.get('code')})"
                for error in errors or []
                if isinstance(error, dict)
            )
            raise CfsslRefusedError(f"CFSSL refused: {text or f'HTTP {response.status_code}'}")
        return envelope.get("result")
