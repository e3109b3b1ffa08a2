"""Lightweight sub-CAs (``/ca/rest/authorities``), following Dogtag's ``AuthorityService``:
create under a parent, enable/disable, delete only when disabled and childless."""

from __future__ import annotations

import uuid
from typing import Any

from cryptography import x509

from simulators.dogtag import shapes
from simulators.dogtag.engine import Authority, DogtagError, Engine, bad_request


def get(engine: Engine, aid: str) -> Authority:
    """The authority ``aid``, or Dogtag's 404."""
    authority = engine.authorities.get(aid)
    if authority is None:
        raise DogtagError(404, shapes.NOT_FOUND, f'CA "{aid}" not found')
    return authority


def create(engine: Engine, body: Any) -> Authority:
    """``POST /ca/rest/authorities`` with an ``AuthorityData`` body."""
    if not isinstance(body, dict):
        raise bad_request("Bad Request: invalid AuthorityData")
    dn, parent_id = body.get("dn"), body.get("parentID")
    if not isinstance(dn, str) or not dn:
        raise bad_request("Bad Request: Missing DN")
    if not isinstance(parent_id, str) or not parent_id:
        raise bad_request("Bad Request: Missing parent ID")
    try:
        name = x509.Name.from_rfc4514_string(dn)
    except ValueError:
        raise bad_request(f"Bad Request: Invalid DN: {dn}") from None
    with engine.lock:
        parent = engine.authorities.get(parent_id)
        if parent is None:
            raise bad_request(f"Parent CA not found: {parent_id}")
        wanted = name.rfc4514_string()
        if any(existing.dn == wanted for existing in engine.authorities.values()):
            raise DogtagError(409, shapes.CONFLICT, f"Issuer DN already used: {dn}")
        authority = Authority(
            aid=str(uuid.uuid4()),
            dn=wanted,
            ca=parent.ca.sub_ca(dn),
            parent_id=parent.aid,
            description=str(body.get("description") or ""),
        )
        engine.authorities[authority.aid] = authority
        return authority


def set_enabled(engine: Engine, aid: str, enabled: bool) -> Authority:
    """``POST /ca/rest/authorities/{id}/enable`` or ``/disable``."""
    with engine.lock:
        authority = get(engine, aid)
        if authority.is_host and not enabled:
            raise DogtagError(409, shapes.CONFLICT, "Cannot disable the host authority")
        authority.enabled = enabled
        return authority


def delete(engine: Engine, aid: str) -> None:
    """``DELETE /ca/rest/authorities/{id}``: refused for the host CA, an enabled CA, or a
    CA that still has sub-CAs."""
    with engine.lock:
        authority = get(engine, aid)
        if authority.is_host:
            raise DogtagError(409, shapes.CONFLICT, "Cannot delete the host authority")
        if authority.enabled:
            raise DogtagError(409, shapes.CONFLICT, "Cannot delete enabled authority")
        if any(other.parent_id == aid for other in engine.authorities.values()):
            raise DogtagError(409, shapes.CONFLICT, "Cannot delete authority with sub-CAs")
        del engine.authorities[aid]
