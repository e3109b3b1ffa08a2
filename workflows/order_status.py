"""The order's status on its own, so that the CLI can offer its values (``order list
--status``) without loading the pydantic models of :mod:`certorder.workflows.models`."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """The order's own status (Barbican's): ``PENDING`` until it ends ``ACTIVE`` or ``ERROR``."""

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    ERROR = "ERROR"

    @property
    def is_terminal(self) -> bool:
        return self is not OrderStatus.PENDING
