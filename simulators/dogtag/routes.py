"""The endpoints of the simulated Dogtag CA: one function per resource method.

Each takes a :class:`Call` (the parsed HTTP request) and returns a :class:`Reply`, or
raises :class:`~simulators.dogtag.engine.DogtagError` for Dogtag's JSON errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from simulators.dogtag import authorities, listing, revocation, shapes
from simulators.dogtag.crypto import pem
from simulators.dogtag.engine import DogtagError, Engine, bad_request

AGENT_ACTIONS = ("approve", "reject", "cancel", "update", "validate", "assign", "unassign")


@dataclass
class Call:
    """One HTTP request, as the routes need it."""

    method: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    session: str | None
    accept: str
    engine: Engine
    base_url: str
    desk: revocation.RevocationDesk


@dataclass
class Reply:
    """A successful answer: JSON (dict/list), text, bytes, or nothing (204)."""

    status: int = 200
    body: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def info(call: Call) -> Reply:
    return Reply(body={"Version": "11.2.1", "Banner": None})


def list_profiles(call: Call) -> Reply:
    entries = [
        {
            "profileId": p.profile_id,
            "profileName": p.name,
            "profileDescription": p.description,
            "profileURL": f"{call.base_url}/ca/rest/profiles/{p.profile_id}",
        }
        for p in call.engine.profiles.values()
        if p.visible
    ]
    return Reply(body=shapes.collection(entries))


def template(call: Call) -> Reply:
    profile_id = call.params["profile"]
    profile = call.engine.profiles.get(profile_id)
    if profile is None:
        raise bad_request(f"Unable to get enrollment template for {profile_id}: Profile not found")
    return Reply(body=shapes.template_json(profile))


def enroll(call: Call) -> Reply:
    body = call.body
    if not isinstance(body, dict):
        raise bad_request("Unable to create enrollment request: Missing input data")
    aid, adn = call.query.get("issuer-id"), call.query.get("issuer-dn")
    if aid is not None and adn is not None:
        raise bad_request("Cannot provide both issuer ID and issuer DN")
    if adn is not None:
        found = [a for a in call.engine.authorities.values() if a.dn == adn]
        if not found:
            raise DogtagError(404, shapes.NOT_FOUND, f"CA not found: {adn}")
        aid = found[0].aid
    record = call.engine.enroll(body.get("ProfileID"), _input_values(body), aid)
    return Reply(body=shapes.collection([shapes.request_info_json(record, call.base_url)]))


def _input_values(body: dict) -> dict[str, str]:
    """The attribute values of ``Input``, checked the way Jackson maps them."""
    inputs = body.get("Input", [])
    if not isinstance(inputs, list):
        raise bad_request("Unable to create enrollment request: Invalid input data")
    values: dict[str, str] = {}
    for item in inputs:
        attrs = item.get("Attribute", []) if isinstance(item, dict) else None
        if not isinstance(attrs, list):
            raise bad_request("Unable to create enrollment request: Invalid input data")
        for attr in attrs:
            if not isinstance(attr, dict) or not isinstance(attr.get("name"), str):
                raise bad_request("Unable to create enrollment request: Invalid input data")
            value = attr.get("Value")
            if value is not None and not isinstance(value, str):
                raise bad_request("Unable to create enrollment request: Invalid input data")
            if value is not None:
                values[attr["name"]] = value
    return values


def get_request(call: Call) -> Reply:
    record = call.engine.find(call.params["id"])
    call.engine.poll(record)
    return Reply(body=shapes.request_info_json(record, call.base_url))


def agent_list(call: Call) -> Reply:
    return Reply(body=listing.list_requests(call.engine, call.query, call.base_url))


def review(call: Call) -> Reply:
    record = call.engine.find(call.params["id"])
    profile = call.engine.profiles[record.profile_id]
    nonce = call.engine.new_nonce(record, call.session or "")
    return Reply(body=shapes.review_json(record, profile, nonce))


def agent_action(call: Call) -> Reply:
    action = call.params["action"]
    if action not in AGENT_ACTIONS:
        raise DogtagError(404, shapes.NOT_FOUND, f"No resource for action {action}")
    record = call.engine.find(call.params["id"])
    body = call.body
    if not isinstance(body, dict):
        raise bad_request("Unable to change request state: Missing input data")
    call.engine.check_nonce(record, call.session, body.get("nonce"))
    if body.get("requestId") in (None, ""):
        raise bad_request("Bad request data: Request ID not found")
    if str(body["requestId"]).lower() not in (record.hex_id, str(record.number)):
        raise bad_request("Bad request data: Request ID does not match")
    notes = body.get("requestNotes") if isinstance(body.get("requestNotes"), str) else None
    call.engine.act(record, action, notes=notes)
    return Reply(status=204)


def get_cert(call: Call) -> Reply:
    cert, authority = call.engine.cert(call.params["serial"])
    chain = authority.ca.pkcs7_chain_der(cert)
    return Reply(
        body={
            "id": hex(cert.serial_number),
            "IssuerDN": cert.issuer.rfc4514_string(),
            "SubjectDN": cert.subject.rfc4514_string(),
            "PrettyPrint": f"Certificate:\n    Serial Number: {hex(cert.serial_number)}\n",
            "Encoded": pem(cert),
            "PKCS7CertChain": shapes.b64_lines(chain),
            "NotBefore": cert.not_valid_before_utc.strftime("%a %b %d %H:%M:%S UTC %Y"),
            "NotAfter": cert.not_valid_after_utc.strftime("%a %b %d %H:%M:%S UTC %Y"),
            **call.desk.status_fields(cert.serial_number),
            "Link": {
                "rel": "self",
                "href": f"{call.base_url}/ca/rest/certs/{hex(cert.serial_number)}",
            },
        }
    )


def review_cert(call: Call) -> Reply:
    serial, nonce = call.desk.review(call.params["serial"], call.session or "")
    reply = get_cert(call)
    reply.body["Nonce"] = int(nonce)
    return reply


def revoke_cert(call: Call) -> Reply:
    number = call.desk.revoke(call.params["serial"], call.body, call.session)
    return Reply(body=revocation.request_info(number, call.base_url))


def list_authorities(call: Call) -> Reply:
    return Reply(body=[shapes.authority_json(a) for a in call.engine.authorities.values()])


def get_authority(call: Call) -> Reply:
    return Reply(body=shapes.authority_json(authorities.get(call.engine, call.params["aid"])))


def authority_cert(call: Call) -> Reply:
    authority = authorities.get(call.engine, call.params["aid"])
    if "application/pkix-cert" in call.accept:
        der = authority.ca.cert.public_bytes(serialization.Encoding.DER)
        return Reply(body=der, content_type="application/pkix-cert")
    return Reply(body=pem(authority.ca.cert), content_type="application/x-pem-file")


def authority_chain(call: Call) -> Reply:
    authority = authorities.get(call.engine, call.params["aid"])
    certs = [authority.ca.cert, *authority.ca.chain]
    if "application/x-pem-file" in call.accept:
        data = pkcs7.serialize_certificates(certs, serialization.Encoding.PEM)
        return Reply(body=data.decode(), content_type="application/x-pem-file")
    der = pkcs7.serialize_certificates(certs, serialization.Encoding.DER)
    return Reply(body=der, content_type="application/pkcs7-mime")


def create_authority(call: Call) -> Reply:
    return Reply(body=shapes.authority_json(authorities.create(call.engine, call.body)))


def enable_authority(call: Call) -> Reply:
    authority = authorities.set_enabled(call.engine, call.params["aid"], True)
    return Reply(body=shapes.authority_json(authority))


def disable_authority(call: Call) -> Reply:
    authority = authorities.set_enabled(call.engine, call.params["aid"], False)
    return Reply(body=shapes.authority_json(authority))


def delete_authority(call: Call) -> Reply:
    authorities.delete(call.engine, call.params["aid"])
    return Reply(status=204)


Handler = Callable[[Call], Reply]
_SEG = r"[^/]+"

#: ``(method, path pattern, needs an agent certificate, handler)``
ROUTES: list[tuple[str, re.Pattern[str], bool, Handler]] = [
    (m, re.compile(f"^{p}$"), agent, h)
    for m, p, agent, h in [
        ("GET", "/pki/rest/info", False, info),
        ("GET", "/ca/rest/certrequests/profiles", False, list_profiles),
        ("GET", f"/ca/rest/certrequests/profiles/(?P<profile>{_SEG})", False, template),
        ("POST", "/ca/rest/certrequests", False, enroll),
        ("GET", f"/ca/rest/certrequests/(?P<id>{_SEG})", False, get_request),
        ("GET", "/ca/rest/agent/certrequests", True, agent_list),
        ("GET", f"/ca/rest/agent/certrequests/(?P<id>{_SEG})", True, review),
        (
            "POST",
            f"/ca/rest/agent/certrequests/(?P<id>{_SEG})/(?P<action>{_SEG})",
            True,
            agent_action,
        ),
        ("GET", f"/ca/rest/certs/(?P<serial>{_SEG})", False, get_cert),
        ("GET", f"/ca/rest/agent/certs/(?P<serial>{_SEG})", True, review_cert),
        ("POST", f"/ca/rest/agent/certs/(?P<serial>{_SEG})/revoke", True, revoke_cert),
        ("GET", "/ca/rest/authorities", False, list_authorities),
        ("POST", "/ca/rest/authorities", True, create_authority),
        ("GET", f"/ca/rest/authorities/(?P<aid>{_SEG})", False, get_authority),
        ("DELETE", f"/ca/rest/authorities/(?P<aid>{_SEG})", True, delete_authority),
        ("GET", f"/ca/rest/authorities/(?P<aid>{_SEG})/cert", False, authority_cert),
        ("GET", f"/ca/rest/authorities/(?P<aid>{_SEG})/chain", False, authority_chain),
        ("POST", f"/ca/rest/authorities/(?P<aid>{_SEG})/enable", True, enable_authority),
        ("POST", f"/ca/rest/authorities/(?P<aid>{_SEG})/disable", True, disable_authority),
    ]
]
