"""Inputs and results of the revocation activities (pydantic, so fields can be added
later without breaking revocations already running)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from certorder.plugins.interface.revocation import RevocationReason, RevocationStatus


class RevocationTargetInput(BaseModel):
    order_id: str


class RevocationTarget(BaseModel):
    """What the worker found for a revocation: the certificate and who can revoke it.

    ``refusal`` is set instead when the revocation cannot even be tried (no
    certificate, or a plugin that offers no revocation); ``not_on_worker`` when this
    worker has not enabled the plugin (another may have); ``recorded_at`` when the
    store already records the certificate as revoked.
    """

    plugin_name: str | None = None
    certificate: str | None = Field(default=None, repr=False)
    serial: str | None = None
    order_meta: dict[str, Any] = Field(default_factory=dict)
    plugin_meta: dict[str, Any] = Field(default_factory=dict)
    refusal: str | None = None
    not_on_worker: str | None = None
    recorded_at: datetime | None = None


class RevokeCallInput(BaseModel):
    """One call of a plugin's ``revoke_certificate``, with everything it receives."""

    order_id: str
    plugin_name: str
    certificate: str = Field(repr=False)
    order_meta: dict[str, Any] = Field(default_factory=dict)
    plugin_meta: dict[str, Any] = Field(default_factory=dict)
    reason: RevocationReason


class RevokeCallResult(BaseModel):
    """The plugin's answer, and the plugin_meta to pass to the next call; or, with no
    ``status``, ``not_on_worker``: this worker has not enabled the plugin."""

    status: RevocationStatus | None = None
    not_on_worker: str | None = None
    status_message: str | None = None
    revoked_at: datetime | None = None
    retry_msec: int = 0
    plugin_meta: dict[str, Any] = Field(default_factory=dict)


class RecordRevocationInput(BaseModel):
    order_id: str
    reason: RevocationReason
    revoked_at: datetime
    plugin_name: str
    serial: str | None = None
