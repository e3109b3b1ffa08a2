"""Turning stored CA records into the hierarchy: each CA checked against its parent."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature

from certorder.plugins.local_ca.authority import ROOT_ID, CAMeta, LocalCA
from certorder.plugins.local_ca.records import ca_from_record

log = logging.getLogger(__name__)


def load_ca(record: object, parent: LocalCA | None) -> LocalCA:
    """The CA of ``record``, under ``parent`` (``None``: it is the root).

    :raises ValueError: not a CA record, or not signed by ``parent``.
    """
    meta, cert = ca_from_record(record)
    if parent is None:
        return LocalCA(meta=meta, cert=cert, chain=())
    try:
        cert.verify_directly_issued_by(parent.cert)
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise ValueError(f"not issued by its parent {parent.ca_id!r} ({exc!r})") from None
    return LocalCA(meta=meta, cert=cert, chain=(cert, *parent.chain))


def link_sub_cas(
    records: Mapping[str, object], known: Mapping[str, LocalCA]
) -> dict[str, LocalCA]:
    """The sub-CAs of ``records`` (by id) that hang from ``known`` CAs or from each
    other; unusable ones and orphans are skipped with a warning."""
    pending: dict[str, object] = {}
    parents: dict[str, str] = {}
    for ca_id, record in records.items():
        try:
            parents[ca_id] = CAMeta.from_dict(record).parent_ca_id or ROOT_ID
        except ValueError as exc:
            log.warning("skipping local sub-CA %s: %s", ca_id, exc)
            continue
        pending[ca_id] = record
    loaded: dict[str, LocalCA] = {}
    # Parents before children: repeat until a pass loads nothing new.
    progress = True
    while pending and progress:
        progress = False
        for ca_id, record in list(pending.items()):
            parent = loaded.get(parents[ca_id]) or known.get(parents[ca_id])
            if parent is None:
                continue
            del pending[ca_id]
            progress = True
            try:
                loaded[ca_id] = load_ca(record, parent=parent)
            except ValueError as exc:
                log.warning("skipping local sub-CA %s: %s", ca_id, exc)
    for ca_id in pending:
        log.warning("skipping local sub-CA %s: its parent CA is missing", ca_id)
    return loaded
