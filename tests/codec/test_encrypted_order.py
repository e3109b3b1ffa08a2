"""An order run with payload encryption: its history in Temporal is ciphertext (read with
a plain client, no codec), and the codec server makes it readable again, for an HTTP
client (the UI's protocol, with CORS) and for `temporal workflow show --codec-endpoint`."""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import urllib.request

import pytest
from encrypted_orders import (
    NAME,
    encrypted_settings,
    payloads_in,
    run_encrypted_order,
    serving_codec,
)
from google.protobuf import json_format
from temporal_server import temporal_binary
from temporalio.api.common.v1 import Payloads

from certorder.codec import ENCODING
from certorder.settings import Settings

UI_ORIGIN = "http://localhost:8233"


@pytest.fixture
def settings(temporal_env, tmp_path) -> Settings:
    return encrypted_settings(temporal_env.client.service_client.config.target_host,
                              tmp_path / "data")


@pytest.fixture
def codec_server(settings):
    with serving_codec(settings, [UI_ORIGIN]) as url:
        yield url


def _post(url: str, body: bytes, origin: str = UI_ORIGIN):
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Namespace": "default", "Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return response.headers, response.read()


async def test_history_is_opaque_without_the_codec_and_readable_through_it(
        temporal_env, settings, codec_server):
    order_id = await run_encrypted_order(settings)
    plain = temporal_env.client  # the pydantic converter, no codec
    history = await plain.get_workflow_handle(order_id).fetch_history()
    # Patch markers (workflow.patched) hold only the patch's id, written by the SDK's
    # core without the codec: nothing of the order is in them.
    patches = [e for e in history.events if e.marker_recorded_event_attributes.marker_name
               == "core_patch"]
    assert all(b'"id":' in p.data for e in patches for p in payloads_in(e))
    # So do a local activity marker's "data" detail (its sequence number, activity
    # type, attempt, times); the marker's "result" goes through the codec.
    bookkeeping = [e.marker_recorded_event_attributes.details["data"]
                   for e in history.events
                   if e.marker_recorded_event_attributes.marker_name == "core_local_activity"]
    assert all(b'"activity_type":' in p.data for data in bookkeeping for p in data.payloads)
    core_own = [p for data in bookkeeping for p in data.payloads]
    payloads = [p for event in history.events if event not in patches
                for p in payloads_in(event) if p not in core_own]
    # At least the order's input, its verdict, its first step's result (which issued
    # and stored the certificate) and the order document it ended with.
    assert len(payloads) >= 4
    assert {p.metadata["encoding"] for p in payloads} == {ENCODING}
    everything = [p for event in history.events
                  for p in payloads_in(event, search_attributes=True)]
    assert not [p for p in everything if NAME.encode() in p.data or b"BEGIN" in p.data]

    order_input = history.events[0].workflow_execution_started_event_attributes.input
    headers, body = _post(f"{codec_server}/decode",
                          json_format.MessageToJson(order_input).encode())
    assert headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    [decoded] = json_format.Parse(body, Payloads()).payloads
    assert decoded.metadata["encoding"] == b"json/plain"
    request = json.loads(decoded.data)["order_meta"]["request_data"]
    assert "BEGIN CERTIFICATE REQUEST" in request


def test_cors_preflight_answers_the_ui_origin_only(codec_server):
    def preflight(origin: str):
        request = urllib.request.Request(f"{codec_server}/decode", method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers

    status, headers = preflight(UI_ORIGIN)
    assert status == 204 and headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    assert "x-namespace" in headers["Access-Control-Allow-Headers"].lower()
    status, headers = preflight("http://evil.example.test")
    assert "Access-Control-Allow-Origin" not in headers


async def test_temporal_workflow_show_reads_the_order_through_the_codec_server(
        temporal_env, settings, codec_server):
    order_id = await run_encrypted_order(settings)

    def order_input(*extra: str) -> tuple[bytes, bytes]:
        shown = json.loads(subprocess.run(
            [temporal_binary(), "workflow", "show", "--workflow-id", order_id, "--address",
             settings.temporal_address, "--output", "json", *extra],
            capture_output=True, text=True, check=True, timeout=60,
            env={k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")},
        ).stdout)  # fmt: skip
        attributes = shown["events"][0]["workflowExecutionStartedEventAttributes"]
        [payload] = attributes["input"]["payloads"]
        return (base64.b64decode(payload["metadata"]["encoding"]),
                base64.b64decode(payload["data"]))

    encoding, data = order_input()
    assert encoding == ENCODING and b"BEGIN CERTIFICATE REQUEST" not in data
    encoding, data = order_input("--codec-endpoint", codec_server)
    assert encoding == b"json/plain"
    assert "BEGIN CERTIFICATE REQUEST" in json.loads(data)["order_meta"]["request_data"]


def test_the_ui_s_query_string_and_kept_alive_connections_are_served(codec_server):
    # The UI posts to /decode?preserveStorageRefs=true, several requests per connection.
    connection = http.client.HTTPConnection(codec_server.removeprefix("http://"), timeout=10)
    body = json_format.MessageToJson(Payloads()).encode() or b"{}"
    headers = {"Content-Type": "application/json", "Origin": UI_ORIGIN}
    try:
        for path, status in (("/nowhere", 404), ("/decode?preserveStorageRefs=true", 200),
                             ("/encode?preserveStorageRefs=true", 200)):
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == status, (path, response.status)
            assert response.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    finally:
        connection.close()
