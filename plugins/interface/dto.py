"""Data passed between the core and a plugin.

Certificates always travel as PEM *text* (``-----BEGIN CERTIFICATE-----``), never
as base64 of PEM: Barbican's docs said PEM while its code wanted base64, and its
Dogtag plugin returned one on one path and the other on another.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from cryptography import x509
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from certorder.plugins.interface.status import CertificateStatus, PluginMethod

#: Default delay before the core acts on a waiting order again (1 hour, as Barbican).
RETRY_MSEC = 3_600_000
#: Longest delay a plugin may ask for: 31 days. A CA that needs longer can ask again.
MAX_RETRY_MSEC = 31 * 24 * 3_600_000


def _pem_text(value: object) -> object:
    return value.decode("ascii") if isinstance(value, bytes) else value


class ResultDTO(BaseModel):
    """What every order method returns: the status, and what goes with it.

    :param status: one of :class:`CertificateStatus`; it alone decides what the core
        does next (see that class).
    :param status_message: shown to the client as the order's ``sub_status_message``;
        say something a person can act on, especially for problems.
    :param certificate: the issued leaf certificate as PEM text. Required, and must
        parse, when ``status`` is ``CERTIFICATE_GENERATED``.
    :param intermediates: zero or more PEM certificates: the chain from the leaf's
        issuer up to, not including, the root.
    :param retry_msec: milliseconds before the core's next call for this order
        (``WAITING_FOR_CA``, ``CLIENT_DATA_ISSUE_SEEN``, ``CA_UNAVAILABLE_FOR_REQUEST``).
    :param retry_method: which method to call after the delay; when empty the
        core's rules decide (``check_certificate_status``, or the same method when the
        CA was unavailable).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: CertificateStatus
    status_message: str | None = None
    certificate: Annotated[str | None, Field(repr=False)] = None
    intermediates: Annotated[str | None, Field(repr=False)] = None
    retry_msec: int = Field(default=RETRY_MSEC, ge=0, le=MAX_RETRY_MSEC)
    retry_method: PluginMethod | None = None

    _coerce_pem = field_validator("certificate", "intermediates", mode="before")(
        staticmethod(_pem_text)
    )

    @model_validator(mode="after")
    def _certificate_parses(self) -> ResultDTO:
        if self.status is CertificateStatus.CERTIFICATE_GENERATED:
            if not self.certificate:
                raise ValueError("a 'certificate generated' result needs a certificate")
            try:
                certs = x509.load_pem_x509_certificates(self.certificate.encode())
            except ValueError as exc:
                raise ValueError(f"certificate is not PEM X.509: {exc}") from None
            if len(certs) != 1:
                raise ValueError("certificate must hold exactly the leaf certificate")
        if self.intermediates and self.intermediates.strip():
            try:
                x509.load_pem_x509_certificates(self.intermediates.encode())
            except ValueError as exc:
                raise ValueError(f"intermediates are not PEM X.509: {exc}") from None
        return self


class CoreMetaDTO(BaseModel):
    """What the core adds to each call, beside the client's and the plugin's data.

    :param plugin_ca_id: the plugin's own id of the CA this order targets (from the
        order's ``ca_id``), or ``None`` for the plugin's default CA. It is passed on
        every call for the order, retries included.
    :param generated_csr: for ``stored-key`` orders, the PEM CSR the core built from
        the stored key.
    :param interrupted_since: set when an earlier attempt of this same call did not
        return (its worker died, or it stopped heartbeating): the time the call was first
        scheduled. Anything that attempt created at the CA was created after it, so a
        plugin can limit its search for such a request to the CA's records since then.
        ``None`` on a first attempt.
    """

    model_config = ConfigDict(frozen=True)

    plugin_ca_id: str | None = None
    generated_csr: str | None = None
    interrupted_since: datetime | None = None
    # Set by the core for the length of one call; never serialised.
    _progress: Callable[[dict[str, Any]], None] | None = PrivateAttr(default=None)

    def report_progress(self, plugin_meta: Mapping[str, Any]) -> None:
        """Record ``plugin_meta`` as it is *now*, before the call returns.

        Call it the moment you hold something a retried call must not lose, above all
        the CA's id of a request you just placed. If the worker dies later in this
        call, the retried attempt gets this ``plugin_meta`` instead of the one from the
        call's start. The record is sent to Temporal within about a second (it is
        best effort in that second, so keep a CA-side way of finding the request too).
        Cheap; a no-op outside the core (e.g. in unit tests).
        """
        if self._progress is not None:
            self._progress(dict(plugin_meta))

    def with_progress(self, callback: Callable[[dict[str, Any]], None]) -> CoreMetaDTO:
        """A copy whose :meth:`report_progress` calls ``callback`` (used by the core)."""
        copy = self.model_copy()
        copy._progress = callback
        return copy


class CACreateDTO(BaseModel):
    """A request to create a subordinate CA under ``parent_ca_id`` (a plugin CA id;
    ``None`` means the plugin's default CA)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    description: str | None = None
    subject_dn: str | None = None
    parent_ca_id: str | None = None


class CAInfo(BaseModel):
    """One CA a plugin can issue from, as listed by ``get_ca_info()``.

    ``plugin_name`` is filled in by the manager; plugins leave it empty.
    """

    model_config = ConfigDict(frozen=True)

    ca_id: str
    name: str
    description: str = ""
    ca_signing_certificate: str | None = None
    intermediates: str | None = None
    expiration: datetime | None = None
    parent_ca_id: str | None = None
    plugin_name: str | None = None
