"""Dogtag lightweight CAs (``/ca/rest/authorities``) as the plugin's sub-CAs.

The host authority is the plugin's default CA and keeps the plugin's name as its id (so
orders that name no CA, and ``ca_id`` values stored before a Dogtag reinstall, still
work); every lightweight CA is known by its Dogtag authority id (a UUID).
"""

from __future__ import annotations

from typing import Any

from cryptography import x509

from certorder.plugins.dogtag.chain import chain_above
from certorder.plugins.dogtag.client import DogtagAPIError, DogtagClient, DogtagUnavailableError
from certorder.plugins.interface.dto import CACreateDTO, CAInfo
from certorder.plugins.interface.errors import CAOperationError, CAUnavailableError, UnknownCAError


def _host(authorities: list[dict[str, Any]]) -> dict[str, Any]:
    for authority in authorities:
        if authority.get("isHostAuthority"):
            return authority
    raise CAOperationError("Dogtag lists no host authority")


def _call(what: str, func, *args):
    try:
        return func(*args)
    except DogtagUnavailableError as exc:
        raise CAOperationError(f"{what}: {exc}") from None
    except DogtagAPIError as exc:
        if exc.status == 404:
            raise UnknownCAError(f"{what}: {exc.message}") from None
        raise CAOperationError(f"{what}: Dogtag refused: {exc.message}") from None


def resolve(client: DogtagClient, default_id: str, ca_id: str | None) -> str:
    """The Dogtag authority id for a plugin CA id (the default id means the host)."""
    if ca_id is None or ca_id == default_id:
        return _host(_call("list Dogtag authorities", client.authorities))["id"]
    return ca_id


def describe(client: DogtagClient, default_id: str, authority: dict[str, Any]) -> CAInfo:
    """A ``CAInfo`` for one ``AuthorityData``, with its certificate and chain."""
    aid = authority["id"]
    cert_pem = _call(f"get certificate of CA {aid}", client.authority_pem, aid, "cert")
    chain_pem = _call(f"get chain of CA {aid}", client.authority_pem, aid, "chain")
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    is_host = bool(authority.get("isHostAuthority"))
    return CAInfo(
        ca_id=default_id if is_host else aid,
        name=default_id if is_host else cert.subject.rfc4514_string(),
        description=authority.get("description") or f"Dogtag authority {authority.get('dn')}",
        ca_signing_certificate=cert_pem,
        intermediates=chain_above(cert_pem, chain_pem),
        expiration=cert.not_valid_after_utc,
        parent_ca_id=None if is_host else authority.get("parentID"),
    )


def list_cas(client: DogtagClient, default_id: str) -> list[CAInfo] | None:
    """Every enabled authority, the host's id reported as the plugin's id; ``None`` when
    this Dogtag has no authorities resource (before 10.3)."""
    try:
        authorities = client.authorities()
    except DogtagUnavailableError as exc:
        raise CAUnavailableError(f"list Dogtag authorities: {exc}") from None
    except DogtagAPIError as exc:
        if exc.status == 404:
            return None
        raise CAOperationError(f"list Dogtag authorities: Dogtag refused: {exc.message}") from None
    host_id = _host(authorities)["id"]
    infos = []
    for authority in authorities:
        if authority.get("enabled") is False:
            continue
        info = describe(client, default_id, authority)
        if info.parent_ca_id == host_id:
            info = info.model_copy(update={"parent_ca_id": default_id})
        infos.append(info)
    return infos


def create(client: DogtagClient, default_id: str, request: CACreateDTO) -> CAInfo:
    """Create a lightweight CA under ``request.parent_ca_id`` (default: the host)."""
    parent = resolve(client, default_id, request.parent_ca_id)
    data = {
        "dn": request.subject_dn or f"CN={request.name}",
        "parentID": parent,
        "description": request.description or request.name,
    }
    created = _call(f"create Dogtag CA {data['dn']!r}", client.create_authority, data)
    info = describe(client, default_id, created)
    if request.parent_ca_id in (None, default_id):
        info = info.model_copy(update={"parent_ca_id": default_id})
    return info


def delete(client: DogtagClient, default_id: str, ca_id: str) -> None:
    """Disable, then delete, a lightweight CA (Dogtag refuses to delete an enabled one)."""
    if ca_id == default_id:
        raise CAOperationError("the Dogtag host CA cannot be deleted")
    _call(f"disable Dogtag CA {ca_id}", client.set_authority_enabled, ca_id, False)
    _call(f"delete Dogtag CA {ca_id}", client.delete_authority, ca_id)
