"""A TLS-terminating proxy on loopback that requires a client certificate, in front of
a plain dev server (``temporal server start-dev`` has no TLS flags): what a Temporal
cluster with mTLS looks like to a client."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulators.common.ca import new_key, pem, private_key_pem


@dataclass(frozen=True)
class MtlsFiles:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(ca_cert, ca_key, cn: str, usage, san=None):
    now = dt.datetime.now(dt.UTC)
    key = new_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn)).issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )  # fmt: skip
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def write_mtls_files(directory: Path) -> MtlsFiles:
    """A CA, a server certificate for localhost/127.0.0.1 and a client certificate."""
    now = dt.datetime.now(dt.UTC)
    ca_key = new_key()
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("certorder test mTLS CA")).issuer_name(_name("certorder test mTLS CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    san = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    server, server_key = _issue(ca, ca_key, "localhost", ExtendedKeyUsageOID.SERVER_AUTH, san)
    client, client_key = _issue(ca, ca_key, "certorder-worker", ExtendedKeyUsageOID.CLIENT_AUTH)
    files = MtlsFiles(*(directory / n for n in (
        "ca.pem", "server.pem", "server.key", "client.pem", "client.key")))
    files.ca.write_text(pem(ca))
    files.server_cert.write_text(pem(server))
    files.server_key.write_bytes(private_key_pem(server_key))
    files.client_cert.write_text(pem(client))
    files.client_key.write_bytes(private_key_pem(client_key))
    return files


class MtlsProxy:
    """127.0.0.1:<port> with TLS + required client certificate → ``upstream`` in clear.

    It runs its own event loop in a thread, so sync and async tests can use it alike.
    ``authenticated`` counts connections that presented a valid client certificate.
    """

    def __init__(self, files: MtlsFiles, upstream: str) -> None:
        host, port = upstream.rsplit(":", 1)
        self._upstream = host, int(port)
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(files.server_cert, files.server_key)
        self._context.load_verify_locations(files.ca)
        self._context.verify_mode = ssl.CERT_REQUIRED
        self._context.set_alpn_protocols(["h2"])  # gRPC
        self.authenticated = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="mtls-proxy")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> MtlsProxy:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("mTLS proxy did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(
            self._serve, "127.0.0.1", 0, ssl=self._context, ssl_handshake_timeout=5))
        self.port = server.sockets[0].getsockname()[1]
        self._started.set()
        self._loop.run_forever()
        server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Only a completed handshake reaches here: CERT_REQUIRED refused the others.
        self.authenticated += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer),
                             return_exceptions=True)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()
