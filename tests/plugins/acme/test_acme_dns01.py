"""dns-01 through the hook command, validated by Pebble against challtestsrv's DNS."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from acme_driving import drive, order_meta_for, unique_name
from x509_helpers import verify_server_chain

from certorder.plugins.interface.status import CertificateStatus

HOOK = """
import json, os, sys, urllib.request
log, management, action, name, value = sys.argv[1:6]
with open(log, "a") as out:
    out.write(json.dumps({"argv": [action, name, value],
                          "env": [os.environ["CERTORDER_ACME_ACTION"],
                                  os.environ["CERTORDER_ACME_RECORD_NAME"],
                                  os.environ["CERTORDER_ACME_RECORD_VALUE"],
                                  os.environ["CERTORDER_ACME_DOMAIN"]]}) + "\\n")
if os.environ["CERTORDER_ACME_DOMAIN"].startswith("broken-"):
    sys.exit("no such zone: " + os.environ["CERTORDER_ACME_DOMAIN"])
path = "/set-txt" if action == "present" else "/clear-txt"
body = {"host": name + ".", "value": value} if action == "present" else {"host": name + "."}
request = urllib.request.Request(management + path, data=json.dumps(body).encode(),
                                 method="POST")
urllib.request.urlopen(request, timeout=5).read()
"""


def _hook(tmp_path: Path, pebble) -> tuple[str, Path]:
    script = tmp_path / "dns_hook.py"
    script.write_text(HOOK)
    log = tmp_path / "hook.log"
    management = f"http://127.0.0.1:{pebble.dns_management_port}"
    command = shlex.join([sys.executable, str(script), str(log), management])
    return command, log


def test_dns01_hook_gets_a_wildcard_validated(pebble, make_acme_plugin, tmp_path: Path) -> None:
    command, log = _hook(tmp_path, pebble)
    plugin = make_acme_plugin(pebble, challenge_type="dns-01", dns_hook=command)
    base = unique_name()

    order = drive(plugin, order_meta_for(base, f"*.{base}"))

    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    root = pebble.root_pem()
    for name in (base, f"leaf.{base}"):
        verify_server_chain(order.result.certificate, order.result.intermediates, root, name)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    actions = sorted(call["argv"][0] for call in calls)
    # One authorization per identifier (the wildcard's is for the base name too).
    assert actions == ["cleanup", "cleanup", "present", "present"]
    for call in calls:
        action, name, value = call["argv"]
        assert name == f"_acme-challenge.{base}"
        assert len(value) == 43  # base64url SHA-256 of the key authorization
        assert call["env"] == [action, name, value, base]


def test_failing_dns01_hook_fails_the_order_with_its_message(
    pebble, make_acme_plugin, tmp_path: Path
) -> None:
    command, _ = _hook(tmp_path, pebble)
    plugin = make_acme_plugin(pebble, challenge_type="dns-01", dns_hook=command)
    name = unique_name("broken")

    order = drive(plugin, order_meta_for(name))

    assert order.result.status is CertificateStatus.INVALID_OPERATION
    assert order.result.status_message == (
        f"dns-01 hook present for _acme-challenge.{name} exited with 1: no such zone: {name}"
    )
