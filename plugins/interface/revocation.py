"""Revocation, the contract's optional part: reasons, answers, and what the core does.

A plugin offers revocation by overriding
:meth:`~certorder.plugins.interface.certificate_manager.CertificatePluginBase.revoke_certificate`;
the core asks :meth:`~CertificatePluginBase.supports_revocation` before it starts a
revocation and refuses one through a plugin that says no. The order's six
:class:`~certorder.plugins.interface.status.CertificateStatus` values are not reused:
a revocation is not an order, and "certificate generated" or "request canceled" mean
nothing for it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from certorder.plugins.interface.dto import MAX_RETRY_MSEC
from certorder.plugins.interface.errors import ERROR_RETRY_MSEC

#: Default delay before asking again after "waiting for CA" (5 minutes: a revocation
#: is urgent, unlike an order's default hour).
REVOCATION_RETRY_MSEC = 300_000


class RevocationReason(StrEnum):
    """The RFC 5280 (section 5.3.1) reasons a client may give, by their ASN.1 names.

    ``removeFromCRL`` (8) only un-holds a certificate and ``aACompromise`` (10) is for
    attribute certificates, so neither is offered.
    """

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "keyCompromise"
    CA_COMPROMISE = "cACompromise"
    AFFILIATION_CHANGED = "affiliationChanged"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessationOfOperation"
    CERTIFICATE_HOLD = "certificateHold"
    PRIVILEGE_WITHDRAWN = "privilegeWithdrawn"

    @property
    def code(self) -> int:
        """The CRLReason number (what CRLs, ACME and most CA APIs carry)."""
        return _CODES[self]

    @classmethod
    def parse(cls, text: str) -> RevocationReason:
        """A reason from its RFC 5280 name, case-insensitively.

        :raises ValueError: for anything else; the message lists the valid names.
        """
        for reason in cls:
            if reason.value.lower() == str(text).strip().lower():
                return reason
        raise ValueError(
            f"unknown revocation reason {text!r}; use one of: {', '.join(r.value for r in cls)}"
        )


_CODES = {
    RevocationReason.UNSPECIFIED: 0,
    RevocationReason.KEY_COMPROMISE: 1,
    RevocationReason.CA_COMPROMISE: 2,
    RevocationReason.AFFILIATION_CHANGED: 3,
    RevocationReason.SUPERSEDED: 4,
    RevocationReason.CESSATION_OF_OPERATION: 5,
    RevocationReason.CERTIFICATE_HOLD: 6,
    RevocationReason.PRIVILEGE_WITHDRAWN: 9,
}


class RevocationStatus(StrEnum):
    """What ``revoke_certificate`` tells the core, and what the core does next.

    * ``REVOKED``: the CA has revoked the certificate (now, or before: a repeated call
      must answer this too, which is how a retried call never revokes twice). The
      core records it in the store; the revocation is finished.
    * ``WAITING_FOR_CA``: the CA accepted the request but has not revoked yet (an
      agent must approve, a batch runs later). ``revoke_certificate`` is called again
      after ``retry_msec``, on a durable timer.
    * ``CA_UNAVAILABLE``: the CA could not be reached (raising ``CAUnavailableError``
      means the same). The same call is made again after ``retry_msec``, on a durable
      timer, for as long as it takes.
    * ``REFUSED``: the CA will not revoke this certificate (unknown to it, not
      revocable, reason not allowed). The revocation ends refused, with the message.
    """

    REVOKED = "revoked"
    WAITING_FOR_CA = "waiting for CA"
    CA_UNAVAILABLE = "CA unavailable"
    REFUSED = "refused"


class RevocationResult(BaseModel):
    """What ``revoke_certificate`` returns.

    :param status: one of :class:`RevocationStatus`; it alone decides what comes next.
    :param status_message: shown to the operator; say what the CA said.
    :param revoked_at: when the CA revoked it, if it says (default: when the core
        heard of it).
    :param retry_msec: delay before the next call, for ``WAITING_FOR_CA`` and
        ``CA_UNAVAILABLE``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: RevocationStatus
    status_message: str | None = None
    revoked_at: datetime | None = None
    retry_msec: int = Field(default=REVOCATION_RETRY_MSEC, ge=0, le=MAX_RETRY_MSEC)


def unavailable(message: str, retry_msec: int = ERROR_RETRY_MSEC) -> RevocationResult:
    """A ``CA_UNAVAILABLE`` result (for plugins that prefer returning to raising)."""
    return RevocationResult(status=RevocationStatus.CA_UNAVAILABLE, status_message=message,
                            retry_msec=retry_msec)
