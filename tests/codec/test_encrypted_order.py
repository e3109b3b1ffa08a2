"""An order run with payload encryption: its history in Temporal is ciphertext (read with
a plain client, no codec), and the codec server makes it readable again, for an HTTP
client (the UI's protocol, with CORS) and for `temporal workflow show --codec-endpoint`."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import threading
import urllib.request
import uuid
from collections.abc import Sequence

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from temporal_server import temporal_binary
from temporalio.api.common.v1 import Payload, Payloads
from x509_helpers import make_csr, make_key

from certorder.codec import ENCODING, codec_from_settings
from certorder.codec_server import CodecServer
from certorder.settings import Settings
from certorder.temporal_client import connect
from certorder.worker import run_worker
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

NAME = "secret-host.example.test"
UI_ORIGIN = "http://localhost:8233"


def payloads_in(message: Message, *, search_attributes: bool = False) -> list[Payload]:
    """Every Payload anywhere in a protobuf message (a history event, here); search
    attributes only when asked (they are plain by design: statuses and plugin names)."""
    if isinstance(message, Payload):
        return [message]
    found: list[Payload] = []
    for field, value in message.ListFields():
        if field.message_type is None or (
                field.name == "search_attributes" and not search_attributes):
            continue
        if field.message_type.GetOptions().map_entry:
            values = [v for v in value.values() if isinstance(v, Message)]
        elif getattr(field, "is_repeated", None) or isinstance(value, Sequence):
            values = list(value)
        else:
            values = [value]
        for item in values:
            found += payloads_in(item, search_attributes=search_attributes)
    return found


@pytest.fixture
def settings(temporal_env, tmp_path) -> Settings:
    return Settings(
        temporal_address=temporal_env.client.service_client.config.target_host,
        task_queue=f"tq-codec-{uuid.uuid4().hex}", data_dir=tmp_path / "data",
        payload_keys={"2026-12": base64.b64encode(os.urandom(32)).decode()},
    )  # fmt: skip


@pytest.fixture
def codec_server(settings):
    server = CodecServer(codec_from_settings(settings), "127.0.0.1", 0, [UI_ORIGIN])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


async def _run_order(settings: Settings) -> str:
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop=stop))
    try:
        client = await connect(settings)
        handle = await client.start_workflow(
            CertificateOrderWorkflow.run,
            OrderInput(order_meta={"request_type": "simple-cmc", "plugin_name": "local-ca",
                                   "request_data": make_csr(make_key("p256"), [NAME])}),
            id=f"codec-{uuid.uuid4().hex}", task_queue=settings.task_queue)
        document = await asyncio.wait_for(handle.result(), 60)
        assert document.status is OrderStatus.ACTIVE, document
        return handle.id
    finally:
        stop.set()
        await asyncio.wait_for(worker, 60)


def _post(url: str, body: bytes, origin: str = UI_ORIGIN):
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Namespace": "default", "Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return response.headers, response.read()


async def test_history_is_opaque_without_the_codec_and_readable_through_it(
        temporal_env, settings, codec_server):
    order_id = await _run_order(settings)
    plain = temporal_env.client  # the pydantic converter, no codec
    history = await plain.get_workflow_handle(order_id).fetch_history()
    payloads = [p for event in history.events for p in payloads_in(event)]
    assert len(payloads) > 5
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
    order_id = await _run_order(settings)

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
