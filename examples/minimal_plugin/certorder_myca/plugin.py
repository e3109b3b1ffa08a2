"""MyCA: the shape of a remote-CA plugin, with an in-memory CA standing in for the remote.

``issue`` places a request and answers WAITING_FOR_CA; ``check`` asks again and gets the
certificate. A real plugin would make HTTP calls where this one touches ``self._requests``.
The pretend CA lives in this process, so it serves one worker only; a real CA is shared by
every worker, and what workers must share beyond it goes in ``context.shared``.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from certorder.plugins.interface.certificate_manager import (
    CertificatePluginBase,
    CertificateRequestType,
    CertificateStatus,
    PluginConfigurationError,
    PluginContext,
    ResultDTO,
    load_csr,
)

Status = CertificateStatus
SAN = ExtensionOID.SUBJECT_ALTERNATIVE_NAME


class MyCASettings(BaseSettings):
    """Options from ``[plugins.myca]``; environment ``CERTORDER_MYCA_*`` fills the gaps."""

    model_config = SettingsConfigDict(env_prefix="CERTORDER_MYCA_", extra="forbid")

    validity_days: int = Field(default=30, ge=1, le=398)
    poll_msec: int = Field(default=60_000, ge=1_000)


class MyCAPlugin(CertificatePluginBase):
    """Signs CSRs with a throwaway CA created at start-up (so nothing survives a restart)."""

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        try:
            self.settings = MyCASettings(**context.options)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise PluginConfigurationError(f"{error['loc'][0]}: {error['msg']}") from None
        self._key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{context.name} example CA")])
        cert_sign = x509.KeyUsage(*[False] * 5, True, True, False, False)  # keyCertSign, cRLSign
        ca_only = [(x509.BasicConstraints(ca=True, path_length=0), True), (cert_sign, True)]
        self._ca = _sign(self._key, name, self._key.public_key(), name, 365, ca_only)
        self._requests: dict[str, dict] = {}  # the "remote CA": order id -> its request
        self._lock = threading.Lock()  # order methods run concurrently in threads

    def supported_request_types(self) -> tuple[CertificateRequestType, ...]:
        return (CertificateRequestType.SIMPLE_CMC, CertificateRequestType.STORED_KEY)

    def get_default_signing_cert(self) -> str:
        return self._ca.public_bytes(serialization.Encoding.PEM).decode()

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        csr = load_csr(core_meta.generated_csr or order_meta.get("request_data") or "")
        with self._lock:
            # Retried after a crash? The CA already has this order id: don't place it twice.
            request = self._requests.setdefault(order_id, {"id": uuid.uuid4().hex, "csr": csr})
        plugin_meta["ca_request_id"] = request["id"]
        return self._waiting(f"MyCA request {request['id']} is queued")

    def check_certificate_status(self, order_id, order_meta, plugin_meta, core_meta):
        request = self._requests.get(order_id)
        if request is None or request["id"] != plugin_meta.get("ca_request_id"):
            return ResultDTO(status=Status.INVALID_OPERATION, status_message="unknown at MyCA")
        if request.get("canceled"):
            return ResultDTO(status=Status.REQUEST_CANCELED, status_message="canceled at MyCA")
        with self._lock:
            if "certificate" not in request:  # issued once; a repeated check gets the same
                csr, days = request["csr"], self.settings.validity_days
                aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key())
                leaf = [(x509.BasicConstraints(ca=False, path_length=None), True), (aki, False)]
                # Copy the names the client asked for; a real CA checks them first.
                leaf += [(e.value, False) for e in csr.extensions if e.oid == SAN]
                cert = _sign(self._key, csr.subject, csr.public_key(), self._ca.subject, days, leaf)
                request["certificate"] = cert.public_bytes(serialization.Encoding.PEM).decode()
        return ResultDTO(status=Status.CERTIFICATE_GENERATED, certificate=request["certificate"])

    def modify_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        request = self._requests.get(order_id)
        if request is None or "certificate" in request:
            return ResultDTO(status=Status.INVALID_OPERATION, status_message="nothing to modify")
        request["csr"] = load_csr(order_meta.get("request_data") or "")
        return self._waiting("MyCA accepted the new CSR")

    def cancel_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        request = self._requests.get(order_id)
        if request is None or "certificate" in request:
            return ResultDTO(status=Status.INVALID_OPERATION, status_message="nothing to cancel")
        request["canceled"] = True
        return ResultDTO(status=Status.REQUEST_CANCELED, status_message="canceled at MyCA")

    def _waiting(self, message: str) -> ResultDTO:
        return ResultDTO(
            status=Status.WAITING_FOR_CA, status_message=message, retry_msec=self.settings.poll_msec
        )


def _sign(key, subject, public_key, issuer, days, extensions) -> x509.Certificate:
    now, serial = dt.datetime.now(dt.UTC), x509.random_serial_number()
    validity = (now - dt.timedelta(minutes=5), now + dt.timedelta(days=days))
    builder = x509.CertificateBuilder(issuer, subject, public_key, serial, *validity)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(key, hashes.SHA256())
