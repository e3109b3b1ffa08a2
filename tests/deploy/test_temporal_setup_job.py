"""docker/temporal/setup.sh `namespace`, the compose job that prepares a fresh cluster,
run for real: the same `temporal` CLI as in the admin-tools image, against a dev server
that has neither the namespace nor the search attributes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest_asyncio
from temporal_server import temporal_binary
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from certorder.workflows import search_attributes

SCRIPT = Path(__file__).parents[2] / "docker" / "temporal" / "setup.sh"
NAMESPACE = "certorder-prod"


@pytest_asyncio.fixture
async def bare_server():
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_binary())
    yield env
    await env.shutdown()


def _run_job(address: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    env.update(TEMPORAL_ADDRESS=address, NAMESPACE=NAMESPACE, RETENTION="720h",
               PATH=f"{Path(temporal_binary()).parent}{os.pathsep}{env['PATH']}")
    return subprocess.run(["sh", str(SCRIPT), "namespace"], env=env, capture_output=True,
                          text=True, timeout=180)


async def test_the_job_creates_namespace_and_attributes_and_can_run_again(bare_server):
    address = bare_server.client.service_client.config.target_host
    first = _run_job(address)
    assert first.returncode == 0, first.stdout + first.stderr
    listed = await bare_server.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=NAMESPACE))
    registered = {name: value for name, value in listed.custom_attributes.items()}
    for key in search_attributes.ALL:
        assert registered.get(key.name) == key.indexed_value_type, key.name

    again = _run_job(address)  # every `docker compose up` runs it
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("exists") == len(search_attributes.ALL)
