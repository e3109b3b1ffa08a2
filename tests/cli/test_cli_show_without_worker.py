"""`order show` on a running order with no worker: the recorded status, and a warning."""

from __future__ import annotations

import json
import uuid

from x509_helpers import make_csr, make_key


def test_show_falls_back_to_the_recorded_status(run_cli, cli_env, temporal_env, monkeypatch):
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS",
                       temporal_env.client.service_client.config.target_host)
    monkeypatch.setenv("CERTORDER_TASK_QUEUE", f"tq-nobody-{uuid.uuid4().hex}")
    (cli_env.parent / "www.csr").write_text(make_csr(make_key("p256"), ["www.example.test"]))
    submitted = run_cli("order", "submit", "--csr", "www.csr", "--order-id", "no-worker-1",
                        "--plugin", "local-ca")
    assert submitted.code == 0, submitted.err
    # Started all the same (a worker will check it), and the user is told.
    assert "no worker polls task queue" in submitted.err

    shown = run_cli("order", "show", "no-worker-1", "--json")
    assert shown.code == 0, shown.err
    document = json.loads(shown.out)
    assert (document["status"], document["plugin_name"]) == ("PENDING", "local-ca")
    assert "no worker answered" in shown.err and "last recorded" in shown.err
