"""The status mapping of ACME problems (the ones Pebble cannot be made to send), the
chain split, and the http-01 responder on its own."""

from __future__ import annotations

import httpx
import pytest
import requests
from acme import errors, messages
from servers.ports import free_port

from certorder.plugins.acme.chain import split_chain
from certorder.plugins.acme.errors import result_for_failure
from certorder.plugins.acme.network import AcmeNetwork
from certorder.plugins.acme.responder import Http01Responder
from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.interface.status import CertificateStatus

SETTINGS = AcmeSettings(
    directory_url="https://acme.example.test/dir", poll_retry_msec=700, unavailable_retry_msec=9000
)


def _net_after(status: int, headers: dict[str, str] | None = None) -> AcmeNetwork:
    """A network whose last response had ``status`` and ``headers``."""
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    net = AcmeNetwork(None)
    net.last_response = response
    return net


def test_rate_limited_waits_for_retry_after() -> None:
    problem = messages.Error.with_code("rateLimited", detail="too many new orders recently")
    result = result_for_failure(problem, _net_after(429, {"Retry-After": "120"}), SETTINGS)
    assert result.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert 118_000 <= result.retry_msec <= 120_000
    assert result.status_message == "ACME server busy: rateLimited: too many new orders recently"


def test_server_error_without_retry_after_uses_the_setting() -> None:
    problem = messages.Error.with_code("serverInternal", detail="database down")
    result = result_for_failure(problem, _net_after(500), SETTINGS)
    assert result.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert result.retry_msec == 9000


def test_non_json_5xx_is_unavailable() -> None:
    net = _net_after(503, {"Retry-After": "3"})
    result = result_for_failure(errors.ClientError(net.last_response), net, SETTINGS)
    assert result.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert 1_000 <= result.retry_msec <= 3_000
    assert result.status_message == "ACME server answered HTTP 503"


def test_bad_nonce_after_all_retries_is_retried_later() -> None:
    problem = messages.Error.with_code("badNonce", detail="JWS has an invalid anti-replay nonce")
    result = result_for_failure(problem, _net_after(400), SETTINGS)
    assert result.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert result.retry_msec == 700


def test_other_problems_fail_the_order_with_the_detail() -> None:
    problem = messages.Error.with_code(
        "rejectedIdentifier",
        detail="policy forbids issuing for name",
        identifier=messages.Identifier(typ=messages.IDENTIFIER_FQDN, value="bad.example"),
    )
    result = result_for_failure(problem, _net_after(400), SETTINGS)
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert result.status_message == (
        "ACME server refused: rejectedIdentifier for bad.example: policy forbids issuing for name"
    )


def test_unknown_exceptions_are_left_to_the_core() -> None:
    assert result_for_failure(KeyError("x"), None, SETTINGS) is None


def test_split_chain_keeps_intermediates_and_drops_a_trailing_root(pebble) -> None:
    root, intermediate = pebble.root_pem(), pebble.intermediate_pem()
    assert split_chain(intermediate + root) == (intermediate, None)
    assert split_chain(root + intermediate) == (root, intermediate)
    with pytest.raises(ValueError):
        split_chain("not a chain")


def test_responder_serves_known_tokens_only() -> None:
    port = free_port()
    responder = Http01Responder("127.0.0.1", port)
    try:
        responder.add("tok-1", "tok-1.thumbprint")
        url = f"http://127.0.0.1:{port}/.well-known/acme-challenge/"
        assert httpx.get(url + "tok-1").text == "tok-1.thumbprint"
        assert httpx.get(url + "tok-2").status_code == 404
        assert httpx.get(f"http://127.0.0.1:{port}/other").status_code == 404
        responder.remove("tok-1")
        assert httpx.get(url + "tok-1").status_code == 404
    finally:
        responder.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/")
