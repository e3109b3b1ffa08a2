"""Inputs and results of the CA-management activities (``ca list|create|delete``,
``plugin list``): plain pydantic models, so fields can be added later."""

from __future__ import annotations

from pydantic import BaseModel, Field

from certorder.plugins.interface.dto import CACreateDTO


class CreateCaInput(BaseModel):
    """Create a CA; without ``plugin_name``, through the only enabled plugin."""

    plugin_name: str | None = None
    ca: CACreateDTO


class DeleteCaInput(BaseModel):
    ca_id: str
    plugin_name: str | None = None


class EnabledPlugin(BaseModel):
    name: str
    request_types: list[str] = Field(default_factory=list)
    default_ca: str | None = None


class WorkerDescription(BaseModel):
    """What one worker has loaded, as ``plugin list`` reports it."""

    identity: str
    task_queue: str
    enabled: list[EnabledPlugin] = Field(default_factory=list)
    installed: list[str] = Field(default_factory=list)
