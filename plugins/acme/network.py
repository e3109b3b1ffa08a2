"""One ACME conversation: the ``acme`` library's client, made safe for our way of polling.

A fresh :class:`AcmeSession` is built for every plugin call, so concurrent orders
never share the library's nonce pool or its ``account`` attribute. Every request is
a single step; nothing here sleeps, because waiting is the core's job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import josepy as jose
import requests
from acme import challenges, client, messages

#: Pebble rejects 5 % of nonces on purpose and the library retries a ``badNonce`` once,
#: so two rejections in a row end a call unless we retry a few more times ourselves.
BAD_NONCE = "badNonce"


class AcmeNetwork(client.ClientNetwork):
    """``ClientNetwork`` that retries ``badNonce`` several times and remembers the
    last HTTP response, whose ``Retry-After`` the library does not pass on."""

    def __init__(self, *args: Any, nonce_retries: int = 4, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nonce_retries = nonce_retries
        self.last_response: requests.Response | None = None
        self.session.hooks["response"].append(self._remember)

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_response = response

    def post(self, *args: Any, **kwargs: Any) -> requests.Response:
        """POST a JWS, retrying a rejected nonce up to ``nonce_retries`` times."""
        for attempt in range(self.nonce_retries):
            try:
                return super().post(*args, **kwargs)
            except messages.Error as error:
                if error.code != BAD_NONCE or attempt == self.nonce_retries - 1:
                    raise
        raise AssertionError("unreachable")

    def retry_after_seconds(self) -> float | None:
        """Seconds the server asked us to wait in its last response, if it did."""
        if self.last_response is None:
            return None
        value = self.last_response.headers.get("Retry-After")
        if not value:
            return None
        moment = client.ClientV2.retry_after(self.last_response, default=0)
        return max(0.0, (moment - dt.datetime.now()).total_seconds())

    def last_status_code(self) -> int | None:
        """HTTP status of the last response, if any."""
        return None if self.last_response is None else self.last_response.status_code


class AcmeSession:
    """The single-step ACME requests the order driver needs, on one account."""

    def __init__(self, acme: client.ClientV2, account_key: jose.JWK) -> None:
        self.acme = acme
        self.account_key = account_key

    @property
    def net(self) -> AcmeNetwork:
        """The network object, for ``Retry-After`` and status codes."""
        assert isinstance(self.acme.net, AcmeNetwork)
        return self.acme.net

    def _post_as_get(self, url: str) -> requests.Response:
        # RFC 8555 §6.3: resources are fetched with a signed POST of an empty payload.
        return self.net.post(url, None, new_nonce_url=self.acme.directory["newNonce"])

    def new_order(self, csr_pem: bytes) -> messages.OrderResource:
        """Create an order for the CSR's names; the authorizations come fetched."""
        return self.acme.new_order(csr_pem)

    def order(self, url: str) -> messages.Order:
        """The order's current body."""
        return messages.Order.from_json(self._post_as_get(url).json())

    def authorization(self, url: str) -> messages.AuthorizationResource:
        """An authorization's current state."""
        body = messages.Authorization.from_json(self._post_as_get(url).json())
        return messages.AuthorizationResource(body=body, uri=url)

    def answer(self, challb: messages.ChallengeBody) -> None:
        """Tell the CA the challenge response is in place (RFC 8555 §7.5.1)."""
        chall = challb.chall
        assert isinstance(chall, challenges.KeyAuthorizationChallenge)
        self.acme.answer_challenge(challb, chall.response(self.account_key))

    def finalize(self, order_url: str, order: messages.Order, csr_pem: bytes) -> messages.Order:
        """Send the CSR to the order's finalize URL; returns the order as it stands."""
        orderr = messages.OrderResource(uri=order_url, body=order, csr_pem=csr_pem)
        return self.acme.begin_finalization(orderr).body

    def certificate(self, url: str) -> str:
        """Download the issued chain (``application/pem-certificate-chain``)."""
        return self._post_as_get(url).text

    def deactivate(self, url: str) -> messages.Authorization:
        """Deactivate a pending authorization (RFC 8555 §7.5.2)."""
        authzr = messages.AuthorizationResource(body=messages.Authorization(), uri=url)
        return self.acme.deactivate_authorization(authzr).body
