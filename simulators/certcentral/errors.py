"""CertCentral's error envelope, ``{"errors": [{"code": ..., "message": ...}]}``.

Codes and messages are the documented ones (dev.digicert.com, Services API Errors,
DCV pages) where a page gives them. Where the public pages give none, the simulator
uses a code in the same ``family|detail`` style and says so on the constant.
"""

from __future__ import annotations


class ApiError(Exception):
    """An error answer: HTTP status plus CertCentral's code and message."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict:
        """The JSON body CertCentral sends for this error."""
        return {"errors": [{"code": self.code, "message": self.message}]}


def rate_limited(retry_after: int | None) -> ApiError:
    """Documented 429 answer when an API key exceeds its request budget."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ApiError(
        429, "request_limit_exceeded", "Service unavailable, please limit request volume", headers
    )


def unavailable(retry_after: int | None) -> ApiError:
    """A 503 during maintenance (code not documented for CertCentral: simulator's)."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ApiError(503, "service_unavailable", "Service temporarily unavailable", headers)


def unauthorized() -> ApiError:
    """Missing or unknown ``X-DC-DEVKEY`` (401; exact code not documented: simulator's)."""
    return ApiError(401, "access_denied|invalid_api_key", "Invalid or missing API key.")


def not_found(what: str) -> ApiError:
    """Documented 404 codes: ``not_found|order``, ``not_found|product``, ``not_found|route``."""
    messages = {
        "order": "The specified order was not found.",
        "product": "The specified product was not found.",
        "route": "The specified route was not found.",
        "certificate": "The specified certificate was not found.",
        "request": "The specified request was not found.",
    }
    return ApiError(404, f"not_found|{what}", messages.get(what, "Not found."))


def bad_format() -> ApiError:
    """Documented 400 for a body that is not valid JSON."""
    return ApiError(
        400,
        "bad_request_format",
        "The request body is malformed. Make sure the request body uses valid JSON.",
    )


def invalid(field: str, message: str) -> ApiError:
    """A missing or invalid field (``invalid_param|<field>``: simulator's code style)."""
    return ApiError(400, f"invalid_param|{field}", message)


def missing(field: str) -> ApiError:
    """A required field absent (``missing_param|<field>``: simulator's code style)."""
    return ApiError(400, f"missing_param|{field}", f"{field} is required.")


def csr_unparseable() -> ApiError:
    """Documented 400 ``csr_invalid_cannot_parse``."""
    return ApiError(400, "csr_invalid_cannot_parse", "The CSR could not be parsed.")
