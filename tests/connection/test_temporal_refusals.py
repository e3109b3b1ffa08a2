"""How the core's connection errors become one actionable line: the raw texts below are
what temporalio 1.35 reported in tests/connection/test_temporal_mtls.py (a TLS 1.3
server that requires a client certificate closes the stream, and how the client sees
that depends on timing)."""

from __future__ import annotations

import pytest
from temporalio.service import TLSConfig

from certorder.temporal_client import refusal_reason

_AFTER = "Failed client connect: `get_system_info` call error after connection: "
CLOSED = [
    _AFTER + 'Status { code: Cancelled, message: "operation was canceled", source: Some('
    'tonic::transport::Error(Transport, hyper::Error(Canceled, "connection closed"))) }',
    _AFTER + 'Status { code: Unknown, message: "transport error", source: Some(tonic::'
    'transport::Error(Transport, hyper::Error(Io, Custom { kind: BrokenPipe, error: "stream '
    'closed because of a broken pipe" }))) }',
    _AFTER + 'Status { code: Unknown, message: "transport error", source: Some(tonic::'
    'transport::Error(Transport, hyper::Error(Io, Custom { kind: UnexpectedEof, error: "peer '
    'closed connection without sending TLS close_notify" }))) }',
]
REFUSED = ('Failed client connect: Server connection error: tonic::transport::Error(Transport,'
           ' ConnectError(ConnectError("tcp connect error", 127.0.0.1:1, Os { code: 111, kind:'
           ' ConnectionRefused, message: "Connection refused" })))')
UNTRUSTED = ("Failed client connect: Server connection error: tonic::transport::Error(Transport"
             ", ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer)"
             " }))")
TLS_WITHOUT_CERT = TLSConfig(server_root_ca_cert=b"CA")


@pytest.mark.parametrize("text", CLOSED)
def test_a_closed_tls_stream_without_a_client_certificate_names_the_certificate(text):
    reason = refusal_reason(RuntimeError(text), {"tls": TLS_WITHOUT_CERT})
    assert reason is not None and "requires a client certificate" in reason


def test_a_closed_stream_without_tls_asks_whether_the_server_expects_tls():
    reason = refusal_reason(RuntimeError(CLOSED[1]), {})
    assert reason is not None and "TEMPORAL_TLS=true" in reason


def test_an_untrusted_server_certificate_names_the_ca_setting():
    reason = refusal_reason(RuntimeError(UNTRUSTED), {"tls": True})
    assert reason is not None and "(UnknownIssuer):" in reason
    assert "TEMPORAL_TLS_SERVER_CA_CERT_PATH" in reason


def test_refused_credentials_name_the_api_key():
    # The shape of a gRPC status from the frontend (constructed, not captured here: the
    # dev server checks no API key).
    text = _AFTER + 'Status { code: Unauthenticated, message: "Request unauthorized." }'
    reason = refusal_reason(RuntimeError(text), {"api_key": "k", "tls": True})
    assert reason == ("the server refused this client's credentials (Request unauthorized.):"
                      " check TEMPORAL_API_KEY")


def test_nothing_listening_is_not_a_refusal():
    assert refusal_reason(RuntimeError(REFUSED), {"tls": TLS_WITHOUT_CERT}) is None
