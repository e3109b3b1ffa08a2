"""Renewal information, the contract's optional part for CAs that suggest when to renew
(ACME Renewal Information, RFC 9773).

A plugin offers it by overriding
:meth:`~certorder.plugins.interface.certificate_manager.CertificatePluginBase.suggested_renewal_window`.
What the core does with each answer (see ``docs/plugin-development.md``):

* a :class:`RenewalWindow`: the managed certificate renews at a random moment inside
  ``[start, end]`` (at once if ``end`` has passed), whatever its fraction/margin policy
  says, and asks again after ``retry_after_seconds`` (6 hours if None) while it waits;
  a changed window gets a new random moment, an unchanged one keeps it;
* ``None``: the CA suggests nothing for this certificate; the policy time stands and
  the core does not ask again for this certificate;
* :class:`~certorder.plugins.interface.errors.CAUnavailableError`: the policy time (or
  the last window's moment) stands, and the core asks again after ``retry_msec``;
* any other exception: the same, asked again after 6 hours, with the message shown.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

#: RFC 9773 section 4.3: without a Retry-After, check again after six hours.
DEFAULT_RECHECK_SECONDS = 6 * 3600


class RenewalWindow(BaseModel):
    """The CA's suggested renewal window for one certificate (timezone-aware times)."""

    start: datetime
    end: datetime
    #: How long to wait before asking again (the server's Retry-After), if it said.
    retry_after_seconds: float | None = Field(default=None, ge=0)
    #: A page explaining the window, e.g. why the CA wants an early renewal.
    explanation_url: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> RenewalWindow:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("renewal window times must be timezone-aware")
        if self.end < self.start:
            raise ValueError("renewal window ends before it starts")
        return self
