"""Shared by the encryption tests: an encrypted order run by a real worker, a codec
server in a thread, and every payload of a history event."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from x509_helpers import make_csr, make_key

from certorder.codec import codec_from_settings
from certorder.codec_server import CodecServer
from certorder.keys.envelope import new_kek_text
from certorder.settings import Settings
from certorder.temporal_client import connect
from certorder.worker import run_worker
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

NAME = "secret-host.example.test"


def encrypted_settings(address: str, data_dir: Path) -> Settings:
    """Settings of a worker and client on their own task queue, with a fresh key."""
    return Settings(
        temporal_address=address, task_queue=f"tq-codec-{uuid.uuid4().hex}",
        data_dir=data_dir, payload_keys={"2026-12": base64.b64encode(os.urandom(32)).decode()},
        kek=new_kek_text(),
    )  # fmt: skip


@contextlib.contextmanager
def serving_codec(settings: Settings, origins: Sequence[str], port: int = 0) -> Iterator[str]:
    """A codec server for ``settings``' keys on loopback (by default on a free port);
    yields its URL."""
    server = CodecServer(codec_from_settings(settings), "127.0.0.1", port, origins)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


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


async def run_encrypted_order(settings: Settings) -> str:
    """A local-ca order through a worker and client with ``settings``' codec; its id."""
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
