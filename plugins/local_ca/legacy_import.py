"""Importing the CAs of the old data_dir layout (``files``) into the shared state, once.

A worker upgraded from a version that kept its CAs in its data_dir must go on issuing
from its root. At start-up, when the data_dir holds a root (or sub-CAs of a configured
root) that the shared state has not imported yet, the root, the sub-CAs and their
revocations are offered with ``create``: whatever is stored already stays. If another
worker's root is in the shared state, this data_dir's root is not used (a warning
says so). The files are left as they were; once imported they are no longer read.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from certorder.plugins.interface.shared_state import SharedState
from certorder.plugins.local_ca.authority import ROOT_ID, LocalCA
from certorder.plugins.local_ca.files import CADirectory
from certorder.plugins.local_ca.keys import load_private_key
from certorder.plugins.local_ca.records import (
    ca_from_record,
    ca_key,
    ca_record,
    crl_key,
    imported_key,
    revoked_prefix,
)

log = logging.getLogger(__name__)


def import_data_dir(
    state: SharedState, data_dir: Path, passphrase: str | None,
    configured_root: LocalCA | None = None,
) -> bool:
    """Import ``data_dir``'s CAs unless done before; whether anything was imported.

    :raises PluginConfigurationError: a key on disk cannot be read with ``passphrase``
        (as when the files were used directly).
    """
    disk = CADirectory(data_dir)
    ids = [ca_id for ca_id in disk.ids() if configured_root is None or ca_id != ROOT_ID]
    if not ids or (configured_root is None and ROOT_ID not in ids):
        return False
    if configured_root is not None:
        root_cert = configured_root.cert
    else:
        try:
            meta, root_cert, key_path = disk.read(ROOT_ID)
        except ValueError as exc:
            log.warning("not importing the local CAs of %s: %s", data_dir, exc)
            return False
    marker = imported_key(root_cert)
    if state.get(marker) is not None:
        return False
    if configured_root is None:
        stored = state.create(ca_key(ROOT_ID), ca_record(meta, root_cert),
                              secret=_key_pem(key_path, passphrase))
        if ca_from_record(stored)[1] != root_cert:
            log.warning("the local root CA in %s is not the shared one; it is not used",
                        disk.path(ROOT_ID))
            return False
    for ca_id in ids:
        if ca_id != ROOT_ID:
            try:
                meta, cert, key_path = disk.read(ca_id)
            except ValueError as exc:
                log.warning("not importing local sub-CA %s: %s", ca_id, exc)
                continue
            state.create(ca_key(ca_id), ca_record(meta, cert),
                         secret=_key_pem(key_path, passphrase))
    for ca_id in {ROOT_ID, *ids}:
        _import_revocations(state, disk, ca_id)
    state.create(marker, {"data_dir": str(data_dir),
                          "imported_at": dt.datetime.now(dt.UTC).isoformat()})
    log.info("imported the local CAs of %s into the shared state (%d CAs)", data_dir,
             len(ids) + (configured_root is not None))
    return True


def _key_pem(path: Path, passphrase: str | None) -> bytes:
    load_private_key(path, passphrase)  # a wrong passphrase stops here, as it always did
    return path.read_bytes()


def _import_revocations(state: SharedState, disk: CADirectory, ca_id: str) -> None:
    old = disk.revocations(ca_id)
    for serial, entry in sorted(old["revoked"].items()):
        state.create(f"{revoked_prefix(ca_id)}{serial}", dict(entry))
    if old["crl_number"]:
        # Keeps CRL numbers growing past those already published.
        state.create(crl_key(ca_id, old["crl_number"]), {"crl": old["crl"] or ""})
