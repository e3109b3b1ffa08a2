"""Debian's ``pebble`` (a test ACME CA) with ``pebble-challtestsrv`` as its DNS server.

The fake DNS answers every A query with 127.0.0.1, so Pebble's validation authority
fetches ``http://<any name>:<http_port>/.well-known/acme-challenge/<token>`` from
127.0.0.1, where the plugin under test runs its http-01 responder. The challtestsrv
management API sets TXT records for dns-01.

Pebble keeps everything in memory and makes a new root at every start: a restart
forgets accounts and orders, and :meth:`PebbleServer.root_pem` must be asked again.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from servers.ports import free_port, free_udp_port, wait_listening
from servers.processes import spawn, stop_process
from servers.tls import write_listener_tls

PEBBLE = shutil.which("pebble")
CHALLTESTSRV = shutil.which("pebble-challtestsrv")


@dataclass
class PebbleServer:
    """One Pebble CA; ``env`` adds ``PEBBLE_*`` variables (nonce rejection stays default)."""

    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    eab_keys: dict[str, str] | None = None
    port: int = field(default_factory=free_port)
    management_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    tls_port: int = field(default_factory=free_port)
    dns_port: int = field(default_factory=free_udp_port)
    dns_management_port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ca_bundle, cert, key = write_listener_tls(self.workdir)
        config = {
            "listenAddress": f"127.0.0.1:{self.port}",
            "managementListenAddress": f"127.0.0.1:{self.management_port}",
            "certificate": str(cert),
            "privateKey": str(key),
            "httpPort": self.http_port,
            "tlsPort": self.tls_port,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": self.eab_keys is not None,
        }
        if self.eab_keys is not None:
            config["externalAccountMACKeys"] = self.eab_keys
        self.config = self.workdir / "pebble-config.json"
        self.config.write_text(json.dumps({"pebble": config}))
        self._pebble: subprocess.Popen | None = None
        self._dns: subprocess.Popen | None = None

    @property
    def directory_url(self) -> str:
        """The ACME directory URL."""
        return f"https://127.0.0.1:{self.port}/dir"

    def start(self) -> None:
        """Start the fake DNS (once) and Pebble; return when both listen."""
        assert PEBBLE and CHALLTESTSRV, "pebble is not installed"
        if self._dns is None:
            self._dns = spawn(
                [
                    CHALLTESTSRV,
                    "-dns01",
                    f"127.0.0.1:{self.dns_port}",
                    "-http01",
                    "",
                    "-https01",
                    "",
                    "-tlsalpn01",
                    "",
                    "-management",
                    f"127.0.0.1:{self.dns_management_port}",
                    "-defaultIPv4",
                    "127.0.0.1",
                    "-defaultIPv6",
                    "",
                ],
                self.workdir,
                "challtestsrv.log",
            )
            wait_listening(self.dns_management_port)
        env = {"PEBBLE_VA_NOSLEEP": "1", **self.env}
        self._pebble = spawn(
            [PEBBLE, "-config", str(self.config), "-dnsserver", f"127.0.0.1:{self.dns_port}"],
            self.workdir,
            "pebble.log",
            env,
        )
        wait_listening(self.port)
        wait_listening(self.management_port)

    def stop_pebble(self) -> None:
        """Stop Pebble only (the CA goes away; the fake DNS stays)."""
        stop_process(self._pebble)
        self._pebble = None

    def stop(self) -> None:
        """Stop everything."""
        self.stop_pebble()
        stop_process(self._dns)
        self._dns = None

    def root_pem(self) -> str:
        """The current issuing root, from the management interface."""
        return self._management("roots/0")

    def intermediate_pem(self) -> str:
        """The current issuing intermediate, from the management interface."""
        return self._management("intermediates/0")

    def cert_status(self, serial: int) -> dict:
        """Pebble's own view of a certificate (``Status``, ``Reason``, ``RevokedAt``...)."""
        return json.loads(self._management(f"cert-status-by-serial/{serial:x}"))

    def _management(self, path: str) -> str:
        url = f"https://127.0.0.1:{self.management_port}/{path}"
        context = ssl.create_default_context(cafile=str(self.ca_bundle))
        return httpx.get(url, verify=context, timeout=5).text

    def set_txt(self, host: str, value: str) -> None:
        """Publish a TXT record in the fake DNS (``host`` with a trailing dot)."""
        url = f"http://127.0.0.1:{self.dns_management_port}/set-txt"
        httpx.post(url, json={"host": host, "value": value}, timeout=5).raise_for_status()
