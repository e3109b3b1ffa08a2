"""``cert get NAME --out DIR [--key]``: a managed certificate's current files.

The certificate and chain come from the workflow's state (Temporal only). ``--key``
reads the key from the store and decrypts it here, so it works only where the store
and the KEK are configured (a worker's host): the key never travels through Temporal.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from certorder.cli import output
from certorder.cli.errors import UsageError

if TYPE_CHECKING:
    from certorder.settings import Settings
    from certorder.workflows.managed_models import ManagedCertificate

Handler = Callable[[argparse.Namespace, "Settings"], Awaitable[int]]


def get_files(order_get: Handler) -> Handler:
    """``cert get``: a managed certificate's files when ID names one, else the order's."""

    async def get(args: argparse.Namespace, settings: Settings) -> int:
        state = await _managed_state(args.order_id, settings, required=args.key)
        if state is None:
            return await order_get(args, settings)
        return await asyncio.to_thread(_write, state, args, settings)

    return get


async def _managed_state(name: str, settings: Settings, required: bool) -> \
        ManagedCertificate | None:
    from certorder.client import CertOrderClient
    from certorder.client_errors import InvalidInputError, TemporalUnavailableError
    from certorder.client_managed import CertificateNotFoundError, ManagedCertificates

    try:
        async with await CertOrderClient.connect(settings) as client:
            return await ManagedCertificates(client.temporal, settings).state(name)
    except (CertificateNotFoundError, InvalidInputError, TemporalUnavailableError):
        if required:
            raise
        return None  # an order id, or Temporal down: the order path reads the store


def _write(state: ManagedCertificate, args: argparse.Namespace, settings: Settings) -> int:
    current = state.current
    if current is None or not state.certificate:
        raise UsageError(f"certificate {state.name} has not been issued yet")
    out: Path = args.out
    key_pem = _decrypted_key(current.key_id, settings) if args.key else None
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        leaf, chain = _pem(state.certificate), _pem(state.chain)
        paths = {"certificate": out / f"{state.name}.crt",
                 "chain": out / f"{state.name}.chain.crt",
                 "fullchain": out / f"{state.name}.fullchain.crt"}
        _write_file(paths["certificate"], leaf.encode(), 0o644)
        _write_file(paths["chain"], chain.encode(), 0o644)
        _write_file(paths["fullchain"], (leaf + chain).encode(), 0o644)
        if key_pem is not None:
            paths["key"] = out / f"{state.name}.key"
            _write_file(paths["key"], key_pem, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror or exc}") from None
    if args.json:
        output.print_json({"name": state.name, "serial": current.serial,
                           "certificate": leaf, "intermediates": chain,
                           "files": {k: str(v) for k, v in paths.items()}})
    else:
        for path in paths.values():
            print(path)
    return 0


def _decrypted_key(key_id: str, settings: Settings) -> bytes:
    from certorder.keys.envelope import KeyDecryptionError
    from certorder.keys.kek_source import load_kek
    from certorder.store import CertificateStore
    from certorder.store.key_store import KeyStore

    kek = load_kek(settings)  # SettingsError: one line, exit 2
    store = CertificateStore.open(settings.resolved_store_url)
    try:
        return KeyStore(store.engine, kek).private_pem(key_id)
    except KeyError:
        raise UsageError(f"key {key_id} is not in the store at {settings.resolved_store_url}: "
                         "--key works where the workers' store is configured") from None
    except KeyDecryptionError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()


def _pem(text: str | None) -> str:
    text = (text or "").strip()
    return f"{text}\n" if text else ""


def _write_file(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
