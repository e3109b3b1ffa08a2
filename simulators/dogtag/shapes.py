"""The JSON Dogtag's CA REST API (v1, ``/ca/rest``) speaks, built from the Java ``certsrv``
classes (Jackson names) and checked against what the ``dogtag-pki`` client reads.

The client is picky in ways a simulator must honour: every ``Input`` needs both
``Attribute`` and ``ConfigAttribute``, every ``Output`` needs ``attributes``, a review
needs ``ProfilePolicySet`` with ``policies``, collections need ``entries``, and errors need
``ClassName``, ``Code``, ``Message`` and ``Attributes.Attribute``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

#: The Java exception classes whose names the python client maps to its exceptions.
BAD_REQUEST = "com.netscape.certsrv.base.BadRequestException"
CONFLICT = "com.netscape.certsrv.base.ConflictingOperationException"
FORBIDDEN = "com.netscape.certsrv.base.ForbiddenException"
UNAUTHORIZED = "com.netscape.certsrv.base.UnauthorizedException"
NOT_FOUND = "com.netscape.certsrv.base.ResourceNotFoundException"
REQUEST_NOT_FOUND = "com.netscape.certsrv.request.RequestNotFoundException"
CERT_NOT_FOUND = "com.netscape.certsrv.cert.CertNotFoundException"
PKI_EXCEPTION = "com.netscape.certsrv.base.PKIException"
UNAVAILABLE = "com.netscape.certsrv.base.ServiceUnavailableException"


def error_body(class_name: str, code: int, message: str) -> dict[str, Any]:
    """A ``PKIException.Data`` body, as Dogtag sends for every REST error."""
    return {
        "Attributes": {"Attribute": []},
        "ClassName": class_name,
        "Code": code,
        "Message": message,
    }


@dataclass(frozen=True)
class ProfileInputDef:
    """One input of a profile: its id, class, display name and attribute names."""

    input_id: str
    class_id: str
    name: str
    attributes: tuple[tuple[str, str], ...]


CERT_REQ_INPUT = ProfileInputDef(
    "i1",
    "certReqInputImpl",
    "Certificate Request Input",
    (("cert_request_type", "Certificate Request Type"), ("cert_request", "Certificate Request")),
)
SUBMITTER_INPUT = ProfileInputDef(
    "i2",
    "submitterInfoInputImpl",
    "Requestor Information",
    (
        ("requestor_name", "Requestor Name"),
        ("requestor_email", "Requestor Email"),
        ("requestor_phone", "Requestor Phone"),
    ),
)


@dataclass
class Profile:
    """An enrollment profile. ``auto_issue`` stands for a profile with an authenticator
    (no agent needed); Dogtag's own caServerCert has none, so it waits for an agent."""

    profile_id: str
    name: str
    description: str
    policy_set: str = "serverCertSet"
    inputs: tuple[ProfileInputDef, ...] = (CERT_REQ_INPUT, SUBMITTER_INPUT)
    auto_issue: bool = False
    enabled: bool = True
    visible: bool = True


def default_profiles() -> dict[str, Profile]:
    """The profiles of a fresh simulator (a subset of Dogtag's stock ``ca/shared/profiles``)."""
    return {
        "caServerCert": Profile(
            "caServerCert",
            "Manual Server Certificate Enrollment",
            "This certificate profile is for enrolling server certificates.",
        ),
        "caOtherCert": Profile(
            "caOtherCert",
            "Other Certificate Enrollment",
            "This profile is for enrolling other certificates.",
            policy_set="otherCertSet",
        ),
    }


def input_json(definition: ProfileInputDef, values: dict[str, str] | None) -> dict[str, Any]:
    """A ``ProfileInput`` with its attributes (values ``""`` in a template)."""
    attributes = []
    for attr_name, description in definition.attributes:
        value = "" if values is None else values.get(attr_name)
        attributes.append(
            {
                "name": attr_name,
                "Value": value,
                "Descriptor": {
                    "Syntax": "string",
                    "Description": description,
                    "Constraint": None,
                    "DefaultValue": None,
                },
            }
        )
    return {
        "id": definition.input_id,
        "ClassID": definition.class_id,
        "Name": definition.name,
        "Text": None,
        "Attribute": attributes,
        "ConfigAttribute": [],
    }


def template_json(profile: Profile) -> dict[str, Any]:
    """``GET /ca/rest/certrequests/profiles/{id}``: a ``CertEnrollmentRequest`` template."""
    return {
        "ProfileID": profile.profile_id,
        "Renewal": False,
        "SerialNumber": None,
        "RemoteHost": "",
        "RemoteAddress": "",
        "Input": [input_json(definition, None) for definition in profile.inputs],
        "Output": [],
        "Attributes": {"Attribute": []},
    }


def collection(entries: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    """A ``DataCollection`` (``CertRequestInfos``, ``ProfileDataInfos``)."""
    return {"total": len(entries) if total is None else total, "entries": entries, "Link": []}


def b64_lines(data: bytes) -> str:
    """Base64 in 64-column lines, the way Dogtag prints ``PKCS7CertChain``."""
    text = base64.b64encode(data).decode()
    return "\n".join(text[i : i + 64] for i in range(0, len(text), 64))


@dataclass
class RequestRecord:
    """One certificate request as the simulated CA stores it."""

    number: int
    profile_id: str
    status: str
    values: dict[str, str]
    authority_id: str
    created_ms: int
    modified_ms: int
    error: str | None = None
    notes: str = ""
    cert_serial: int | None = None
    polls: int = 0
    fate: tuple[int, str, str | None] | None = None

    @property
    def hex_id(self) -> str:
        """The request id as Dogtag's ``RequestId.toHexString()`` prints it."""
        return hex(self.number)


def request_info_json(record: RequestRecord, base_url: str) -> dict[str, Any]:
    """A ``CertRequestInfo``; ``certId``/``certURL`` appear once the request completed."""
    info: dict[str, Any] = {
        "requestID": record.hex_id,
        "requestType": "enrollment",
        "requestStatus": record.status,
        "requestURL": f"{base_url}/ca/rest/certrequests/{record.number}",
        "certRequestType": record.values.get("cert_request_type", "pkcs10"),
        "operationResult": "failure" if record.error else "success",
        "creationTime": record.created_ms,
        "modificationTime": record.modified_ms,
    }
    if record.cert_serial is not None:
        info["certId"] = hex(record.cert_serial)
        info["certURL"] = f"{base_url}/ca/rest/certs/{hex(record.cert_serial)}"
    if record.error:
        info["errorMessage"] = record.error
    return info


def review_json(record: RequestRecord, profile: Profile, nonce: str) -> dict[str, Any]:
    """``GET /ca/rest/agent/certrequests/{id}``: a ``CertReviewResponse`` with a nonce."""
    body = template_json(profile)
    body["Input"] = [input_json(definition, record.values) for definition in profile.inputs]
    body.update(
        {
            "nonce": nonce,
            "requestId": record.hex_id,
            "requestType": "enrollment",
            "requestStatus": record.status,
            "requestOwner": "",
            "requestCreationTime": str(record.created_ms),
            "requestModificationTime": str(record.modified_ms),
            "requestNotes": record.notes,
            "profileApprovedBy": "",
            "profileSetId": profile.policy_set,
            "profileIsVisible": profile.visible,
            "profileName": profile.name,
            "profileDescription": profile.description,
            "profileRemoteHost": "127.0.0.1",
            "profileRemoteAddr": "127.0.0.1",
            "ProfilePolicySet": [
                {
                    "id": profile.policy_set,
                    "policies": [
                        {
                            "id": "1",
                            "def": {
                                "id": "Subject Name Default",
                                "classId": "userSubjectNameDefaultImpl",
                                "description": "This default populates a User-Supplied "
                                "Certificate Subject Name to the request.",
                                "policyAttribute": [],
                                "params": [],
                            },
                            "constraint": {
                                "id": "Subject Name Constraint",
                                "classId": "subjectNameConstraintImpl",
                                "description": "This constraint accepts the subject name "
                                "that matches UID=.*",
                                "constraint": [],
                            },
                        }
                    ],
                }
            ],
        }
    )
    return body


def authority_json(authority) -> dict[str, Any]:
    """An ``AuthorityData`` (Jackson omits nulls)."""
    data = {
        "id": authority.aid,
        "dn": authority.dn,
        "issuerDN": authority.issuer_dn,
        "serial": authority.serial,
        "enabled": authority.enabled,
        "ready": True,
        "isHostAuthority": authority.is_host,
        "description": authority.description,
    }
    if authority.parent_id is not None:
        data["parentID"] = authority.parent_id
    return {key: value for key, value in data.items() if value is not None}
