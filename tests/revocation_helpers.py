"""Revocations in tests: a client for an ``order_worker`` harness, and waiting."""

from __future__ import annotations

import asyncio
from pathlib import Path

from certorder.client import CertOrderClient
from certorder.client_revocation import wait_revocation
from certorder.settings import Settings
from certorder.workflows.revocation_models import RevocationDocument


def revocation_client(orders, data_dir: Path, call_timeout: float = 10) -> CertOrderClient:
    """A client on the harness's task queue and store (it loads no plugins)."""
    settings = Settings(task_queue=orders.task_queue, data_dir=data_dir,
                        store_url=f"sqlite:///{data_dir / 'certorder.db'}",
                        plugin_call_timeout_seconds=call_timeout)
    return CertOrderClient(settings, orders.client)


async def revocation_result(client: CertOrderClient, order_id: str,
                            timeout: float = 30) -> RevocationDocument:
    """The revocation's final document, polling its status within ``timeout``."""
    return await asyncio.wait_for(wait_revocation(client, order_id, poll_seconds=0.1), timeout)
