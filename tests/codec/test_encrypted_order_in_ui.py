"""The Temporal UI in headless Chromium: with the codec server configured an encrypted
order reads as today (its CSR and its order document); without the codec server its
input and result are the ciphertext that Temporal stores.

Chromium renders the UI's single-page app (`--dump-dom` after the page's requests,
including those to the codec server, have settled); the dev server's UI is told the
codec endpoint with `--ui-codec-endpoint`, as an operator would configure the UI.
"""

from __future__ import annotations

import asyncio
import base64
import html
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from encrypted_orders import encrypted_settings, run_encrypted_order, serving_codec
from temporal_server import start_dev_server

from tests.servers.ports import free_port

BROWSERS = ("chromium-headless-shell", "chromium")


def _browser() -> str:
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    pytest.fail(f"no headless Chromium ({' or '.join(BROWSERS)}): run scripts/setup.sh")


def _page_text(url: str, profile: Path) -> str:
    """The rendered page as text (markup stripped, whitespace squeezed)."""
    dom = subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
         "--virtual-time-budget=20000", "--dump-dom", url],
        capture_output=True, text=True, timeout=90,
    ).stdout  # fmt: skip
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom)))


def _until_shown(url: str, profile: Path, marker: str, timeout: float = 120) -> str:
    """Render until ``marker`` is on the page: the UI loads in steps, under load slowly."""
    deadline = time.monotonic() + timeout
    while True:
        text = _page_text(url, profile)
        if marker in text or time.monotonic() > deadline:
            return text


@pytest.fixture(scope="module")
async def ui_server():
    """A dev server whose UI uses a codec server at a port chosen here."""
    ui_port, codec_port = free_port(), free_port()
    env = await start_dev_server("--ui-codec-endpoint", f"http://127.0.0.1:{codec_port}",
                                 ui_port=ui_port)
    yield env, f"http://127.0.0.1:{ui_port}", codec_port
    await env.shutdown()


async def test_the_ui_reads_an_encrypted_order_only_through_the_codec_server(
        ui_server, tmp_path):
    env, ui_url, codec_port = ui_server
    settings = encrypted_settings(env.client.service_client.config.target_host,
                                  tmp_path / "data")
    order_id = await run_encrypted_order(settings)
    history = await env.client.get_workflow_handle(order_id).fetch_history()
    run_id = history.events[0].workflow_execution_started_event_attributes.original_execution_run_id
    [stored_input] = history.events[0].workflow_execution_started_event_attributes.input.payloads
    ciphertext = base64.b64encode(stored_input.data).decode()[:40]
    page = f"{ui_url}/namespaces/default/workflows/{order_id}/{run_id}/history"

    # No codec server listening: the UI shows what Temporal stores.
    opaque = await asyncio.to_thread(_until_shown, page, tmp_path / "plain", ciphertext)
    assert order_id in opaque and ciphertext in opaque
    assert "BEGIN CERTIFICATE REQUEST" not in opaque and '"ACTIVE"' not in opaque

    with serving_codec(settings, [ui_url], port=codec_port):
        readable = await asyncio.to_thread(_until_shown, page, tmp_path / "codec",
                                           "BEGIN CERTIFICATE REQUEST")
    assert "BEGIN CERTIFICATE REQUEST" in readable and '"status" : "ACTIVE"' in readable
    assert ciphertext not in readable
