"""A small synchronous client for DigiCert CertCentral's Services API v2.

Shared by the ``digicert`` and ``symantec`` plugins (Symantec-brand products are sold
through CertCentral since DigiCert bought that business). Every call sends the API key
in ``X-DC-DEVKEY`` and JSON bodies with ``Content-Type: application/json``.

Errors are translated once, here:

* 429 ``request_limit_exceeded``, any 5xx, timeouts and refused or broken connections
  raise :class:`CAUnavailableError` with a delay: the server's ``Retry-After`` if it
  sent one, else the configured fallback.
* of those, a timeout or broken connection after the request went out, and a 500, 502
  or 504, raise :class:`OutcomeUnknownError`: CertCentral may have carried the request
  out (for a POST: bought the certificate) without the answer reaching us.
* any other 4xx raises :class:`CertCentralError` carrying CertCentral's own error
  ``code`` and ``message`` (the envelope is ``{"errors":[{"code","message"}]}``).

The API key lives only in the ``httpx.Client`` headers. Messages built here name the
method and path, never headers, so the key cannot leak through an exception.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from certorder.plugins.interface.errors import ERROR_RETRY_MSEC, CAUnavailableError

DEFAULT_BASE_URL = "https://www.digicert.com/services/v2/"


class CertCentralError(Exception):
    """CertCentral refused a request (a 4xx other than 429).

    :param status: the HTTP status code.
    :param code: CertCentral's error code, e.g. ``not_found|order``.
    :param message: CertCentral's own message for people.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"CertCentral error {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class OutcomeUnknownError(CAUnavailableError):
    """No usable answer, and the request may still have been carried out at CertCentral."""


#: 5xx answers that may come after the request was carried out (503: it was not).
_AMBIGUOUS_STATUS = (500, 502, 504)


def retry_after_msec(value: str | None, fallback: int) -> int:
    """Milliseconds from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return fallback
    value = value.strip()
    if value.isdigit():
        return int(value) * 1000
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return fallback
    return max(0, int((when.timestamp() - time.time()) * 1000))


def _first_error(response: httpx.Response) -> tuple[str, str]:
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        errors = None
    # The documented envelope is a list; an old fixture shows a bare object.
    if isinstance(errors, dict):
        errors = [errors]
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("code", "unknown")), str(errors[0].get("message", ""))
    return "unknown", response.reason_phrase or "no error body"


class CertCentralClient:
    """One connection pool to CertCentral; safe to share between threads.

    :param base_url: the Services API root, ending in ``/services/v2/``.
    :param api_key: the CertCentral API key (sent as ``X-DC-DEVKEY``).
    :param unavailable_retry_msec: delay to ask for when the CA is unreachable and
        sent no ``Retry-After``.
    """

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        unavailable_retry_msec: int = ERROR_RETRY_MSEC,
    ) -> None:
        self._unavailable_retry_msec = unavailable_retry_msec
        self._http = httpx.Client(
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            headers={
                "X-DC-DEVKEY": api_key.get_secret_value(),
                "Accept": "application/json",
            },
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # -- orders ----------------------------------------------------------------------

    def place_order(self, product_name_id: str, body: Mapping[str, Any]) -> dict:
        """``POST order/certificate/{product}``: the new order (``id``, ``requests``, and
        ``certificate_chain`` when issued at once)."""
        return self._json("POST", f"order/certificate/{product_name_id}", body)

    def order_info(self, order_id: int) -> dict:
        """``GET order/certificate/{id}``: the order, its status and requests."""
        return self._json("GET", f"order/certificate/{order_id}")

    def poll_order(self, order_id: int) -> tuple[dict, int | None]:
        """Like :meth:`order_info`, plus the delay the server asked for in ``Retry-After``
        (``None`` when it sent none)."""
        response = self._send("GET", f"order/certificate/{order_id}")
        header = response.headers.get("Retry-After")
        delay = retry_after_msec(header, -1) if header else -1
        return self._decode("GET", "order/certificate/{id}", response), (
            delay if delay >= 0 else None
        )

    def list_orders(self, filters: Mapping[str, str], offset: int, limit: int) -> dict:
        """``GET order/certificate`` with ``filters[...]``: ``{"orders": [...], "page": {...}}``."""
        params = {f"filters[{key}]": value for key, value in filters.items()}
        params.update(offset=str(offset), limit=str(limit))
        return self._json("GET", "order/certificate", params=params)

    def cancel_order(self, order_id: int, note: str) -> None:
        """``PUT order/certificate/{id}/status`` with ``canceled`` (204 on success)."""
        body = {"status": "canceled", "note": note}
        self._send("PUT", f"order/certificate/{order_id}/status", body)

    # -- domain control validation ---------------------------------------------------

    def change_dcv_method(self, order_id: int, dcv_method: str) -> dict:
        """``PUT order/certificate/{id}/dcv-method``: a new random value for token methods,
        an empty body for ``email``."""
        body = {"dcv_method": dcv_method}
        return self._json("PUT", f"order/certificate/{order_id}/dcv-method", body)

    def resend_dcv_emails(self, order_id: int) -> None:
        """``PUT order/certificate/{id}/resend-emails``: send the DCV emails again."""
        self._send("PUT", f"order/certificate/{order_id}/resend-emails", {})

    def check_dcv(self, order_id: int) -> dict:
        """``PUT order/certificate/{id}/check-dcv``: ask DigiCert to look for the DCV token
        now; ``{"order_status", "dcv_status", ...}``, or a 400 naming what is missing."""
        return self._json("PUT", f"order/certificate/{order_id}/check-dcv")

    # -- certificates ----------------------------------------------------------------

    def download_pem_all(self, certificate_id: int) -> str:
        """``GET certificate/{id}/download/format/pem_all``: leaf, intermediates and root."""
        response = self._send(
            "GET", f"certificate/{certificate_id}/download/format/pem_all", accept="*/*"
        )
        return response.text

    # -- transport -------------------------------------------------------------------

    def _json(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> dict:
        return self._decode(method, path, self._send(method, path, body, **kwargs))

    def _decode(self, method: str, path: str, response: httpx.Response) -> dict:
        if response.status_code == 204 or not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise CAUnavailableError(
                f"CertCentral {method} {path}: answer is not JSON", self._unavailable_retry_msec
            ) from None
        return data if isinstance(data, dict) else {"items": data}

    def _send(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, str] | None = None,
        accept: str | None = None,
    ) -> httpx.Response:
        headers = {"Accept": accept} if accept else None
        try:
            # ``json=`` sets Content-Type: application/json, which CertCentral requires.
            response = self._http.request(
                method,
                path,
                json=dict(body) if body is not None else None,
                params=params,
                headers=headers,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise CAUnavailableError(
                f"CertCentral {method} {path}: cannot connect ({type(exc).__name__})",
                self._unavailable_retry_msec,
            ) from None
        except httpx.TimeoutException:
            raise OutcomeUnknownError(
                f"CertCentral {method} {path}: timed out", self._unavailable_retry_msec
            ) from None
        except httpx.TransportError as exc:
            raise OutcomeUnknownError(
                f"CertCentral {method} {path}: connection lost ({type(exc).__name__})",
                self._unavailable_retry_msec,
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            code, message = _first_error(response)
            delay = retry_after_msec(
                response.headers.get("Retry-After"), self._unavailable_retry_msec
            )
            error = (
                OutcomeUnknownError
                if response.status_code in _AMBIGUOUS_STATUS
                else CAUnavailableError
            )
            raise error(
                f"CertCentral {method} {path}: HTTP {response.status_code} {code}: {message}",
                delay,
            )
        if response.status_code >= 400:
            raise CertCentralError(response.status_code, *_first_error(response))
        return response
