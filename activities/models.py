"""Inputs and results of the order activities (one pydantic model each, so fields can
be added later without breaking orders already running)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from certorder.plugins.interface.dto import RETRY_MSEC, CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus, PluginMethod


class ApprovalPolicy(BaseModel):
    """An order must be approved by a person before it reaches a CA.

    ``timeout_seconds``: how long to wait for a decision (None: for ever); then
    ``on_timeout`` ``error`` ends the order in ERROR, ``remind`` records a reminder
    (in Current details and the transitions) and waits as long again.
    """

    timeout_seconds: float | None = Field(default=None, gt=0, le=366 * 86_400)
    on_timeout: Literal["error", "remind"] = "error"


class SelectPluginInput(BaseModel):
    order_id: str
    order_meta: dict[str, Any]


class SelectPluginResult(BaseModel):
    plugin_name: str
    plugin_ca_id: str | None = None
    #: The CSR's subject and SANs, for people reading the order (the workflow parses
    #: nothing itself).
    subject: str | None = None
    sans: list[str] = Field(default_factory=list)
    #: The approval the worker's settings require for this plugin or CA, if any.
    approval: ApprovalPolicy | None = None
    #: Set when the order names a plugin that is installed but not enabled on the
    #: worker that ran the selection: why the order must wait for another worker.
    not_on_worker: str | None = None
    #: The plugin declares its order methods quick and safe to repeat
    #: (``quick_calls``): the workflow runs them as local activities.
    quick_calls: bool = False
    #: The plugin declares its status checks quick and read-only (``quick_checks``):
    #: the workflow runs the checks, and only them, as local activities.
    quick_checks: bool = False


class PluginCallInput(BaseModel):
    """One call of a plugin's order method, with everything the plugin receives."""

    order_id: str
    plugin_name: str
    order_meta: dict[str, Any]
    plugin_meta: dict[str, Any] = Field(default_factory=dict)
    core_meta: CoreMetaDTO = Field(default_factory=CoreMetaDTO)
    #: The order was accepted by a worker without its plugin: the plugin's own checks
    #: (``validate_order``) run before the first call.
    validate_first: bool = False


class PluginCallResult(BaseModel):
    """What a plugin call produced: its result, and the plugin_meta to keep.

    A plain record of the plugin's :class:`~plugins.ResultDTO` (already validated in
    the activity), so the workflow never parses certificates itself.
    """

    status: CertificateStatus
    status_message: str | None = None
    certificate: str | None = Field(default=None, repr=False)
    intermediates: str | None = Field(default=None, repr=False)
    retry_msec: int = RETRY_MSEC
    retry_method: PluginMethod | None = None
    plugin_meta: dict[str, Any] = Field(default_factory=dict)
    #: The plugin was *not* called: this worker has not enabled it (why, for the order).
    not_on_worker: str | None = None


class StoreCertificateInput(BaseModel):
    order_id: str
    plugin_name: str
    ca_id: str | None = None
    certificate: str
    intermediates: str | None = None
    #: The CSR the certificate must match (the order's request_data or generated CSR).
    csr: str | None = None
    #: Kept beside the certificate for a later revocation (``None``: keep nothing).
    order_meta: dict[str, Any] | None = None
    plugin_meta: dict[str, Any] | None = None


class IssuedCertificate(BaseModel):
    """What an operator checks of an issued certificate, without the certificate."""

    serial: str
    not_before: datetime
    not_after: datetime
    sha256: str


class StoreCertificateResult(BaseModel):
    """Either the container the certificate now lives in, or why it was refused."""

    container_id: str | None = None
    rejected_reason: str | None = None
    certificate: IssuedCertificate | None = None


class ClaimOrderIdInput(BaseModel):
    order_id: str
    #: The order's first workflow run: its retries and resets find their own claim.
    claimant: str


class ClaimOrderIdResult(BaseModel):
    """Empty when the id is this order's; else why it is refused."""

    refused_reason: str | None = None


class QuickCallInput(BaseModel):
    """A call of a quick plugin (``quick_calls``), and, when it generates the
    certificate, the store write in the same call: ``store`` is the write without the
    certificate, intermediates and plugin_meta, which the call's result supplies."""

    method: PluginMethod
    call: PluginCallInput
    store: StoreCertificateInput | None = None


class QuickCallResult(BaseModel):
    result: PluginCallResult
    stored: StoreCertificateResult | None = None
    #: The store did not answer: the workflow stores the certificate by itself.
    store_unavailable: str | None = None


class AcceptOrderInput(BaseModel):
    """A new order's first step in one call: choose its plugin, then claim its id
    (``claimant``: the order's first run; None claims nothing)."""

    order_id: str
    order_meta: dict[str, Any]
    claimant: str | None = None
    #: The issue call to make as well, in the same call, if the chosen plugin declares
    #: ``quick_calls``, is on this worker, needs no approval and the id was claimed:
    #: its plugin name (call and store) and CA id are the selection's, filled in then.
    issue: QuickCallInput | None = None


class AcceptOrderResult(BaseModel):
    selection: SelectPluginResult
    claim: ClaimOrderIdResult | None = None
    #: The store did not answer the claim: the workflow claims again by itself.
    claim_unavailable: str | None = None
    #: The issue call made in the same call (see ``AcceptOrderInput.issue``); None if
    #: it was not asked for, not allowed, or failed (the workflow then makes it).
    issued: QuickCallResult | None = None
