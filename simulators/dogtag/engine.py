"""The simulated CA's behaviour, apart from HTTP: requests, agent actions, certificates.

Error messages and status codes follow the Java services of dogtagpki/pki
(``CertRequestService``, ``EnrollmentProcessor``, ``RequestProcessor``): an unknown
profile is a 400 "Bad request data: Profile X not found"; an unparsable or missing
PKCS#10 fails inside the profile framework, which the service turns into a 500
``PKIException``; an agent action on a request that is no longer pending is a 400
(``BadRequestDataException``), not a 409.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from simulators.dogtag import shapes
from simulators.dogtag.crypto import SigningCA
from simulators.dogtag.nonces import SessionNonces

#: Request states an agent may still act on.
PENDING = "pending"


class DogtagError(Exception):
    """A REST error: HTTP status, Java exception class and message."""

    def __init__(self, code: int, class_name: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.class_name = class_name
        self.message = message


def bad_request(message: str) -> DogtagError:
    """A 400 ``BadRequestException``."""
    return DogtagError(400, shapes.BAD_REQUEST, message)


@dataclass
class Authority:
    """A lightweight CA (``/ca/rest/authorities``); the host authority included."""

    aid: str
    dn: str
    ca: SigningCA
    parent_id: str | None
    description: str
    is_host: bool = False
    enabled: bool = True

    @property
    def issuer_dn(self) -> str:
        return self.ca.cert.issuer.rfc4514_string()

    @property
    def serial(self) -> int:
        return self.ca.cert.serial_number


class Engine:
    """Requests, certificates and authorities of one simulated CA; thread-safe."""

    def __init__(self, host_ca: SigningCA) -> None:
        self.lock = threading.RLock()
        self.nonces = SessionNonces("cert-request")
        self.profiles = shapes.default_profiles()
        host = Authority(
            aid=str(uuid.uuid4()),
            dn=host_ca.cert.subject.rfc4514_string(),
            ca=host_ca,
            parent_id=None,
            description="Host authority",
            is_host=True,
        )
        self.authorities: dict[str, Authority] = {host.aid: host}
        self.host = host
        self.requests: dict[int, shapes.RequestRecord] = {}
        self.certs: dict[int, tuple[x509.Certificate, Authority]] = {}
        self._next_request = 7
        self._next_serial = 0x10
        #: What happens to new requests: ``(polls, decision, reason)`` or ``None``.
        self.default_fate: tuple[int, str, str | None] | None = None
        #: A reason to reject the next submissions with, at submission time.
        self.reject_on_submit: str | None = None

    # -- enrollment ----------------------------------------------------------------------

    def enroll(self, profile_id: object, values: dict[str, str], aid: str | None):
        """Process a submission; returns the new request record."""
        with self.lock:
            profile = self.profiles.get(profile_id) if isinstance(profile_id, str) else None
            if profile is None:
                shown = "null" if profile_id is None else profile_id
                raise bad_request(f"Bad request data: Profile {shown} not found")
            if not profile.enabled:
                raise bad_request(f"Bad request data: Profile {profile_id} not enabled")
            authority = self._target(aid)
            csr = self._parse_csr(values)
            now = int(time.time() * 1000)
            record = shapes.RequestRecord(
                number=self._next_request,
                profile_id=profile.profile_id,
                status=PENDING,
                values=dict(values),
                authority_id=authority.aid,
                created_ms=now,
                modified_ms=now,
                fate=self.default_fate,
            )
            self._next_request += 1
            self.requests[record.number] = record
            if self.reject_on_submit is not None:
                record.status = "rejected"
                record.error = f"Request {record.number} Rejected - {self.reject_on_submit}"
            elif profile.auto_issue:
                self._issue(record, csr)
            return record

    def _target(self, aid: str | None) -> Authority:
        if aid is None:
            return self.host
        try:
            uuid.UUID(aid)
        except ValueError:
            raise bad_request(f"Invalid authority ID: {aid}") from None
        authority = self.authorities.get(aid)
        if authority is None:
            raise DogtagError(404, shapes.NOT_FOUND, f"CA not found: {aid}")
        if not authority.enabled:
            raise DogtagError(409, shapes.CONFLICT, f"CA not enabled: {aid}")
        return authority

    @staticmethod
    def _parse_csr(values: dict[str, str]) -> x509.CertificateSigningRequest:
        kind = values.get("cert_request_type")
        if kind not in ("pkcs10", "crmf", "cmc"):
            raise DogtagError(
                500,
                shapes.PKI_EXCEPTION,
                "Unable to create enrollment request: Unknown Certificate Request Type",
            )
        invalid = DogtagError(
            500, shapes.PKI_EXCEPTION, "Unable to create enrollment request: Invalid Request"
        )
        if kind != "pkcs10" or not values.get("cert_request"):
            raise invalid
        try:
            csr = x509.load_pem_x509_csr(values["cert_request"].encode())
        except ValueError:
            raise invalid from None
        if not csr.is_signature_valid:
            raise invalid
        return csr

    def _issue(self, record: shapes.RequestRecord, csr=None) -> None:
        csr = csr or x509.load_pem_x509_csr(record.values["cert_request"].encode())
        authority = self.authorities[record.authority_id]
        try:
            san = csr.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        except x509.ExtensionNotFound:
            san = None
        serial = self._next_serial
        self._next_serial += 1
        cert = authority.ca.issue(csr.subject, csr.public_key(), serial, san)
        self.certs[serial] = (cert, authority)
        record.cert_serial = serial
        record.status = "complete"
        record.modified_ms = int(time.time() * 1000)

    def next_request_number(self) -> int:
        """A new request number (enrollments and revocations share the sequence)."""
        with self.lock:
            number = self._next_request
            self._next_request += 1
            return number

    # -- lookups and agent actions -------------------------------------------------------

    def find(self, raw_id: str) -> shapes.RequestRecord:
        """The request for a path segment (decimal, or hex with ``0x``, as ``RequestId``)."""
        number = parse_id(raw_id)
        record = self.requests.get(number) if number is not None else None
        if record is None:
            raise DogtagError(404, shapes.REQUEST_NOT_FOUND, f"Request ID {raw_id} not found")
        return record

    def poll(self, record: shapes.RequestRecord) -> None:
        """Count a status read; a request with a fate is decided after enough reads."""
        with self.lock:
            record.polls += 1
            if record.status == PENDING and record.fate is not None:
                polls, decision, reason = record.fate
                if record.polls > polls:
                    self.act(record, decision, notes=reason)

    def new_nonce(self, record: shapes.RequestRecord, session: str) -> str:
        """A review nonce, kept in this HTTP session (the action must come on it)."""
        return str(self.nonces.issue(session, record.number))

    def check_nonce(self, record: shapes.RequestRecord, session: str | None, nonce) -> None:
        """Use up the nonce of an agent action, or refuse the action."""
        refusal = self.nonces.consume(session, record.number, nonce)
        if refusal is not None:
            raise DogtagError(*refusal)

    def act(self, record: shapes.RequestRecord, action: str, notes: str | None = None) -> None:
        """An agent's approve/reject/cancel (or update/validate/assign/unassign)."""
        with self.lock:
            if record.status != PENDING:
                raise bad_request(f"Bad request data: Request {record.hex_id} is not pending")
            if notes:
                record.notes = notes
            if action == "approve":
                authority = self.authorities.get(record.authority_id)
                if authority is None:
                    raise DogtagError(
                        410,
                        "com.netscape.certsrv.base.HTTPGoneException",
                        f"CA not found: {record.authority_id}",
                    )
                self._issue(record)
            elif action == "reject":
                record.status = "rejected"
            elif action == "cancel":
                record.status = "canceled"
            record.modified_ms = int(time.time() * 1000)

    def cert(self, raw_serial: str) -> tuple[x509.Certificate, Authority]:
        """A certificate by serial (decimal or ``0x`` hex)."""
        serial = parse_id(raw_serial)
        found = self.certs.get(serial) if serial is not None else None
        if found is None:
            raise DogtagError(404, shapes.CERT_NOT_FOUND, f"Certificate ID {raw_serial} not found")
        return found


def parse_id(raw: str) -> int | None:
    """Dogtag's ``RequestId``/``CertId`` parsing: ``0x`` means hex, else decimal."""
    try:
        return int(raw[2:], 16) if raw.lower().startswith("0x") else int(raw, 10)
    except ValueError:
        return None
