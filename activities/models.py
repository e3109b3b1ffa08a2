"""Inputs and results of the order activities (one pydantic model each, so fields can
be added later without breaking orders already running)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from certorder.plugins.interface.dto import RETRY_MSEC, CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus, PluginMethod


class SelectPluginInput(BaseModel):
    order_id: str
    order_meta: dict[str, Any]


class SelectPluginResult(BaseModel):
    plugin_name: str
    plugin_ca_id: str | None = None


class PluginCallInput(BaseModel):
    """One call of a plugin's order method, with everything the plugin receives."""

    order_id: str
    plugin_name: str
    order_meta: dict[str, Any]
    plugin_meta: dict[str, Any] = Field(default_factory=dict)
    core_meta: CoreMetaDTO = Field(default_factory=CoreMetaDTO)


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


class StoreCertificateInput(BaseModel):
    order_id: str
    plugin_name: str
    ca_id: str | None = None
    certificate: str
    intermediates: str | None = None
    #: The CSR the certificate must match (the order's request_data or generated CSR).
    csr: str | None = None


class StoreCertificateResult(BaseModel):
    """Either the container the certificate now lives in, or why it was refused."""

    container_id: str | None = None
    rejected_reason: str | None = None


class ClaimOrderIdInput(BaseModel):
    order_id: str
    #: The order's first workflow run: its retries and resets find their own claim.
    claimant: str


class ClaimOrderIdResult(BaseModel):
    """Empty when the id is this order's; else why it is refused."""

    refused_reason: str | None = None
