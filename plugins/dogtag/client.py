"""A small synchronous client for the Dogtag CA REST API (``/ca/rest``, v1).

It speaks the JSON the official ``dogtag-pki`` client speaks (see
``docs/plugins/dogtag.md``), authenticates agents with a TLS client certificate, and
turns every failure into one of two exceptions whose messages are safe to show: they
name the call and quote Dogtag's own message, never a credential or a file's contents.
"""

from __future__ import annotations

import http.cookiejar
import logging
import ssl
from typing import Any

import httpx

from certorder.plugins.dogtag.settings import DogtagSettings
from certorder.plugins.interface.errors import PluginConfigurationError

log = logging.getLogger(__name__)


def request_number(request_id: str) -> int:
    """A ``RequestId`` as a number: ``0x`` prefix means hex, else decimal."""
    text = str(request_id).strip()
    return int(text[2:], 16) if text.lower().startswith("0x") else int(text, 10)


def _rid(request_id: str) -> str:
    # Paths carry the decimal number, as the official client sends them (it reads the
    # id from ``requestURL``); every Dogtag version parses that form.
    return str(request_number(request_id))


class DogtagUnavailableError(Exception):
    """Dogtag could not be reached, timed out, or answered 5xx; worth trying again."""


class DogtagAPIError(Exception):
    """Dogtag refused a call (4xx). ``class_name`` is its Java exception class."""

    def __init__(self, status: int, class_name: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.class_name = class_name
        self.message = message


def _tls_context(settings: DogtagSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    try:
        if settings.ca_bundle_file is not None:
            context.load_verify_locations(cafile=str(settings.ca_bundle_file))
        if settings.client_cert_file is not None:
            context.load_cert_chain(str(settings.client_cert_file), str(settings.client_key_file))
    except (ssl.SSLError, OSError) as exc:
        # Only the failing step is named: the files hold the agent's private key.
        what = "CA bundle or agent certificate/key"
        reason = exc.strerror or getattr(exc, "reason", None) or type(exc).__name__
        raise PluginConfigurationError(f"dogtag: cannot load {what}: {reason}") from None
    return context


#: A Dogtag servlet session: the cookie jar of one review and the action it allows.
Session = httpx.Cookies


class DogtagClient:
    """One HTTP(S) connection pool to one Dogtag CA; safe to share between threads.

    Dogtag keeps a review's nonce in the servlet session, per request id, and accepts it
    once, on that session. The pool keeps no cookie: one jar shared by concurrent calls
    holds whichever session Dogtag set last, so a call could post its nonce on another
    call's session. Each review and the action after it carry their own :data:`Session`.
    """

    def __init__(self, settings: DogtagSettings) -> None:
        self.base_url = settings.base_url
        no_cookies = http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
        self._http = httpx.Client(
            base_url=settings.base_url,
            verify=_tls_context(settings),
            timeout=settings.timeout_seconds,
            headers={"Accept": "application/json"},
            cookies=http.cookiejar.CookieJar(policy=no_cookies),
            follow_redirects=False,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # -- enrollment -----------------------------------------------------------------------

    def template(self, profile_id: str) -> dict[str, Any]:
        """The enrollment template (a ``CertEnrollmentRequest``) of a profile."""
        return self._json("GET", f"/ca/rest/certrequests/profiles/{profile_id}")

    def submit(self, request: dict[str, Any], issuer_id: str | None) -> list[dict[str, Any]]:
        """Submit an enrollment; returns the created ``CertRequestInfo`` entries."""
        params = {"issuer-id": issuer_id} if issuer_id else None
        infos = self._json("POST", "/ca/rest/certrequests", json=request, params=params)
        entries = infos.get("entries") if isinstance(infos, dict) else None
        if not isinstance(entries, list) or not entries:
            raise DogtagUnavailableError("Dogtag answered an enrollment without request entries")
        return entries

    def get_request(self, request_id: str) -> dict[str, Any]:
        """A request's ``CertRequestInfo`` (no agent needed)."""
        return self._json("GET", f"/ca/rest/certrequests/{_rid(request_id)}")

    def list_requests(
        self,
        state: str | None,
        *,
        start: int | None = None,
        size: int | None = None,
        max_results: int | None = None,
    ) -> dict[str, Any]:
        """Agent listing of enrollment requests (a ``CertRequestInfos``).

        Dogtag pages (``start`` = lowest request number, ``size`` = page size, ascending
        by number) only for filters that have a VLV index: no ``state``, or ``complete``,
        ``rejected``, ``canceled``. Any other filter (``pending``) is an unpaged search
        that returns at most ``max_results`` requests and ignores ``start`` and ``size``.
        """
        params: dict[str, Any] = {"requestType": "enrollment"}
        if state is not None:
            params["requestState"] = state
        for name, value in (("start", start), ("pageSize", size), ("maxResults", max_results)):
            if value is not None:
                params[name] = value
        return self._json("GET", "/ca/rest/agent/certrequests", params=params)

    def review(self, request_id: str, session: Session | None = None) -> dict[str, Any]:
        """Agent review of a request: the ``CertReviewResponse`` with a fresh nonce, kept
        by Dogtag in ``session`` (a new one if not given)."""
        path = f"/ca/rest/agent/certrequests/{_rid(request_id)}"
        return self._json("GET", path, session=Session() if session is None else session)

    def review_and_act(self, request_id: str, action: str) -> None:
        """Agent action (``approve``, ``reject``, ``cancel``): review, then post the review
        back on the review's session."""
        session = Session()
        review = self.review(request_id, session)
        path = f"/ca/rest/agent/certrequests/{_rid(request_id)}/{action}"
        self._json("POST", path, json=review, session=session)

    def get_cert(self, serial: str) -> dict[str, Any]:
        """A certificate's ``CertData`` (``Encoded`` PEM and ``PKCS7CertChain``)."""
        return self._json("GET", f"/ca/rest/certs/{serial}")

    def review_and_revoke(self, serial: str, request: dict[str, Any]) -> dict[str, Any]:
        """Agent revocation: review the certificate for a ``Nonce``, then post the
        ``CertRevokeRequest`` with it on the same session; returns the request's info."""
        session = Session()
        nonce = self._json("GET", f"/ca/rest/agent/certs/{serial}", session=session).get("Nonce")
        body = {**request, "Nonce": nonce}
        return self._json(
            "POST", f"/ca/rest/agent/certs/{serial}/revoke", json=body, session=session
        )

    # -- lightweight CAs ------------------------------------------------------------------

    def authorities(self) -> list[dict[str, Any]]:
        """Every ``AuthorityData``: the host CA and its lightweight sub-CAs."""
        found = self._json("GET", "/ca/rest/authorities")
        return found if isinstance(found, list) else [found]

    def create_authority(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a lightweight CA from an ``AuthorityData`` (``dn``, ``parentID``, ...)."""
        return self._json("POST", "/ca/rest/authorities", json=data)

    def set_authority_enabled(self, aid: str, enabled: bool) -> None:
        """Enable or disable a lightweight CA."""
        self._json("POST", f"/ca/rest/authorities/{aid}/{'enable' if enabled else 'disable'}")

    def delete_authority(self, aid: str) -> None:
        """Delete a (disabled) lightweight CA."""
        self._json("DELETE", f"/ca/rest/authorities/{aid}")

    def authority_pem(self, aid: str, what: str) -> str:
        """``cert`` (PEM) or ``chain`` (PKCS#7 PEM) of an authority."""
        reply = self._send(
            "GET",
            f"/ca/rest/authorities/{aid}/{what}",
            headers={"Accept": "application/x-pem-file"},
        )
        return reply.text

    # -- plumbing -------------------------------------------------------------------------

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = self._send(method, path, **kwargs)
        if reply.status_code == 204 or not reply.content:
            return None
        try:
            return reply.json()
        except ValueError:
            raise DogtagUnavailableError(f"{method} {path}: Dogtag answered non-JSON") from None

    def _send(
        self, method: str, path: str, session: Session | None = None, **kwargs: Any
    ) -> httpx.Response:
        request = self._http.build_request(method, path, **kwargs)
        if session is not None:
            session.set_cookie_header(request)
        try:
            reply = self._http.send(request)
        except httpx.TimeoutException:
            raise DogtagUnavailableError(f"{method} {path}: Dogtag timed out") from None
        except httpx.TransportError as exc:
            reason = type(exc).__name__
            raise DogtagUnavailableError(
                f"{method} {path}: cannot reach Dogtag ({reason})"
            ) from None
        log.debug("dogtag %s %s -> %s", method, path, reply.status_code)
        if session is not None:
            session.extract_cookies(reply)
        if reply.status_code < 400:
            return reply
        class_name, message = _error_of(reply)
        if reply.status_code >= 500:
            raise DogtagUnavailableError(
                f"{method} {path}: Dogtag answered {reply.status_code}"
                f"{': ' + message if message else ''}"
            )
        raise DogtagAPIError(reply.status_code, class_name, message or reply.reason_phrase)


def _error_of(reply: httpx.Response) -> tuple[str, str]:
    """Dogtag's ``ClassName`` and ``Message``, if the body is a Dogtag error."""
    try:
        body = reply.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("ClassName") or ""), str(body.get("Message") or "")
